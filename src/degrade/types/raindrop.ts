/** Type 9 (RD): adherent raindrops acting as small defocused inverted lenses. */
import type { Rng } from '../../tensor/rng.js';
import { defineDegradation } from '../degradation.js';
import { applyRaindrops, type RaindropParams } from '../raindrop.js';

/** Drops per 100 000 px; drop size grows with the level as well. */
export const DROP_DENSITIES = [10, 20, 35, 50, 70, 90, 120, 160];

export function sampleRaindrops(rng: Rng, rank: number): RaindropParams {
  const r0 = 3 + 0.5 * rank;
  return { density: DROP_DENSITIES[rank] as number, radius: [r0, r0 + 5 + 1.5 * rank], blur: rng.uniform(1, 2.5) };
}

export const raindropType = defineDegradation<{ rank: number }, RaindropParams>({
  name: 'raindrop',
  id: 9,
  levels: DROP_DENSITIES.map((d, rank) => ({ name: `raindrop.density.${d}`, series: 'density', rank, spec: { rank } })),
  draw: (rng, spec) => sampleRaindrops(rng, spec.rank),
  apply: (img, p, rng) => applyRaindrops(img, p, rng),
});
