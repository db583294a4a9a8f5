/**
 * Moiré as seen when photographing a screen (cf. the raw-moiré / TIP2018 data): the display's pixel grid and
 * the camera's sampling grid beat into low-frequency, curved, colour-shifted bands. We synthesise the beat
 * pattern directly: phase φ(x, y) = 2π(f·(x cos θ + y sin θ) + κ·r²) with a slow curvature term κ; each
 * channel gets a phase offset (the sub-pixel / CFA misregistration that makes moiré colourful); the image is
 * modulated multiplicatively, I = J·(1 + a·cos(φ + δ_c)), plus a faint fine carrier grating (the resolved
 * screen-door pattern).
 */
import type { Raster } from '../io/raster.js';
import { createRaster } from '../io/raster.js';

export interface MoireParams {
  /** Modulation amplitude of the beat bands (0–1). */
  amplitude: number;
  /** Band frequency in cycles per pixel. */
  frequency: number;
  /** Band orientation, radians. */
  theta: number;
  /** Curvature in cycles per pixel² (bends the bands). */
  curvature: number;
  /** Per-channel phase offsets, radians. */
  phases: number[];
  /** Fine carrier: frequency (cycles/px, near Nyquist), orientation and relative amplitude. */
  carrierFrequency: number;
  carrierTheta: number;
  carrierAmplitude: number;
}

export function applyMoire(img: Raster, p: MoireParams): Raster {
  const { width: w, height: h, channels: c } = img;
  const out = createRaster(w, h, c);
  const ct = Math.cos(p.theta);
  const st = Math.sin(p.theta);
  const cc = Math.cos(p.carrierTheta);
  const sc = Math.sin(p.carrierTheta);
  const cx = w / 2;
  const cy = h / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const r2 = (x - cx) ** 2 + (y - cy) ** 2;
      const phi = 2 * Math.PI * (p.frequency * (x * ct + y * st) + p.curvature * r2);
      const carrier = p.carrierAmplitude * Math.cos(2 * Math.PI * p.carrierFrequency * (x * cc + y * sc));
      for (let k = 0; k < c; k++) {
        const m = 1 + p.amplitude * (Math.cos(phi + ((p.phases[k] ?? 0) as number)) + carrier);
        const i = (y * w + x) * c + k;
        out.data[i] = Math.min(1, Math.max(0, (img.data[i] as number) * m));
      }
    }
  }
  return out;
}
