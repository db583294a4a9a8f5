/**
 * MATLAB-compatible `imresize(I, scale, 'bicubic')` for one plane: Keys cubic (a = -0.5), with
 * antialiasing when shrinking (the kernel is stretched by 1/scale), symmetric edge handling, rows
 * resized before columns (MATLAB's order when both scales are equal), output size ceil(in * scale).
 * NIQE needs it for its half-resolution scale. `precision: 'float32'` reproduces BasicSR's torch port
 * (`basicsr/utils/matlab_functions.py`), which runs in float32; for a factor of 1/2 its weights are
 * exact binary fractions, so only the accumulation rounding differs from MATLAB's double result.
 */
import type { Plane } from './plane.js';

export interface ImresizeOptions {
  /** Antialias when downscaling (MATLAB default: true). */
  antialiasing?: boolean;
  /** Arithmetic of the result: float64 (MATLAB, default) or float32 (BasicSR/torch). */
  precision?: 'float64' | 'float32';
}

function cubic(x: number): number {
  const a = Math.abs(x);
  const a2 = a * a;
  const a3 = a2 * a;
  if (a <= 1) return 1.5 * a3 - 2.5 * a2 + 1;
  if (a <= 2) return -0.5 * a3 + 2.5 * a2 - 4 * a + 2;
  return 0;
}

interface Contributions {
  taps: number;
  weights: Float64Array; // outLength x taps
  indices: Int32Array; // outLength x taps, 0-based, already mirrored into range
}

/** MATLAB's `contributions()`: per output sample, the input samples and normalised weights. */
export function contributions(
  inLength: number,
  outLength: number,
  scale: number,
  antialiasing: boolean,
): Contributions {
  const shrink = scale < 1 && antialiasing;
  const kernelWidth = shrink ? 4 / scale : 4;
  const p = Math.ceil(kernelWidth) + 2;
  const w = new Float64Array(outLength * p);
  const idx = new Int32Array(outLength * p);
  const used = new Uint8Array(p);
  for (let o = 0; o < outLength; o++) {
    const u = (o + 1) / scale + 0.5 * (1 - 1 / scale); // 1-based input coordinate
    const left = Math.floor(u - kernelWidth / 2);
    let sum = 0;
    for (let j = 0; j < p; j++) {
      const d = u - (left + j);
      const v = shrink ? scale * cubic(scale * d) : cubic(d);
      w[o * p + j] = v;
      sum += v;
    }
    for (let j = 0; j < p; j++) {
      const v = (w[o * p + j] as number) / sum;
      w[o * p + j] = v;
      if (v !== 0) used[j] = 1;
      // Symmetric padding: aux = [1..n, n..1], indexed periodically.
      const period = 2 * inLength;
      let m = (left + j - 1) % period;
      if (m < 0) m += period;
      idx[o * p + j] = m < inLength ? m : period - 1 - m;
    }
  }
  // Drop columns whose weights are zero for every output sample (MATLAB's `kill`).
  const keep: number[] = [];
  for (let j = 0; j < p; j++) if (used[j]) keep.push(j);
  const taps = keep.length;
  const weights = new Float64Array(outLength * taps);
  const indices = new Int32Array(outLength * taps);
  for (let o = 0; o < outLength; o++) {
    for (let t = 0; t < taps; t++) {
      weights[o * taps + t] = w[o * p + (keep[t] as number)] as number;
      indices[o * taps + t] = idx[o * p + (keep[t] as number)] as number;
    }
  }
  return { taps, weights, indices };
}

type Round = (v: number) => number;

/**
 * Resizes along columns (vertical): out is w x outH. Taps accumulate in order; in float32 mode each
 * step is one fused multiply-add (torch's `mv` on BasicSR's transposed first-pass view, checked).
 */
function resizeVertical(
  inp: ArrayLike<number>,
  w: number,
  c: Contributions,
  weights: ArrayLike<number>,
  outH: number,
  out: Float32Array | Float64Array,
  round: Round,
): void {
  const t = c.taps;
  const acc = new Float64Array(w);
  for (let o = 0; o < outH; o++) {
    acc.fill(0);
    for (let j = 0; j < t; j++) {
      const wt = weights[o * t + j] as number;
      const row = (c.indices[o * t + j] as number) * w;
      for (let x = 0; x < w; x++) acc[x] = round((acc[x] as number) + wt * (inp[row + x] as number));
    }
    out.set(acc, o * w);
  }
}

