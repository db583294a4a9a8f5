/** Ownership: tidy disposes what it does not return, keep exempts, pipe releases intermediates, memory is flat. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocatorStats, dispose, keep, ones, pipe, scopeDepth, tidy } from '../../src/tensor/index.js';

test('tidy disposes intermediates and passes returned tensors to the enclosing scope', () => {
  let inner: ReturnType<typeof ones> | undefined;
  const outer = tidy(() => {
    const kept = tidy(() => {
      inner = ones([4]).add(1);
      const result = inner.mul(2);
      return { result, list: [result] };
    });
    assert.equal(inner?.isDisposed, true);
    assert.equal(kept.result.isDisposed, false);
    return kept.result.add(1);
  });
  assert.deepEqual(Array.from(outer.toFloat32Array()), [5, 5, 5, 5]);
  assert.equal(scopeDepth(), 0);
  outer.dispose();
});

test('tidy disposes everything when fn throws, and rejects async functions', () => {
  let made: ReturnType<typeof ones> | undefined;
  assert.throws(() =>
    tidy(() => {
      made = ones([2]);
      throw new Error('fail');
    }),
  );
  assert.equal(made?.isDisposed, true);
  assert.throws(() => tidy(() => Promise.resolve(1) as unknown as number), /must be synchronous/);
  assert.equal(scopeDepth(), 0);
});

test('keep exempts a tensor from the scope; dispose() walks structures', () => {
  const t = tidy(() => keep(ones([2])));
  assert.equal(t.isDisposed, false);
  const a = ones([1]);
  const b = ones([1]);
  dispose({ a, nested: [b] });
  assert.ok(a.isDisposed && b.isDisposed);
  t.dispose();
});

test('pipe disposes intermediates but not its input', () => {
  const x = ones([3]);
  const seen: ReturnType<typeof ones>[] = [];
  const y = pipe(
    x,
    (t) => {
      const r = t.add(1);
      seen.push(r);
      return r;
    },
    (t) => t.mul(3),
  );
  assert.equal(x.isDisposed, false);
  assert.equal(seen[0]?.isDisposed, true);
  assert.deepEqual(Array.from(y.toFloat32Array()), [6, 6, 6]);
  x.dispose();
  y.dispose();
});

test('the caching allocator reuses blocks: repeated work does not grow memory', () => {
  const stats0 = allocatorStats();
  assert.equal(stats0.name, 'caching');
  const step = () =>
    tidy(() => {
      const a = ones([256, 256]);
      return a.matmul(a).sum().item();
    });
  step();
  const after1 = allocatorStats();
  for (let i = 0; i < 20; i++) step();
  const after20 = allocatorStats();
  assert.equal(after20.inUseBytes, after1.inUseBytes);
  assert.equal(after20.cachedBytes + after20.inUseBytes, after1.cachedBytes + after1.inUseBytes);
});
