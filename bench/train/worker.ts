/**
 * bench/train worker: MaskDCPT pre-training iterations of the `small` NAFNet config, one JSON line on stdout.
 *
 *   node --import tsx bench/train/worker.ts static <threads> <steps> <warmup> [batch] [size]
 *   node --import tsx bench/train/worker.ts loader <threads> <steps> <warmup> <workers> [batch] [size]
 *   node --import tsx bench/train/worker.ts data   <threads> <batches> [batch] [size]
 *   node --import tsx bench/train/worker.ts check  <threads> <dir>
 *
 * The model: nafnet-small (width 32, enc [1,1,1,8], mid 1, dec [1,1,1,1], mask patch 16, ratio 0.5) as the
 * masked encoder, the classification decoder (PromptIR_NoImg_DC on the four decoder outputs, dims
 * [32,64,128,256], 2 bottleneck blocks, 19 classes) and NAFNet's own head; loss = L1 + 1·focal(γ 2); one AdamW
 * (lr 1e-4, betas (0.9, 0.99), wd 0) over all parameters, as src/train/trainer.ts builds it.
 * static: 4 pre-built random batches (B×3×S×S, random labels), a fresh mask per step: the compute the PyTorch
 *         side (torch_ref.py) repeats. loader: real batches from BatchLoader (degradations synthesised from
 *         assets/photos in worker threads), reporting the time `next()` waited for data.
 * data: synthesis alone, on this thread: ms per collated batch (what one loader worker needs per batch).
 * check: exports weights and one step's inputs, losses, logits and gradients for torch_ref.py to compare.
 */
import { join } from 'node:path';
import { createModel } from '../../src/archs/registry.js';
import { BatchLoader, collate, type HostBatch, SyntheticPairs } from '../../src/data/index.js';
import { writeWeights } from '../../src/io/tensor-bridge.js';
import { MaskDCPT } from '../../src/maskdcpt/pretrain.js';
import { AdamW } from '../../src/optim/index.js';
import {
  fromTypedArray,
  manualSeed,
  noGrad,
  Rng,
  rand,
  randint,
  randnLike,
  setNumThreads,
  type Tensor,
  tidy,
} from '../../src/tensor/index.js';

const [mode = 'static', threadsArg = '2', ...rest] = process.argv.slice(2);
setNumThreads(Number(threadsArg));
manualSeed(0);
const NUM_CLASSES = 19;
const model = new MaskDCPT(createModel('nafnet-small'), { numClasses: NUM_CLASSES, lambda: 1, gamma: 2 });
const maskRng = new Rng(0).fork('mask');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Timings {
  total: number;
  fwd: number;
  bwd: number;
  opt: number;
  loss: number;
}

function makeStep() {
  const opt = new AdamW(model.parameters(), { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0 });
  model.train();
  return (lq: Tensor, gt: Tensor, labels: Tensor): Timings => {
    const t0 = performance.now();
    let t1 = 0;
    let t2 = 0;
    const loss = tidy(() => {
      opt.zeroGrad();
      const mask = model.drawMask(lq.size(0), lq.size(2), lq.size(3), maskRng);
      const out = model.forward(lq, gt, labels, mask);
      t1 = performance.now();
      out.loss.backward();
      t2 = performance.now();
      opt.step();
      return out.loss.item();
    });
    const t3 = performance.now();
    return { total: t3 - t0, fwd: t1 - t0, bwd: t2 - t1, opt: t3 - t2, loss };
  };
}

function summarise(ts: Timings[], extra: Record<string, unknown>): void {
  console.log(
    JSON.stringify({
      median_ms: median(ts.map((t) => t.total)),
      times: ts.map((t) => t.total),
      fwd_ms: median(ts.map((t) => t.fwd)),
      bwd_ms: median(ts.map((t) => t.bwd)),
      opt_ms: median(ts.map((t) => t.opt)),
      rss_mb: process.resourceUsage().maxRSS / 1024,
      params: model.numParameters(),
      ...extra,
    }),
  );
}

