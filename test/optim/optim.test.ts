/** Optimisers against PyTorch trajectories; schedules against their closed forms; EMA against its formula. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Linear } from '../../src/nn/index.js';
import {
  Adam,
  AdamW,
  applySchedule,
  cosineRestart,
  ModelEMA,
  multiStep,
  schedulers,
  warmupCosine,
  withWarmup,
} from '../../src/optim/index.js';
import { fromTypedArray, noGrad, randn, type Tensor, tidy } from '../../src/tensor/index.js';
import { assertClose, readJson } from '../helpers/engine.js';

interface Trajectory {
  w0: number[];
  b0: number[];
  X: number[];
  Y: number[];
  options: { lr: number; betas?: [number, number]; weight_decay: number };
  w: number[];
  b: number[];
  losses: number[];
}
const optim = readJson<{ optim: Record<string, Trajectory> }>('test/fixtures/engine/ops.json').optim;

function run(t: Trajectory, make: (params: Tensor[]) => Adam) {
  const w = fromTypedArray(Float32Array.from(t.w0), [3, 4]).requiresGrad_();
  const b = fromTypedArray(Float32Array.from(t.b0), [3]).requiresGrad_();
  const X = fromTypedArray(Float32Array.from(t.X), [16, 4]);
  const Y = fromTypedArray(Float32Array.from(t.Y), [16, 3]);
  const opt = make([w, b]);
  const losses: number[] = [];
  for (let i = 0; i < 6; i++) {
    tidy(() => {
      opt.zeroGrad();
      const loss = X.matmul(w.t()).add(b).sub(Y).square().mean();
      loss.backward();
      opt.step();
      losses.push(loss.item());
    });
  }
  return { w: w.toFloat32Array(), b: b.toFloat32Array(), losses, opt };
}

test('AdamW follows PyTorch 1.13 step for step', () => {
  const t = optim.adamw!;
  const r = run(t, (p) => new AdamW(p, { lr: t.options.lr, betas: t.options.betas!, weightDecay: t.options.weight_decay }));
  assertClose(r.losses, t.losses, { atol: 1e-6, rtol: 1e-5, what: 'losses' });
  assertClose(r.w, t.w, { atol: 1e-6, rtol: 1e-5, what: 'weights' });
  assertClose(r.b, t.b, { atol: 1e-6, rtol: 1e-5, what: 'bias' });
});

test('Adam with L2 weight decay follows PyTorch', () => {
  const t = optim.adam_l2!;
  const r = run(t, (p) => new Adam(p, { lr: t.options.lr, weightDecay: t.options.weight_decay }));
  assertClose(r.losses, t.losses, { atol: 1e-6, rtol: 1e-5, what: 'losses' });
  assertClose(r.w, t.w, { atol: 1e-6, rtol: 1e-5, what: 'weights' });
});

test('optimizer state round-trips: a restored optimizer continues identically', () => {
  const lin = new Linear(3, 2);
  const lin2 = new Linear(3, 2);
  lin2.loadStateDict(lin.stateDict());
  const x = randn([5, 3]);
  const opt = new AdamW(lin.parameters(), { lr: 0.1 });
  const step = (m: Linear, o: Adam) =>
    tidy(() => {
      o.zeroGrad();
      m.forward(x).square().mean().backward();
      o.step();
    });
  step(lin, opt);
  const opt2 = new AdamW(lin2.parameters(), { lr: 0.1 });
  step(lin2, opt2);
  // Restore opt's state into a third optimizer over lin2 after syncing weights.
  lin2.loadStateDict(lin.stateDict());
  const sd = opt.stateDict();
  const opt3 = new AdamW(lin2.parameters(), { lr: 0.1 });
  opt3.loadStateDict({
    groups: sd.groups,
    state: new Map([...sd.state].map(([i, s]) => [i, { step: s.step, expAvg: s.expAvg.clone(), expAvgSq: s.expAvgSq.clone() }])),
  });
  step(lin, opt);
  step(lin2, opt3);
  assertClose(lin2.weight.toFloat32Array(), lin.weight.toFloat32Array(), { atol: 0, rtol: 0 });
  assert.throws(() => opt3.loadStateDict({ groups: [], state: new Map() }), /0 parameter groups/);
});

test('schedules match their closed forms', () => {
  const ms = multiStep({ milestones: [10, 20], gamma: 0.5 });
  assert.deepEqual([0, 9, 10, 19, 20, 99].map((i) => ms(1, i)), [1, 1, 0.5, 0.5, 0.25, 0.25]);
  const cr = cosineRestart({ periods: [10, 10], restartWeights: [1, 0.5], etaMin: 0.1 });
  assert.equal(cr(2, 0), 2);
  assert.ok(Math.abs(cr(2, 5) - (0.1 + (2 - 0.1) * 0.5)) < 1e-12);
  assert.equal(cr(2, 10), 1); // restart at half weight
  const wc = warmupCosine({ warmupIters: 5, maxIters: 15, warmupStartLr: 0 });
  assert.equal(wc(1, 0), 0);
  assert.equal(wc(1, 4), 1);
  assert.ok(Math.abs(wc(1, 10) - 0.5) < 1e-12);
  assert.ok(Math.abs(wc(1, 15)) < 1e-12);
  const w = withWarmup(() => 2, 4);
  assert.deepEqual([0, 1, 3, 4].map((i) => w(2, i)), [0.5, 1, 2, 2]);
  assert.throws(() => schedulers.get('nope'), /unknown scheduler 'nope'; valid: constant, cosine_restart, multistep, warmup_cosine/);
  const lin = new Linear(2, 2);
  const opt = new AdamW(lin.parameters(), { lr: 0.4 });
  assert.equal(applySchedule(opt, ms, 25), 0.1);
  lin.dispose();
});

test('EMA follows ema = d·ema + (1−d)·param', () => {
  const lin = new Linear(2, 2);
  const ema = new ModelEMA(lin, 0.9);
  const before = lin.weight.toFloat32Array();
  noGrad(() => lin.weight.add_(1));
  ema.update(lin);
  const expected = before.map((v) => 0.9 * v + 0.1 * (v + 1));
  assertClose(ema.shadow.get('weight')!.toFloat32Array(), expected, { atol: 1e-6 });
  ema.dispose();
  lin.dispose();
});
