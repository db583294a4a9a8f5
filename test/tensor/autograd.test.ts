/** Gradients against finite differences (float64), closed-form results, grad mode and torch.autograd.grad. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  arange,
  F,
  fromTypedArray,
  grad,
  isGradEnabled,
  noGrad,
  ones,
  randn,
  manualSeed,
  type Tensor,
  tensor,
  tidy,
} from '../../src/tensor/index.js';
import { assertClose } from '../helpers/engine.js';

/** Central differences of a scalar function of one float64 tensor. */
function numericGrad(f: (x: Tensor) => Tensor, x0: Float64Array, shape: number[], h = 1e-6): Float64Array {
  const g = new Float64Array(x0.length);
  for (let i = 0; i < x0.length; i++) {
    const plus = x0.slice();
    const minus = x0.slice();
    plus[i] = (plus[i] as number) + h;
    minus[i] = (minus[i] as number) - h;
    const fp = tidy(() => f(fromTypedArray(plus, shape)).item());
    const fm = tidy(() => f(fromTypedArray(minus, shape)).item());
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

const composites: Record<string, { shape: number[]; f: (x: Tensor) => Tensor }> = {
  'conv + gelu + layer norm': {
    shape: [1, 2, 4, 4],
    f: (x) => {
      const w = tensor([[[[0.3, -0.2], [0.1, 0.5]]], [[[0.2, 0.1], [-0.4, 0.3]]]], { dtype: 'float64' });
      const y = F.conv2d(x, w, null, { groups: 2, padding: 1 });
      return F.layerNorm(F.gelu(y).permute(0, 2, 3, 1), [2]).square().sum();
    },
  },
  'softmax attention': {
    shape: [2, 3, 4],
    f: (x) => F.softmax(x.bmm(x.transpose(1, 2)).mul(0.5), -1).bmm(x).tanh().sum(),
  },
  'pixel shuffle + bilinear + reflect pad': {
    shape: [1, 4, 3, 3],
    f: (x) =>
      F.pad(F.interpolate(F.pixelShuffle(x, 2), { scaleFactor: 0.5, mode: 'bilinear' }), [1, 1, 1, 1], 'reflect')
        .pow(3)
        .mean(),
  },
  'normalize + var + logsumexp': {
    shape: [3, 5],
    f: (x) => F.normalize(x, 2, 1).var(1).add(x.logsumexp(1)).sum(),
  },
};

for (const [name, { shape, f }] of Object.entries(composites)) {
  test(`autograd equals finite differences: ${name}`, () => {
    tidy(() => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x0 = Float64Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + 0.3) * 0.8);
      const x = fromTypedArray(x0.slice(), shape).requiresGrad_();
      f(x).backward();
      const analytic = x.grad!.data() as Float64Array;
      assertClose(analytic, numericGrad(f, x0, shape), { atol: 1e-6, rtol: 1e-5, what: name });
    });
  });
}

test('closed forms: sums, matmul with identity, softmax rows', () => {
  tidy(() => {
    assert.equal(arange(0, 101).sum().item(), 5050);
    const a = randn([3, 3]);
    const eye = tensor([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    assertClose(a.matmul(eye).toFloat32Array(), a.toFloat32Array(), { atol: 0, rtol: 0 });
    assertClose(F.softmax(randn([4, 7]), 1).sum(1).toFloat32Array(), [1, 1, 1, 1], { atol: 1e-6 });
    // d/dx sum(x^2) = 2x exactly in float32.
    const x = tensor([1.5, -2, 3.25]).requiresGrad_();
    x.square().sum().backward();
    assert.deepEqual(Array.from(x.grad!.toFloat32Array()), [3, -4, 6.5]);
  });
});

test('gradients accumulate across backward calls and can be cleared', () => {
  tidy(() => {
    const x = tensor([1, 2]).requiresGrad_();
    x.mul(3).sum().backward();
    x.mul(3).sum().backward();
    assert.deepEqual(Array.from(x.grad!.toFloat32Array()), [6, 6]);
    x.grad = null;
    assert.equal(x.grad, null);
  });
});

test('noGrad records no graph and restores the mode, even on throw', () => {
  tidy(() => {
    const x = ones([2]).requiresGrad_();
    const y = noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(isGradEnabled(), true);
    assert.throws(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    );
    assert.equal(isGradEnabled(), true);
    assert.match(x.mul(2).gradFn ?? '', /^MulBackward/);
  });
});

test('grad() returns gradients without touching .grad, and supports higher order', () => {
  tidy(() => {
    const x = tensor([0.5, -1.5]).requiresGrad_();
    const y = x.pow(3).sum();
    const [g] = grad(y, x, { createGraph: true });
    assertClose(g!.toFloat32Array(), [0.75, 6.75]);
    assert.equal(x.grad, null);
    const [g2] = grad(g!.sum(), x);
    assertClose(g2!.toFloat32Array(), [3, -9]);
  });
});

test('backward on a tensor that does not require grad is a clear error', () => {
  tidy(() => {
    assert.throws(() => ones([2]).sum().backward(), /does not require grad/);
  });
});

test('manualSeed reproduces libtorch samples', () => {
  tidy(() => {
    manualSeed(5);
    const a = randn([5]).toFloat32Array();
    manualSeed(5);
    assert.deepEqual(randn([5]).toFloat32Array(), a);
  });
});
