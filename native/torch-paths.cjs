// Prints the libtorch include dirs, library flags or defines for binding.gyp.
// LIBTORCH=/path selects another libtorch (e.g. a CUDA build from a PyTorch install's torch/ folder);
// otherwise Debian's libtorch-dev under /usr is used. A missing libtorch fails here with a clear message.
const fs = require('node:fs');
const path = require('node:path');

const root = process.env.LIBTORCH || '/usr';
const include = path.join(root, 'include');
const header = path.join(include, 'ATen', 'ATen.h');
if (!fs.existsSync(header)) {
  console.error(
    `maskdcpt: libtorch headers not found (${header}).\n` +
      (process.env.LIBTORCH
        ? `  LIBTORCH=${process.env.LIBTORCH} does not hold a libtorch build (expected include/ and lib/).\n`
        : '  Install Debian\'s libtorch-dev (apt-get install libtorch-dev) or set LIBTORCH=/path/to/libtorch.\n'),
  );
  process.exit(1);
}
const what = process.argv[2];
if (what === 'include') {
  console.log([include, path.join(include, 'torch', 'csrc', 'api', 'include')].join(' '));
} else if (what === 'libs') {
  const libdir = process.env.LIBTORCH ? path.join(root, 'lib') : '/usr/lib/x86_64-linux-gnu';
  const flags = [`-L${libdir}`, '-Wl,--no-as-needed', '-ltorch', '-ltorch_cpu', '-lc10'];
  if (fs.existsSync(path.join(libdir, 'libtorch_cuda.so'))) flags.push('-ltorch_cuda', '-lc10_cuda');
  if (process.env.LIBTORCH) flags.push(`-Wl,-rpath,${libdir}`);
  flags.push('-Wl,--as-needed');
  console.log(flags.join(' '));
} else if (what === 'abi') {
  // Debian builds with the C++11 ABI; older pip wheels used the pre-C++11 one (TORCH_CXX11_ABI=0).
  console.log(process.env.TORCH_CXX11_ABI ?? '1');
}
