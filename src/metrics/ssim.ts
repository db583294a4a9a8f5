/**
 * Structural similarity under the conventions of `full-reference.ts`.
 *
 * BasicSR / MaskDCPT fork / BasicSR-pt: 11x11 Gaussian window (sigma 1.5), population statistics,
 * 'valid' map only (5 px per side dropped), C1 = (0.01 L)^2, C2 = (0.03 L)^2, mean of the map, mean
 * over channels. skimage 0.19 `structural_similarity`: 7x7 uniform window, sample covariance
 * (N / (N - 1)), the map cropped by (win - 1) / 2, mean over channels; with `gaussianWeights` it uses
 * an 11x11 sigma 1.5 window and matches the BasicSR number. Cropping the map by the window radius
 * means only fully covered pixels count, so every variant is a 'valid' separable filter and border
 * modes never matter.
 */
import type { Raster } from '../io/raster.js';
import { type FullReferenceOptions, preparePair, type ResolvedFullReference } from './full-reference.js';
import { gaussianKernel, uniformKernel } from './kernels.js';
import { assertMinSize, type Plane } from './plane.js';

export interface SsimOptions extends FullReferenceOptions {
  /** skimage only: window side (odd, default 7; 11 with `gaussianWeights`). */
  winSize?: number;
  /** skimage only: Gaussian window with sigma 1.5 instead of the uniform one (default false). */
  gaussianWeights?: boolean;
  /** skimage only: N / (N - 1) covariance normalisation (default true, as skimage). */
  useSampleCovariance?: boolean;
}

export interface SsimWindow {
  kernel: Float64Array;
  /** Covariance normalisation factor (1, or N / (N - 1) for sample covariance). */
  covNorm: number;
  label: string;
}

/** The window and covariance normalisation a convention uses. */
export function ssimWindow(convention: ResolvedFullReference['convention'], options: SsimOptions): SsimWindow {
  if (convention !== 'skimage') {
    if (
      options.winSize !== undefined ||
      options.gaussianWeights !== undefined ||
      options.useSampleCovariance !== undefined
    ) {
      throw new RangeError(
        'ssim: winSize, gaussianWeights and useSampleCovariance apply to the skimage convention only',
      );
    }
    return { kernel: gaussianKernel(11, 1.5), covNorm: 1, label: 'gaussian 11x11 s1.5' };
  }
  const gaussian = options.gaussianWeights ?? false;
  // skimage: truncate 3.5 and sigma 1.5 give radius int(3.5 * 1.5 + 0.5) = 5.
  const win = options.winSize ?? (gaussian ? 11 : 7);
  if (!Number.isInteger(win) || win < 3 || win % 2 === 0) {
    throw new RangeError(`ssim: winSize must be an odd integer >= 3, got ${win}`);
  }
  if (gaussian && win !== 11) throw new RangeError('ssim: gaussianWeights fixes the window at 11x11 (sigma 1.5)');
  const sample = options.useSampleCovariance ?? true;
  const n = win * win;
  return {
    kernel: gaussian ? gaussianKernel(11, 1.5) : uniformKernel(win),
    covNorm: sample ? n / (n - 1) : 1,
    label: `${gaussian ? 'gaussian' : 'uniform'} ${win}x${win}${sample ? '' : ', population cov'}`,
  };
}

/** Sum over the valid region of the SSIM map, given the four filtered statistics of one output row. */
function rowSsimSum(acc: Float64Array, ow: number, c1: number, c2: number, covNorm: number): number {
  let sum = 0;
  for (let o = 0; o < ow; o++) {
    const mu1 = acc[o] as number;
    const mu2 = acc[ow + o] as number;
    const mu12 = mu1 * mu2;
    const musq = mu1 * mu1 + mu2 * mu2;
    const vsum = covNorm * ((acc[2 * ow + o] as number) - musq);
    const v12 = covNorm * ((acc[3 * ow + o] as number) - mu12);
    sum += ((2 * mu12 + c1) * (2 * v12 + c2)) / ((musq + c1) * (vsum + c2));
  }
  return sum;
}

/** One input row as float64 (xr, yr) with its products x^2 + y^2 (sq) and xy. */
function rowProducts(
  x: Float32Array,
  y: Float32Array,
  base: number,
  w: number,
  rows: [Float64Array, Float64Array, Float64Array, Float64Array],
) {
  const [xr, yr, sq, xy] = rows;
  for (let i = 0; i < w; i++) {
    const u = x[base + i] as number;
    const v = y[base + i] as number;
    xr[i] = u;
    yr[i] = v;
    sq[i] = u * u + v * v;
    xy[i] = u * v;
  }
}

