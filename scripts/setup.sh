#!/usr/bin/env bash
# Idempotent setup for a fresh Debian 12 + Node 20 machine (run as root, or with sudo available).
# Installs libtorch (apt), npm dependencies, builds the native addon and the TypeScript. Fast when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

export npm_config_nodedir="${npm_config_nodedir:-/usr}"   # node-gyp must not download Node headers
export ONNXRUNTIME_NODE_INSTALL=skip
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1                 # the report's browser test drives Debian's chromium

need_apt=()
if [ -z "${LIBTORCH:-}" ]; then
  # libgloo-dev: Gloo's headers, for data-parallel training (native/distributed.cc).
  for pkg in libtorch-dev libgloo-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
  done
fi
# libjpeg62-turbo-dev: the addon's JPEG codec (native/jpeg.cc), the same libjpeg-turbo OpenCV links.
dpkg -s libjpeg62-turbo-dev >/dev/null 2>&1 || need_apt+=(libjpeg62-turbo-dev)
# chromium: the headless browser that test/report checks the HTML report in (playwright-core drives it).
dpkg -s chromium >/dev/null 2>&1 || need_apt+=(chromium)
# python3-onnx: the ONNX checker that test/export runs on exported models (onnx 1.12, opset 17).
dpkg -s python3-onnx >/dev/null 2>&1 || need_apt+=(python3-onnx)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} (apt)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

newer() { # true if any file in $2.. is newer than $1 (or $1 missing)
  local target=$1; shift
  [ ! -e "$target" ] && return 0
  [ -n "$(find "$@" -newer "$target" -print -quit 2>/dev/null)" ]
}

if newer node_modules/.package-lock.json package-lock.json package.json; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if newer build/Release/maskdcpt.node native binding.gyp; then
  echo "setup: building native addon (libtorch)"
  npx node-gyp rebuild --nodedir="$npm_config_nodedir" >build-native.log 2>&1 || {
    tail -40 build-native.log; echo "setup: native build failed (full log: build-native.log)"; exit 1; }
fi

if newer dist/.stamp src tsconfig.json; then
  echo "setup: compiling TypeScript"
  npx tsc -p tsconfig.json
  touch dist/.stamp
fi
