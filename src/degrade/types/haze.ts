/** Type 7 (H): haze by the atmospheric scattering model with a depth proxy. */
import type { Rng } from '../../tensor/rng.js';
import { defineDegradation, fmt } from '../degradation.js';
import { applyHaze, type HazeParams } from '../haze.js';

export const HAZE_BETAS = [0.3, 0.5, 0.7, 0.9, 1.1, 1.4, 1.7, 2, 2.5];

/** Airlight: bright grey with a faint random tint (RESIDE uses A ∈ [0.7, 1.0]). */
export function sampleHaze(rng: Rng, beta: number): HazeParams {
  const a = rng.uniform(0.75, 0.95);
  const tint = [rng.uniform(-0.03, 0.03), rng.uniform(-0.03, 0.03), rng.uniform(-0.03, 0.03)];
  return {
    beta,
    airlight: tint.map((t) => Math.min(1, a + t)),
    verticalWeight: rng.uniform(0.4, 0.8),
    dMin: rng.uniform(0.1, 0.3),
  };
}

export const hazeType = defineDegradation<{ beta: number }, HazeParams>({
  name: 'haze',
  id: 7,
  levels: HAZE_BETAS.map((beta, rank) => ({ name: `haze.beta.${fmt(beta)}`, series: 'beta', rank, spec: { beta } })),
  draw: (rng, spec) => sampleHaze(rng, spec.beta),
  apply: (img, p, rng) => applyHaze(img, p, rng),
});
