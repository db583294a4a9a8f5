/**
 * Op-by-op reference tests (tinygrad style): forward values and gradients against PyTorch, from
 * test/fixtures/engine/ops.json (made by tools/make-engine-fixtures.py with Debian's PyTorch).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { charbonnierLoss, focalLoss } from '../../src/nn/losses.js';
import { cat, F, fromTypedArray, stack, type Tensor, tensor, tidy, where } from '../../src/tensor/index.js';
import { assertClose, readJson } from '../helpers/engine.js';

interface Case {
  inputs: { shape: number[]; data: number[] }[];
  output: { shape: number[]; data: number[] };
  cotangent: number[];
  grads: (number[] | null)[];
}
const fixture = readJson<{ cases: Record<string, Case> }>('test/fixtures/engine/ops.json');

const labels4 = () => tensor([0, 2, 1, 4], { dtype: 'int64' });
const idx3 = () => tensor([2, 0, 1], { dtype: 'int64' });

type Fn = (...xs: Tensor[]) => Tensor;
const OPS: Record<string, Fn> = {
  add_broadcast: (a, b) => a.add(b!),
  sub_alpha: (a, b) => a.sub(b!, 2.5),
  mul_broadcast: (a, b) => a.mul(b!),
  div: (a, b) => a.div(b!),
  pow_scalar: (a) => a.pow(2.5),
  pow_tensor: (a, b) => a.pow(b!),
  exp_log_sqrt: (a) => a.exp().add(a.log()).add(a.sqrt()).add(a.rsqrt()),
  tanh_sigmoid: (a) => a.tanh().mul(a.sigmoid()),
  relu: (a) => F.relu(a),
  gelu: (a) => F.gelu(a),
  gelu_tanh: (a) => F.gelu(a, 'tanh'),
  leaky_relu_silu: (a) => F.leakyRelu(a, 0.2).add(F.silu(a)),
  clamp: (a) => a.clamp(-0.5, 0.7),
  softmax: (a) => F.softmax(a, -1),
  log_softmax: (a) => F.logSoftmax(a, 1),
  sum_dims: (a) => a.sum([0, 2]),
  mean_keepdim: (a) => a.mean(1, { keepdim: true }),
  var_unbiased: (a) => a.var(1),
  var_population: (a) => a.var(1, { correction: 0, keepdim: true }),
  amax: (a) => a.amax(1),
  norm: (a) => a.norm(2, 1),
  logsumexp: (a) => a.logsumexp(1),
  matmul: (a, b) => a.matmul(b!),
  bmm: (a, b) => a.bmm(b!),
  linear: (x, w, b) => F.linear(x, w!, b!),
  conv2d: (x, w, b) => F.conv2d(x, w!, b!, { padding: 1 }),
  conv2d_stride_dilation: (x, w) => F.conv2d(x, w!, null, { stride: 2, padding: 2, dilation: 2 }),
  conv2d_depthwise: (x, w, b) => F.conv2d(x, w!, b!, { padding: 1, groups: 4 }),
  conv2d_groups: (x, w) => F.conv2d(x, w!, null, { groups: 2 }),
  conv_transpose2d: (x, w, b) => F.convTranspose2d(x, w!, b!, { stride: 2 }),
  layer_norm: (x, w, b) => F.layerNorm(x, [5], w!, b!, 1e-5),
  layer_norm_2d_channels: (x, w, b) => F.layerNorm(x.permute(0, 2, 3, 1), [4], w!, b!, 1e-6).permute(0, 3, 1, 2),
  group_norm: (x, w, b) => F.groupNorm(x, 2, w!, b!, 1e-5),
  pixel_shuffle: (x) => F.pixelShuffle(x, 2),
  pixel_unshuffle: (x) => F.pixelUnshuffle(x, 2),
  adaptive_avg_pool2d: (x) => F.adaptiveAvgPool2d(x, [2, 3]),
  avg_pool2d: (x) => F.avgPool2d(x, 2),
  max_pool2d: (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }),
  interp_nearest: (x) => F.interpolate(x, { scaleFactor: 2, mode: 'nearest' }),
  interp_bilinear: (x) => F.interpolate(x, { size: [5, 7], mode: 'bilinear', alignCorners: false }),
  interp_bilinear_ac: (x) => F.interpolate(x, { size: [5, 7], mode: 'bilinear', alignCorners: true }),
  interp_bicubic: (x) => F.interpolate(x, { scaleFactor: 2, mode: 'bicubic', alignCorners: false }),
  pad_reflect: (x) => F.pad(x, [1, 2, 2, 1], 'reflect'),
  pad_replicate: (x) => F.pad(x, [1, 2, 2, 1], 'replicate'),
  pad_constant: (x) => F.pad(x, [1, 2, 0, 3], 'constant', 0.5),
  pad_circular: (x) => F.pad(x, [1, 1, 2, 2], 'circular'),
  normalize: (x) => F.normalize(x, 2, 1),
  roll: (x) => x.roll([2, -1], [1, 2]),
  unfold: (x) => F.unfold(x, 3, { padding: 1, stride: 2 }),
  fold: (x) => F.fold(x, [3, 3], 2),
  permute_reshape: (x) => x.permute(2, 0, 1).reshape(4, 6).mul(2),
  chunk_cat: (x) => cat([x.chunk(3, 1)[2]!, x.chunk(3, 1)[0]!], 0),
  stack_transpose: (a, b) => stack([a, b!.t().t()], 1).transpose(0, 2),
  expand_repeat: (x) => x.expand(2, 3).add(x.repeat(2, 1)),
  narrow_slice_select: (x) => x.narrow(0, 1, 2).slice(1, 1, 5, 2).add(x.select(0, 3).slice(0, 1, 5, 2)),
  index_select_gather: (x) =>
    x.indexSelect(0, idx3()).add(x.gather(1, tensor([[0, 2, 1], [0, 2, 1], [0, 2, 1]], { dtype: 'int64' }))),
  masked_fill_where: (a, b) => where(a.gt(0), a, b!).maskedFill(b!.gt(0.5), 0.25),
  flip_repeat_interleave: (x) => x.flip([1]).repeatInterleave(2, 0),
  l1_loss: (a, b) => F.l1Loss(a, b!),
  mse_loss_sum: (a, b) => F.mseLoss(a, b!, 'sum'),
  cross_entropy: (a) => F.crossEntropy(a, labels4()),
  cross_entropy_smooth: (a) => F.crossEntropy(a, labels4(), { labelSmoothing: 0.1 }),
  bce_logits: (a, b) => F.binaryCrossEntropyWithLogits(a, b!),
  charbonnier: (a, b) => charbonnierLoss(a, b!, 1e-3),
  focal_gamma2: (a) => focalLoss(a, labels4(), 2),
};

test('every fixture case has a TS implementation and vice versa', () => {
  assert.deepEqual(Object.keys(OPS).sort(), Object.keys(fixture.cases).sort());
});

for (const [name, c] of Object.entries(fixture.cases)) {
  test(`op ${name}: forward and gradients match PyTorch`, () => {
    tidy(() => {
      const fn = OPS[name];
      assert.ok(fn, `no TS implementation for ${name}`);
      const xs = c.inputs.map((i) => fromTypedArray(Float32Array.from(i.data), i.shape).requiresGrad_());
      const y = fn(...xs);
      assert.deepEqual([...y.shape], c.output.shape, `${name}: output shape`);
      assertClose(y.toFloat32Array(), c.output.data, { what: `${name} forward` });
      const cot = fromTypedArray(Float32Array.from(c.cotangent), c.output.shape);
      y.mul(cot).sum().backward();
      c.grads.forEach((g, k) => {
        const grad = xs[k]?.grad;
        if (g === null) return;
        assert.ok(grad, `${name}: input ${k} got no gradient`);
        assertClose(grad.toFloat32Array(), g, { what: `${name} grad of input ${k}` });
      });
    });
  });
}