if (mode === 'static') {
  const [stepsArg = '5', warmupArg = '3', batchArg = '8', sizeArg = '128'] = rest;
  const [steps, warmup, B, S] = [stepsArg, warmupArg, batchArg, sizeArg].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const batches = Array.from({ length: 4 }, () =>
    tidy(() => {
      const gt = rand([B, 3, S, S]);
      const lq = gt.add(randnLike(gt).mul(25 / 255)).clamp(0, 1);
      return [lq, gt, randint(0, NUM_CLASSES, [B])] as [Tensor, Tensor, Tensor];
    }),
  );
  const step = makeStep();
  const ts: Timings[] = [];
  const cpu: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const [lq, gt, labels] = batches[i % 4] as [Tensor, Tensor, Tensor];
    const c0 = cpuMs();
    const t = step(lq, gt, labels);
    losses.push(t.loss);
    if (i >= warmup) {
      ts.push(t);
      cpu.push(cpuMs() - c0);
    }
  }
  summarise(ts, { cpu_ms: median(cpu), loss_first: losses[0], loss_last: losses[losses.length - 1] });
} else if (mode === 'loader') {
  const [stepsArg = '10', warmupArg = '3', workersArg = '2', batchArg = '8', sizeArg = '128'] = rest;
  const [steps, warmup, workers, B, S] = [stepsArg, warmupArg, workersArg, batchArg, sizeArg].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const loader = new BatchLoader(
    { source: join(import.meta.dirname, '../../assets/photos'), patchSize: S, seed: 0 },
    { batchSize: B, workers },
  );
  const step = makeStep();
  const toTensors = (b: HostBatch): [Tensor, Tensor, Tensor] => {
    const shape = [b.n, 3, b.size, b.size];
    return [
      fromTypedArray(b.lq, shape),
      fromTypedArray(b.gt, shape),
      fromTypedArray(
        BigInt64Array.from(b.labels, (v) => BigInt(v)),
        [b.n],
      ),
    ];
  };
  const ts: Timings[] = [];
  let waited0 = 0;
  let wall0 = 0;
  for (let i = 0; i < warmup + steps; i++) {
    if (i === warmup) {
      waited0 = loader.waitedMs;
      wall0 = performance.now();
    }
    const batch = await loader.next();
    const t = tidy(() => {
      const [lq, gt, labels] = toTensors(batch);
      return step(lq, gt, labels);
    });
    if (i >= warmup) ts.push(t);
  }
  const wall = performance.now() - wall0;
  const waited = loader.waitedMs - waited0;
  await loader.close();
  summarise(ts, {
    wall_ms: wall,
    waited_ms: waited,
    wait_fraction: waited / wall,
    it_per_s: (steps * 1000) / wall,
    workers,
  });
} else if (mode === 'data') {
  const [batchesArg = '6', batchArg = '8', sizeArg = '128'] = rest;
  const [n, B, S] = [batchesArg, batchArg, sizeArg].map(Number) as [number, number, number];
  const ds = await SyntheticPairs.open({
    source: join(import.meta.dirname, '../../assets/photos'),
    patchSize: S,
    seed: 0,
  });
  const times: number[] = [];
  for (let b = 0; b < n; b++) {
    const t0 = performance.now();
    const pairs = [];
    for (let i = 0; i < B; i++) pairs.push(await ds.item(b * B + i));
    collate(b, pairs);
    times.push(performance.now() - t0);
  }
  console.log(JSON.stringify({ median_ms: median(times), times }));
} else if (mode === 'check') {
  const [dir = '.'] = rest;
  noGrad(() => {
    for (const p of model.parameters()) tidy(() => p.add_(randnLike(p).mul(0.05)));
  });
  model.train();
  const B = 2;
  const S = 64;
  const gt = rand([B, 3, S, S]);
  const lq = tidy(() => gt.add(randnLike(gt).mul(0.1)).clamp(0, 1));
  const labels = randint(0, NUM_CLASSES, [B]);
  const mask = model.drawMask(B, S, S, maskRng);
  const out = model.forward(lq, gt, labels, mask);
  out.loss.backward();
  const io = new Map<string, Tensor>([
    ['lq', lq],
    ['gt', gt],
    ['labels', labels],
    ['mask', mask],
    ['logits', out.logits.detach()],
    ['loss', out.loss.detach().reshape(1)],
    ['l1', fromTypedArray(Float32Array.of(out.l1), [1])],
    ['focal', fromTypedArray(Float32Array.of(out.focal), [1])],
  ]);
  for (const [name, p] of model.namedParameters()) if (p.grad) io.set(`grad.${name}`, p.grad);
  await writeWeights(join(dir, 'weights.safetensors'), model.stateDict());
  await writeWeights(join(dir, 'io.safetensors'), io);
  console.log(JSON.stringify({ ok: true, params: model.numParameters() }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
