/**
 * How `filter2D` (method 'auto') evaluates a kernel: trim outer rows/columns of negligible mass, then pick the
 * cheapest of direct correlation, a low-rank separable split (SVD via Jacobi on KᵀK) or the FFT, under an L1
 * budget on the kernel mass the approximation may discard.
 */
import type { Raster } from '../io/raster.js';
import { nextFastSize } from './fft.js';
import type { FilterKernel } from './filter.js';

export interface Plan {
  /** trimmed window inside the original kernel */
  r0: number;
  r1: number;
  c0: number;
  c1: number;
  method: 'direct' | 'separable' | 'fft';
  /** rank-1 terms (vertical u, horizontal v) for `separable` */
  terms: { u: Float64Array; v: Float64Array }[];
}

/**
 * Relative cost model in "direct multiply-add per sample" units, calibrated on a 2-core Zen 4 box at 256² RGB:
 * a separable tap costs ~1.4 direct taps (two passes), an FFT ~8·log2(N) per padded sample per channel pair
 * when all run in JS. The addon's vectorised direct tap is ~FFT_NATIVE_FACTOR times cheaper than a JS one while
 * the FFT stays in JS (measured: 21×21 native direct 8 ms, JS FFT 15 ms, JS direct 75 ms at 256² RGB), so with
 * the native backend the FFT costs that many times more direct taps: it wins only beyond ~28×28 dense taps.
 */
const FFT_NATIVE_FACTOR = 7;

function fftCost(h: number, w: number, c: number, kh: number, kw: number, backend: 'native' | 'js'): number {
  const n = nextFastSize(h + kh - 1) * nextFastSize(w + kw - 1);
  return ((backend === 'native' ? FFT_NATIVE_FACTOR : 1) * 8 * Math.log2(n) * n * Math.ceil(c / 2)) / (h * w * c);
}

/** Greedy border trim of rows/columns whose |mass| fits into the budget; returns the spent budget too. */
function trim(k: FilterKernel, budget: number): { r0: number; r1: number; c0: number; c1: number; spent: number } {
  let r0 = 0;
  let r1 = k.height - 1;
  let c0 = 0;
  let c1 = k.width - 1;
  let spent = 0;
  const rowMass = (r: number) => {
    let s = 0;
    for (let c = c0; c <= c1; c++) s += Math.abs(k.data[r * k.width + c] as number);
    return s;
  };
  const colMass = (c: number) => {
    let s = 0;
    for (let r = r0; r <= r1; r++) s += Math.abs(k.data[r * k.width + c] as number);
    return s;
  };
  for (;;) {
    const cands: [number, string][] = [];
    if (r1 > r0) cands.push([rowMass(r0), 'r0'], [rowMass(r1), 'r1']);
    if (c1 > c0) cands.push([colMass(c0), 'c0'], [colMass(c1), 'c1']);
    cands.sort((a, b) => a[0] - b[0]);
    const best = cands[0];
    if (!best || spent + best[0] > budget) break;
    spent += best[0];
    if (best[1] === 'r0') r0++;
    else if (best[1] === 'r1') r1--;
    else if (best[1] === 'c0') c0++;
    else c1--;
  }
  return { r0, r1, c0, c1, spent };
}

/** Symmetric eigen-decomposition (cyclic Jacobi); returns eigenvalues and column eigenvectors, sorted desc. */
function jacobiEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = a.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += (m[p * n + q] as number) ** 2;
    if (off < 1e-300) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const app = m[p * n + p] as number;
        const aqq = m[q * n + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1);
        const sn = t * cs;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p] as number;
          const mkq = m[k * n + q] as number;
          m[k * n + p] = cs * mkp - sn * mkq;
          m[k * n + q] = sn * mkp + cs * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k] as number;
          const mqk = m[q * n + k] as number;
          m[p * n + k] = cs * mpk - sn * mqk;
          m[q * n + k] = sn * mpk + cs * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] as number;
          const vkq = v[k * n + q] as number;
          v[k * n + p] = cs * vkp - sn * vkq;
          v[k * n + q] = sn * vkp + cs * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => (m[y * n + y] as number) - (m[x * n + x] as number),
  );
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = m[src * n + src] as number;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src] as number;
  });
  return { values, vectors };
}

/** Chooses trim + low-rank split or the FFT, whichever the cost model says is cheapest within the budget. */
export function planFilter(k: FilterKernel, tolerance: number, img: Raster, backend: 'native' | 'js' = 'js'): Plan {
  const t = trim(k, tolerance / 2);
  const h = t.r1 - t.r0 + 1;
  const w = t.c1 - t.c0 + 1;
  const sub = new Float64Array(h * w);
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) sub[r * w + c] = k.data[(r + t.r0) * k.width + c + t.c0] as number;
  const budget = tolerance - t.spent;
  const directCost = h * w;
  const fCost = fftCost(img.height, img.width, img.channels, h, w, backend);
  const best: Plan = { ...t, method: fCost < directCost ? 'fft' : 'direct', terms: [] };
  const bestCost = Math.min(directCost, fCost);
  const maxRank = Math.floor(bestCost / (1.4 * (h + w)));
  if (maxRank < 1 || h === 1 || w === 1) return best;
  // KᵀK (w×w) eigenvectors = right singular vectors.
  const ktk = new Float64Array(w * w);
  for (let i = 0; i < w; i++) {
    for (let j = i; j < w; j++) {
      let s = 0;
      for (let r = 0; r < h; r++) s += (sub[r * w + i] as number) * (sub[r * w + j] as number);
      ktk[i * w + j] = s;
      ktk[j * w + i] = s;
    }
  }
  const { vectors } = jacobiEigen(ktk, w);
  const terms: { u: Float64Array; v: Float64Array }[] = [];
  const approx = new Float64Array(h * w);
  for (let rank = 1; rank <= Math.min(maxRank, w); rank++) {
    const v = new Float64Array(w);
    for (let c = 0; c < w; c++) v[c] = vectors[c * w + rank - 1] as number;
    const u = new Float64Array(h);
    for (let r = 0; r < h; r++) {
      let s = 0;
      for (let c = 0; c < w; c++) s += (sub[r * w + c] as number) * (v[c] as number);
      u[r] = s;
    }
    terms.push({ u, v });
    let err = 0;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        approx[r * w + c] = (approx[r * w + c] as number) + (u[r] as number) * (v[c] as number);
        err += Math.abs((sub[r * w + c] as number) - (approx[r * w + c] as number));
      }
    }
    if (err <= budget) return { ...t, method: 'separable', terms };
  }
  return best;
}
