/**
 * `cv2.filter2D` semantics on float rasters: CORRELATION (kernel not flipped), anchor at the kernel centre
 * (⌊k/2⌋), border BORDER_REFLECT_101 (…c b | a b c d | c b…), no clipping, float32 output, float64 sums.
 *
 * Speed: a 21×21 direct correlation of a 256² RGB crop is ~87 M multiply-adds, too slow in scalar JS. The `auto`
 * method first drops outer kernel rows/columns that are zero (BasicSR zero-pads every kernel to 21) or carry
 * negligible mass, then picks the cheapest of: direct, a low-rank separable split K ≈ Σ uᵢvᵢᵀ (exact rank 1 for
 * isotropic Gaussians), or an FFT (like OpenCV's own DFT path for large kernels). The discarded kernel mass is
 * bounded by `tolerance` (L1, default 1e-8), so the result stays within float32 rounding of the exact correlation
 * for images in [0, 1].
 *
 * The direct and separable loops run in the addon (native/filter.cc, vectorised C++): same operations in the
 * same order per sample, so bit-identical to the JS loops below, which stay as its test oracle (`backend: 'js'`).
 * The FFT path is JS only; with native loops the planner picks it only for large kernels far from low rank.
 */
import type { Raster } from '../io/raster.js';
import { createRaster } from '../io/raster.js';
import { native } from '../tensor/native.js';
import { fft2d, nextFastSize } from './fft.js';
import { planFilter } from './filter-plan.js';
import type { Kernel } from './kernels.js';

/** A rectangular float kernel, row-major (height rows of width taps). */
export interface FilterKernel {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

export interface Filter2DOptions {
  /** `direct`: plain float64 correlation; `auto` (default): trimmed / low-rank when cheaper. */
  method?: 'auto' | 'direct' | 'fft';
  /** Max L1 kernel mass `auto` may discard (bounds the absolute error for inputs in [0, 1]). */
  tolerance?: number;
  /** `native` (default): direct/separable loops in the addon; `js`: the same loops in JS (bit-identical). */
  backend?: 'native' | 'js';
}

/** OpenCV `borderInterpolate` for BORDER_REFLECT_101. */
export function reflect101(p: number, len: number): number {
  if (len === 1) return 0;
  while (p < 0 || p >= len) p = p < 0 ? -p : 2 * len - 2 - p;
  return p;
}

function asFilterKernel(k: Kernel | FilterKernel): FilterKernel {
  return 'size' in k ? { width: k.size, height: k.size, data: k.data } : k;
}

/** Row-padded copy of one image row (reflect-101), so horizontal taps need no bounds checks. */
function padRow(
  src: Float32Array,
  y: number,
  w: number,
  c: number,
  left: number,
  right: number,
  out: Float64Array,
): void {
  const base = y * w * c;
  for (let x = -left; x < w + right; x++) {
    const sx = reflect101(x, w);
    const o = (x + left) * c;
    const s = base + sx * c;
    for (let ch = 0; ch < c; ch++) out[o + ch] = src[s + ch] as number;
  }
}

/**
 * out[o + t] += Σ_j k[j] · src[s0 + t + j·step] for t < n. Four outputs at a time: independent add chains keep
 * the FPU busy (one chain is bound by add latency), and each output is stored once.
 */
function rowTaps(
  src: Float64Array,
  s0: number,
  step: number,
  k: Float64Array,
  kw: number,
  out: Float64Array,
  o: number,
  n: number,
): void {
  let t = 0;
  for (; t + 3 < n; t += 4) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let s = s0 + t;
    for (let j = 0; j < kw; j++, s += step) {
      const kv = k[j] as number;
      a0 += kv * (src[s] as number);
      a1 += kv * (src[s + 1] as number);
      a2 += kv * (src[s + 2] as number);
      a3 += kv * (src[s + 3] as number);
    }
    out[o + t] = (out[o + t] as number) + a0;
    out[o + t + 1] = (out[o + t + 1] as number) + a1;
    out[o + t + 2] = (out[o + t + 2] as number) + a2;
    out[o + t + 3] = (out[o + t + 3] as number) + a3;
  }
  for (; t < n; t++) {
    let acc = 0;
    let s = s0 + t;
    for (let j = 0; j < kw; j++, s += step) acc += (k[j] as number) * (src[s] as number);
    out[o + t] = (out[o + t] as number) + acc;
  }
}

