/**
 * Type 16: blur + rain (RainDropClarity style): the camera focuses on the drops, so the scene behind is
 * defocused (lens PSF) and the drops on the glass are rendered over it.
 */
import { defineDegradation } from '../degradation.js';
import { applyRaindrops, type RaindropParams } from '../raindrop.js';
import { applyDefocus, type DefocusParams } from './defocus_blur.js';
import { sampleRaindrops } from './raindrop.js';

/** (defocus radius px, drop rank) per level. */
const COMBOS: [number, number][] = [
  [1.5, 1],
  [2, 2],
  [3, 3],
  [4, 4],
  [5, 5],
  [6, 7],
];

export const blurRainType = defineDegradation<
  { radius: number; drops: number },
  { defocus: DefocusParams; drops: RaindropParams }
>({
  name: 'blur_rain',
  id: 16,
  levels: COMBOS.map(([radius, drops], rank) => ({
    name: `blur_rain.level.${rank + 1}`,
    series: 'level',
    rank,
    spec: { radius, drops },
  })),
  draw: (rng, spec) => ({
    defocus: { shape: 'lens', radius: spec.radius, rim: 1.5, soft: 0.6 },
    drops: sampleRaindrops(rng, spec.drops),
  }),
  apply: (img, p, rng) => applyRaindrops(applyDefocus(img, p.defocus), p.drops, rng),
});
