/**
 * `maskdcpt export` of a pre-training checkpoint with its degradation classifier. The checkpoint is written by
 * the trainer's own `saveTraining` from a seeded nafnet-tiny MaskDCPT (`seededPretrain`). Oracles: our libtorch classifier (the
 * logits the libtorch diagnoser computes per tile) and libtorch `backbone.forward`, onnxruntime-node running
 * the file, ONNX's checker, and `maskdcpt diagnose` on the checkpoint (libtorch) vs on the .onnx file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { saveModel } from '../../src/archs/load.js';
import { createModel, resolveModel } from '../../src/archs/registry.js';
import { buildProgram } from '../../src/cli/program.js';
import { LABELS } from '../../src/degrade/labels.js';
import { decodeModel, exportOnnx } from '../../src/export/index.js';
import { MaskDCPT } from '../../src/maskdcpt/pretrain.js';
import { diagnose } from '../../src/restore/index.js';
import { fromTypedArray, manualSeed, noGrad, setNumThreads, tidy } from '../../src/tensor/index.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/engine.js';
import {
  maxAbsDiff,
  onnxCheck,
  ortForward,
  ortSession,
  perturbWeights,
  photoCrop,
  seededPretrain,
  torchForward,
} from './onnx-helpers.js';

setNumThreads(1);

const TOL = 1e-4;
const NAMES = LABELS.map((l) => l.name);
let dir: string;
let ckpt: string;
let onnx: string;
let pre: MaskDCPT;
let bytes: Uint8Array;
let session: ort.InferenceSession;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mdt-onnx-cls-'));
  ({ model: pre, ckpt } = await seededPretrain(dir, 21));
  onnx = join(dir, 'pre.onnx');
  const msg = await runCli('export', '--weights', ckpt, '-o', onnx, '--dynamic-size', '--verify');
  assert.match(msg, /classifier: 19 labels/);
  assert.match(msg, /verified: .*\(logits \d/);
  bytes = readFileSync(onnx);
  session = await ortSession(bytes);
});

after(async () => {
  await session?.release();
  pre?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** What the libtorch diagnoser computes for one window, before its softmax. */
function torchLogits(x: Float32Array, h: number, w: number): Float32Array {
  return noGrad(() =>
    tidy(() => pre.classify(pre.backbone.forwardFeatures(fromTypedArray(x, [1, 3, h, w]))).toFloat32Array()),
  );
}

test('the export has output and logits, labels metadata, and passes the ONNX checker', () => {
  onnxCheck(bytes);
  const m = decodeModel(bytes);
  assert.deepEqual(
    m.graph.output.map((o) => o.name),
    ['output', 'logits'],
  );
  const dims = m.graph.output[1]?.type.tensor_type.shape.dim;
  assert.deepEqual(dims, [{ dim_param: 'batch' }, { dim_value: LABELS.length }]);
  const meta = Object.fromEntries(m.metadata_props.map((p) => [p.key, p.value]));
  assert.deepEqual(JSON.parse(meta.labels ?? '[]'), NAMES);
  assert.equal(meta.arch, 'nafnet');
  assert.equal(meta.dynamic_size, 'true');
});

test('onnxruntime logits equal the libtorch classifier on photo crops; output equals backbone.forward', async (t) => {
  // [h, w, top, left] crops of kodim01 (192x192): multiples of 16 (what diagnose feeds), square and not.
  for (const [h, w, top, left] of [
    [64, 64, 40, 60],
    [96, 128, 40, 30],
    [128, 80, 10, 100],
  ] as const) {
    const x = await photoCrop(h, w, top, left);
    const r = await session.run({ input: new ort.Tensor('float32', x, [1, 3, h, w]) });
    const got = r.logits?.data as Float32Array;
    const want = torchLogits(x, h, w);
    const diff = maxAbsDiff(got, want);
    const spread = Math.max(...want) - Math.min(...want);
    t.diagnostic(`${h}x${w}: logits max abs diff ${diff.toExponential(2)} (logit spread ${spread.toFixed(3)})`);
    assert.ok(diff <= TOL, `${h}x${w}: logits differ by ${diff}`);
    assert.ok(spread > 0.1, 'the logits separate the classes (a constant head would pass any comparison)');
    const out = maxAbsDiff(r.output?.data as Float32Array, torchForward(pre.backbone, x, h, w));
    assert.ok(out <= TOL, `${h}x${w}: output differs from backbone.forward by ${out}`);
  }
  // Off the size multiple the restoration output still equals forward (in-graph pad and crop).
  const x = await photoCrop(75, 90, 100, 90);
  const got = await ortForward(session, x, 75, 90);
  assert.deepEqual(got.dims, [1, 3, 75, 90]);
  assert.ok(maxAbsDiff(got.data, torchForward(pre.backbone, x, 75, 90)) <= TOL);
});