/** Direct correlation with an arbitrary (sub-)kernel whose anchor is (ax, ay) inside it. */
function correlateDirect(
  src: Raster,
  k: ArrayLike<number>,
  kw: number,
  kh: number,
  ax: number,
  ay: number,
  out: Float64Array,
): void {
  const { width: w, height: h, channels: c, data } = src;
  const left = ax;
  const right = kw - 1 - ax;
  const rowLen = (w + left + right) * c;
  // Cache padded rows: each source row is padded once.
  const padded = new Float64Array(h * rowLen);
  const tmp = new Float64Array(rowLen);
  for (let y = 0; y < h; y++) {
    padRow(data, y, w, c, left, right, tmp);
    padded.set(tmp, y * rowLen);
  }
  const n = w * c;
  const kr = new Float64Array(kw);
  for (let y = 0; y < h; y++) {
    const o = y * n;
    for (let i = 0; i < kh; i++) {
      const sy = reflect101(y + i - ay, h) * rowLen;
      let nz = 0;
      for (let j = 0; j < kw; j++) {
        kr[j] = k[i * kw + j] as number;
        if (kr[j] !== 0) nz++;
      }
      if (nz === 0) continue;
      rowTaps(padded, sy, c, kr, kw, out, o, n);
    }
  }
}

/** Separable pass: out += correlate(src, u (vertical) ⊗ v (horizontal)); anchors given per axis. */
function correlateSeparable(
  src: Raster,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  ay: number,
  ax: number,
  out: Float64Array,
  tmp: Float64Array,
): void {
  const { width: w, height: h, channels: c, data } = src;
  const kw = v.length;
  const kh = u.length;
  const left = ax;
  const right = kw - 1 - ax;
  const rowLen = (w + left + right) * c;
  const row = new Float64Array(rowLen);
  const n = w * c;
  const kv = Float64Array.from(v);
  for (let y = 0; y < h; y++) {
    padRow(data, y, w, c, left, right, row);
    const o = y * n;
    tmp.fill(0, o, o + n);
    rowTaps(row, 0, c, kv, kw, tmp, o, n);
  }
  for (let y = 0; y < h; y++) {
    const o = y * n;
    for (let i = 0; i < kh; i++) {
      const wgt = u[i] as number;
      if (wgt === 0) continue;
      const s = reflect101(y + i - ay, h) * n;
      for (let t = 0; t < n; t++) out[o + t] = (out[o + t] as number) + wgt * (tmp[s + t] as number);
    }
  }
}

/**
 * Correlation through the FFT: reflect-101 pad, circular convolution with the flipped kernel at a 3-smooth size
 * ≥ the padded size (wrap-around lands only outside the kept window), two channels packed per complex transform.
 */
function correlateFft(
  src: Raster,
  k: ArrayLike<number>,
  kw: number,
  kh: number,
  ax: number,
  ay: number,
  out: Float64Array,
): void {
  const { width: w, height: h, channels: c, data } = src;
  const ph = h + kh - 1;
  const pw = w + kw - 1;
  const nh = nextFastSize(ph);
  const nw = nextFastSize(pw);
  const size = nh * nw;
  const kRe = new Float64Array(size);
  const kIm = new Float64Array(size);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) kRe[i * nw + j] = k[(kh - 1 - i) * kw + (kw - 1 - j)] as number;
  }
  fft2d(kRe, kIm, nh, nw, false, [0, kh]);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const xmap = new Int32Array(pw);
  for (let x = 0; x < pw; x++) xmap[x] = reflect101(x - ax, w) * c;
  const scale = 1 / size;
  for (let c0 = 0; c0 < c; c0 += 2) {
    const c1 = c0 + 1 < c ? c0 + 1 : -1;
    re.fill(0);
    im.fill(0);
    for (let y = 0; y < ph; y++) {
      const row = reflect101(y - ay, h) * w * c;
      const o = y * nw;
      for (let x = 0; x < pw; x++) {
        const s = row + (xmap[x] as number);
        re[o + x] = data[s + c0] as number;
        if (c1 >= 0) im[o + x] = data[s + c1] as number;
      }
    }
    fft2d(re, im, nh, nw, false, [0, ph]);
    for (let i = 0; i < size; i++) {
      const ar = re[i] as number;
      const ai = im[i] as number;
      const br = kRe[i] as number;
      const bi = kIm[i] as number;
      re[i] = ar * br - ai * bi;
      im[i] = ar * bi + ai * br;
    }
    // Columns first, then only the rows of the kept window.
    fft2d(re, im, nh, nw, true, [kh - 1, kh - 1 + h], true);
    for (let y = 0; y < h; y++) {
      const s = (y + kh - 1) * nw + kw - 1;
      const o = y * w * c;
      for (let x = 0; x < w; x++) {
        out[o + x * c + c0] = (re[s + x] as number) * scale;
        if (c1 >= 0) out[o + x * c + c1] = (im[s + x] as number) * scale;
      }
    }
  }
}

/** Native direct correlation (anchor inside the sub-kernel), float32 result. */
function nativeDirect(src: Raster, k: ArrayLike<number>, kw: number, kh: number, ax: number, ay: number): Raster {
  const taps = k instanceof Float64Array ? k : Float64Array.from(k);
  const { width: w, height: h, channels: c } = src;
  return createRaster(w, h, c, native.filter2dDirect(src.data, w, h, c, taps, kw, kh, ax, ay));
}

