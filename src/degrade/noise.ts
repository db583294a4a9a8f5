/**
 * Synthetic noise on float rasters: additive Gaussian (colour or grey), Real-ESRGAN's Poisson noise, salt and
 * pepper, speckle. Every draw comes from the caller's `Rng`; results are clipped to [0, 1] unless asked not to.
 * σ and amplitudes are in [0, 1] units (σ = 25/255 for the usual "σ 25").
 */
import type { Raster } from '../io/raster.js';
import { createRaster } from '../io/raster.js';
import type { Rng } from '../tensor/rng.js';
import { FastStream, normals } from './fastrand.js';

function clip01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

export interface NoiseOptions {
  /** Same noise value on every channel of a pixel (Real-ESRGAN `gray_noise`). */
  grey?: boolean;
  /** Clip to [0, 1] (default true, as every dataset class does). */
  clip?: boolean;
}

/** x + N(0, σ²) per sample (or per pixel with `grey`). */
export function addGaussianNoise(img: Raster, sigma: number, rng: Rng, opts: NoiseOptions = {}): Raster {
  const out = createRaster(img.width, img.height, img.channels);
  const c = img.channels;
  const clip = opts.clip ?? true;
  const src = img.data;
  const dst = out.data;
  if (opts.grey) {
    const z = normals(rng, img.width * img.height);
    for (let p = 0; p < img.width * img.height; p++) {
      const n = sigma * (z[p] as number);
      for (let k = 0; k < c; k++) {
        const v = (src[p * c + k] as number) + n;
        dst[p * c + k] = clip ? clip01(v) : v;
      }
    }
  } else {
    const z = normals(rng, src.length);
    for (let i = 0; i < src.length; i++) {
      const v = (src[i] as number) + sigma * (z[i] as number);
      dst[i] = clip ? clip01(v) : v;
    }
  }
  return out;
}

/** ITU-R BT.601 luma, as cv2.COLOR_BGR2GRAY / RGB2GRAY compute it on floats. */
function luma(src: Float32Array, p: number, c: number): number {
  if (c === 1) return src[p] as number;
  return 0.299 * (src[p * c] as number) + 0.587 * (src[p * c + 1] as number) + 0.114 * (src[p * c + 2] as number);
}

/**
 * Exact Poisson sampling by inversion for a small set of rates: per rate, the CDF is tabulated once and each
 * draw returns the smallest k with CDF(k) ≥ u for a single uniform u. Poisson noise on 8-bit-quantised images has
 * at most 256 distinct rates per power-of-two `vals`, so tables are built once per process (see `poissonTable`)
 * and a guide table (Chen & Asau) starts each search next to its answer instead of at the mode.
 */
class PoissonTable {
  private readonly cdf: Float64Array;
  /** guide[g] = smallest k with cdf[k] ≥ g / guide.length. */
  private readonly guide: Int32Array;

  constructor(lambda: number) {
    const kMax = Math.ceil(lambda + 12 * Math.sqrt(lambda) + 30);
    this.cdf = new Float64Array(kMax + 1);
    // Log-space pmf avoids underflow of e^−λ for large λ.
    let acc = 0;
    for (let k = 0; k <= kMax; k++) {
      acc += lambda > 0 ? Math.exp(-lambda + k * Math.log(lambda) - logFactorial(k)) : k === 0 ? 1 : 0;
      this.cdf[k] = acc;
    }
    this.cdf[kMax] = Number.POSITIVE_INFINITY;
    this.guide = new Int32Array(kMax + 1);
    for (let g = 0, k = 0; g <= kMax; g++) {
      while ((this.cdf[k] as number) < g / (kMax + 1)) k++;
      this.guide[g] = k;
    }
  }

  /** Smallest k with CDF(k) ≥ u (the CDF is non-decreasing, so both walks end on that same k). */
  draw(u: number): number {
    const cdf = this.cdf;
    const n = this.guide.length;
    let k = this.guide[Math.min(n - 1, Math.max(0, Math.floor(u * n)))] as number;
    while (k > 0 && (cdf[k - 1] as number) >= u) k--;
    while ((cdf[k] as number) < u) k++;
    return k;
  }
}

