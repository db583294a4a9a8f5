import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  areaWeights,
  bicubicTorchWeights,
  bilinearWeights,
  cubic,
  imresize,
  interpolate,
  matlabWeights,
  resample,
} from '../../src/degrade/resize.js';
import { createRaster, type Raster } from '../../src/io/raster.js';
import { localFixture, readSafetensors } from './helpers.js';

const fx = readSafetensors(localFixture('resize.safetensors'));
function raster(name: string): Raster {
  const t = fx.get(name);
  if (!t) throw new Error(`missing ${name}`);
  const [h, w, c] = t.shape as [number, number, number];
  return createRaster(w, h, c, t.data as Float32Array);
}
const input = raster('input');

function maxDiff(a: Raster, b: Raster, border = 0): number {
  assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels]);
  let m = 0;
  for (let y = border; y < a.height - border; y++) {
    for (let x = border; x < a.width - border; x++) {
      for (let c = 0; c < a.channels; c++) {
        const i = (y * a.width + x) * a.channels + c;
        m = Math.max(m, Math.abs((a.data[i] as number) - (b.data[i] as number)));
      }
    }
  }
  return m;
}

test('PyTorch interpolate modes (bilinear, bicubic a=-0.75, area) match exactly up to float32', () => {
  for (const mode of ['bilinear', 'bicubic', 'area'] as const) {
    for (const [name, h, w] of [
      ['down', 10, 13],
      ['up', 37, 41],
    ] as const) {
      const d = maxDiff(interpolate(input, h, w, mode), raster(`${mode}.size.${name}`));
      assert.ok(d < 2e-6, `${mode} ${name}: ${d}`);
    }
  }
  for (const mode of ['bilinear', 'bicubic'] as const) {
    for (const sf of [0.37, 1.3]) {
      const ref = raster(`${mode}.scale.${sf}`);
      const out = interpolate(input, Math.floor(24 * sf), Math.floor(30 * sf), mode, sf);
      assert.ok(maxDiff(out, ref) < 2e-6, `${mode} scale ${sf}`);
    }
  }
});

test('MATLAB imresize equals antialiased Keys bicubic (torch antialias=True) away from the borders', () => {
  for (const [name, scale, border] of [
    ['down2', 0.5, 3],
    ['up2', 2, 5],
  ] as const) {
    const out = imresize(input, scale);
    const d = maxDiff(out, raster(`aa_bicubic.${name}`), border);
    assert.ok(d < 2e-6, `${name}: ${d}`);
  }
});

test('imresize weight properties: Keys kernel, partition of unity, constants preserved, MATLAB sizes', () => {
  assert.equal(cubic(0), 1);
  assert.equal(cubic(1), 0);
  assert.equal(cubic(2), 0);
  assert.equal(cubic(0.5), 0.5625); // (1.5·0.125 − 2.5·0.25 + 1)
  assert.ok(Math.abs(cubic(1.5) + 0.0625) < 1e-15); // −0.5·3.375 + 2.5·2.25 − 6 + 2
  const wts = matlabWeights(17, 6, 1 / 3);
  for (let o = 0; o < 6; o++) {
    let s = 0;
    for (let t = 0; t < wts.taps; t++) s += wts.w[o * wts.taps + t] as number;
    assert.ok(Math.abs(s - 1) < 1e-14);
  }
  const flat = createRaster(11, 7, 3, new Float32Array(11 * 7 * 3).fill(0.3));
  const r = imresize(flat, 1 / 4);
  assert.deepEqual([r.width, r.height], [3, 2]); // ceil(11/4), ceil(7/4)
  for (const v of r.data) assert.ok(Math.abs(v - 0.3) < 1e-6);
  // Away from the mirrored borders a linear ramp stays linear under a symmetric normalised kernel: ×½ samples
  // the input at 2i + 0.5.
  const ramp = createRaster(
    32,
    1,
    1,
    Float32Array.from({ length: 32 }, (_, i) => i),
  );
  const half = imresize(ramp, 0.5);
  for (let i = 3; i < 13; i++) assert.ok(Math.abs((half.data[i] as number) - (2 * i + 0.5)) < 1e-5);
  // Near the border MATLAB mirrors (…1 0 | 0 1…) instead of extrapolating, so the ramp bends there.
  assert.ok(Math.abs((half.data[0] as number) - 0.5) > 0.01);
});

test('native resample is bit-identical to the JS loops (every mode, up and down, grey and RGB)', () => {
  const grey = createRaster(
    17,
    11,
    1,
    Float32Array.from({ length: 187 }, (_, i) => Math.sin(i * 0.7) * 0.5 + 0.5),
  );
  for (const src of [input, grey]) {
    for (const [h, w] of [
      [5, 7],
      [src.height * 2 + 3, src.width + 1],
    ] as const) {
      for (const mode of ['area', 'bilinear', 'bicubic'] as const) {
        const pick = (i: number, o: number) =>
          mode === 'area' ? areaWeights(i, o) : mode === 'bilinear' ? bilinearWeights(i, o) : bicubicTorchWeights(i, o);
        const rows = pick(src.height, h);
        const cols = pick(src.width, w);
        assert.deepEqual(resample(src, rows, cols).data, resample(src, rows, cols, 'js').data, `${mode} ${h}x${w}`);
      }
      const rows = matlabWeights(src.height, h, h / src.height);
      const cols = matlabWeights(src.width, w, w / src.width);
      assert.deepEqual(resample(src, rows, cols).data, resample(src, rows, cols, 'js').data, `matlab ${h}x${w}`);
    }
  }
  const bad = { outLength: 1, taps: 1, idx: Int32Array.of(99), w: Float64Array.of(1) };
  assert.throws(() => resample(grey, bad, bad), /row index 99 outside 0\.\.10/);
});
