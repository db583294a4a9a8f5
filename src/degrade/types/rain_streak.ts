/** Type 8 (RS): rain streaks (near + far screen-blended streak layers). */
import type { Rng } from '../../tensor/rng.js';
import { defineDegradation, fmt } from '../degradation.js';
import { applyRain, type RainParams } from '../weather.js';

/** Streak seeds per 1000 px; length and brightness grow with the level too. */
export const RAIN_DENSITIES = [0.2, 0.4, 0.7, 1, 1.5, 2, 3, 4, 5.5, 7];

export function sampleRain(rng: Rng, rank: number): RainParams {
  return {
    density: RAIN_DENSITIES[rank] as number,
    length: 8 + 2.5 * rank,
    angle: rng.uniform(-0.35, 0.35),
    width: rng.uniform(0.4, 0.8),
    intensity: 0.3 + 0.05 * rank,
  };
}

export const rainStreakType = defineDegradation<{ rank: number }, RainParams>({
  name: 'rain_streak',
  id: 8,
  levels: RAIN_DENSITIES.map((d, rank) => ({
    name: `rain_streak.density.${fmt(d)}`,
    series: 'density',
    rank,
    spec: { rank },
  })),
  draw: (rng, spec) => sampleRain(rng, spec.rank),
  apply: (img, p, rng) => applyRain(img, p, rng),
});
