/** Peak signal-to-noise ratio under the conventions of `full-reference.ts`. */
import type { Raster } from '../io/raster.js';
import { type FullReferenceOptions, preparePair } from './full-reference.js';
import type { Plane } from './plane.js';

/** Sum of squared differences over planes, in float64. */
function sumSquaredError(a: Plane<Float32Array>[], b: Plane<Float32Array>[]): number {
  let total = 0;
  for (let k = 0; k < a.length; k++) {
    const x = (a[k] as Plane<Float32Array>).data;
    const y = (b[k] as Plane<Float32Array>).data;
    // Four partial sums: shorter dependency chains, and closer to NumPy's pairwise sum.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const n = x.length;
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const d0 = (x[i] as number) - (y[i] as number);
      const d1 = (x[i + 1] as number) - (y[i + 1] as number);
      const d2 = (x[i + 2] as number) - (y[i + 2] as number);
      const d3 = (x[i + 3] as number) - (y[i + 3] as number);
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < n; i++) {
      const d = (x[i] as number) - (y[i] as number);
      s0 += d * d;
    }
    total += s0 + s1 + s2 + s3;
  }
  return total;
}

/** Mean squared error of the prepared planes (all channels and pixels). */
export function meanSquaredError(a: Plane<Float32Array>[], b: Plane<Float32Array>[]): number {
  let n = 0;
  for (const p of a) n += p.data.length;
  return sumSquaredError(a, b) / n;
}

/**
 * PSNR in dB between a restored (or degraded) image and its reference. Identical images give
 * `Infinity` (BasicSR, the fork and skimage agree), except `basicsr-pt`, whose 1e-8 epsilon gives 80 dB.
 */
export function psnr(restored: Raster, reference: Raster, options: FullReferenceOptions = {}): number {
  const p = preparePair(restored, reference, options, 'psnr');
  const mse = meanSquaredError(p.a, p.b);
  if (p.convention === 'basicsr-pt') return 10 * Math.log10(1 / (mse + 1e-8));
  if (mse === 0) return Number.POSITIVE_INFINITY;
  return 10 * Math.log10((p.peak * p.peak) / mse);
}
