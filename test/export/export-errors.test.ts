/**
 * The exporter refuses what it cannot express, naming the problem: an ATen operator without an ONNX mapping
 * (with the model's name), a size-dependent integer no tensor dimension explains (and then the fixed-size
 * export of the same module works), a training-mode dropout, an unsupported opset.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Backbone } from '../../src/archs/types.js';
import { exportOnnx } from '../../src/export/index.js';
import { Module } from '../../src/nn/module.js';
import { F, setNumThreads, type Tensor } from '../../src/tensor/index.js';
import { maxAbsDiff, ortForward, ortSession, photoCrop, torchForward } from './onnx-helpers.js';

setNumThreads(1);

/** A parameter-free "backbone" around a forward function. */
class Probe extends Module {
  readonly arch = 'probe';
  readonly sizeMultiple = 8;
  readonly maskPatchSize = 8;
  constructor(readonly fn: (x: Tensor) => Tensor) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}
const probe = (fn: (x: Tensor) => Tensor): Backbone => new Probe(fn) as unknown as Backbone;

test('an operator without a mapping is named, with the model', () => {
  const m = probe((x) => x.cumsum(3));
  assert.throws(
    () => exportOnnx(m, { inputShape: [16, 16], name: 'my-model' }),
    /ONNX export of my-model: operator aten::cumsum has no ONNX mapping/,
  );
});

test('a size-dependent integer that no dimension explains: dynamic export refuses, fixed size works', async () => {
  // Crops to floor(sqrt(W)) columns: neither affine, a product nor a pad of any traced dimension.
  const m = probe((x) => x.narrow(3, 0, Math.floor(Math.sqrt(x.size(3)))).mul(2));
  assert.throws(
    () => exportOnnx(m, { dynamicSize: true }),
    /aten::narrow.*argument 3 takes values .* which no tensor dimension explains; export with a fixed --size/,
  );
  const bytes = exportOnnx(m, { inputShape: [16, 16] });
  const s = await ortSession(bytes);
  const x = await photoCrop(16, 16);
  const got = await ortForward(s, x, 16, 16);
  assert.deepEqual(got.dims, [1, 3, 16, 4]);
  assert.equal(maxAbsDiff(got.data, torchForward(m, x, 16, 16)), 0);
  await s.release();
});

test('dynamic export follows sizes through reshapes, pads and crops of a non-backbone module', async () => {
  // Space-to-depth by hand on a padded input, a channel mean, depth-to-space back, then crop: every integer
  // here is size-dependent (products, quotients, pad amounts, crop lengths).
  const m = probe((x) => {
    const [b, c, h, w] = x.shape as [number, number, number, number];
    const p = F.pad(x, [0, (4 - (w % 4)) % 4, 0, (4 - (h % 4)) % 4], 'reflect');
    const [H, W] = [p.size(2), p.size(3)];
    const s = p
      .reshape(b, c, H / 4, 4, W / 4, 4)
      .permute(0, 1, 3, 5, 2, 4)
      .reshape(b, c * 16, (H / 4) * (W / 4));
    const y = s
      .sub(s.mean([2], { keepdim: true }))
      .reshape(b, c, 4, 4, H / 4, W / 4)
      .permute(0, 1, 4, 2, 5, 3)
      .reshape(b, c, H, W);
    return y.narrow(2, 0, h).narrow(3, 0, w).contiguous();
  });
  const bytes = exportOnnx(m, { dynamicSize: true });
  const s = await ortSession(bytes);
  for (const [h, w] of [
    [20, 36],
    [33, 50],
  ] as const) {
    const x = await photoCrop(h, w);
    const got = await ortForward(s, x, h, w);
    assert.deepEqual(got.dims, [1, 3, h, w]);
    assert.ok(maxAbsDiff(got.data, torchForward(m, x, h, w)) <= 1e-6);
  }
  await s.release();
});

test('training-mode dropout and unsupported opsets are refused', () => {
  const m = probe((x) => F.dropout(x, 0.5, true));
  assert.throws(() => exportOnnx(m, { inputShape: [8, 8] }), /dropout in training mode/);
  assert.throws(
    () =>
      exportOnnx(
        probe((x) => x.mul(2)),
        { opset: 16 },
      ),
    /opset 16 is not supported; use 17\.\.21/,
  );
});
