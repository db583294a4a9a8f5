/**
 * bench/archs worker: one backbone preset, one measurement, one JSON line on stdout.
 *
 *   node --import tsx bench/archs/worker.ts <preset> <infer|train> <threads> <steps> <warmup>
 *   node --import tsx bench/archs/worker.ts <preset> check <threads> <dir>
 *
 * infer: 1×3×256×256 forward in eval mode without grad (+ sum().item()), median ms of `steps` timed runs.
 * train: batch 8×3×128×128, L1, AdamW(lr 1e-4, betas (0.9, 0.99), wd 0), cycling over 4 pre-built batches;
 *        median ms per step and the medians of its forward+loss / backward / AdamW parts.
 * check: writes <dir>/weights.safetensors (perturbed weights) and <dir>/io.safetensors (input, output, L1
 *        target, loss and every parameter's gradient) for torch_ref.py to compare against.
 * Same protocol as torch_ref.py, which the runner alternates with this script.
 */
import { join } from 'node:path';
import { createModel } from '../../src/archs/registry.js';
import { writeWeights } from '../../src/io/tensor-bridge.js';
import { AdamW } from '../../src/optim/index.js';
import { F, manualSeed, noGrad, rand, randnLike, setNumThreads, type Tensor, tidy } from '../../src/tensor/index.js';

const [preset = 'nafnet-small', mode = 'infer', threadsArg = '2', a4 = '5', a5 = '2'] = process.argv.slice(2);
setNumThreads(Number(threadsArg));
manualSeed(0);
const model = createModel(preset);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;
/** Process CPU time (user + system, all threads) in ms: robust to other load at 1 thread. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

if (mode === 'infer') {
  const steps = Number(a4);
  const warmup = Number(a5);
  model.eval();
  const x = rand([1, 3, 256, 256]);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    noGrad(() => tidy(() => model.forward(x).sum().item()));
    if (i >= warmup) {
      times.push(performance.now() - t0);
      cpu.push(cpuMs() - c0);
    }
  }
  console.log(
    JSON.stringify({
      median_ms: median(times),
      times,
      cpu_ms: median(cpu),
      rss_mb: maxRssMb(),
      params: model.numParameters(),
    }),
  );
} else if (mode === 'train') {
  const steps = Number(a4);
  const warmup = Number(a5);
  model.train();
  const opt = new AdamW(model.parameters(), { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0 });
  // GT in [0,1], LQ = GT + N(0, 25/255) clamped (values do not change the cost; the shapes do).
  const batches = Array.from({ length: 4 }, () =>
    tidy(() => {
      const gt = rand([8, 3, 128, 128]);
      const lq = gt.add(randnLike(gt).mul(25 / 255)).clamp(0, 1);
      return [lq, gt] as [Tensor, Tensor];
    }),
  );
  const total: number[] = [];
  const fwd: number[] = [];
  const bwd: number[] = [];
  const step: number[] = [];
  const cpu: number[] = [];
  let first = 0;
  let last = 0;
  for (let i = 0; i < warmup + steps; i++) {
    const [lq, gt] = batches[i % 4] as [Tensor, Tensor];
    const c0 = cpuMs();
    const t0 = performance.now();
    let t1 = 0;
    let t2 = 0;
    const l = tidy(() => {
      opt.zeroGrad();
      const loss = F.l1Loss(model.forward(lq), gt);
      t1 = performance.now();
      loss.backward();
      t2 = performance.now();
      opt.step();
      return loss.item();
    });
    const t3 = performance.now();
    if (i === 0) first = l;
    last = l;
    if (i >= warmup) {
      total.push(t3 - t0);
      cpu.push(cpuMs() - c0);
      fwd.push(t1 - t0);
      bwd.push(t2 - t1);
      step.push(t3 - t2);
    }
  }
  console.log(
    JSON.stringify({
      median_ms: median(total),
      times: total,
      cpu_ms: median(cpu),
      fwd_ms: median(fwd),
      bwd_ms: median(bwd),
      opt_ms: median(step),
      loss_first: first,
      loss_last: last,
      rss_mb: maxRssMb(),
      params: model.numParameters(),
    }),
  );
} else if (mode === 'check') {
  // Perturb every parameter so zero-initialised layer scales (NAFNet's β/γ) and LN affines take part.
  const dir = a4;
  noGrad(() => {
    for (const p of model.parameters()) tidy(() => p.add_(randnLike(p).mul(0.05)));
  });
  model.eval();
  const x = rand([1, 3, 64, 64]);
  const target = rand([1, 3, 64, 64]);
  const y = model.forward(x);
  const loss = F.l1Loss(y, target);
  loss.backward();
  const io = new Map<string, Tensor>([
    ['input', x],
    ['target', target],
    ['output', y.detach()],
    ['loss', loss.detach().reshape(1)],
  ]);
  for (const [name, p] of model.namedParameters()) if (p.grad) io.set(`grad.${name}`, p.grad);
  await writeWeights(join(dir, 'weights.safetensors'), model.stateDict());
  await writeWeights(join(dir, 'io.safetensors'), io);
  console.log(JSON.stringify({ ok: true, params: model.numParameters() }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
