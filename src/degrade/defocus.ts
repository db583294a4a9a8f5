/**
 * Defocus point-spread functions: the geometric-optics disk (circle of confusion, anti-aliased by 8×8
 * supersampling of pixel coverage) and a lens-like variant whose radial profile brightens towards the rim
 * (spherical aberration / "soap-bubble" bokeh) and is softened by diffraction-like Gaussian smoothing.
 */
import type { FilterKernel } from './filter.js';

const SS = 8;

function radialKernel(radius: number, profile: (rho: number) => number): FilterKernel {
  if (!(radius > 0)) throw new RangeError(`defocus: radius must be > 0, got ${radius}`);
  const half = Math.ceil(radius);
  const size = 2 * half + 1;
  const k = new Float64Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      let acc = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const dx = c - half - 0.5 + (sx + 0.5) / SS;
          const dy = r - half - 0.5 + (sy + 0.5) / SS;
          const rho = Math.hypot(dx, dy) / radius;
          if (rho <= 1) acc += profile(rho);
        }
      }
      k[r * size + c] = acc;
    }
  }
  let sum = 0;
  for (const v of k) sum += v;
  for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / sum;
  return { width: size, height: size, data: k };
}

/** Uniform disk of the given radius (pixels). */
export function diskKernel(radius: number): FilterKernel {
  return radialKernel(radius, () => 1);
}

/** Lens-like PSF: rim-brightened disk (1 + rim·ρ⁴), then a small Gaussian (σ = `soft` px) for diffraction. */
export function lensKernel(radius: number, rim = 1.5, soft = 0.6): FilterKernel {
  const disk = radialKernel(radius, (rho) => 1 + rim * rho ** 4);
  if (soft <= 0) return disk;
  const g = Math.ceil(3 * soft);
  const size = disk.width + 2 * g;
  const out = new Float64Array(size * size);
  const gk: number[] = [];
  for (let i = -g; i <= g; i++) gk.push(Math.exp(-(i * i) / (2 * soft * soft)));
  const gs = gk.reduce((a, b) => a + b, 0);
  for (let r = 0; r < disk.height; r++) {
    for (let c = 0; c < disk.width; c++) {
      const v = disk.data[r * disk.width + c] as number;
      if (v === 0) continue;
      for (let i = 0; i < gk.length; i++) {
        for (let j = 0; j < gk.length; j++) {
          const idx = (r + i) * size + (c + j);
          out[idx] = (out[idx] as number) + (v * (gk[i] as number) * (gk[j] as number)) / (gs * gs);
        }
      }
    }
  }
  return { width: size, height: size, data: out };
}
