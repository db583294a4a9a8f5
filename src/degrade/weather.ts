/**
 * Rain streaks and snow as additive light layers (the screen-blend model behind Rain100/Rain13k-style and
 * Snow100K-style synthesis): particles are scattered at random, shaped (Gaussian cross-section, motion along
 * the fall direction) and screen-blended over the image. Two depth layers (near/far) give size variety.
 */
import type { Raster } from '../io/raster.js';
import type { Rng } from '../tensor/rng.js';
import { fieldRaster, particleCount, screenLayer } from './fields.js';
import { filter2D, gaussianBlur } from './filter.js';
import { lineTrajectory, trajectoryKernel } from './motion.js';

export interface RainParams {
  /** Streak seeds per 1000 pixels. */
  density: number;
  /** Streak length in pixels (near layer; the far layer is 60 % of it). */
  length: number;
  /** Fall direction in radians from vertical (positive = leaning right). */
  angle: number;
  /** Gaussian cross-section σ in pixels. */
  width: number;
  /** Peak streak brightness added (0–1). */
  intensity: number;
}

/** Scatter seeds into a field: count ~ density·area/1000, brightness U(0.5, 1). */
function seeds(w: number, h: number, density: number, rng: Rng): Float64Array {
  const f = new Float64Array(w * h);
  const n = particleCount((density * w * h) / 1000, rng);
  for (let i = 0; i < n; i++) {
    // Two uniforms per seed (no rejection sampling) so denser levels extend the same seed sequence.
    const idx = Math.min(w * h - 1, Math.floor(rng.random() * w * h));
    f[idx] = Math.max(f[idx] as number, 0.5 + 0.5 * rng.random());
  }
  return f;
}

function rainLayer(w: number, h: number, p: RainParams, scale: number, rng: Rng): Float64Array {
  const f = fieldRaster(seeds(w, h, p.density * (scale < 1 ? 1.5 : 1), rng), w, h);
  const widened = p.width * scale > 0.3 ? gaussianBlur(f, 2 * Math.ceil(3 * p.width * scale) + 1, p.width * scale) : f;
  const len = Math.max(1, p.length * scale);
  // Direction measured from vertical: rows grow downwards, so (sin, cos) in (x, y).
  const k = trajectoryKernel(lineTrajectory(Math.PI / 2 - p.angle + rng.uniform(-0.05, 0.05)), len);
  const streaks = filter2D(widened, k);
  // Kernel and Gaussian normalisation spread a seed's energy; restore peak brightness ~ seed value.
  const gain = len * (p.width * scale > 0.3 ? Math.sqrt(2 * Math.PI) * p.width * scale : 1);
  const out = new Float64Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, (streaks.data[i] as number) * gain);
  return out;
}

/** Rain streaks: near + far streak layers, screen-blended with a slightly cool tint. */
export function applyRain(img: Raster, p: RainParams, rng: Rng): Raster {
  const { width: w, height: h } = img;
  // Each layer has its own stream so one layer's particle count does not shift the other's draws.
  const near = rainLayer(w, h, p, 1, rng.fork('near'));
  const far = rainLayer(w, h, p, 0.6, rng.fork('far'));
  const layer = new Float64Array(w * h);
  for (let i = 0; i < layer.length; i++) layer[i] = p.intensity * ((near[i] as number) + 0.6 * (far[i] as number));
  return screenLayer(img, layer, [0.95, 0.97, 1]);
}

export interface SnowParams {
  /** Flakes per 1000 pixels. */
  density: number;
  /** Flake radius range in pixels (power-law between them: many small, few large). */
  radius: [number, number];
  /** Fall streak length in pixels (0 = still flakes). */
  motion: number;
  /** Fall direction from vertical, radians. */
  angle: number;
  /** Flake opacity scale (0–1). */
  intensity: number;
  /** Whitish veil from airborne snow (0–1). */
  veil: number;
}

/** Snow: Gaussian flakes with power-law sizes, slight fall motion, a veil, screen-blended. */
export function applySnow(img: Raster, p: SnowParams, rng: Rng): Raster {
  const { width: w, height: h } = img;
  const layer = new Float64Array(w * h);
  const n = particleCount((p.density * w * h) / 1000, rng);
  const [r0, r1] = p.radius;
  for (let i = 0; i < n; i++) {
    const cx = rng.uniform(0, w);
    const cy = rng.uniform(0, h);
    // Inverse-CDF of a 1/r² law on [r0, r1].
    const u = rng.random();
    const r = 1 / (1 / r0 - u * (1 / r0 - 1 / r1));
    const a = p.intensity * rng.uniform(0.6, 1);
    const ext = Math.ceil(2.5 * r);
    for (let y = Math.max(0, Math.floor(cy - ext)); y <= Math.min(h - 1, Math.ceil(cy + ext)); y++) {
      for (let x = Math.max(0, Math.floor(cx - ext)); x <= Math.min(w - 1, Math.ceil(cx + ext)); x++) {
        const d2 = ((x - cx) ** 2 + (y - cy) ** 2) / (r * r);
        const v = a * Math.exp(-d2 / 0.5);
        layer[y * w + x] = Math.max(layer[y * w + x] as number, v);
      }
    }
  }
  let flakes = layer;
  if (p.motion >= 1) {
    const k = trajectoryKernel(lineTrajectory(Math.PI / 2 - p.angle), p.motion);
    const blurred = filter2D(fieldRaster(layer, w, h), k);
    flakes = Float64Array.from(blurred.data, (v) => Math.min(1, v * Math.sqrt(p.motion)));
  }
  const veiled = p.veil > 0 ? { ...img, data: img.data.map((x) => x * (1 - p.veil) + 0.92 * p.veil) } : img;
  return screenLayer(veiled, flakes);
}