/** Horizontal 11-tap symmetric pass of one row for the four statistics, unrolled (the common case). */
function filterRow11(
  rows: [Float64Array, Float64Array, Float64Array, Float64Array],
  ow: number,
  kernel: Float64Array,
  ring: Float64Array,
  slot: number,
): void {
  const k0 = kernel[5] as number;
  const k1 = kernel[6] as number;
  const k2 = kernel[7] as number;
  const k3 = kernel[8] as number;
  const k4 = kernel[9] as number;
  const k5 = kernel[10] as number;
  for (let m = 0; m < 4; m++) {
    const v = rows[m] as Float64Array;
    const dst = slot + m * ow;
    for (let o = 0; o < ow; o++) {
      const c = o + 5;
      ring[dst + o] =
        k0 * (v[c] as number) +
        k1 * ((v[c - 1] as number) + (v[c + 1] as number)) +
        k2 * ((v[c - 2] as number) + (v[c + 2] as number)) +
        k3 * ((v[c - 3] as number) + (v[c + 3] as number)) +
        k4 * ((v[c - 4] as number) + (v[c + 4] as number)) +
        k5 * ((v[c - 5] as number) + (v[c + 5] as number));
    }
  }
}

/** Vertical 11-tap symmetric pass over `n` ring values; offs are the ring rows from top to bottom. */
function filterColumn11(ring: Float64Array, offs: Int32Array, n: number, kernel: Float64Array, acc: Float64Array) {
  const k0 = kernel[5] as number;
  const k1 = kernel[6] as number;
  const k2 = kernel[7] as number;
  const k3 = kernel[8] as number;
  const k4 = kernel[9] as number;
  const k5 = kernel[10] as number;
  const [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10] = offs as unknown as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  for (let i = 0; i < n; i++) {
    acc[i] =
      k0 * (ring[a5 + i] as number) +
      k1 * ((ring[a4 + i] as number) + (ring[a6 + i] as number)) +
      k2 * ((ring[a3 + i] as number) + (ring[a7 + i] as number)) +
      k3 * ((ring[a2 + i] as number) + (ring[a8 + i] as number)) +
      k4 * ((ring[a1 + i] as number) + (ring[a9 + i] as number)) +
      k5 * ((ring[a0 + i] as number) + (ring[a10 + i] as number));
  }
}

/**
 * Valid-region SSIM with a symmetric separable window: four statistics (x, y, x^2 + y^2, xy; the
 * formula only needs sigma_x^2 + sigma_y^2), taps folded in pairs, and a ring of the last `k`
 * horizontally filtered rows so the working set stays in cache.
 */
function ssimSymmetric(
  x: Float32Array,
  y: Float32Array,
  w: number,
  h: number,
  kernel: Float64Array,
  c1: number,
  c2: number,
  covNorm: number,
): number {
  const k = kernel.length;
  const r = (k - 1) / 2;
  const kc = kernel[r] as number;
  const ow = w - k + 1;
  const ring = new Float64Array(4 * k * ow); // per slot: sum x | sum y | sum x^2 + y^2 | sum xy
  const rows: [Float64Array, Float64Array, Float64Array, Float64Array] = [
    new Float64Array(w),
    new Float64Array(w),
    new Float64Array(w),
    new Float64Array(w),
  ];
  const [xr, yr, sq, xy] = rows;
  const acc = new Float64Array(4 * ow);
  let total = 0;
  for (let row = 0; row < h; row++) {
    const base = row * w;
    rowProducts(x, y, base, w, rows);
    const slot = (row % k) * 4 * ow;
    if (r === 5) filterRow11(rows, ow, kernel, ring, slot);
    else {
      for (let o = 0; o < ow; o++) {
        const c = o + r;
        let s0 = kc * (xr[c] as number);
        let s1 = kc * (yr[c] as number);
        let s2 = kc * (sq[c] as number);
        let s3 = kc * (xy[c] as number);
        for (let t = 1; t <= r; t++) {
          const wt = kernel[r + t] as number;
          s0 += wt * ((xr[c - t] as number) + (xr[c + t] as number));
          s1 += wt * ((yr[c - t] as number) + (yr[c + t] as number));
          s2 += wt * ((sq[c - t] as number) + (sq[c + t] as number));
          s3 += wt * ((xy[c - t] as number) + (xy[c + t] as number));
        }
        ring[slot + o] = s0;
        ring[slot + ow + o] = s1;
        ring[slot + 2 * ow + o] = s2;
        ring[slot + 3 * ow + o] = s3;
      }
    }
    if (row < k - 1) continue;
    const top = row - k + 1; // output row; its window is centred on ring row top + r
    if (r === 5) {
      const offs = new Int32Array(11);
      for (let t = 0; t < 11; t++) offs[t] = ((top + t) % k) * 4 * ow;
      filterColumn11(ring, offs, 4 * ow, kernel, acc);
    } else {
      const centre = ((top + r) % k) * 4 * ow;
      for (let i = 0; i < 4 * ow; i++) acc[i] = kc * (ring[centre + i] as number);
      for (let t = 1; t <= r; t++) {
        const wt = kernel[r + t] as number;
        const up = ((top + r - t) % k) * 4 * ow;
        const down = ((top + r + t) % k) * 4 * ow;
        for (let i = 0; i < 4 * ow; i++) {
          acc[i] = (acc[i] as number) + wt * ((ring[up + i] as number) + (ring[down + i] as number));
        }
      }
    }
    total += rowSsimSum(acc, ow, c1, c2, covNorm);
  }
  return total / (ow * (h - k + 1));
}

