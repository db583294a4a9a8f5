/**
 * The onnxruntime-node backend against independent oracles: the same weights restored by our libtorch path
 * (exported by PyTorch's exporter, so neither our engine nor our exporter is on the ONNX side), diagnose
 * probabilities against PyTorch's, and the metadata reader against the bytes tools/torch_onnx.py appended.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { exportOnnx } from '../../src/export/index.js';
import { writeImage } from '../../src/io/image.js';
import { META, modelInfo, readOnnxMetadata } from '../../src/onnx/metadata.js';
import { diagnose, loadDiagnoser, loadOnnxModel, resolveModelName, restore } from '../../src/restore/index.js';
import { setNumThreads } from '../../src/tensor/index.js';
import { perturbedTiny, torchOnnx } from '../helpers/onnx.js';
import type { Backbone } from '../../src/archs/types.js';
import { photoCrop } from './helpers.js';

setNumThreads(1); // 2 shared cores on CI
process.env.MASKDCPT_THREADS = '1';

const dir = mkdtempSync(join(tmpdir(), 'onnx-backend-'));
const weights = join(dir, 'tiny.safetensors');
const onnx = join(dir, 'tiny.onnx');
const withLogits = join(dir, 'tiny-logits.onnx');
const photo = join(dir, 'photo.png');
let probe: number[] = [];
let model: Backbone;

before(async () => {
  model = await perturbedTiny(weights);
  // 96x128: whole multiples of 16, so PyTorch's probe pads nothing and sees what diagnose's one tile sees.
  await writeImage(photo, await photoCrop(96, 128));
  torchOnnx(onnx, { weights });
  probe = torchOnnx(withLogits, { weights, labels: 5, probe: photo }).probabilities ?? [];
});
after(() => {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('metadata: the keys tools/torch_onnx.py appended; a non-ONNX file is refused by name', () => {
  const meta = readOnnxMetadata(readFileSync(withLogits), withLogits);
  assert.equal(meta[META.model], 'nafnet-tiny');
  assert.equal(meta[META.arch], 'nafnet');
  assert.deepEqual(modelInfo(meta), {
    arch: 'nafnet-tiny',
    sizeMultiple: 16,
    labels: ['noise', 'real_noise', 'motion_blur', 'defocus_blur', 'gaussian_blur'],
  });
  assert.throws(() => readOnnxMetadata(readFileSync(photo), photo), new RegExp(`${photo} is not`));
  assert.throws(
    () => modelInfo({ [META.sizeMultiple]: 'x' }, 'm.onnx'),
    /m\.onnx: size_multiple must be a positive integer/,
  );
});

test('tiled restore: onnxruntime (PyTorch export) equals libtorch (our engine) on the same weights', async () => {
  const crop = await photoCrop(90, 120); // odd sizes: reflect padding to the multiple, shifted edge windows
  const input = { data: crop.data, info: { width: 120, height: 90, channels: 3 as const } };
  const events: string[] = [];
  const opts = { tile: 32, tilePad: 16, onProgress: (e: { type: string }) => events.push(e.type) };
  const ort = await restore(input, { ...opts, model: onnx });
  const torch = await restore(input, { ...opts, model: weights });
  assert.equal(ort.info.tiles, 3 * 4);
  assert.deepEqual(events.slice(0, 13), [...Array(12).fill('tile'), 'done']);
  let max = 0;
  for (let i = 0; i < ort.data.length; i++) max = Math.max(max, Math.abs(ort.data[i]! - torch.data[i]!));
  assert.ok(max < 1e-4, `max |onnx - libtorch| = ${max}`);
  // Not trivially equal to the input: the perturbed model changes the photo.
  let moved = 0;
  for (let i = 0; i < crop.data.length; i++) moved = Math.max(moved, Math.abs(ort.data[i]! - crop.data[i]!));
  assert.ok(moved > 1e-2, `the model changed the image by ${moved}`);
});

test('diagnose through ONNX: probabilities equal PyTorch softmax of the same graph', async () => {
  const d = await diagnose(photo, { model: withLogits, tile: 0 });
  assert.equal(d.predictions.length, 5);
  assert.equal(probe.length, 5);
  for (const p of d.predictions) {
    const want = probe[p.id - 1]!;
    assert.ok(Math.abs(p.probability - want) < 1e-5, `${p.name}: ${p.probability} vs ${want}`);
  }
  await assert.rejects(loadDiagnoser(onnx), /tiny\.onnx has no degradation classifier .*'logits'/);
});

test('names resolve to <name>.onnx; --backend onnx refuses weights that are not ONNX', async () => {
  const models = join(dir, 'models');
  const m = await loadOnnxModel(onnx);
  assert.equal(m.sizeMultiple, 16);
  assert.equal(m.classifier, undefined);
  m.dispose();
  writeFileSync(join(dir, 'only.onnx'), readFileSync(onnx));
  assert.equal(resolveModelName('only', dir).path, join(dir, 'only.onnx'));
  assert.throws(() => resolveModelName('tiny', models, 'onnx'), /no .*tiny\.onnx for --backend onnx/);
  await assert.rejects(
    restore(photo, { model: weights, backend: 'onnx' }),
    /--backend onnx needs an \.onnx model, got .*tiny\.safetensors; export it first/,
  );
  await assert.rejects(
    restore(photo, { model: photo.replace('.png', '.onnx') }),
    /cannot read ONNX model .*photo\.onnx: ENOENT/,
  );
});

test('models from `maskdcpt export` (ours): dynamic size, and fixed size tiled around its one window', async () => {
  const crop = await photoCrop(90, 120);
  const input = { data: crop.data, info: { width: 120, height: 90, channels: 3 as const } };
  const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  const dynamic = join(dir, 'ours-dynamic.onnx');
  writeFileSync(dynamic, exportOnnx(model, { dynamicSize: true, name: 'nafnet-tiny' }));
  const fixed = join(dir, 'ours-64.onnx');
  writeFileSync(fixed, exportOnnx(model, { inputShape: [64, 64], name: 'nafnet-tiny' }));

  const torch = await restore(input, { model: weights, tile: 32, tilePad: 16 });
  const dyn = await restore(input, { model: dynamic, tile: 32, tilePad: 16 });
  assert.ok(maxDiff(dyn.data, torch.data) < 1e-4, `dynamic: ${maxDiff(dyn.data, torch.data)}`);
  // Fixed 64x64: with pad 16 the cores are 32, i.e. the same windows as libtorch's tile 32 / pad 16.
  const fix = await restore(input, { model: fixed, tile: 999, tilePad: 16 });
  assert.equal(fix.info.tile, 32);
  assert.equal(fix.info.tiles, 12);
  assert.ok(maxDiff(fix.data, torch.data) < 1e-4, `fixed: ${maxDiff(fix.data, torch.data)}`);
  // An image smaller than the fixed window: mirrored out to 64x64 and cropped back.
  const small = await photoCrop(40, 50);
  const s = await restore({ data: small.data, info: { width: 50, height: 40, channels: 3 } }, { model: fixed });
  assert.equal(s.data.length, 40 * 50 * 3);
  assert.ok(s.data.every(Number.isFinite));
  const m = await loadOnnxModel(fixed);
  assert.deepEqual(m.window, [64, 64]);
  assert.equal(m.arch, 'nafnet-tiny');
  await assert.rejects(
    async () => m.runTile(new Float32Array(3 * 32 * 32), [1, 3, 32, 32]),
    /fixed 64x64 input .*--dynamic-size/,
  );
  m.dispose();
});
