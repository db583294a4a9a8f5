/** Type 4 (DB): defocus blur: uniform disk (circle of confusion) and a lens-like rim-bright PSF. */
import type { Raster } from '../../io/raster.js';
import { diskKernel, lensKernel } from '../defocus.js';
import { defineDegradation, fmt, type LevelDef } from '../degradation.js';
import { filter2D } from '../filter.js';

export type DefocusParams =
  | { shape: 'disk'; radius: number }
  | { shape: 'lens'; radius: number; rim: number; soft: number };

const levels: LevelDef<DefocusParams>[] = [
  ...[1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8].map((radius, rank) => ({
    name: `defocus_blur.disk.r${fmt(radius)}`,
    series: 'disk',
    rank,
    spec: { shape: 'disk', radius } as DefocusParams,
  })),
  ...[2, 3, 4, 5, 6, 8].map((radius, rank) => ({
    name: `defocus_blur.lens.r${fmt(radius)}`,
    series: 'lens',
    rank,
    spec: { shape: 'lens', radius, rim: 1.5, soft: 0.6 } as DefocusParams,
  })),
];

export function applyDefocus(img: Raster, p: DefocusParams): Raster {
  return filter2D(img, p.shape === 'disk' ? diskKernel(p.radius) : lensKernel(p.radius, p.rim, p.soft));
}

export const defocusBlurType = defineDegradation<DefocusParams, DefocusParams>({
  name: 'defocus_blur',
  id: 4,
  levels,
  draw: (_rng, spec) => ({ ...spec }),
  apply: (img, p) => applyDefocus(img, p),
});
