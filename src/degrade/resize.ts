/**
 * Resampling as separable weight lists: MATLAB-compatible bicubic `imresize` (BasicSR matlab_functions.imresize:
 * Keys cubic a = −0.5, kernel widened by 1/scale when downscaling = antialiasing, symmetric border, rows then
 * columns) and PyTorch `F.interpolate` modes used by Real-ESRGAN ('area', 'bilinear', 'bicubic' with
 * align_corners = False; bicubic a = −0.75 with clamped borders).
 */
import type { Raster } from '../io/raster.js';
import { createRaster } from '../io/raster.js';
import { native } from '../tensor/native.js';

/** Per-output-sample taps along one axis: `idx[o*taps + t]` source index, `w[...]` its weight. */
export interface AxisWeights {
  outLength: number;
  taps: number;
  idx: Int32Array;
  w: Float64Array;
}

/** Keys cubic convolution kernel with parameter a (MATLAB a = −0.5, PyTorch bicubic a = −0.75). */
export function cubic(x: number, a = -0.5): number {
  const ax = Math.abs(x);
  const ax2 = ax * ax;
  const ax3 = ax2 * ax;
  if (ax <= 1) return (a + 2) * ax3 - (a + 3) * ax2 + 1;
  if (ax < 2) return a * ax3 - 5 * a * ax2 + 8 * a * ax - 4 * a;
  return 0;
}

/** MATLAB/BasicSR symmetric (half-sample) reflection of a 0-based index: …1 0 | 0 1 … n−1 | n−1 n−2… */
function symmetric(i: number, n: number): number {
  const period = 2 * n;
  let m = ((i % period) + period) % period;
  if (m >= n) m = period - 1 - m;
  return m;
}

/** BasicSR `calculate_weights_indices` with the cubic kernel (width 4), in float64. */
export function matlabWeights(inLength: number, outLength: number, scale: number, antialiasing = true): AxisWeights {
  const aa = scale < 1 && antialiasing;
  const kernelWidth = aa ? 4 / scale : 4;
  const taps = Math.ceil(kernelWidth) + 2;
  const idx = new Int32Array(outLength * taps);
  const w = new Float64Array(outLength * taps);
  for (let o = 0; o < outLength; o++) {
    const u = (o + 1) / scale + 0.5 * (1 - 1 / scale);
    const left = Math.floor(u - kernelWidth / 2);
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const j = left + t; // 1-based MATLAB index
      const d = u - j;
      const v = aa ? scale * cubic(d * scale) : cubic(d);
      w[o * taps + t] = v;
      idx[o * taps + t] = symmetric(j - 1, inLength);
      sum += v;
    }
    for (let t = 0; t < taps; t++) w[o * taps + t] = (w[o * taps + t] as number) / sum;
  }
  return { outLength, taps, idx, w };
}

/** PyTorch source coordinate for align_corners = False: (o + 0.5)·s − 0.5, s = 1/scale_factor or in/out. */
function torchScale(inLength: number, outLength: number, scaleFactor?: number): number {
  return scaleFactor !== undefined && scaleFactor > 0 ? 1 / scaleFactor : inLength / outLength;
}

/** `F.interpolate(mode='bilinear', align_corners=False)` along one axis (negative coordinates clamp to 0). */
export function bilinearWeights(inLength: number, outLength: number, scaleFactor?: number): AxisWeights {
  const s = torchScale(inLength, outLength, scaleFactor);
  const idx = new Int32Array(outLength * 2);
  const w = new Float64Array(outLength * 2);
  for (let o = 0; o < outLength; o++) {
    const x = Math.max(0, (o + 0.5) * s - 0.5);
    const i0 = Math.min(Math.floor(x), inLength - 1);
    const i1 = Math.min(i0 + 1, inLength - 1);
    const l = x - i0;
    idx[o * 2] = i0;
    idx[o * 2 + 1] = i1;
    w[o * 2] = 1 - l;
    w[o * 2 + 1] = l;
  }
  return { outLength, taps: 2, idx, w };
}

/** `F.interpolate(mode='bicubic', align_corners=False)` along one axis: a = −0.75, indices clamped. */
export function bicubicTorchWeights(inLength: number, outLength: number, scaleFactor?: number): AxisWeights {
  const s = torchScale(inLength, outLength, scaleFactor);
  const idx = new Int32Array(outLength * 4);
  const w = new Float64Array(outLength * 4);
  for (let o = 0; o < outLength; o++) {
    const x = (o + 0.5) * s - 0.5;
    const f = Math.floor(x);
    const t = x - f;
    for (let k = 0; k < 4; k++) {
      idx[o * 4 + k] = Math.min(Math.max(f - 1 + k, 0), inLength - 1);
      w[o * 4 + k] = cubic(t - (k - 1), -0.75);
    }
  }
  return { outLength, taps: 4, idx, w };
}

