import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/tensor/rng.js';

test('same seed gives the same stream, different seeds differ', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xa = Array.from({ length: 8 }, () => a.nextUint32());
  const xb = Array.from({ length: 8 }, () => b.nextUint32());
  const xc = Array.from({ length: 8 }, () => c.nextUint32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('uniform and normal moments match their distributions', () => {
  const r = new Rng(7);
  const n = 200_000;
  let su = 0;
  let sn = 0;
  let sn2 = 0;
  for (let i = 0; i < n; i++) {
    su += r.random();
    const z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  // Standard errors: 0.29/sqrt(n) ≈ 6.5e-4 and 1/sqrt(n) ≈ 2.2e-3; allow 5 sigma.
  assert.ok(Math.abs(su / n - 0.5) < 3.3e-3);
  assert.ok(Math.abs(sn / n) < 1.2e-2);
  assert.ok(Math.abs(sn2 / n - 1) < 1.6e-2);
});

test('int covers the closed range uniformly', () => {
  const r = new Rng(1);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 60_000; i++) counts[r.int(0, 5)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `count ${c}`);
  assert.throws(() => r.int(3, 2), /lo <= hi/);
});

test('poisson mean and variance equal lambda', () => {
  const r = new Rng(3);
  for (const lam of [0.5, 4, 60, 900]) {
    const n = 40_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const k = r.poisson(lam);
      s += k;
      s2 += k * k;
    }
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    assert.ok(Math.abs(mean - lam) < 5 * Math.sqrt(lam / n) + 1e-9, `mean ${mean} for ${lam}`);
    assert.ok(Math.abs(variance / lam - 1) < 0.05, `variance ${variance} for ${lam}`);
  }
});

test('state round trip resumes the exact stream, including the Gaussian spare', () => {
  const r = new Rng(99);
  r.normal();
  const saved = JSON.parse(JSON.stringify(r.getState()));
  const expected = [r.normal(), r.normal(), r.random(), r.nextUint32()];
  const r2 = new Rng(0).setState(saved);
  assert.deepEqual([r2.normal(), r2.normal(), r2.random(), r2.nextUint32()], expected);
});

test('fork gives independent, reproducible streams without advancing the parent', () => {
  const r = new Rng(5);
  const before = r.getState();
  const f1 = r.fork('worker-1');
  const f1b = new Rng(5).fork('worker-1');
  const f2 = r.fork('worker-2');
  assert.deepEqual(r.getState(), before);
  const a = Array.from({ length: 4 }, () => f1.nextUint32());
  assert.deepEqual(a, Array.from({ length: 4 }, () => f1b.nextUint32()));
  assert.notDeepEqual(a, Array.from({ length: 4 }, () => f2.nextUint32()));
});
