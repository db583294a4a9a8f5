/** Misuse gives clear JS errors (never a crash): shapes, dtypes, disposal, unknown operators, bad arguments. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { op, callNative } from '../../src/tensor/dispatch.js';
import { F, fromTypedArray, ones, randn, tensor, tidy, zeros } from '../../src/tensor/index.js';

test('shape mismatch names the dimensions', () => {
  tidy(() => {
    assert.throws(() => ones([2, 3]).add(ones([4])), /size of tensor a \(3\) must match the size of tensor b \(4\)/);
    assert.throws(() => ones([2, 3]).matmul(ones([2, 3])), /cannot be multiplied|shapes/);
    assert.throws(() => F.conv2d(ones([1, 3, 8, 8]), ones([4, 2, 3, 3])), /expected input\[1, 3, 8, 8\] to have 2 channels/);
  });
});

test('dtype mismatch is reported', () => {
  tidy(() => {
    const a = ones([2, 2]);
    const b = ones([2, 2], { dtype: 'float64' });
    assert.throws(() => a.matmul(b), /expected .*(Float|Double).*(Double|Float)|dtype/i);
    assert.throws(() => fromTypedArray(new Float32Array(3), [2, 2]), /12 bytes but shape and dtype need 16/);
    assert.throws(() => zeros([2], { dtype: 'complex' as never }), /unknown dtype 'complex'/);
  });
});

test('use after dispose is an error naming the problem', () => {
  const t = randn([3]);
  t.dispose();
  t.dispose(); // twice is fine
  assert.throws(() => t.shape, /used after dispose/);
  assert.throws(() => t.add(1), /used after dispose/);
  const u = randn([3]);
  const v = u.mul(2);
  u.dispose();
  assert.throws(() => v.add(u), /used after dispose/);
  v.dispose();
});

test('unknown operators and bad arguments are errors, not crashes', () => {
  assert.throws(() => callNative(op('no_such_op'), []), /unknown operator aten::no_such_op/);
  assert.throws(() => callNative(op('add', 'Tensor'), [1, 2]), /expected a tensor/);
  assert.throws(() => callNative(op('add', 'Tensor'), []), /argument 'self' is required/);
  tidy(() => {
    assert.throws(() => tensor([1, 2]).item(), /item\(\): tensor has 2 elements/);
    assert.throws(() => ones([-1]), /invalid shape/);
    assert.throws(() => F.interpolate(ones([1, 1, 2, 2]), {}), /exactly one of size and scaleFactor/);
  });
});

test('libtorch errors inside autograd surface as JS errors', () => {
  tidy(() => {
    const x = ones([2]).requiresGrad_();
    const y = x.mul(x); // saves x for backward, so a second pass needs the freed graph
    y.backward(ones([2]));
    assert.throws(() => y.backward(ones([2])), /backward through the graph a second time/);
  });
});