/** `F.interpolate(mode='area')` = adaptive average pooling: bins [⌊o·in/out⌋, ⌈(o+1)·in/out⌉). */
export function areaWeights(inLength: number, outLength: number): AxisWeights {
  let taps = 1;
  for (let o = 0; o < outLength; o++) {
    const a = Math.floor((o * inLength) / outLength);
    const b = Math.ceil(((o + 1) * inLength) / outLength);
    taps = Math.max(taps, b - a);
  }
  const idx = new Int32Array(outLength * taps);
  const w = new Float64Array(outLength * taps);
  for (let o = 0; o < outLength; o++) {
    const a = Math.floor((o * inLength) / outLength);
    const b = Math.ceil(((o + 1) * inLength) / outLength);
    for (let t = 0; t < taps; t++) {
      idx[o * taps + t] = Math.min(a + t, inLength - 1);
      w[o * taps + t] = a + t < b ? 1 / (b - a) : 0;
    }
  }
  return { outLength, taps, idx, w };
}

/**
 * Applies row weights (vertical) then column weights (horizontal), float64 sums, float32 result. `native`
 * (default) runs the same loops in the addon (native/filter.cc), bit-identical to the JS ones kept as its oracle.
 */
export function resample(
  src: Raster,
  rows: AxisWeights,
  cols: AxisWeights,
  backend: 'native' | 'js' = 'native',
): Raster {
  const { width: w, channels: c, data } = src;
  if (backend === 'native') {
    const h = src.height;
    const r = [rows.outLength, rows.taps, rows.idx, rows.w] as const;
    const out = native.resample(data, w, h, c, ...r, cols.outLength, cols.taps, cols.idx, cols.w);
    return createRaster(cols.outLength, rows.outLength, c, out);
  }
  const oh = rows.outLength;
  const ow = cols.outLength;
  const n = w * c;
  const tmp = new Float64Array(oh * n);
  for (let o = 0; o < oh; o++) {
    const base = o * n;
    for (let t = 0; t < rows.taps; t++) {
      const wt = rows.w[o * rows.taps + t] as number;
      if (wt === 0) continue;
      const s = (rows.idx[o * rows.taps + t] as number) * n;
      for (let k = 0; k < n; k++) tmp[base + k] = (tmp[base + k] as number) + wt * (data[s + k] as number);
    }
  }
  const out = createRaster(ow, oh, c);
  const od = out.data;
  for (let y = 0; y < oh; y++) {
    const rb = y * n;
    const ob = y * ow * c;
    for (let x = 0; x < ow; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let t = 0; t < cols.taps; t++) {
          acc +=
            (cols.w[x * cols.taps + t] as number) *
            (tmp[rb + (cols.idx[x * cols.taps + t] as number) * c + ch] as number);
        }
        od[ob + x * c + ch] = acc;
      }
    }
  }
  return out;
}

/**
 * MATLAB `imresize(img, scale, 'bicubic')` as BasicSR implements it; output size ⌈in·scale⌉. Values are not
 * clipped (cubic overshoot can leave [0, 1]).
 */
export function imresize(src: Raster, scale: number, antialiasing = true): Raster {
  if (!(scale > 0)) throw new RangeError(`imresize: scale must be > 0, got ${scale}`);
  const oh = Math.ceil(src.height * scale);
  const ow = Math.ceil(src.width * scale);
  return resample(
    src,
    matlabWeights(src.height, oh, scale, antialiasing),
    matlabWeights(src.width, ow, scale, antialiasing),
  );
}

export type InterpolateMode = 'area' | 'bilinear' | 'bicubic';

/**
 * `F.interpolate(x, size=(outH, outW), mode)` (align_corners = False). Pass `scaleFactor` when PyTorch would
 * be called with `scale_factor=` (it then maps coordinates with 1/scale_factor, not in/out).
 */
export function interpolate(
  src: Raster,
  outH: number,
  outW: number,
  mode: InterpolateMode,
  scaleFactor?: number,
): Raster {
  const pick = (inLen: number, outLen: number) => {
    if (mode === 'area') return areaWeights(inLen, outLen);
    if (mode === 'bilinear') return bilinearWeights(inLen, outLen, scaleFactor);
    return bicubicTorchWeights(inLen, outLen, scaleFactor);
  };
  return resample(src, pick(src.height, outH), pick(src.width, outW));
}
