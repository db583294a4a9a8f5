/**
 * Where the MaskDCPT pre-training forward (masked nafnet-small + classifier + head + losses, with autograd
 * recording) spends its time, per ATen operator (`../archs/op-timer.ts`); plus the backward and AdamW
 * totals (they run inside libtorch and are not split).
 *
 *   node --import tsx bench/train/profile.ts [threads 1] [runs 2] [batch 8] [size 128]
 */
import { createModel } from '../../src/archs/registry.js';
import { MaskDCPT } from '../../src/maskdcpt/pretrain.js';
import { AdamW } from '../../src/optim/index.js';
import { manualSeed, Rng, rand, randint, setNumThreads, tidy } from '../../src/tensor/index.js';
import { OpTimer } from '../archs/op-timer.js';

const [threads = '1', runsArg = '2', batchArg = '8', sizeArg = '128'] = process.argv.slice(2);
setNumThreads(Number(threads));
manualSeed(0);
const timer = new OpTimer();

const B = Number(batchArg);
const S = Number(sizeArg);
const model = new MaskDCPT(createModel('nafnet-small'), { numClasses: 19 }).train();
const opt = new AdamW(model.parameters(), { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0 });
const rng = new Rng(0);
const gt = rand([B, 3, S, S]);
const lq = rand([B, 3, S, S]);
const labels = randint(0, 19, [B]);

let fwd = 0;
let bwd = 0;
let stp = 0;
const runs = Number(runsArg);
for (let i = 0; i < runs + 2; i++) {
  tidy(() => {
    opt.zeroGrad();
    const t0 = performance.now();
    const step = () => model.forward(lq, gt, labels, model.drawMask(B, S, S, rng));
    const out = i >= 2 ? timer.record(step) : step();
    const t1 = performance.now();
    out.loss.backward();
    const t2 = performance.now();
    opt.step();
    const t3 = performance.now();
    if (i >= 2) {
      fwd += t1 - t0;
      bwd += t2 - t1;
      stp += t3 - t2;
    }
  });
}
const rows = timer.rows();
const inOps = timer.totalMs() / runs;
console.log(
  `MaskDCPT nafnet-small ${B}x3x${S}x${S}: forward ${(fwd / runs).toFixed(0)} ms (${inOps.toFixed(0)} in ATen calls), backward ${(bwd / runs).toFixed(0)} ms, AdamW ${(stp / runs).toFixed(0)} ms`,
);
for (const [n, e] of rows.slice(0, 30)) {
  console.log(
    `  ${n.padEnd(34)} ${(e.ms / runs).toFixed(1).padStart(9)} ms ${((100 * e.ms) / fwd).toFixed(1).padStart(5)}%  ${String(e.calls / runs).padStart(5)} calls`,
  );
}
