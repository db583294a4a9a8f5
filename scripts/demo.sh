#!/usr/bin/env bash
# The demo command: sets up what is missing, then runs `maskdcpt demo` on built-in defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/maskdcpt.js demo "$@"
