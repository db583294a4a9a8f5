import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type FilterKernel,
  filter2D,
  gaussianBlur,
  gaussianKernel1D,
  reflect101,
  sepFilter2D,
} from '../../src/degrade/filter.js';
import { planFilter } from '../../src/degrade/filter-plan.js';
import { bivariateGaussian, buildKernel, type Kernel, sampleBasicsrBlurKernel } from '../../src/degrade/kernels.js';
import { createRaster } from '../../src/io/raster.js';
import { native } from '../../src/tensor/native.js';
import { Rng } from '../../src/tensor/rng.js';
import { maxAbsDiff, readSafetensors, sharedPath } from './helpers.js';

const blur = readSafetensors(sharedPath('fixtures/degradations/blur.safetensors'));
const input = blur.get('input');
if (!input) throw new Error('blur.safetensors: no input');
const [H, W, C] = input.shape as [number, number, number];
const img = createRaster(W, H, C, input.data as Float32Array);
const asFilter = (k: Kernel | FilterKernel): FilterKernel =>
  'size' in k ? { width: k.size, height: k.size, data: k.data } : k;
const names = ['p1_gaussian_aniso_k21', 'p3_plateau_aniso_k13', 'p4_sinc_k13_pad21'];

for (const method of ['direct', 'auto'] as const) {
  test(`filter2D (${method}) matches cv2.filter2D and the float64 direct correlation`, (t) => {
    for (const name of names) {
      const k = blur.get(`kernel.${name}`);
      const cv = blur.get(`output_cv2.${name}`);
      const ref = blur.get(`output_direct_f64.${name}`);
      assert.ok(k && cv && ref);
      const size = k.shape[0] as number;
      const out = filter2D(img, { width: size, height: size, data: k.data as Float64Array }, { method });
      const dRef = maxAbsDiff(out.data, ref.data as Float64Array);
      const dCv = maxAbsDiff(out.data, cv.data as Float32Array);
      t.diagnostic(`${name}: vs f64 ${dRef.toExponential(2)}, vs cv2 ${dCv.toExponential(2)}`);
      // float32 output rounding is ≤ 6e-8 for values ≤ 1; `auto` may discard ≤ 1e-8 of kernel mass.
      assert.ok(dRef <= (method === 'direct' ? 6e-8 : 7e-8), `${name} vs f64: ${dRef}`);
      // cv2 itself is ≤ 7.4e-8 from the f64 reference (its DFT path); allow both roundings.
      assert.ok(dCv <= 1.5e-7, `${name} vs cv2: ${dCv}`);
    }
  });
}

test('auto and direct agree on random BasicSR kernels and odd shapes', () => {
  const rng = new Rng(5);
  const src = createRaster(37, 23, 3);
  rng.fillUniform(src.data);
  for (let i = 0; i < 30; i++) {
    const k = buildKernel(sampleBasicsrBlurKernel(rng));
    const a = filter2D(src, k, { method: 'direct' });
    const b = filter2D(src, k);
    assert.ok(maxAbsDiff(a.data, b.data) < 1e-7);
  }
  // Kernel larger than the image: reflect-101 must fold repeatedly.
  const tiny = createRaster(3, 2, 1, Float32Array.from([0.1, 0.5, 0.9, 0.3, 0.7, 0.2]));
  const big = bivariateGaussian(9, 2, 2, 0, true);
  const d = filter2D(tiny, big, { method: 'direct' });
  const e = filter2D(tiny, big);
  assert.ok(maxAbsDiff(d.data, e.data) < 1e-7);
});

test('FFT path equals the direct correlation on odd sizes, grey images and kernels wider than the image', () => {
  const rng = new Rng(8);
  for (const [w, h, c, ks] of [
    [37, 23, 3, 21],
    [50, 31, 1, 13],
    [9, 6, 3, 15],
    [64, 64, 3, 7],
  ] as const) {
    const src = createRaster(w, h, c);
    rng.fillUniform(src.data);
    const k = buildKernel({ family: 'aniso', size: ks, sigX: 2.5, sigY: 0.7, theta: rng.uniform(-3, 3) });
    // Asymmetric kernel: catches any flip or anchor error in the FFT path.
    const asym = { width: ks, height: ks, data: k.data.map((v, i) => v * (1 + (i % 7) / 10)) };
    for (const kern of [k, asym]) {
      const a = filter2D(src, kern, { method: 'direct' });
      const b = filter2D(src, kern, { method: 'fft' });
      assert.ok(maxAbsDiff(a.data, b.data) < 2e-7, `${w}x${h}x${c} k${ks}`);
    }
  }
});

