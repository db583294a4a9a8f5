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
const libdir = process.env.LIBTORCH ? path.join(root, 'lib') : '/usr/lib/x86_64-linux-gnu';
const hasCuda = fs.existsSync(path.join(libdir, 'libtorch_cuda.so'));
const c10d = path.join(include, 'torch', 'csrc', 'distributed', 'c10d');
// Data parallel (native/distributed.cc): Gloo needs the c10d headers plus gloo's own (Debian: libgloo-dev);
// NCCL also needs a CUDA libtorch and nccl.h (CUDA_HOME or the libtorch include dir). Without them the
// addon still builds; `distributedBackends` then says which backends are missing.
const firstDir = (dirs, file) => dirs.find((d) => fs.existsSync(path.join(d, file)));
const glooInclude = firstDir([include, '/usr/include'], path.join('gloo', 'algorithm.h'));
const hasGloo = fs.existsSync(path.join(c10d, 'ProcessGroupGloo.hpp')) && glooInclude !== undefined;
const cudaHome = process.env.CUDA_HOME || '/usr/local/cuda';
const ncclInclude = firstDir([include, path.join(cudaHome, 'include'), '/usr/include'], 'nccl.h');
const hasNccl = hasCuda && hasGloo && fs.existsSync(path.join(c10d, 'ProcessGroupNCCL.hpp')) && ncclInclude !== undefined;
const glooLib = [libdir, '/usr/lib', '/usr/lib/x86_64-linux-gnu'].find((d) => fs.existsSync(path.join(d, 'libgloo.so')));

const what = process.argv[2];
if (what === 'include') {
  const dirs = [include, path.join(include, 'torch', 'csrc', 'api', 'include')];
  if (hasNccl) dirs.push(path.join(cudaHome, 'include'), ncclInclude);
  console.log([...new Set(dirs)].join(' '));
} else if (what === 'defines') {
  const defs = [];
  if (hasGloo) defs.push('MDT_HAVE_GLOO', 'USE_C10D_GLOO', 'USE_DISTRIBUTED');
  if (hasNccl) defs.push('MDT_HAVE_NCCL', 'USE_C10D_NCCL');
  console.log(defs.join(' '));
} else if (what === 'libs') {
  const flags = [`-L${libdir}`, '-Wl,--no-as-needed', '-ltorch', '-ltorch_cpu', '-lc10'];
  if (hasCuda) flags.push('-ltorch_cuda', '-lc10_cuda');
  // Debian links Gloo as a shared library; pip/zip libtorch builds carry it inside libtorch_cpu.
  if (hasGloo && glooLib) flags.push(`-L${glooLib}`, '-lgloo');
  if (process.env.LIBTORCH) flags.push(`-Wl,-rpath,${libdir}`);
  flags.push('-Wl,--as-needed');
  console.log(flags.join(' '));
} else if (what === 'abi') {
  // Debian builds with the C++11 ABI; older pip wheels used the pre-C++11 one (TORCH_CXX11_ABI=0).
  console.log(process.env.TORCH_CXX11_ABI ?? '1');
}
