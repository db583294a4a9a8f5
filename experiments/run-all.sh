#!/usr/bin/env bash
# The whole replication study (docs/results.md) at its default scale, one run at a time on 2 threads, then the
# document. Extra flags go to every script, e.g. `bash experiments/run-all.sh --runs /tmp/runs`.
set -euo pipefail
# Idle OpenMP threads sleep instead of spinning: on a shared 2-core machine spinning made 2-thread training
# steps 5-20x slower (measured 0.15 vs 1.75 it/s for nafnet-small fine-tuning). Must be set before libtorch loads.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
cd "$(dirname "$0")/.."
for item in pretrain-vs-scratch unseen-levels real-world diagnosis ablations unseen-type; do
  node --import tsx "experiments/${item}.ts" "$@"
done
node --import tsx experiments/render.ts
