import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diskKernel, lensKernel } from '../../src/degrade/defocus.js';
import type { FilterKernel } from '../../src/degrade/filter.js';
import { applyHaze, dehazeWith, hazeWith } from '../../src/degrade/haze.js';
import { applyLowLight } from '../../src/degrade/lowlight.js';
import { applyMoire } from '../../src/degrade/moire.js';
import { lineTrajectory, randomTrajectory, trajectoryKernel } from '../../src/degrade/motion.js';
import { applyRaindrops } from '../../src/degrade/raindrop.js';
import { usmSharp } from '../../src/degrade/realesrgan.js';
import { applyRain, applySnow } from '../../src/degrade/weather.js';
import { createRaster, type Raster } from '../../src/io/raster.js';
import { Rng } from '../../src/tensor/rng.js';

function randomImage(w: number, h: number, seed: number): Raster {
  const r = createRaster(w, h, 3);
  new Rng(seed).fillUniform(r.data);
  return r;
}

function kernelStats(k: FilterKernel): { sum: number; min: number; cx: number; cy: number; support: number } {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let cx = 0;
  let cy = 0;
  let support = 0;
  for (let r = 0; r < k.height; r++) {
    for (let c = 0; c < k.width; c++) {
      const v = k.data[r * k.width + c] as number;
      sum += v;
      min = Math.min(min, v);
      cx += v * (c - (k.width - 1) / 2);
      cy += v * (r - (k.height - 1) / 2);
      if (v > 1e-12) support = Math.max(support, Math.hypot(c - (k.width - 1) / 2, r - (k.height - 1) / 2));
    }
  }
  return { sum, min, cx, cy, support };
}

test('motion kernels: normalised, non-negative, odd, extent bounded by the requested length', () => {
  for (let seed = 0; seed < 20; seed++) {
    const pts = randomTrajectory(new Rng(seed));
    for (const len of [3, 11, 41]) {
      const k = trajectoryKernel(pts, len);
      const s = kernelStats(k);
      assert.equal(k.width % 2, 1);
      assert.ok(Math.abs(s.sum - 1) < 1e-12);
      assert.ok(s.min >= 0);
      // Points lie within ±len/2 per axis, bilinear splatting adds < 1 px.
      assert.ok(s.support <= (len / 2) * Math.SQRT2 + 1.5, `support ${s.support} for ${len}`);
    }
  }
  // A straight horizontal trajectory gives a one-row box centred in the kernel.
  const line = trajectoryKernel(lineTrajectory(0), 9);
  const st = kernelStats(line);
  assert.ok(Math.abs(st.cx) < 1e-12 && Math.abs(st.cy) < 1e-12);
  const mid = (line.height - 1) / 2;
  for (let r = 0; r < line.height; r++) {
    for (let c = 0; c < line.width; c++) if (r !== mid) assert.ok((line.data[r * line.width + c] as number) < 1e-12);
  }
});

test('defocus PSFs: normalised, radially symmetric, disk area ≈ πr²', () => {
  for (const r of [1, 2.5, 6]) {
    const k = diskKernel(r);
    const s = kernelStats(k);
    assert.ok(Math.abs(s.sum - 1) < 1e-12 && s.min >= 0);
    assert.ok(s.support <= r + Math.SQRT1_2 + 1e-9);
    // Symmetric under transpose and both flips.
    for (let i = 0; i < k.height; i++) {
      for (let j = 0; j < k.width; j++) {
        const v = k.data[i * k.width + j] as number;
        assert.ok(Math.abs(v - (k.data[j * k.width + i] as number)) < 1e-15);
        assert.ok(Math.abs(v - (k.data[(k.height - 1 - i) * k.width + j] as number)) < 1e-15);
      }
    }
    // The peak (fully covered pixel) is 1/area.
    const peak = Math.max(...Array.from(k.data));
    assert.ok(Math.abs(1 / peak / (Math.PI * r * r) - 1) < 0.05, `r ${r}`);
  }
  const lens = lensKernel(4);
  const ls = kernelStats(lens);
  assert.ok(Math.abs(ls.sum - 1) < 1e-12);
  // Rim brighter than centre.
  const c = (lens.width - 1) / 2;
  assert.ok((lens.data[c * lens.width + c + 3] as number) > (lens.data[c * lens.width + c] as number));
});

