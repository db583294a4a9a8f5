/**
 * Adherent raindrops on the lens or windscreen (RainDrop / RainDS style). Each drop is an ellipse that acts
 * as a small fish-eye lens: inside it the scene appears inverted and shrunk (refraction through a convex
 * water lens), out of focus (the camera focuses on the scene, not the glass) and slightly darker at the rim,
 * blended in with a soft edge.
 */
import type { Raster } from '../io/raster.js';
import { createRaster } from '../io/raster.js';
import type { Rng } from '../tensor/rng.js';
import { particleCount } from './fields.js';
import { gaussianBlur } from './filter.js';

export interface RaindropParams {
  /** Drops per 100 000 pixels. */
  density: number;
  /** Drop radius range in pixels. */
  radius: [number, number];
  /** Defocus σ (pixels) of what is seen through the drops. */
  blur: number;
}

export function applyRaindrops(img: Raster, p: RaindropParams, rng: Rng): Raster {
  const { width: w, height: h, channels: c } = img;
  const seen = p.blur > 0.3 ? gaussianBlur(img, 2 * Math.ceil(3 * p.blur) + 1, p.blur) : img;
  const out = createRaster(w, h, c, img.data.slice());
  const n = Math.max(1, particleCount((p.density * w * h) / 100000, rng));
  for (let i = 0; i < n; i++) {
    const cx = rng.uniform(0, w);
    const cy = rng.uniform(0, h);
    const r = rng.uniform(p.radius[0], p.radius[1]);
    const aspect = rng.uniform(0.75, 1.25);
    const rx = r * aspect;
    const ry = r / aspect;
    // Magnification of the inverted image seen through the drop (smaller = wider field of view).
    const mag = rng.uniform(0.5, 0.9);
    const bright = rng.uniform(0.95, 1.1);
    for (let y = Math.max(0, Math.floor(cy - ry - 1)); y <= Math.min(h - 1, Math.ceil(cy + ry + 1)); y++) {
      for (let x = Math.max(0, Math.floor(cx - rx - 1)); x <= Math.min(w - 1, Math.ceil(cx + rx + 1)); x++) {
        const dx = (x - cx) / rx;
        const dy = (y - cy) / ry;
        const rho = Math.hypot(dx, dy);
        // Soft 1.5-pixel edge.
        const alpha = Math.min(1, Math.max(0, ((1 - rho) * r) / 1.5 + 0.5));
        if (alpha <= 0) continue;
        // Convex lens: inverted, shrunk image of the surroundings, barrel-distorted towards the rim.
        const bend = 1 + 0.35 * rho * rho;
        const sx = cx - dx * rx * mag * bend * 2;
        const sy = cy - dy * ry * mag * bend * 2;
        const shade = bright * (1 - 0.35 * rho ** 4);
        // Bilinear sample of the defocused scene at (sx, sy), clamped to the image.
        const fx = Math.min(Math.max(sx, 0), w - 1);
        const fy = Math.min(Math.max(sy, 0), h - 1);
        const x0 = Math.floor(fx);
        const y0 = Math.floor(fy);
        const x1 = Math.min(x0 + 1, w - 1);
        const y1 = Math.min(y0 + 1, h - 1);
        const ax = fx - x0;
        const ay = fy - y0;
        const i00 = (y0 * w + x0) * c;
        const i01 = (y0 * w + x1) * c;
        const i10 = (y1 * w + x0) * c;
        const i11 = (y1 * w + x1) * c;
        const sd = seen.data;
        for (let k = 0; k < c; k++) {
          const top = (sd[i00 + k] as number) * (1 - ax) + (sd[i01 + k] as number) * ax;
          const bot = (sd[i10 + k] as number) * (1 - ax) + (sd[i11 + k] as number) * ax;
          const v = Math.min(1, (top * (1 - ay) + bot * ay) * shade);
          const o = (y * w + x) * c + k;
          out.data[o] = (out.data[o] as number) * (1 - alpha) + v * alpha;
        }
      }
    }
  }
  return out;
}