test('the other families export their classifier too (SwinIR at a fixed square size), checker included', async (t) => {
  for (const [name, dynamic] of [
    ['restormer-tiny', true],
    ['promptir-small', true],
    ['swinir-tiny', false],
  ] as const) {
    manualSeed(4);
    const m = new MaskDCPT(createModel(name), { numClasses: 5, numResBlocks: 1 });
    try {
      perturbWeights(m, 4);
      m.eval();
      const graph = exportOnnx(m, { dynamicSize: dynamic, inputShape: [64, 64], labels: NAMES.slice(0, 5) });
      onnxCheck(graph); // MaxPool, Gather, and SwinIR's nearest Resize included
      const s = await ortSession(graph);
      const [h, w] = dynamic ? [48, 72] : [64, 64];
      const x = await photoCrop(h, w, 30, 50);
      const r = await s.run({ input: new ort.Tensor('float32', x, [1, 3, h, w]) });
      const want = noGrad(() =>
        tidy(() => m.classify(m.backbone.forwardFeatures(fromTypedArray(x, [1, 3, h, w]))).toFloat32Array()),
      );
      const diff = maxAbsDiff(r.logits?.data as Float32Array, want);
      const out = maxAbsDiff(r.output?.data as Float32Array, torchForward(m.backbone, x, h, w));
      t.diagnostic(`${name} ${h}x${w}: logits ${diff.toExponential(2)}, output ${out.toExponential(2)}`);
      assert.ok(diff <= TOL && out <= TOL, `${name}: logits ${diff}, output ${out}`);
      await s.release();
    } finally {
      m.dispose();
    }
  }
});

/** Runs the CLI in-process and returns what it wrote to stdout. */
async function stdoutOf(args: string[]): Promise<string> {
  const write = process.stdout.write;
  let text = '';
  process.stdout.write = ((s: unknown, ...rest: unknown[]) => {
    if (typeof s !== 'string') return (write as (...a: unknown[]) => boolean).call(process.stdout, s, ...rest);
    text += s;
    return true;
  }) as typeof process.stdout.write;
  try {
    const p = buildProgram();
    p.exitOverride();
    await p.parseAsync(['node', 'maskdcpt', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return text;
}

type Diag = { predictions: { name: string; probability: number }[]; tiles: number };

test('maskdcpt diagnose --backend onnx prints what diagnose on the checkpoint (libtorch) prints', async (t) => {
  const img = join(repoRoot, 'assets/photos/kodim05.png');
  // 192x192 in tiles of 64: nine windows classified and averaged on both engines.
  const args = ['diagnose', '-i', img, '-t', '64', '--threads', '1'];
  const torch = JSON.parse(await stdoutOf([...args, '--weights', ckpt, '--json'])) as Diag;
  const viaOnnx = JSON.parse(await stdoutOf([...args, '--weights', onnx, '--backend', 'onnx', '--json'])) as Diag;
  assert.equal(viaOnnx.tiles, torch.tiles);
  assert.ok(torch.tiles > 1);
  assert.deepEqual(
    viaOnnx.predictions.slice(0, 3).map((p) => p.name),
    torch.predictions.slice(0, 3).map((p) => p.name),
  );
  let worst = 0;
  for (const p of torch.predictions) {
    const q = viaOnnx.predictions.find((v) => v.name === p.name);
    worst = Math.max(worst, Math.abs((q?.probability ?? Number.NaN) - p.probability));
  }
  t.diagnostic(
    `${torch.tiles} tiles; top ${torch.predictions[0]?.name} ${torch.predictions[0]?.probability}; max prob diff ${worst.toExponential(2)}`,
  );
  assert.ok(worst <= TOL, `probabilities differ by ${worst}`);
  const line = (await stdoutOf([...args, '--weights', onnx, '--top', '3'])).trim();
  assert.equal(line, (await stdoutOf([...args, '--weights', ckpt, '--top', '3'])).trim());
});

test('a fixed-size export diagnoses in windows of its own size, as libtorch does with that tile', async () => {
  const file = join(dir, 'fixed.onnx');
  writeFileSync(file, exportOnnx(pre, { inputShape: [64, 64], labels: NAMES }));
  const img = join(repoRoot, 'assets/photos/kodim09.png');
  const viaOnnx = await diagnose(img, { model: file, tile: 128 }); // the tile gives way to the graph's 64x64
  const torch = await diagnose(img, { model: ckpt, tile: 64 });
  assert.equal(viaOnnx.info.tiles, 9);
  assert.equal(torch.info.tiles, 9);
  for (const p of torch.predictions) {
    const q = viaOnnx.predictions.find((v) => v.name === p.name);
    assert.ok(q && Math.abs(q.probability - p.probability) <= TOL, `${p.name}: ${q?.probability} vs ${p.probability}`);
  }
});

test('--no-with-classifier exports the restoration graph alone; clear errors otherwise', async () => {
  const plain = join(dir, 'plain.onnx');
  await runCli('export', '--weights', ckpt, '-o', plain, '--size', '32x32', '--no-with-classifier');
  assert.deepEqual(
    decodeModel(readFileSync(plain)).graph.output.map((o) => o.name),
    ['output'],
  );
  const backboneOnly = join(dir, 'backbone.safetensors');
  await saveModel(backboneOnly, pre.backbone, resolveModel('nafnet-tiny').options);
  await assert.rejects(
    runCli('export', '--weights', backboneOnly, '-o', plain, '--with-classifier'),
    /--with-classifier: backbone\.safetensors has no degradation classifier/,
  );
  await assert.rejects(
    runCli('export', '--weights', ckpt, '-o', plain, '-n', 'nafnet-small'),
    /names its own architecture.*--no-with-classifier/,
  );
  assert.throws(() => exportOnnx(pre, { labels: NAMES.slice(0, 5) }), /19 classes but 5 labels/);
  manualSeed(3);
  const swin = new MaskDCPT(createModel('swinir-tiny'), { numClasses: 4, numResBlocks: 1 });
  try {
    assert.throws(
      () => exportOnnx(swin, { dynamicSize: true, labels: NAMES.slice(0, 4) }),
      /swinir classifier needs square inputs; export it with a fixed square --size/,
    );
  } finally {
    swin.dispose();
  }
});