test('haze model inverts exactly at known t and A; applyHaze is a convex mix of J and A', () => {
  const img = randomImage(40, 30, 1);
  const t = new Float64Array(40 * 30);
  new Rng(2).fillUniform(t, 0.1, 1);
  const a = [0.8, 0.85, 0.9];
  const hazy = hazeWith(img, t, a);
  const back = dehazeWith(hazy, t, a);
  let m = 0;
  for (let i = 0; i < img.data.length; i++)
    m = Math.max(m, Math.abs((back.data[i] as number) - (img.data[i] as number)));
  // float32 storage of I, amplified by 1/t ≤ 10.
  assert.ok(m < 1e-5, `inversion error ${m}`);
  const ones = new Float64Array(40 * 30).fill(1);
  assert.deepEqual(hazeWith(img, ones, a).data, img.data);
  const full = hazeWith(img, new Float64Array(40 * 30), a);
  for (let p = 0; p < 40 * 30; p++)
    for (let k = 0; k < 3; k++) assert.ok(Math.abs((full.data[p * 3 + k] as number) - (a[k] as number)) < 1e-7);
  const out = applyHaze(img, { beta: 1.2, airlight: a, verticalWeight: 0.6, dMin: 0.2 }, new Rng(3));
  for (let p = 0; p < 40 * 30; p++) {
    for (let k = 0; k < 3; k++) {
      const j = img.data[p * 3 + k] as number;
      const v = out.data[p * 3 + k] as number;
      assert.ok(v >= Math.min(j, a[k] as number) - 1e-6 && v <= Math.max(j, a[k] as number) + 1e-6);
    }
  }
});

test('rain and snow only add light (screen blend); more density changes more pixels', () => {
  const img = randomImage(64, 48, 4);
  const changed = (o: Raster) => o.data.filter((v, i) => Math.abs(v - (img.data[i] as number)) > 1e-3).length;
  let prev = -1;
  for (const density of [0.5, 2, 6]) {
    const rain = applyRain(img, { density, length: 12, angle: 0.2, width: 0.6, intensity: 0.5 }, new Rng(5));
    const snow = applySnow(
      img,
      { density, radius: [0.6, 2.5], motion: 2, angle: 0.1, intensity: 0.8, veil: 0 },
      new Rng(5),
    );
    for (const o of [rain, snow])
      for (let i = 0; i < o.data.length; i++) assert.ok((o.data[i] as number) >= (img.data[i] as number) - 1e-6);
    const n = changed(rain);
    assert.ok(n > prev);
    prev = n;
  }
  const drops = applyRaindrops(img, { density: 100, radius: [4, 8], blur: 1.5 }, new Rng(6));
  assert.ok(changed(drops) > 0 && changed(drops) < img.data.length);
});

test('low light darkens and quantises to 8 bits; zero-amplitude moiré is the identity; USM keeps flat areas', () => {
  const img = randomImage(32, 32, 7);
  const out = applyLowLight(img, { ev: 3, cast: [1, 1, 1], shot: 0, read: 0 }, new Rng(8));
  for (let i = 0; i < img.data.length; i++) {
    const v = out.data[i] as number;
    assert.equal(Math.round(v * 255), Number((v * 255).toFixed(3)));
    // Noise-free: exactly the 8-bit encoding of x^2.2 / 8 re-gamma'd.
    const expect = Math.round(((img.data[i] as number) ** 2.2 / 8) ** (1 / 2.2) * 255) / 255;
    assert.ok(Math.abs(v - expect) < 1e-6);
  }
  const params = {
    amplitude: 0,
    frequency: 0.03,
    theta: 0.4,
    curvature: 1e-5,
    phases: [0, 1, 2],
    carrierFrequency: 0.4,
    carrierTheta: 1,
    carrierAmplitude: 0.3,
  };
  assert.deepEqual(applyMoire(img, params).data, img.data);
  const flat = createRaster(60, 60, 3, new Float32Array(60 * 60 * 3).fill(0.3));
  const sharp = usmSharp(flat);
  for (const v of sharp.data) assert.ok(Math.abs(v - 0.3) < 1e-6);
});
