#!/usr/bin/env bash
# The test command: sets up what is missing, then runs lint, type checks and every test under test/.
# Artefacts (screenshots of the browser tests) land in test-artifacts/ (MASKDCPT_ARTIFACTS moves them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx biome lint --diagnostic-level=error src test bench tools web
npx tsc -p tsconfig.test.json
npx tsc -p web/tsconfig.json   # the browser demo (DOM types)
mapfile -t files < <(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-reporter=spec "${files[@]}"
