/**
 * BasicSR's NIQE block features (`estimate_aggd_param`, `compute_feature`): an AGGD fit of the MSCN
 * block and of its four neighbour products, 18 numbers per block and scale. The blocks are float32, so
 * the moments are NumPy float32 means (emulated in `numpy-float32.ts`); the shape parameter is the
 * argmin over the grid 0.2:0.001:10 of (r(gamma) - r_hat)^2, with r the generalised-Gaussian ratio.
 */
import { gamma } from './gamma.js';
import { meanF32 } from './numpy-float32.js';

const f32 = Math.fround;

let gridCache: { gam: Float64Array; r: Float64Array } | undefined;

/** `np.arange(0.2, 10.001, 0.001)` (NumPy fills start + i * (a[1] - a[0])) and r(gamma) on it. */
function grid(): { gam: Float64Array; r: Float64Array } {
  if (gridCache) return gridCache;
  const n = 9801;
  const step = 0.2 + 0.001 - 0.2;
  const gam = new Float64Array(n);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = 0.2 + i * step;
    gam[i] = g;
    const a = gamma(2 / g);
    r[i] = (a * a) / (gamma(1 / g) * gamma(3 / g));
  }
  gridCache = { gam, r };
  return gridCache;
}

/** `np.argmin((r - x) ** 2)` for increasing r: the crossing point or its left neighbour (first on ties). */
function argminSquared(r: Float64Array, x: number): number {
  if (Number.isNaN(x)) return 0; // NumPy's argmin returns the first NaN
  let lo = 0;
  let hi = r.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((r[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return 0;
  if (lo === r.length) return r.length - 1;
  const a = ((r[lo - 1] as number) - x) ** 2;
  const b = ((r[lo] as number) - x) ** 2;
  return b < a ? lo : lo - 1;
}

export interface Aggd {
  alpha: number;
  betaL: number;
  betaR: number;
}

/** Scratch buffers for one block: squares of negatives / positives, |v| and v^2 (float32). */
export interface AggdScratch {
  neg: Float32Array;
  pos: Float32Array;
  abs: Float32Array;
  sq: Float32Array;
}

export function aggdScratch(n: number): AggdScratch {
  return { neg: new Float32Array(n), pos: new Float32Array(n), abs: new Float32Array(n), sq: new Float32Array(n) };
}

/** `estimate_aggd_param` on a float32 block (one pass gathers the four arrays NumPy would build). */
export function estimateAggd(block: Float32Array, scratch: AggdScratch): Aggd {
  const n = block.length;
  const { neg, pos, abs, sq } = scratch;
  let nn = 0;
  let np = 0;
  for (let i = 0; i < n; i++) {
    const v = block[i] as number;
    const v2 = v * v; // stored as float32 below, like block**2
    sq[i] = v2;
    abs[i] = Math.abs(v);
    if (v < 0) neg[nn++] = v2;
    else if (v > 0) pos[np++] = v2;
  }
  const leftStd = f32(Math.sqrt(meanF32(neg, nn)));
  const rightStd = f32(Math.sqrt(meanF32(pos, np)));
  const gammahat = f32(leftStd / rightStd);
  const absMean = meanF32(abs, n);
  const sqMean = meanF32(sq, n);
  const rhat = f32(f32(absMean * absMean) / sqMean);
  const g2 = f32(gammahat * gammahat);
  const g3 = f32(gammahat * gammahat * gammahat);
  const num = f32(f32(rhat * f32(g3 + 1)) * f32(gammahat + 1));
  const d = f32(g2 + 1);
  const rhatnorm = f32(num / f32(d * d));
  const { gam, r } = grid();
  const alpha = gam[argminSquared(r, rhatnorm)] as number;
  const s = Math.sqrt(gamma(1 / alpha) / gamma(3 / alpha));
  return { alpha, betaL: leftStd * s, betaR: rightStd * s };
}

let buffers: { scratch: AggdScratch; prod: Float32Array } | undefined;

const SHIFTS: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 0],
  [1, 1],
  [1, -1],
];

/**
 * `compute_feature`: [alpha, (betaL + betaR) / 2] of the block, then [alpha, mean, betaL, betaR] for
 * the products with the block shifted by np.roll (wrapping around inside the block) along H, V, D1, D2.
 */
export function blockFeatures(block: Float32Array, bw: number, bh: number, out: Float64Array, offset: number): void {
  if (!buffers || buffers.prod.length !== block.length) {
    buffers = { scratch: aggdScratch(block.length), prod: new Float32Array(block.length) };
  }
  const { scratch, prod } = buffers;
  let a = estimateAggd(block, scratch);
  out[offset] = a.alpha;
  out[offset + 1] = (a.betaL + a.betaR) / 2;
  let o = offset + 2;
  for (const [dy, dx] of SHIFTS) {
    for (let y = 0; y < bh; y++) {
      const row = y * bw;
      const srow = ((y - dy + bh) % bh) * bw;
      for (let x = 0; x < bw; x++) {
        let sx = x - dx;
        if (sx < 0) sx += bw;
        else if (sx >= bw) sx -= bw;
        prod[row + x] = (block[row + x] as number) * (block[srow + sx] as number);
      }
    }
    a = estimateAggd(prod, scratch);
    out[o++] = a.alpha;
    out[o++] = (a.betaR - a.betaL) * (gamma(2 / a.alpha) / gamma(1 / a.alpha));
    out[o++] = a.betaL;
    out[o++] = a.betaR;
  }
}