/** Native Σ of separable terms (vertical u, horizontal v), float32 result. */
function nativeSeparable(
  src: Raster,
  terms: readonly { u: ArrayLike<number>; v: ArrayLike<number> }[],
  ay: number,
  ax: number,
): Raster {
  const first = terms[0];
  if (!first) throw new RangeError('filter2D: separable plan without terms');
  const kh = first.u.length;
  const kw = first.v.length;
  const u = new Float64Array(terms.length * kh);
  const v = new Float64Array(terms.length * kw);
  terms.forEach((t, i) => {
    u.set(t.u, i * kh);
    v.set(t.v, i * kw);
  });
  const { width: w, height: h, channels: c } = src;
  return createRaster(w, h, c, native.filter2dSeparable(src.data, w, h, c, u, v, terms.length, ay, ax));
}

/** `cv2.filter2D(src, -1, kernel)` for float rasters (see the module comment for the exact semantics). */
export function filter2D(src: Raster, kernel: Kernel | FilterKernel, opts: Filter2DOptions = {}): Raster {
  const k = asFilterKernel(kernel);
  const ax = Math.floor(k.width / 2);
  const ay = Math.floor(k.height / 2);
  const js = opts.backend === 'js';
  if (opts.method === 'direct' && !js) return nativeDirect(src, k.data, k.width, k.height, ax, ay);
  const acc = new Float64Array(src.data.length);
  if (opts.method === 'direct') {
    correlateDirect(src, k.data, k.width, k.height, ax, ay, acc);
  } else if (opts.method === 'fft') {
    correlateFft(src, k.data, k.width, k.height, ax, ay, acc);
  } else {
    const p = planFilter(k, opts.tolerance ?? 1e-8, src, js ? 'js' : 'native');
    const h = p.r1 - p.r0 + 1;
    const w = p.c1 - p.c0 + 1;
    if (p.method === 'separable') {
      if (!js) return nativeSeparable(src, p.terms, ay - p.r0, ax - p.c0);
      const tmp = new Float64Array(src.data.length);
      for (const { u, v } of p.terms) correlateSeparable(src, u, v, ay - p.r0, ax - p.c0, acc, tmp);
    } else {
      const sub = new Float64Array(h * w);
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) sub[r * w + c] = k.data[(r + p.r0) * k.width + c + p.c0] as number;
      }
      if (p.method === 'direct' && !js) return nativeDirect(src, sub, w, h, ax - p.c0, ay - p.r0);
      const run = p.method === 'fft' ? correlateFft : correlateDirect;
      run(src, sub, w, h, ax - p.c0, ay - p.r0, acc);
    }
  }
  return createRaster(src.width, src.height, src.channels, Float32Array.from(acc));
}

/** Separable correlation with a vertical kernel `ky` and a horizontal kernel `kx` (cv2.sepFilter2D, reflect-101). */
export function sepFilter2D(
  src: Raster,
  kx: ArrayLike<number>,
  ky: ArrayLike<number>,
  backend: 'native' | 'js' = 'native',
): Raster {
  const ay = Math.floor(ky.length / 2);
  const ax = Math.floor(kx.length / 2);
  if (backend === 'native') return nativeSeparable(src, [{ u: ky, v: kx }], ay, ax);
  const acc = new Float64Array(src.data.length);
  const tmp = new Float64Array(src.data.length);
  correlateSeparable(src, ky, kx, ay, ax, acc, tmp);
  return createRaster(src.width, src.height, src.channels, Float32Array.from(acc));
}

const SMALL_GAUSSIAN: Record<number, readonly number[]> = {
  1: [1],
  3: [0.25, 0.5, 0.25],
  5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
  7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
};

/** `cv2.getGaussianKernel(ksize, sigma)` in float64; sigma ≤ 0 → 0.3·((ksize−1)/2 − 1) + 0.8. */
export function gaussianKernel1D(ksize: number, sigma: number): Float64Array {
  // OpenCV uses fixed binomial-like tables for ksize ≤ 7 when sigma ≤ 0.
  const fixed = sigma <= 0 ? SMALL_GAUSSIAN[ksize] : undefined;
  if (fixed) return Float64Array.from(fixed);
  const s = sigma > 0 ? sigma : 0.3 * ((ksize - 1) * 0.5 - 1) + 0.8;
  const k = new Float64Array(ksize);
  const half = (ksize - 1) / 2;
  let sum = 0;
  for (let i = 0; i < ksize; i++) {
    const v = Math.exp(-((i - half) ** 2) / (2 * s * s));
    k[i] = v;
    sum += v;
  }
  for (let i = 0; i < ksize; i++) k[i] = (k[i] as number) / sum;
  return k;
}

/** Gaussian blur (cv2.GaussianBlur with reflect-101), separable. */
export function gaussianBlur(src: Raster, ksize: number, sigma: number): Raster {
  const k = gaussianKernel1D(ksize, sigma);
  return sepFilter2D(src, k, k);
}
