/**
 * Data-parallel training on loopback: 2 processes (through `maskdcpt launch`) with a global batch of 2×2 must
 * follow one process training on the same 4 samples — same losses, same gradients (Adam's first moment),
 * same weights after every step — and a 2-process run resumed from its checkpoint (on 2 processes, or on 1)
 * must continue with the uninterrupted run's losses.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ProcessGroup } from '../../src/distributed/process-group.js';
import type { HostTensor } from '../../src/io/host-tensor.js';
import { type CheckpointContent, readCheckpoint } from '../../src/io/checkpoint.js';
import { checkpointPath } from '../../src/train/checkpoints.js';
import { parseConfig } from '../../src/train/config.js';
import { type TrainResult, train } from '../../src/train/trainer.js';
import { cli, type Finished, rankEvents, tinyConfig, writeConfig } from './helpers.js';

const skip = ProcessGroup.backends().gloo ? false : 'the addon was built without Gloo';
const ITERS = 4;
/** Weights may differ by float rounding amplified by Adam (a gradient near eps); one step moves them ≫ this. */
const WEIGHT_TOL = 1e-5;

let runs = '';
let single: TrainResult;
let launched: Finished;

function maxAbsDiff(a: HostTensor, b: HostTensor): number {
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  assert.equal(x.length, y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (y[i] as number)));
  return m;
}

function maxAbs(a: HostTensor): number {
  return (a.data as Float32Array).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

const ckpt = (name: string, iter: number): Promise<CheckpointContent> => readCheckpoint(checkpointPath(join(runs, name), iter));

function iterLosses(events: Record<string, unknown>[]): { iter: number; loss: number }[] {
  return events.filter((e) => e.type === 'iter').map((e) => ({ iter: e.iter as number, loss: e.loss as number }));
}

function assertLossesClose(got: { iter: number; loss: number }[], want: { iter: number; loss: number }[], rtol: number): void {
  assert.deepEqual(
    got.map((l) => l.iter),
    want.map((l) => l.iter),
  );
  got.forEach((l, i) => {
    const w = (want[i] as { loss: number }).loss;
    assert.ok(Math.abs(l.loss - w) <= rtol * Math.abs(w), `iteration ${l.iter}: loss ${l.loss} vs ${w}`);
  });
}

before(async () => {
  if (skip) return;
  runs = mkdtempSync(join(tmpdir(), 'mdt-dist-'));
  // The oracle: one process, global batch 4, in this process.
  single = await train(parseConfig(tinyConfig(runs, 'one')), { resume: 'never' });
  const file = writeConfig(runs, tinyConfig(runs, 'two'));
  // Quarter-MB gradient buckets: ~17 all-reduces per step, launched while backward runs (the resumed runs use
  // the default single 25 MB bucket).
  const args = ['launch', '--nproc', '2', '--dist-timeout', '60', '--', 'pretrain', '--config', file, '--resume', 'never', '--json'];
  launched = await cli(args, { MASKDCPT_DIST_BUCKET_MB: '0.25' }).done;
});

after(() => {
  if (runs) rmSync(runs, { recursive: true, force: true });
});

test('2 processes × batch 2 follow 1 process × batch 4: losses, gradients and weights after every step', { skip }, async () => {
  assert.equal(launched.code, 0, `launch failed:\n${launched.stderr}\n${launched.stdout}`);
  const events = rankEvents(launched.stdout);
  assertLossesClose(iterLosses(events), single.losses, 1e-5);
  // Only rank 0 reports and writes the run directory.
  assert.equal(rankEvents(launched.stdout, 1).length, 0, 'rank 1 printed events');
  const logged = readFileSync(join(runs, 'two', 'metrics.jsonl'), 'utf8').trim().split('\n');
  assert.equal(logged.filter((l) => l.includes('"type":"start"')).length, 1);
  assert.equal(logged.filter((l) => l.includes('"type":"iter"')).length, ITERS);

  let previous: CheckpointContent | null = null;
  for (let k = 1; k <= ITERS; k++) {
    const [one, two] = await Promise.all([ckpt('one', k), ckpt('two', k)]);
    let moved = 0;
    for (const [name, w] of one.params) {
      const d = maxAbsDiff(w, two.params.get(name) as HostTensor);
      assert.ok(d <= WEIGHT_TOL, `step ${k}: ${name} differs by ${d}`);
      if (previous) moved = Math.max(moved, maxAbsDiff(w, previous.params.get(name) as HostTensor));
    }
    // The tolerance is far below what one step changes, so a wrong gradient could not pass.
    if (previous) assert.ok(moved > 10 * WEIGHT_TOL, `step ${k} moved the weights by only ${moved}`);
    for (const [name, w] of one.paramsEma ?? new Map()) {
      assert.ok(maxAbsDiff(w, two.paramsEma?.get(name) as HostTensor) <= WEIGHT_TOL, `step ${k}: EMA ${name}`);
    }
    // Adam's first moment is a running average of the gradients: the averaged 2-rank gradient must equal the
    // 4-sample gradient up to summation order.
    const m1 = one.optimizers.get('g')?.moments;
    const m2 = two.optimizers.get('g')?.moments;
    assert.ok(m1 && m2 && m1.size > 0 && m1.size === m2.size);
    for (const [i, m] of m1) {
      const scale = maxAbs(m.expAvg);
      const d = maxAbsDiff(m.expAvg, m2.get(i)?.expAvg as HostTensor);
      assert.ok(d <= 1e-4 * scale + 1e-10, `step ${k}: gradient moment of parameter ${i} differs by ${d} (scale ${scale})`);
    }
    previous = one;
  }
});

test('a 2-process run resumed from its checkpoint continues with the uninterrupted losses, on 2 or on 1 process', { skip }, async () => {
  assert.equal(launched.code, 0, 'the uninterrupted run failed (see the first test)');
  const whole = iterLosses(rankEvents(launched.stdout));
  // The state a run stopped after iteration 2 leaves behind: its checkpoints up to 2.
  const stoppedAt = (name: string) => {
    cpSync(join(runs, 'two'), join(runs, name), { recursive: true });
    for (let k = 3; k <= ITERS; k++) rmSync(checkpointPath(join(runs, name), k));
  };
  stoppedAt('again2');
  const file = writeConfig(runs, tinyConfig(runs, 'again2'));
  const r = await cli(['launch', '--nproc', '2', '--dist-timeout', '60', '--', 'pretrain', '--config', file, '--json']).done;
  assert.equal(r.code, 0, `resume failed:\n${r.stderr}`);
  const events = rankEvents(r.stdout);
  assert.match(String(events.find((e) => e.type === 'start')?.resumedFrom), /ckpt_00000002/);
  const resumed = iterLosses(events);
  assertLossesClose(resumed, whole.slice(2), 1e-6);
  const [a, b] = await Promise.all([ckpt('two', ITERS), ckpt('again2', ITERS)]);
  for (const [name, w] of a.params) assert.ok(maxAbsDiff(w, b.params.get(name) as HostTensor) <= 1e-6, name);

  // Any world size that divides the global batch can pick the run up: here a single process.
  stoppedAt('again1');
  const one = await train(parseConfig(tinyConfig(runs, 'again1')), { resume: 'auto' });
  assertLossesClose(one.losses, whole.slice(2), 1e-4);
});
