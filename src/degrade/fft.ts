/**
 * Mixed-radix (4, 2, 3, generic) complex FFT in float64, split real/imaginary arrays, Stockham autosort
 * (no bit reversal, natural-order output). Batched: `batch` interleaved sequences (element j of sequence b at
 * j·batch + b) are transformed together, which turns the column pass of a row-major 2-D array into long
 * contiguous inner loops (no transposes). Why here: large non-separable kernels (sinc, plateau, motion,
 * defocus) cost K² multiply-adds per sample directly; an FFT costs O(log N) per sample whatever the kernel.
 */

/** Smallest n' ≥ n whose prime factors are 2 and 3 (the radices with hand-written butterflies). */
export function nextFastSize(n: number): number {
  for (let m = Math.max(1, n); ; m++) {
    let r = m;
    while (r % 2 === 0) r /= 2;
    while (r % 3 === 0) r /= 3;
    if (r === 1) return m;
  }
}

interface Stage {
  p: number;
  /** length of the sub-transforms at this stage (n_cur) and m = n_cur / p */
  len: number;
  m: number;
  /** twiddles w^{k·j} for j < m, k = 1..p−1, laid out [j·(p−1) + k − 1]; forward sign (−) */
  twRe: Float64Array;
  twIm: Float64Array;
}

export interface FftPlan {
  n: number;
  stages: Stage[];
}

const planCache = new Map<number, FftPlan>();

/** Plan (radix sequence + per-stage twiddles) for length n; cached per length. */
export function fftPlan(n: number): FftPlan {
  const hit = planCache.get(n);
  if (hit) return hit;
  const radices: number[] = [];
  let r = n;
  while (r % 4 === 0) {
    radices.push(4);
    r /= 4;
  }
  while (r % 2 === 0) {
    radices.push(2);
    r /= 2;
  }
  while (r % 3 === 0) {
    radices.push(3);
    r /= 3;
  }
  for (let p = 5; r > 1; p++) {
    while (r % p === 0) {
      radices.push(p);
      r /= p;
    }
  }
  const stages: Stage[] = [];
  let len = n;
  for (const p of radices) {
    const m = len / p;
    const twRe = new Float64Array(m * (p - 1));
    const twIm = new Float64Array(m * (p - 1));
    for (let j = 0; j < m; j++) {
      for (let k = 1; k < p; k++) {
        const a = (-2 * Math.PI * j * k) / len;
        twRe[j * (p - 1) + k - 1] = Math.cos(a);
        twIm[j * (p - 1) + k - 1] = Math.sin(a);
      }
    }
    stages.push({ p, len, m, twRe, twIm });
    len = m;
  }
  const plan = { n, stages };
  planCache.set(n, plan);
  return plan;
}

const SQRT3_2 = Math.sqrt(3) / 2;

