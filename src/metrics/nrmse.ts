/**
 * Normalised RMSE as the MaskDCPT fork's `calculate_nrmse` computes it (its configs report it with
 * `better: lower`): RMSE divided by the max - min range of the FIRST argument, the restored image.
 * One deliberate difference: identical images give 0, where the fork returns inf.
 */
import type { Raster } from '../io/raster.js';
import { type FullReferenceOptions, preparePair } from './full-reference.js';
import { meanSquaredError } from './psnr.js';

export function nrmse(restored: Raster, reference: Raster, options: FullReferenceOptions = {}): number {
  const p = preparePair(restored, reference, options, 'nrmse');
  const rmse = Math.sqrt(meanSquaredError(p.a, p.b));
  // The fork returns inf for identical images, which would poison a dataset mean; 0 is the true value.
  if (rmse === 0) return 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const plane of p.a) {
    for (const v of plane.data) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return rmse / (hi - lo);
}
