/**
 * Where our forward time goes, per ATen operator: wraps the addon's `callOp` (every operator call from TS
 * passes through it) and sums wall time by operator name. The remainder of the forward is TS-side overhead
 * (argument marshalling, wrapping, disposal). Backward runs inside libtorch's autograd engine and is not
 * split here (compare the bwd column of run.ts instead). The PyTorch counterpart is profile_torch.py.
 *
 *   node --import tsx bench/archs/profile.ts <preset> [threads 2] [runs 3] [size 256] [batch 1]
 */
import { createModel } from '../../src/archs/registry.js';
import { native } from '../../src/tensor/native.js';
import { manualSeed, noGrad, rand, setNumThreads, tidy } from '../../src/tensor/index.js';

const [preset = 'nafnet-small', threads = '2', runsArg = '3', sizeArg = '256', batchArg = '1'] = process.argv.slice(2);
setNumThreads(Number(threads));
manualSeed(0);
const model = createModel(preset).eval();
const x = rand([Number(batchArg), 3, Number(sizeArg), Number(sizeArg)]);

const names = new Map<unknown, string>();
const lookup = native.lookupOp.bind(native);
const call = native.callOp.bind(native);
const time = new Map<string, { ms: number; calls: number }>();
let recording = false;
native.lookupOp = (name, overload) => {
  const r = lookup(name, overload);
  names.set(r.handle, overload ? `${name}.${overload}` : name);
  return r;
};
native.callOp = (handle, args) => {
  if (!recording) return call(handle, args);
  const t0 = performance.now();
  const out = call(handle, args);
  const dt = performance.now() - t0;
  const n = names.get(handle) ?? '?';
  const e = time.get(n) ?? { ms: 0, calls: 0 };
  e.ms += dt;
  e.calls += 1;
  time.set(n, e);
  return out;
};

const fwd = () => noGrad(() => tidy(() => model.forward(x).sum().item()));
fwd(); // warm-up (also resolves every operator handle)
const runs = Number(runsArg);
recording = true;
const t0 = performance.now();
for (let i = 0; i < runs; i++) fwd();
const total = (performance.now() - t0) / runs;
recording = false;
const rows = [...time.entries()].sort((a, b) => b[1].ms - a[1].ms);
const inOps = rows.reduce((s, [, e]) => s + e.ms, 0) / runs;
console.log(
  `${preset} forward ${batchArg}x3x${sizeArg}x${sizeArg}: ${total.toFixed(1)} ms per forward, ${inOps.toFixed(1)} ms inside ATen calls`,
);
console.log(
  `  TS-side overhead ${(total - inOps).toFixed(1)} ms (${((100 * (total - inOps)) / total).toFixed(1)}%), ${rows.reduce((s, [, e]) => s + e.calls, 0) / runs} calls`,
);
for (const [n, e] of rows.slice(0, 25)) {
  console.log(
    `  ${n.padEnd(34)} ${(e.ms / runs).toFixed(1).padStart(9)} ms ${((100 * e.ms) / runs / total).toFixed(1).padStart(5)}%  ${String(e.calls / runs).padStart(5)} calls`,
  );
}
