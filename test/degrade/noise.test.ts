import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addShotReadNoise, processRaw, randomGains, randomRgb2Cam, unprocess } from '../../src/degrade/camera.js';
import { addGaussianNoise, addPoissonNoise, addSaltPepper, addSpeckle } from '../../src/degrade/noise.js';
import { createRaster } from '../../src/io/raster.js';
import { Rng } from '../../src/tensor/rng.js';

const grey = (w: number, h: number, v: number, c = 3) => createRaster(w, h, c, new Float32Array(w * h * c).fill(v));

function stats(xs: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < xs.length; i++) {
    s += xs[i] as number;
    s2 += (xs[i] as number) ** 2;
  }
  const mean = s / xs.length;
  return { mean, std: Math.sqrt(s2 / xs.length - mean * mean) };
}

test('Gaussian noise: measured σ on mid-grey equals the requested σ (colour and grey)', () => {
  for (const s of [5, 15, 25, 50]) {
    const sigma = s / 255;
    const img = grey(128, 128, 0.5);
    const out = addGaussianNoise(img, sigma, new Rng(s));
    const d = stats(out.data.map((v) => v - 0.5));
    // n = 49 152 samples: the std of the σ estimate is σ/√(2n) ≈ 0.32 % of σ; allow 5 of them. At σ 50 the
    // ±0.5 clip sits 2.55σ away, which removes ~1 % of the variance: allow that too.
    const tol = s === 50 ? 0.03 : 0.016;
    assert.ok(Math.abs(d.std / sigma - 1) < tol, `σ ${s}: measured ${d.std * 255}`);
    assert.ok(Math.abs(d.mean) < (5 * sigma) / Math.sqrt(out.data.length));
  }
  const g = addGaussianNoise(grey(64, 64, 0.5), 25 / 255, new Rng(1), { grey: true });
  for (let p = 0; p < 64 * 64; p++) {
    assert.equal(g.data[p * 3], g.data[p * 3 + 1]);
    assert.equal(g.data[p * 3], g.data[p * 3 + 2]);
  }
  const gs = stats(Float32Array.from({ length: 64 * 64 }, (_, p) => (g.data[p * 3] as number) - 0.5));
  assert.ok(Math.abs(gs.std / (25 / 255) - 1) < 0.06);
});

test('Poisson noise follows Real-ESRGAN: variance x·scale²/vals with vals = 2^⌈log2(#levels)⌉', () => {
  // A ramp with all 256 levels → vals = 256; the noise at level x has variance x·256/256² = x/256 (·scale²).
  const w = 256;
  const h = 200;
  const img = createRaster(w, h, 1);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data[y * w + x] = x / 255;
  const scale = 2;
  const out = addPoissonNoise(img, scale, new Rng(3), { clip: false });
  for (const level of [32, 128, 224]) {
    const col = Float32Array.from({ length: h }, (_, y) => (out.data[y * w + level] as number) - level / 255);
    const st = stats(col);
    const expected = Math.sqrt((level / 255 / 256) * scale * scale);
    assert.ok(Math.abs(st.std / expected - 1) < 0.2, `level ${level}: ${st.std} vs ${expected}`);
  }
  // A flat image has one level → vals = 1: noise is Poisson(x) − x, huge — exactly as upstream behaves.
  const flat = addPoissonNoise(grey(64, 64, 0.5, 1), 1, new Rng(4), { clip: false });
  assert.ok(Math.abs(stats(flat.data).std - Math.sqrt(0.5)) < 0.03);
});

test('salt & pepper hits the requested fraction of pixels, half white, half black', () => {
  const img = grey(200, 100, 0.5);
  const out = addSaltPepper(img, 0.1, new Rng(5));
  let salt = 0;
  let pepper = 0;
  for (let p = 0; p < 200 * 100; p++) {
    const v = out.data[p * 3];
    if (v === 1) salt++;
    else if (v === 0) pepper++;
    else assert.equal(v, 0.5);
  }
  const n = 200 * 100;
  assert.ok(Math.abs((salt + pepper) / n - 0.1) < 5 * Math.sqrt((0.1 * 0.9) / n));
  assert.ok(Math.abs(salt / (salt + pepper) - 0.5) < 0.04);
});

test('speckle: relative deviation has the requested variance', () => {
  const out = addSpeckle(grey(128, 128, 0.4), 0.01, new Rng(6), { clip: false });
  const rel = stats(out.data.map((v) => (v - 0.4) / 0.4));
  assert.ok(Math.abs(rel.std / 0.1 - 1) < 0.02);
});

test('camera pipeline: shot/read noise variance is x·shot + read; unprocess∘process is the identity', () => {
  const lin = new Float64Array(100000).fill(0.18);
  const shot = 0.01;
  const read = 1e-4;
  addShotReadNoise(lin, shot, read, new Rng(7));
  const st = stats(lin);
  assert.ok(Math.abs(st.std / Math.sqrt(0.18 * shot + read) - 1) < 0.015);
  assert.ok(Math.abs(st.mean - 0.18) < 0.001);
  const rng = new Rng(8);
  const img = createRaster(16, 16, 3);
  for (let i = 0; i < img.data.length; i++) img.data[i] = 0.05 + 0.65 * rng.random();
  const params = { rgb2cam: randomRgb2Cam(rng), ...randomGains(rng), shot, read };
  const back = processRaw(unprocess(img, params), 16, 16, params);
  let m = 0;
  for (let i = 0; i < img.data.length; i++)
    m = Math.max(m, Math.abs((back.data[i] as number) - (img.data[i] as number)));
  assert.ok(m < 1e-6, `round trip error ${m}`);
  // rgb2cam rows sum to 1 (white maps to white before gains).
  for (let r = 0; r < 3; r++) {
    const s =
      (params.rgb2cam[r * 3] as number) + (params.rgb2cam[r * 3 + 1] as number) + (params.rgb2cam[r * 3 + 2] as number);
    assert.ok(Math.abs(s - 1) < 1e-12);
  }
});