/**
 * Valid-region SSIM with a uniform k x k window via running (box) sums: O(1) per pixel whatever k.
 * Sums are divided by k^2 at the end; the rounding differs from scipy's uniform_filter by ~1e-16.
 */
function ssimBox(
  x: Float32Array,
  y: Float32Array,
  w: number,
  h: number,
  k: number,
  c1: number,
  c2: number,
  covNorm: number,
): number {
  const ow = w - k + 1;
  const n = 4 * ow;
  const inv = 1 / (k * k);
  const ring = new Float64Array(k * n); // horizontal sums of the last k rows
  const rows: [Float64Array, Float64Array, Float64Array, Float64Array] = [
    new Float64Array(w),
    new Float64Array(w),
    new Float64Array(w),
    new Float64Array(w),
  ];
  const [xr, yr, sq, xy] = rows;
  const hrow = new Float64Array(n);
  const col = new Float64Array(n); // vertical running sums of the ring rows
  let total = 0;
  for (let row = 0; row < h; row++) {
    const base = row * w;
    rowProducts(x, y, base, w, rows);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < k - 1; i++) {
      s0 += xr[i] as number;
      s1 += yr[i] as number;
      s2 += sq[i] as number;
      s3 += xy[i] as number;
    }
    for (let o = 0; o < ow; o++) {
      const e = o + k - 1;
      s0 += xr[e] as number;
      s1 += yr[e] as number;
      s2 += sq[e] as number;
      s3 += xy[e] as number;
      hrow[o] = s0;
      hrow[ow + o] = s1;
      hrow[2 * ow + o] = s2;
      hrow[3 * ow + o] = s3;
      s0 -= xr[o] as number;
      s1 -= yr[o] as number;
      s2 -= sq[o] as number;
      s3 -= xy[o] as number;
    }
    // The slot still holds row - k (zeros at first), which leaves the vertical window now.
    const slot = (row % k) * n;
    for (let i = 0; i < n; i++) {
      const v = hrow[i] as number;
      col[i] = (col[i] as number) + v - (ring[slot + i] as number);
      ring[slot + i] = v;
    }
    if (row < k - 1) continue;
    let rowSum = 0;
    for (let o = 0; o < ow; o++) {
      const mu1 = (col[o] as number) * inv;
      const mu2 = (col[ow + o] as number) * inv;
      const mu12 = mu1 * mu2;
      const musq = mu1 * mu1 + mu2 * mu2;
      const vsum = covNorm * ((col[2 * ow + o] as number) * inv - musq);
      const v12 = covNorm * ((col[3 * ow + o] as number) * inv - mu12);
      rowSum += ((2 * mu12 + c1) * (2 * v12 + c2)) / ((musq + c1) * (vsum + c2));
    }
    total += rowSum;
  }
  return total / (ow * (h - k + 1));
}

/** Mean SSIM over the valid region of one plane pair (window = outer product of `kernel`). */
export function ssimPlane(
  a: Plane<Float32Array>,
  b: Plane<Float32Array>,
  kernel: Float64Array,
  c1: number,
  c2: number,
  covNorm = 1,
): number {
  const k = kernel.length;
  const uniform = kernel.every((v) => v === kernel[0]);
  return uniform
    ? ssimBox(a.data, b.data, a.width, a.height, k, c1, c2, covNorm)
    : ssimSymmetric(a.data, b.data, a.width, a.height, kernel, c1, c2, covNorm);
}

/** Mean SSIM between a restored (or degraded) image and its reference. */
export function ssim(restored: Raster, reference: Raster, options: SsimOptions = {}): number {
  const p = preparePair(restored, reference, options, 'ssim');
  const win = ssimWindow(p.convention, options);
  const size = win.kernel.length;
  const { width, height } = p.a[0] as Plane<Float32Array>;
  assertMinSize(width, height, size, 'ssim', p.cropBorder ? ` after cropping ${p.cropBorder} px` : '');
  const c1 = (0.01 * p.peak) ** 2;
  const c2 = (0.03 * p.peak) ** 2;
  let sum = 0;
  for (let c = 0; c < p.a.length; c++) {
    sum += ssimPlane(p.a[c] as Plane<Float32Array>, p.b[c] as Plane<Float32Array>, win.kernel, c1, c2, win.covNorm);
  }
  return sum / p.a.length;
}
