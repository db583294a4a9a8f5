/**
 * Where our forward time goes, per ATen operator: sums wall time by operator name through the dispatcher's
 * observer (`op-timer.ts`). The remainder of the forward is TS-side overhead
 * (argument marshalling, wrapping, disposal). Backward runs inside libtorch's autograd engine and is not
 * split here (compare the bwd column of run.ts instead). The PyTorch counterpart is profile_torch.py.
 *
 *   node --import tsx bench/archs/profile.ts <preset> [threads 2] [runs 3] [size 256] [batch 1]
 */
import { createModel } from '../../src/archs/registry.js';
import { manualSeed, noGrad, rand, setNumThreads, tidy } from '../../src/tensor/index.js';
import { OpTimer } from './op-timer.js';

const [preset = 'nafnet-small', threads = '2', runsArg = '3', sizeArg = '256', batchArg = '1'] = process.argv.slice(2);
setNumThreads(Number(threads));
manualSeed(0);
const model = createModel(preset).eval();
const x = rand([Number(batchArg), 3, Number(sizeArg), Number(sizeArg)]);

const timer = new OpTimer();

const fwd = () => noGrad(() => tidy(() => model.forward(x).sum().item()));
fwd(); // warm-up (also resolves every operator handle)
const runs = Number(runsArg);
const t0 = performance.now();
timer.record(() => {
  for (let i = 0; i < runs; i++) fwd();
});
const total = (performance.now() - t0) / runs;
const rows = timer.rows();
const inOps = timer.totalMs() / runs;
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