test('reflect101 follows OpenCV (dcb|abcd|cba) and a delta kernel is the identity', () => {
  assert.deepEqual(
    [-3, -2, -1, 0, 3, 4, 5, 6].map((p) => reflect101(p, 4)),
    [3, 2, 1, 0, 3, 2, 1, 0],
  );
  const rng = new Rng(1);
  const src = createRaster(10, 7, 3);
  rng.fillUniform(src.data);
  const delta = new Float64Array(25);
  delta[12] = 1;
  assert.deepEqual(filter2D(src, { width: 5, height: 5, data: delta }).data, src.data);
  // An off-centre delta shifts: correlation reads src[y + i − ay][x + j − ax].
  const shift = new Float64Array(9);
  shift[5] = 1; // (i, j) = (1, 2) → reads x + 1
  const out = filter2D(src, { width: 3, height: 3, data: shift }, { method: 'direct' });
  for (let y = 0; y < 7; y++) {
    for (let x = 0; x < 9; x++) {
      for (let c = 0; c < 3; c++) assert.equal(out.data[(y * 10 + x) * 3 + c], src.data[(y * 10 + x + 1) * 3 + c]);
    }
  }
});

test('Gaussian kernels: OpenCV fixed small tables and sigma formula; separable blur equals 2-D filter', () => {
  assert.deepEqual(Array.from(gaussianKernel1D(3, 0)), [0.25, 0.5, 0.25]);
  const k = gaussianKernel1D(51, 0); // sigma = 0.3·(25 − 1) + 0.8 = 8
  const s8 = Math.exp(-1 / 128) / Math.exp(0);
  assert.ok(Math.abs((k[26] as number) / (k[25] as number) - s8) < 1e-14);
  const rng = new Rng(2);
  const src = createRaster(20, 16, 3);
  rng.fillUniform(src.data);
  const k1 = gaussianKernel1D(7, 1.3);
  const k2 = new Float64Array(49);
  for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) k2[i * 7 + j] = (k1[i] as number) * (k1[j] as number);
  const a = gaussianBlur(src, 7, 1.3);
  const b = filter2D(src, { width: 7, height: 7, data: k2 }, { method: 'direct' });
  assert.ok(maxAbsDiff(a.data, b.data) < 1e-7);
  assert.ok(maxAbsDiff(sepFilter2D(src, k1, k1).data, a.data) === 0);
});

test('native loops are bit-identical to the JS loops (direct, separable, multi-term, tails, folding)', () => {
  const rng = new Rng(11);
  for (const [w, h, c] of [
    [37, 23, 3],
    [9, 6, 1],
    [70, 5, 3],
    [3, 2, 1],
  ] as const) {
    const src = createRaster(w, h, c);
    rng.fillUniform(src.data);
    for (let i = 0; i < 12; i++) {
      const k = buildKernel(sampleBasicsrBlurKernel(rng));
      const asym = { width: k.size, height: k.size, data: k.data.map((v, j) => v * (1 + (j % 5) / 7)) };
      for (const kern of [k, asym]) {
        const js = filter2D(src, kern, { method: 'direct', backend: 'js' });
        assert.deepEqual(filter2D(src, kern, { method: 'direct' }).data, js.data);
        const plan = planFilter(asFilter(kern), 1e-8, src, 'js');
        const nat = filter2D(src, kern);
        if (plan.method === planFilter(asFilter(kern), 1e-8, src, 'native').method && plan.method !== 'fft') {
          assert.deepEqual(nat.data, filter2D(src, kern, { backend: 'js' }).data, `${plan.method} ${w}x${h}x${c}`);
        }
        assert.ok(maxAbsDiff(nat.data, js.data) < 1e-7);
      }
    }
    const kx = Float64Array.from({ length: 9 }, () => rng.uniform(-1, 1));
    const ky = Float64Array.from({ length: 5 }, () => rng.uniform(-1, 1));
    assert.deepEqual(sepFilter2D(src, kx, ky).data, sepFilter2D(src, kx, ky, 'js').data);
  }
});

test('native filter arguments are checked with clear errors', () => {
  const k = new Float64Array(9);
  assert.throws(
    () => native.filter2dDirect(new Float32Array(5), 2, 2, 1, k, 3, 3, 1, 1),
    /data has 5 samples, expected 4/,
  );
  assert.throws(
    () => native.filter2dDirect(new Float32Array(4), 2, 2, 1, k, 3, 3, 3, 1),
    /anchor x must be an integer/,
  );
  assert.throws(
    () => native.filter2dDirect(new Float32Array(4), 2, 2, 1, new Float64Array(8), 3, 3, 1, 1),
    /kernel has 8 taps, expected 9/,
  );
  const f64 = new Float64Array(4);
  assert.throws(
    () => native.filter2dSeparable(f64 as unknown as Float32Array, 2, 2, 1, k, k, 1, 0, 0),
    /expected a Float32Array/,
  );
});
