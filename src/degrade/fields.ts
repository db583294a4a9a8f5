/**
 * Random scalar fields and layer blending shared by the weather-like degradations (haze depth, snow veils,
 * rain and drop layers). Fields are single-channel float64 maps of the image size.
 */
import type { Raster } from '../io/raster.js';
import { createRaster } from '../io/raster.js';
import type { Rng } from '../tensor/rng.js';

/** Smooth value noise in [0, 1]: uniform values on a grid of `cell`-pixel cells, smoothstep-interpolated. */
export function valueNoise(width: number, height: number, cell: number, rng: Rng): Float64Array {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const grid = new Float64Array(gw * gh);
  rng.fillUniform(grid);
  const out = new Float64Array(width * height);
  const ox = rng.random();
  const oy = rng.random();
  const fade = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < height; y++) {
    const gy = y / cell + oy;
    const iy = Math.floor(gy);
    const ty = fade(gy - iy);
    for (let x = 0; x < width; x++) {
      const gx = x / cell + ox;
      const ix = Math.floor(gx);
      const tx = fade(gx - ix);
      const a = grid[iy * gw + ix] as number;
      const b = grid[iy * gw + ix + 1] as number;
      const c = grid[(iy + 1) * gw + ix] as number;
      const d = grid[(iy + 1) * gw + ix + 1] as number;
      out[y * width + x] = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
    }
  }
  return out;
}

/** Multi-octave value noise normalised to [0, 1] (coarse structure with some finer detail). */
export function fractalNoise(width: number, height: number, cell: number, octaves: number, rng: Rng): Float64Array {
  const out = new Float64Array(width * height);
  let amp = 1;
  let c = cell;
  for (let o = 0; o < octaves; o++) {
    const n = valueNoise(width, height, Math.max(2, c), rng);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + amp * (n[i] as number);
    amp *= 0.5;
    c /= 2;
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of out) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  for (let i = 0; i < out.length; i++) out[i] = ((out[i] as number) - lo) / span;
  return out;
}

/**
 * Screen blend of a grey layer L (≥ 0) coloured `tint`: out = 1 − (1 − x)(1 − L·tint). Brightens like light
 * scattered by rain or snow, never exceeds 1.
 */
export function screenLayer(img: Raster, layer: Float64Array, tint: readonly number[] = [1, 1, 1]): Raster {
  const out = createRaster(img.width, img.height, img.channels);
  const c = img.channels;
  for (let p = 0; p < img.width * img.height; p++) {
    const l = Math.min(1, Math.max(0, layer[p] as number));
    for (let k = 0; k < c; k++) {
      const x = img.data[p * c + k] as number;
      out.data[p * c + k] = 1 - (1 - x) * (1 - l * ((tint[k] ?? 1) as number));
    }
  }
  return out;
}

/**
 * Particle count for an expected value: ⌊expected + u⌋ with one uniform u. Unlike a Poisson draw it consumes a
 * fixed number of random numbers, so with the same seed a denser level places the same particles plus more
 * (nested sets), which keeps severity monotone between levels.
 */
export function particleCount(expected: number, rng: Rng): number {
  return Math.floor(expected + rng.random());
}

/** Single-channel map → 1-channel raster (for filtering with `filter2D`). */
export function fieldRaster(field: Float64Array, width: number, height: number): Raster {
  return createRaster(width, height, 1, Float32Array.from(field));
}
