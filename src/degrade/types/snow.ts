/** Type 11 (S): snow flakes with power-law sizes, fall motion and a whitish veil. */
import type { Rng } from '../../tensor/rng.js';
import { defineDegradation, fmt } from '../degradation.js';
import { applySnow, type SnowParams } from '../weather.js';

/** Flakes per 1000 px; size, motion and veil grow with the level. */
export const SNOW_DENSITIES = [0.5, 1, 2, 3, 4.5, 6, 8, 10];

export function sampleSnow(rng: Rng, rank: number): SnowParams {
  return {
    density: SNOW_DENSITIES[rank] as number,
    radius: [0.6, 1.5 + 0.4 * rank],
    motion: rng.uniform(0, 1.5 + 0.5 * rank),
    angle: rng.uniform(-0.4, 0.4),
    intensity: 0.75,
    veil: 0.02 * rank,
  };
}

export const snowType = defineDegradation<{ rank: number }, SnowParams>({
  name: 'snow',
  id: 11,
  levels: SNOW_DENSITIES.map((d, rank) => ({
    name: `snow.density.${fmt(d)}`,
    series: 'density',
    rank,
    spec: { rank },
  })),
  draw: (rng, spec) => sampleSnow(rng, spec.rank),
  apply: (img, p, rng) => applySnow(img, p, rng),
});