/** One Stockham stage: x → y. `s` = number of interleaved sequences at this stage; sg = +1 forward, −1 inverse. */
function stage(
  st: Stage,
  s: number,
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  sg: number,
  off: number,
): void {
  const { p, m, twRe, twIm } = st;
  const sm = s * m;
  if (p === 4) {
    for (let j = 0; j < m; j++) {
      const w1r = twRe[j * 3] as number;
      const w1i = sg * (twIm[j * 3] as number);
      const w2r = twRe[j * 3 + 1] as number;
      const w2i = sg * (twIm[j * 3 + 1] as number);
      const w3r = twRe[j * 3 + 2] as number;
      const w3i = sg * (twIm[j * 3 + 2] as number);
      const xb = off + s * j;
      const yb = off + s * 4 * j;
      for (let q = 0; q < s; q++) {
        const i0 = xb + q;
        const a0r = xr[i0] as number;
        const a0i = xi[i0] as number;
        const a1r = xr[i0 + sm] as number;
        const a1i = xi[i0 + sm] as number;
        const a2r = xr[i0 + 2 * sm] as number;
        const a2i = xi[i0 + 2 * sm] as number;
        const a3r = xr[i0 + 3 * sm] as number;
        const a3i = xi[i0 + 3 * sm] as number;
        const s02r = a0r + a2r;
        const s02i = a0i + a2i;
        const d02r = a0r - a2r;
        const d02i = a0i - a2i;
        const s13r = a1r + a3r;
        const s13i = a1i + a3i;
        // (a1 − a3)·(∓i)
        const d13r = sg * (a1i - a3i);
        const d13i = -sg * (a1r - a3r);
        const o = yb + q;
        yr[o] = s02r + s13r;
        yi[o] = s02i + s13i;
        const b1r = d02r + d13r;
        const b1i = d02i + d13i;
        yr[o + s] = b1r * w1r - b1i * w1i;
        yi[o + s] = b1r * w1i + b1i * w1r;
        const b2r = s02r - s13r;
        const b2i = s02i - s13i;
        yr[o + 2 * s] = b2r * w2r - b2i * w2i;
        yi[o + 2 * s] = b2r * w2i + b2i * w2r;
        const b3r = d02r - d13r;
        const b3i = d02i - d13i;
        yr[o + 3 * s] = b3r * w3r - b3i * w3i;
        yi[o + 3 * s] = b3r * w3i + b3i * w3r;
      }
    }
  } else if (p === 2) {
    for (let j = 0; j < m; j++) {
      const wr = twRe[j] as number;
      const wi = sg * (twIm[j] as number);
      const xb = off + s * j;
      const yb = off + s * 2 * j;
      for (let q = 0; q < s; q++) {
        const i0 = xb + q;
        const ar = xr[i0] as number;
        const ai = xi[i0] as number;
        const br = xr[i0 + sm] as number;
        const bi = xi[i0 + sm] as number;
        const o = yb + q;
        yr[o] = ar + br;
        yi[o] = ai + bi;
        const dr = ar - br;
        const di = ai - bi;
        yr[o + s] = dr * wr - di * wi;
        yi[o + s] = dr * wi + di * wr;
      }
    }
  } else if (p === 3) {
    const c3 = -0.5;
    const s3 = -sg * SQRT3_2;
    for (let j = 0; j < m; j++) {
      const w1r = twRe[j * 2] as number;
      const w1i = sg * (twIm[j * 2] as number);
      const w2r = twRe[j * 2 + 1] as number;
      const w2i = sg * (twIm[j * 2 + 1] as number);
      const xb = off + s * j;
      const yb = off + s * 3 * j;
      for (let q = 0; q < s; q++) {
        const i0 = xb + q;
        const a0r = xr[i0] as number;
        const a0i = xi[i0] as number;
        const a1r = xr[i0 + sm] as number;
        const a1i = xi[i0 + sm] as number;
        const a2r = xr[i0 + 2 * sm] as number;
        const a2i = xi[i0 + 2 * sm] as number;
        const sr = a1r + a2r;
        const si = a1i + a2i;
        const mr = a0r + c3 * sr;
        const mi = a0i + c3 * si;
        // i·s3·(a1 − a2), s3 = ∓√3/2
        const dr = -s3 * (a1i - a2i);
        const di = s3 * (a1r - a2r);
        const o = yb + q;
        yr[o] = a0r + sr;
        yi[o] = a0i + si;
        const b1r = mr + dr;
        const b1i = mi + di;
        yr[o + s] = b1r * w1r - b1i * w1i;
        yi[o + s] = b1r * w1i + b1i * w1r;
        const b2r = mr - dr;
        const b2i = mi - di;
        yr[o + 2 * s] = b2r * w2r - b2i * w2i;
        yi[o + 2 * s] = b2r * w2i + b2i * w2r;
      }
    }
  } else {
    // Generic radix-p DFT butterfly (only reached for lengths with prime factors > 3).
    const tr = new Float64Array(p);
    const ti = new Float64Array(p);
    for (let j = 0; j < m; j++) {
      for (let q = 0; q < s; q++) {
        for (let a = 0; a < p; a++) {
          tr[a] = xr[off + q + s * j + a * sm] as number;
          ti[a] = xi[off + q + s * j + a * sm] as number;
        }
        for (let k = 0; k < p; k++) {
          let sr = 0;
          let si = 0;
          for (let a = 0; a < p; a++) {
            const ang = (-2 * Math.PI * sg * ((a * k) % p)) / p;
            const c = Math.cos(ang);
            const sn = Math.sin(ang);
            sr += (tr[a] as number) * c - (ti[a] as number) * sn;
            si += (tr[a] as number) * sn + (ti[a] as number) * c;
          }
          const wr = k === 0 ? 1 : (twRe[j * (p - 1) + k - 1] as number);
          const wi = k === 0 ? 0 : sg * (twIm[j * (p - 1) + k - 1] as number);
          const o = off + q + s * (p * j + k);
          yr[o] = sr * wr - si * wi;
          yi[o] = sr * wi + si * wr;
        }
      }
    }
  }
}

/**
 * In-place FFT of `batch` interleaved length-n sequences stored at re/im[off .. off + n·batch), using scratch
 * arrays of at least that size. `inverse` uses +i and does NOT divide by n.
 */
export function fftBatch(
  re: Float64Array,
  im: Float64Array,
  scratchRe: Float64Array,
  scratchIm: Float64Array,
  n: number,
  batch: number,
  inverse = false,
  off = 0,
): void {
  if (n <= 1) return;
  const plan = fftPlan(n);
  const sg = inverse ? -1 : 1;
  let xr = re;
  let xi = im;
  let yr = scratchRe;
  let yi = scratchIm;
  let s = batch;
  for (const st of plan.stages) {
    stage(st, s, xr, xi, yr, yi, sg, off);
    s *= st.p;
    const tr = xr;
    const ti = xi;
    xr = yr;
    xi = yi;
    yr = tr;
    yi = ti;
  }
  if (xr !== re) {
    re.set(xr.subarray(off, off + n * batch), off);
    im.set(xi.subarray(off, off + n * batch), off);
  }
}

/** In-place complex FFT of one sequence (re, im); scratch arrays of the same length. */
export function fft(
  re: Float64Array,
  im: Float64Array,
  scratchRe: Float64Array,
  scratchIm: Float64Array,
  inverse = false,
): void {
  fftBatch(re, im, scratchRe, scratchIm, re.length, 1, inverse);
}

/**
 * 2-D complex FFT of an nh×nw row-major array, in place: a row pass (one transform per row) and a column pass
 * (all columns as one batched transform). `rows` = [start, end) restricts the row pass: to rows known to be zero
 * elsewhere when rows go first (forward), or to the rows actually needed when columns go first (inverse).
 */
export function fft2d(
  re: Float64Array,
  im: Float64Array,
  nh: number,
  nw: number,
  inverse: boolean,
  rows: readonly [number, number] = [0, nh],
  columnsFirst = false,
): void {
  const sRe = new Float64Array(nh * nw);
  const sIm = new Float64Array(nh * nw);
  if (columnsFirst) fftBatch(re, im, sRe, sIm, nh, nw, inverse, 0);
  for (let y = rows[0]; y < rows[1]; y++) fftBatch(re, im, sRe, sIm, nw, 1, inverse, y * nw);
  if (!columnsFirst) fftBatch(re, im, sRe, sIm, nh, nw, inverse, 0);
}
