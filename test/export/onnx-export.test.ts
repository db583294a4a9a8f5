/**
 * Every CPU-scale preset exports to ONNX with dynamic size; onnxruntime's output on real photo crops (one
 * a multiple of the size multiple, one not) equals our libtorch forward within 1e-4, and the file passes
 * ONNX's checker. A fixed-size export keeps its size; a newer opset (other Gelu/Reduce forms) runs too; the
 * browser runtime (onnxruntime-web) runs the files as well.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ortWeb from 'onnxruntime-web';
import { createModel, listModels } from '../../src/archs/registry.js';
import { decodeModel, exportOnnx } from '../../src/export/index.js';
import { setNumThreads } from '../../src/tensor/index.js';
import {
  maxAbsDiff,
  onnxCheck,
  ortForward,
  ortSession,
  perturbWeights,
  photoCrop,
  torchForward,
} from './onnx-helpers.js';

setNumThreads(1);

const TOL = 1e-4;
/** [height, width, top, left]: one crop a multiple of every size multiple, one of none, from different places. */
const CROPS: [number, number, number, number][] = [
  [64, 64, 40, 60],
  [75, 90, 100, 90],
];

function metadata(bytes: Uint8Array): Record<string, string> {
  return Object.fromEntries(decodeModel(bytes).metadata_props.map((p) => [p.key, p.value]));
}

const PRESETS = [...listModels('*-tiny'), ...listModels('*-small')];

test('the CPU-scale presets cover every architecture', () => {
  const archs = new Set(PRESETS.map((p) => createModel(p).arch));
  assert.deepEqual([...archs].sort(), ['nafnet', 'promptir', 'restormer', 'swinir']);
});

for (const name of PRESETS) {
  test(`${name}: dynamic-size ONNX matches libtorch on photo crops and passes the checker`, async (t) => {
    const model = createModel(name);
    try {
      perturbWeights(model, 7);
      model.eval();
      const bytes = exportOnnx(model, { dynamicSize: true, name });
      onnxCheck(bytes);
      const meta = metadata(bytes);
      assert.equal(meta.arch, model.arch);
      assert.equal(meta.model, name);
      assert.equal(meta.dynamic_size, 'true');
      assert.equal(meta.size_multiple, String(model.sizeMultiple));
      const session = await ortSession(bytes);
      for (const [h, w, top, left] of CROPS) {
        const x = await photoCrop(h, w, top, left);
        const ref = torchForward(model, x, h, w);
        const got = await ortForward(session, x, h, w);
        assert.deepEqual(got.dims, [1, 3, h, w]);
        const diff = maxAbsDiff(got.data, ref);
        t.diagnostic(`${name} ${h}x${w}: max abs diff ${diff.toExponential(2)}`);
        assert.ok(diff <= TOL, `${name} ${h}x${w}: max abs diff ${diff} > ${TOL}`);
        // The network must actually change the image, or an identity graph would pass too.
        assert.ok(maxAbsDiff(ref, x) > 1e-2, `${name}: the model output equals its input`);
      }
      await session.release();
    } finally {
      model.dispose();
    }
  });
}

test('fixed-size export: runs at its size only and records it', async () => {
  const model = createModel('nafnet-tiny');
  try {
    perturbWeights(model, 3);
    model.eval();
    const bytes = exportOnnx(model, { inputShape: [64, 64] });
    onnxCheck(bytes);
    const meta = metadata(bytes);
    assert.equal(meta.dynamic_size, 'false');
    assert.equal(meta.input_size, '64x64');
    const dims = decodeModel(bytes).graph.input[0]?.type.tensor_type.shape.dim;
    assert.deepEqual(dims, [{ dim_value: 1 }, { dim_value: 3 }, { dim_value: 64 }, { dim_value: 64 }]);
    const session = await ortSession(bytes);
    const x = await photoCrop(64, 64);
    const diff = maxAbsDiff((await ortForward(session, x, 64, 64)).data, torchForward(model, x, 64, 64));
    assert.ok(diff <= TOL, `max abs diff ${diff}`);
    await assert.rejects(ortForward(session, await photoCrop(72, 88), 72, 88));
    await session.release();
  } finally {
    model.dispose();
  }
});

test('opset 20 (Gelu operator, reduce axes as inputs) matches libtorch too', async () => {
  const model = createModel('restormer-tiny');
  try {
    perturbWeights(model, 5);
    model.eval();
    const bytes = exportOnnx(model, { dynamicSize: true, opset: 20 });
    const ops = new Set(decodeModel(bytes).graph.node.map((n) => n.op_type));
    assert.ok(ops.has('Gelu') && !ops.has('Erf'), 'opset 20 uses the Gelu operator');
    const session = await ortSession(bytes);
    const x = await photoCrop(75, 90);
    const diff = maxAbsDiff((await ortForward(session, x, 75, 90)).data, torchForward(model, x, 75, 90));
    assert.ok(diff <= TOL, `max abs diff ${diff}`);
    await session.release();
  } finally {
    model.dispose();
  }
});

test('the exported files also run in onnxruntime-web (WebAssembly), the browser runtime', async () => {
  ortWeb.env.wasm.numThreads = 1;
  for (const name of ['nafnet-tiny', 'restormer-tiny', 'promptir-small', 'swinir-tiny']) {
    const model = createModel(name);
    try {
      perturbWeights(model, 11);
      model.eval();
      const session = await ortWeb.InferenceSession.create(exportOnnx(model, { dynamicSize: true }));
      const x = await photoCrop(45, 70, 20, 30);
      const r = await session.run({ input: new ortWeb.Tensor('float32', x, [1, 3, 45, 70]) });
      const diff = maxAbsDiff(r.output?.data as Float32Array, torchForward(model, x, 45, 70));
      assert.ok(diff <= TOL, `${name} in onnxruntime-web: max abs diff ${diff}`);
      await session.release();
    } finally {
      model.dispose();
    }
  }
});
