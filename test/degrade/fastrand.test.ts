import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FastStream, normals } from '../../src/degrade/fastrand.js';
import { Rng } from '../../src/tensor/rng.js';

/** Standard normal CDF via erfc (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const r =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - r / 2 : r / 2;
}

test('ziggurat normals: reproducible from the seed, right moments, KS distance below the 1 % critical value', () => {
  assert.deepEqual(normals(new Rng(9), 1000), normals(new Rng(9), 1000));
  assert.notDeepEqual(normals(new Rng(9), 1000), normals(new Rng(10), 1000));
  const n = 400_000;
  const x = normals(new Rng(1), n);
  let m = 0;
  let v = 0;
  let tail = 0;
  for (const a of x) {
    m += a;
    v += a * a;
    if (Math.abs(a) > 3.442619855899) tail++;
  }
  m /= n;
  v = v / n - m * m;
  assert.ok(Math.abs(m) < 5 / Math.sqrt(n));
  assert.ok(Math.abs(v - 1) < 5 * Math.sqrt(2 / n));
  // The ziggurat tail (|x| > R) is sampled separately: its mass must be 2·(1 − Φ(R)) ≈ 5.8e-4.
  const pt = 2 * (1 - phi(3.442619855899));
  assert.ok(Math.abs(tail / n - pt) < 5 * Math.sqrt(pt / n));
  const sorted = Float64Array.from(x).sort();
  let d = 0;
  for (let i = 0; i < n; i++)
    d = Math.max(d, Math.abs((i + 1) / n - phi(sorted[i] as number)), Math.abs(i / n - phi(sorted[i] as number)));
  assert.ok(d < 1.63 / Math.sqrt(n), `KS ${d}`);
});

test('fast Poisson: mean and variance equal λ for small and large λ', () => {
  const s = new FastStream(new Rng(2));
  for (const lambda of [0.3, 4, 29, 31, 128, 700]) {
    const n = 40_000;
    let m = 0;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const k = s.poisson(lambda);
      assert.ok(Number.isInteger(k) && k >= 0);
      m += k;
      v += k * k;
    }
    m /= n;
    v = v / n - m * m;
    assert.ok(Math.abs(m - lambda) < 5 * Math.sqrt(lambda / n), `λ ${lambda}: mean ${m}`);
    assert.ok(Math.abs(v / lambda - 1) < 0.05, `λ ${lambda}: var ${v}`);
  }
  assert.equal(s.poisson(0), 0);
});