/**
 * Float32 dot product as OpenBLAS's AVX sgemv_t kernel forms it, which is what torch's `mv` runs in
 * BasicSR's second pass (checked bit-exact for its 8-tap case): eight lanes accumulate products with
 * fused multiply-adds, then lanes i and i + 4 are added and the four sums reduced as (0 + 1) + (2 + 3).
 */
function dotF32(
  weights: ArrayLike<number>,
  wo: number,
  inp: ArrayLike<number>,
  row: number,
  idx: Int32Array,
  t: number,
) {
  const f32 = Math.fround;
  const lane = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let j = 0; j < t; j++) {
    lane[j & 7] = f32(
      (lane[j & 7] as number) + (weights[wo + j] as number) * (inp[row + (idx[wo + j] as number)] as number),
    );
  }
  const [a0, a1, a2, a3, a4, a5, a6, a7] = lane as [number, number, number, number, number, number, number, number];
  return f32(f32(f32(a0 + a4) + f32(a1 + a5)) + f32(f32(a2 + a6) + f32(a3 + a7)));
}

/** Resizes along rows (horizontal): out is outW x h. */
function resizeHorizontal(
  inp: ArrayLike<number>,
  w: number,
  h: number,
  c: Contributions,
  weights: ArrayLike<number>,
  outW: number,
  out: Float32Array | Float64Array,
  f32: boolean,
): void {
  const t = c.taps;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let o = 0; o < outW; o++) {
      if (f32) {
        out[y * outW + o] = dotF32(weights, o * t, inp, row, c.indices, t);
        continue;
      }
      let acc = 0;
      for (let j = 0; j < t; j++)
        acc += (weights[o * t + j] as number) * (inp[row + (c.indices[o * t + j] as number)] as number);
      out[y * outW + o] = acc;
    }
  }
}

/**
 * Resizes a plane by `scale` (output ceil(size * scale)) or to an explicit size. The result is a
 * Float64Array plane, or Float32Array with `precision: 'float32'` (BasicSR's float32 arithmetic).
 */
export function imresize(
  src: Plane,
  target: number | { width: number; height: number },
  options: ImresizeOptions = {},
): Plane {
  const { width: iw, height: ih, data } = src;
  if (!(iw > 0 && ih > 0) || data.length !== iw * ih) throw new RangeError(`imresize: invalid ${iw}x${ih} plane`);
  let sx: number;
  let sy: number;
  let ow: number;
  let oh: number;
  if (typeof target === 'number') {
    if (!(target > 0) || !Number.isFinite(target))
      throw new RangeError(`imresize: scale must be positive, got ${target}`);
    sx = sy = target;
    ow = Math.ceil(iw * target);
    oh = Math.ceil(ih * target);
  } else {
    ({ width: ow, height: oh } = target);
    if (!(Number.isInteger(ow) && Number.isInteger(oh) && ow > 0 && oh > 0)) {
      throw new RangeError(`imresize: invalid output size ${ow}x${oh}`);
    }
    sx = ow / iw;
    sy = oh / ih;
  }
  const aa = options.antialiasing ?? true;
  const f32 = options.precision === 'float32';
  const round: Round = f32 ? Math.fround : (v) => v;
  const alloc = (n: number): Float32Array | Float64Array => (f32 ? new Float32Array(n) : new Float64Array(n));
  const rows = contributions(ih, oh, sy, aa);
  const cols = contributions(iw, ow, sx, aa);
  const rw = f32 ? rows.weights.map(Math.fround) : rows.weights;
  const cw = f32 ? cols.weights.map(Math.fround) : cols.weights;
  const out = alloc(ow * oh);
  // MATLAB resizes the dimension with the smaller scale first, rows on a tie (BasicSR: always rows).
  if (sy <= sx) {
    const tmp = alloc(iw * oh);
    resizeVertical(data, iw, rows, rw, oh, tmp, round);
    resizeHorizontal(tmp, iw, oh, cols, cw, ow, out, f32);
  } else {
    const tmp = alloc(ow * ih);
    resizeHorizontal(data, iw, ih, cols, cw, ow, tmp, f32);
    resizeVertical(tmp, ow, rows, rw, oh, out, round);
  }
  return { data: out, width: ow, height: oh };
}
