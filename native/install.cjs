// npm's install step for this package. Without an install script npm runs `node-gyp rebuild` by itself for a
// package with a binding.gyp, which fails on a machine without libtorch; but restoring with an .onnx model
// needs no libtorch. So: build the addon when libtorch is there (LIBTORCH=/path or Debian's libtorch-dev),
// otherwise say how to add it later and succeed. MASKDCPT_SKIP_NATIVE=1 skips the build.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = process.env.LIBTORCH || '/usr';
const header = path.join(root, 'include', 'ATen', 'ATen.h');
const later =
  'Restore/diagnose with .onnx models work without it. For training and .safetensors/.pth models: ' +
  '`sudo apt-get install libtorch-dev` (or set LIBTORCH=/path/to/libtorch), then `npm run build:native` here.';
if (process.env.MASKDCPT_SKIP_NATIVE) {
  console.log(`maskdcpt: MASKDCPT_SKIP_NATIVE is set, libtorch addon not built. ${later}`);
  process.exit(0);
}
if (!fs.existsSync(header)) {
  console.log(`maskdcpt: libtorch not found (${header}), libtorch addon not built. ${later}`);
  process.exit(0);
}
const r = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit', shell: true });
process.exit(r.status ?? 1);
