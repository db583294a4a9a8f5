/**
 * Haze by the atmospheric scattering model I = J·t + A·(1 − t), t = exp(−β·d) (Koschmieder; the model
 * RESIDE/OTS uses). Without a depth sensor the depth d ∈ [0, 1] is a proxy: farther towards the top of the
 * frame (outdoor scenes), modulated by smooth fractal noise and slightly by brightness (sky and distant
 * objects are bright and low-contrast). `hazeWith`/`dehazeWith` take an explicit transmission so the model can be
 * inverted exactly at known t and A.
 */
import type { Raster } from '../io/raster.js';
import { createRaster } from '../io/raster.js';
import type { Rng } from '../tensor/rng.js';
import { fractalNoise } from './fields.js';

/** I = J·t + A(1 − t) per pixel; `t` has one value per pixel, `airlight` one per channel. */
export function hazeWith(img: Raster, t: Float64Array | Float32Array, airlight: readonly number[]): Raster {
  const out = createRaster(img.width, img.height, img.channels);
  const c = img.channels;
  for (let p = 0; p < img.width * img.height; p++) {
    const tp = t[p] as number;
    for (let k = 0; k < c; k++) {
      const a = airlight[k] ?? (airlight[0] as number);
      out.data[p * c + k] = (img.data[p * c + k] as number) * tp + a * (1 - tp);
    }
  }
  return out;
}

/** Inverse of `hazeWith`: J = (I − A(1 − t)) / t. */
export function dehazeWith(hazy: Raster, t: Float64Array | Float32Array, airlight: readonly number[]): Raster {
  const out = createRaster(hazy.width, hazy.height, hazy.channels);
  const c = hazy.channels;
  for (let p = 0; p < hazy.width * hazy.height; p++) {
    const tp = t[p] as number;
    for (let k = 0; k < c; k++) {
      const a = airlight[k] ?? (airlight[0] as number);
      out.data[p * c + k] = ((hazy.data[p * c + k] as number) - a * (1 - tp)) / tp;
    }
  }
  return out;
}

export interface HazeParams {
  /** Scattering coefficient β (denser haze when larger). */
  beta: number;
  /** Atmospheric light per channel. */
  airlight: number[];
  /** Weight of the vertical ramp vs. the random field in the depth proxy. */
  verticalWeight: number;
  /** Depth range: d is mapped to [dMin, 1]. */
  dMin: number;
}

/** Depth proxy in [dMin, 1]: vertical ramp (top far) mixed with smooth noise and a little brightness. */
export function depthProxy(img: Raster, p: HazeParams, rng: Rng): Float64Array {
  const { width: w, height: h, channels: c } = img;
  const noise = fractalNoise(w, h, Math.max(8, Math.min(w, h) / 3), 3, rng);
  const d = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const ramp = h > 1 ? 1 - y / (h - 1) : 0.5;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      let lum = 0;
      for (let k = 0; k < c; k++) lum += img.data[i * c + k] as number;
      lum /= c;
      const v = p.verticalWeight * ramp + (1 - p.verticalWeight) * (noise[i] as number);
      d[i] = p.dMin + (1 - p.dMin) * Math.min(1, 0.85 * v + 0.15 * lum);
    }
  }
  return d;
}

/** Haze degradation: t = exp(−β·d) from the depth proxy, then the scattering model, clipped to [0, 1]. */
export function applyHaze(img: Raster, p: HazeParams, rng: Rng): Raster {
  const d = depthProxy(img, p, rng);
  const t = d.map((v) => Math.exp(-p.beta * v));
  const out = hazeWith(img, t, p.airlight);
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.min(1, Math.max(0, out.data[i] as number));
  return out;
}
