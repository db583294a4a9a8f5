/** Checkpoints: exact resume (weights, optimizer, RNG), corruption detected and skipped, pruning, weights reading. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readWeights } from '../../src/io/tensor-bridge.js';
import { Conv2d, Module } from '../../src/nn/index.js';
import { AdamW, ModelEMA } from '../../src/optim/index.js';
import { findResumable, listCheckpoints, restoreTraining, saveTraining, type TrainingParts } from '../../src/train/checkpoints.js';
import { F, manualSeed, randn, Rng, tidy } from '../../src/tensor/index.js';

class Tiny extends Module {
  readonly conv = this.module('conv', new Conv2d(2, 2, 3, { padding: 1 }));
}

function makeParts(): TrainingParts {
  const model = new Tiny();
  return {
    model,
    arch: 'tiny',
    archOptions: { c: 2 },
    ema: new ModelEMA(model, 0.9),
    optimizers: { g: new AdamW(model.parameters(), { lr: 0.05 }) },
    rngs: { data: new Rng(3) },
  };
}

/** One step whose data comes from both libtorch's and the host generator, so RNG restore matters. */
function step(p: TrainingParts): number {
  const rng = p.rngs.data!;
  return tidy(() => {
    const x = randn([2, 2, 6, 6]).mul(rng.uniform(0.5, 1.5));
    const loss = F.l1Loss((p.model as Tiny).conv.forward(x), x.mul(0.5));
    p.optimizers.g!.zeroGrad();
    loss.backward();
    p.optimizers.g!.step();
    p.ema?.update(p.model);
    return loss.item();
  });
}

test('a resumed run continues with identical losses and weights', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-ck-'));
  try {
    manualSeed(11);
    const a = makeParts();
    for (let i = 0; i < 3; i++) step(a);
    await saveTraining(dir, 3, a, { sampler: 42 });
    const tailA = [step(a), step(a), step(a)];

    manualSeed(999); // a fresh process would not share generator state
    const b = makeParts();
    const { found, skipped } = await findResumable(dir);
    assert.ok(found);
    assert.deepEqual(skipped, []);
    const r = restoreTraining(found.content, b);
    assert.equal(r.iter, 3);
    assert.equal(r.extra.sampler, 42);
    const tailB = [step(b), step(b), step(b)];
    assert.deepEqual(tailB, tailA);
    assert.deepEqual(
      Array.from((b.model as Tiny).conv.weight.toFloat32Array()),
      Array.from((a.model as Tiny).conv.weight.toFloat32Array()),
    );
    assert.deepEqual(Array.from(b.ema!.shadow.get('conv.weight')!.toFloat32Array()), Array.from(a.ema!.shadow.get('conv.weight')!.toFloat32Array()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a truncated or corrupted newest checkpoint is named and the previous good one is used', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-ck-'));
  try {
    const p = makeParts();
    await saveTraining(dir, 1, p);
    step(p);
    const f2 = await saveTraining(dir, 2, p);
    step(p);
    const f3 = await saveTraining(dir, 3, p);
    truncateSync(f3, 1000);
    const bytes = readFileSync(f2);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 0xff;
    writeFileSync(f2, bytes);
    const { found, skipped } = await findResumable(dir);
    assert.equal(found?.content.iter, 1);
    assert.equal(skipped.length, 2);
    assert.match(skipped[0]!, /ckpt_00000003\.safetensors is unreadable/);
    assert.match(skipped[1]!, /ckpt_00000002\.safetensors is corrupt: checksum mismatch/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('old checkpoints are pruned; weights read from a checkpoint default to params_ema', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-ck-'));
  try {
    const p = makeParts();
    for (let i = 1; i <= 5; i++) {
      step(p);
      await saveTraining(dir, i, p, {}, 2);
    }
    assert.deepEqual(listCheckpoints(dir).map((c) => c.iter), [4, 5]);
    const file = listCheckpoints(dir)[1]!.file;
    const ema = await readWeights(file);
    const raw = await readWeights(file, { key: 'params' });
    assert.deepEqual(Array.from(ema.tensors.get('conv.weight')!.data as Float32Array), Array.from(p.ema!.shadow.get('conv.weight')!.toFloat32Array()));
    assert.deepEqual(Array.from(raw.tensors.get('conv.weight')!.data as Float32Array), Array.from((p.model as Tiny).conv.weight.toFloat32Array()));
    const other = makeParts();
    other.arch = 'other';
    const { found } = await findResumable(dir);
    assert.throws(() => restoreTraining(found!.content, other), /architecture 'tiny', this run uses 'other'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
