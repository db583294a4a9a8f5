/** diagnose(): a pre-training checkpoint's classifier on a photo, whole and tiled. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { disposeFeatures } from '../../src/archs/nafnet.js';
import { createModel, resolveModel } from '../../src/archs/registry.js';
import { LABELS } from '../../src/degrade/labels.js';
import { writeCheckpoint } from '../../src/io/checkpoint.js';
import { readImage } from '../../src/io/image.js';
import { cropRaster, toPlanar } from '../../src/io/raster.js';
import { stateToHost } from '../../src/io/tensor-bridge.js';
import { MaskDCPT } from '../../src/maskdcpt/pretrain.js';
import { diagnose, formatPredictions, loadDiagnoser, pipeline } from '../../src/restore/index.js';
import { F, fromTypedArray, manualSeed, noGrad, setNumThreads } from '../../src/tensor/index.js';
import { kodak, saveAs } from './helpers.js';

setNumThreads(1); // 2 shared cores on CI: avoid OpenMP spinning against other jobs

let dir: string;
let ckpt: string;
let model: MaskDCPT;

/** A pre-training checkpoint as `maskdcpt pretrain` writes it (maskdcpt:<arch>, backbone.* + classifier.*). */
async function writePretrainCheckpoint(path: string, m: MaskDCPT): Promise<void> {
  await writeCheckpoint(path, {
    iter: 1,
    arch: 'maskdcpt:nafnet',
    archOptions: resolveModel('nafnet-tiny').options,
    params: stateToHost(m.stateDict()),
    paramsEma: null,
    optimizers: new Map(),
    torchRng: null,
    extra: { labels: LABELS.map((l) => l.name) },
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mdt-diagnose-'));
  manualSeed(5);
  model = new MaskDCPT(createModel('nafnet-tiny'), { numClasses: LABELS.length, numResBlocks: 1 });
  model.eval();
  mkdirSync(join(dir, 'run'));
  ckpt = join(dir, 'run', 'ckpt_00000001.safetensors');
  await writePretrainCheckpoint(ckpt, model);
});

after(() => {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('whole image: the classifier softmax of the unmasked encoder, every class, most likely first', async () => {
  const photo = cropRaster((await readImage(kodak(3))).raster, 0, 0, 96, 128);
  const d = await diagnose(
    { data: photo.data, info: { width: 128, height: 96, channels: 3 } },
    { model: ckpt, tile: 0 },
  );
  assert.equal(d.predictions.length, 19);
  assert.equal(d.info.tiles, 1);
  const sum = d.predictions.reduce((s, p) => s + p.probability, 0);
  assert.ok(Math.abs(sum - 1) < 1e-5);
  for (let i = 1; i < d.predictions.length; i++)
    assert.ok(d.predictions[i - 1]!.probability >= d.predictions[i]!.probability);
  const want = noGrad(() => {
    const x = fromTypedArray(toPlanar(photo), [1, 3, 96, 128]);
    const feats = model.backbone.forwardFeatures(x);
    const logits = model.classify(feats);
    const p = F.softmax(logits, 1).toFloat32Array();
    disposeFeatures(feats);
    x.dispose();
    logits.dispose();
    return p;
  });
  for (const p of d.predictions) assert.ok(Math.abs(p.probability - want[p.id - 1]!) < 1e-6, p.name);
  assert.match(formatPredictions(d.predictions, 2), /^[a-z ]+ \d\.\d\d(, [a-z ]+ \d\.\d\d)?$/);
});

test('large images: tiles classified separately and their probabilities averaged', async () => {
  const diagnoser = await loadDiagnoser(join(dir, 'run')); // a run directory: its newest checkpoint
  const photo = cropRaster((await readImage(kodak(3))).raster, 100, 100, 256, 384);
  const input = { data: photo.data, info: { width: 384, height: 256, channels: 3 as const } };
  const events: string[] = [];
  const d = await diagnose(input, { model: diagnoser, tile: 128, onProgress: (e) => events.push(e.type) });
  assert.equal(d.info.tiles, 2 * 3);
  assert.deepEqual(events, [...Array(6).fill('tile'), 'done']);
  assert.ok(Math.abs(d.predictions.reduce((s, p) => s + p.probability, 0) - 1) < 1e-5);
  diagnoser.dispose();
  const classify = await pipeline('degradation-classification', ckpt);
  const again = await classify(input, { tile: 128 });
  assert.deepEqual(again.predictions, d.predictions);
  classify.dispose();
});

test('weights without a classifier are a clear error', async () => {
  const plain = await saveAs(join(dir, 'plain.safetensors'), createModel('nafnet-tiny'));
  await assert.rejects(loadDiagnoser(plain), /plain\.safetensors has no degradation classifier .*`maskdcpt pretrain`/);
});
