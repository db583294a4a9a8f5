/**
 * End-to-end training on the bundled photos: MaskDCPT pre-training learns to classify degradations, its
 * weights fine-tune strictly into the plain backbone, a SIGKILLed run resumes with identical losses, and a
 * diverging run stops naming the iteration.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { loadModel } from '../../src/archs/load.js';
import { readWeights } from '../../src/io/tensor-bridge.js';
import { listCheckpoints } from '../../src/train/checkpoints.js';
import { parseConfig } from '../../src/train/config.js';
import { type TrainResult, train } from '../../src/train/trainer.js';
import { repoRoot } from '../helpers/engine.js';

const photos = join(repoRoot, 'assets', 'photos');
const four = ['noise', 'haze', 'low_light', 'gaussian_blur'];

function pretrainConfig(runs: string, extra: Record<string, unknown> = {}) {
  return {
    name: 'pre',
    mode: 'pretrain',
    seed: 0,
    threads: 1,
    network: { arch: 'nafnet-tiny' },
    datasets: {
      train: { source: photos, patchSize: 32, batchSize: 8, types: four, workers: 0 },
      val: { source: photos, patchSize: 32, types: four, count: 40, workers: 0 },
    },
    train: { totalIter: 150, optim: { lr: 2e-3 }, ema: 0 },
    val: { every: 150 },
    checkpoint: { every: 150 },
    log: { every: 1 },
    path: { runs },
    ...extra,
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('pre-training: losses fall, the classifier beats chance widely, weights fine-tune strictly', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'mdt-train-'));
  try {
    const r: TrainResult = await train(parseConfig(pretrainConfig(runs)), { resume: 'never' });
    const losses = r.losses.map((l) => l.loss);
    assert.ok(
      mean(losses.slice(-20)) < 0.8 * mean(losses.slice(0, 20)),
      `loss ${mean(losses.slice(0, 20))} → ${mean(losses.slice(-20))}`,
    );
    // 4 classes: chance is 0.25.
    assert.ok((r.lastVal?.accuracy ?? 0) >= 0.5, `accuracy ${r.lastVal?.accuracy}`);
    const ckpt = listCheckpoints(r.runDir).at(-1)!.file;
    const { tensors } = await readWeights(ckpt);
    assert.ok([...tensors.keys()].some((k) => k.startsWith('classifier.')));
    const ft = await train(
      parseConfig({
        ...pretrainConfig(runs, { name: 'ft', mode: 'finetune' }),
        path: { runs, pretrained: ckpt },
        train: { totalIter: 10, optim: { lr: 1e-3 }, ema: 0 },
        datasets: { train: { source: photos, patchSize: 32, batchSize: 4, types: '5d', workers: 0 } },
      }),
      { resume: 'never' },
    );
    assert.equal(ft.iter, 10);
    assert.ok(ft.losses.every((l) => Number.isFinite(l.loss)));
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
});

test('a run killed with SIGKILL resumes with the same losses and weights as an uninterrupted run', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'mdt-resume-'));
  try {
    const base = pretrainConfig(runs, {
      train: { totalIter: 8, optim: { lr: 2e-3 }, ema: 0.9 },
      checkpoint: { every: 2 },
      val: { every: 1000 },
    });
    base.datasets.train.workers = 1;
    const whole = await train(parseConfig({ ...base, name: 'whole' }), { resume: 'never' });

    const cfgFile = join(runs, 'killed.yaml');
    writeFileSync(cfgFile, stringify({ ...base, name: 'killed' }));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'pretrain', '-c', cfgFile, '--resume', 'never'],
      {
        cwd: repoRoot,
        stdio: 'ignore',
      },
    );
    const killedDir = join(runs, 'killed');
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (listCheckpoints(killedDir).some((c) => c.iter >= 4)) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.once('exit', () => {
        clearInterval(timer);
        reject(new Error('the child finished before it could be killed'));
      });
    });
    await new Promise((r) => child.once('exit', r));
    const savedAt = listCheckpoints(killedDir).at(-1)!.iter;
    assert.ok(savedAt < 8, 'the child got to the end before SIGKILL');

    const resumed = await train(parseConfig({ ...base, name: 'killed' }), { resume: 'auto' });
    assert.equal(resumed.losses[0]?.iter, savedAt + 1);
    assert.deepEqual(resumed.losses, whole.losses.slice(savedAt));
    const a = await readWeights(listCheckpoints(join(runs, 'whole')).at(-1)!.file);
    const b = await readWeights(listCheckpoints(killedDir).at(-1)!.file);
    for (const [k, t] of a.tensors) assert.deepEqual(b.tensors.get(k)?.data, t.data, k);
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
});

test('a diverging run stops with a message naming the iteration and keeps its checkpoint', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'mdt-nan-'));
  try {
    const cfg = pretrainConfig(runs, {
      name: 'nan',
      train: { totalIter: 40, optim: { lr: 1e12 }, ema: 0 },
      checkpoint: { every: 1 },
      val: { every: 1000 },
    });
    await assert.rejects(
      train(parseConfig(cfg), { resume: 'never' }),
      /loss became (NaN|-?Infinity) at iteration \d+; stopping\. Last good checkpoint: .*ckpt_/,
    );
    assert.ok(existsSync(join(runs, 'nan', 'latest')));
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
});

test('the best validation weights are kept as a loadable weights file', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'mdt-best-'));
  try {
    const cfg = pretrainConfig(runs, {
      name: 'best',
      mode: 'finetune',
      train: { totalIter: 4, optim: { lr: 1e-3 }, ema: 0 },
      val: { every: 2 },
      checkpoint: { every: 4 },
    });
    cfg.datasets.val.count = 4;
    const r = await train(parseConfig(cfg), { resume: 'never' });
    const file = join(r.runDir, 'best.safetensors');
    assert.ok(existsSync(file));
    const m = await loadModel(file);
    assert.equal(m.arch, 'nafnet');
    m.dispose();
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
});

test('fine-tuning reads real paired data from the config (Rain100H) and learns', async () => {
  const rain = join(repoRoot, '..', 'shared', 'data', 'rain100h');
  const runs = mkdtempSync(join(tmpdir(), 'mdt-paired-train-'));
  try {
    const source = { lq: join(rain, 'input'), gt: join(rain, 'target'), type: 'rain_streak' };
    const r = await train(
      parseConfig({
        ...pretrainConfig(runs, { name: 'derain', mode: 'finetune' }),
        datasets: {
          train: { type: 'paired', sources: [source], patchSize: 32, batchSize: 4, workers: 0 },
          val: { type: 'paired', sources: [source], patchSize: 32, count: 4, workers: 0 },
        },
        train: { totalIter: 40, optim: { lr: 1e-3 }, ema: 0 },
        val: { every: 40 },
        checkpoint: { every: 40 },
      }),
      { resume: 'never' },
    );
    // NAFNet starts near the identity, so the first losses are about L1(rainy, clean); 40 steps cut that.
    const losses = r.losses.map((l) => l.loss);
    assert.ok(
      mean(losses.slice(-10)) < 0.9 * mean(losses.slice(0, 10)),
      `loss ${mean(losses.slice(0, 10))} → ${mean(losses.slice(-10))}`,
    );
    assert.ok(
      Object.keys(r.lastVal ?? {}).some((k) => k.includes('rain_streak')),
      `val keys ${Object.keys(r.lastVal ?? {})}`,
    );
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
});
