/**
 * Low-light synthesis in linear light (cf. Lv et al. 2021, Wei et al. "Deep Retinex" data): sRGB is
 * linearised (γ 2.2), under-exposed by `ev` stops with a per-channel colour cast (white-balance error),
 * sensor noise is added with variance x·shot + read (signal dependent, so dark regions get relatively
 * noisier), then re-encoded with γ 1/2.2 and quantised to 8 bits as a camera would store it.
 */
import type { Raster } from '../io/raster.js';
import { createRaster } from '../io/raster.js';
import type { Rng } from '../tensor/rng.js';
import { normals } from './fastrand.js';

export interface LowLightParams {
  /** Under-exposure in stops (scale 2^−ev). */
  ev: number;
  /** Per-channel gains for the colour cast (≈1). */
  cast: number[];
  /** Shot-noise gain and read-noise variance in linear units (at the sensor, before re-encoding). */
  shot: number;
  read: number;
}

/**
 * 8-bit code of y^(1/2.2): thresholds T_k = ((k − ½)/255)^2.2 turn round(255·y^(1/2.2)) into a binary search,
 * avoiding a pow per sample.
 */
const THRESHOLDS = Float64Array.from({ length: 256 }, (_, k) =>
  k === 0 ? Number.NEGATIVE_INFINITY : ((k - 0.5) / 255) ** 2.2,
);
function encode8(y: number): number {
  let lo = 0;
  let hi = 255;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (y >= (THRESHOLDS[mid] as number)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function applyLowLight(img: Raster, p: LowLightParams, rng: Rng): Raster {
  const out = createRaster(img.width, img.height, img.channels);
  const c = img.channels;
  const scale = 2 ** -p.ev;
  const z = normals(rng, img.data.length);
  for (let i = 0; i < img.data.length; i++) {
    const x = Math.min(Math.max(img.data[i] as number, 0), 1);
    let lin = x ** 2.2 * scale * ((p.cast[i % c] ?? 1) as number);
    lin += Math.sqrt(Math.max(lin * p.shot + p.read, 0)) * (z[i] as number);
    out.data[i] = encode8(lin) / 255;
  }
  return out;
}