/** Tables by rate, shared by every call in this process (rates repeat: level/255 · a power of two ≤ 256). */
const POISSON_TABLES = new Map<number, PoissonTable>();
function poissonTable(lambda: number): PoissonTable {
  let t = POISSON_TABLES.get(lambda);
  if (!t) {
    if (POISSON_TABLES.size >= 4096) POISSON_TABLES.clear();
    t = new PoissonTable(lambda);
    POISSON_TABLES.set(lambda, t);
  }
  return t;
}

const LOG_FACT: number[] = [0];
function logFactorial(k: number): number {
  for (let i = LOG_FACT.length; i <= k; i++) LOG_FACT[i] = (LOG_FACT[i - 1] as number) + Math.log(i);
  return LOG_FACT[k] as number;
}

/**
 * Real-ESRGAN `generate_poisson_noise` + add: quantise to 8-bit levels, vals = 2^⌈log2(#unique levels)⌉,
 * noise = Poisson(x·vals)/vals − x, scaled by `scale`, added to the input (grey: one noise plane from luma).
 */
export function addPoissonNoise(img: Raster, scale: number, rng: Rng, opts: NoiseOptions = {}): Raster {
  const c = img.channels;
  const n = img.width * img.height;
  const src = img.data;
  const planeCh = opts.grey ? 1 : c;
  const levels = new Uint8Array(n * planeCh);
  const seen = new Uint8Array(256);
  for (let p = 0; p < n; p++) {
    for (let k = 0; k < planeCh; k++) {
      const x = opts.grey ? luma(src, p, c) : (src[p * c + k] as number);
      const level = Math.min(255, Math.max(0, Math.round(x * 255)));
      seen[level] = 1;
      levels[p * planeCh + k] = level;
    }
  }
  let unique = 0;
  for (const s of seen) unique += s;
  const vals = 2 ** Math.ceil(Math.log2(Math.max(unique, 1)));
  const tables: (PoissonTable | undefined)[] = [];
  const u = new Float64Array(n * planeCh);
  new FastStream(rng).fillUniform(u);
  const noise = new Float64Array(n * planeCh);
  for (let i = 0; i < noise.length; i++) {
    const level = levels[i] as number;
    let t = tables[level];
    if (!t) {
      t = poissonTable((level / 255) * vals);
      tables[level] = t;
    }
    const x = level / 255;
    noise[i] = Math.fround(t.draw(u[i] as number) / vals) - x;
  }
  const out = createRaster(img.width, img.height, c);
  const clip = opts.clip ?? true;
  for (let p = 0; p < n; p++) {
    for (let k = 0; k < c; k++) {
      const v = (src[p * c + k] as number) + (noise[p * planeCh + (opts.grey ? 0 : k)] as number) * scale;
      out.data[p * c + k] = clip ? clip01(v) : v;
    }
  }
  return out;
}

/** Salt and pepper: each pixel, with probability `amount`, becomes 1 or 0 (even odds) on all channels. */
export function addSaltPepper(img: Raster, amount: number, rng: Rng): Raster {
  const out = createRaster(img.width, img.height, img.channels, img.data.slice());
  const c = img.channels;
  for (let p = 0; p < img.width * img.height; p++) {
    if (rng.random() >= amount) continue;
    const v = rng.random() < 0.5 ? 0 : 1;
    for (let k = 0; k < c; k++) out.data[p * c + k] = v;
  }
  return out;
}

/** Speckle (multiplicative) noise: x + x·N(0, variance), as skimage's `random_noise(mode='speckle')`. */
export function addSpeckle(img: Raster, variance: number, rng: Rng, opts: NoiseOptions = {}): Raster {
  const out = createRaster(img.width, img.height, img.channels);
  const sd = Math.sqrt(variance);
  const clip = opts.clip ?? true;
  const z = normals(rng, img.data.length);
  for (let i = 0; i < img.data.length; i++) {
    const x = img.data[i] as number;
    const v = x + x * sd * (z[i] as number);
    out.data[i] = clip ? clip01(v) : v;
  }
  return out;
}
