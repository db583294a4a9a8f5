/** Type 14 (MR): screen-photograph moiré: curved colour beat bands plus a fine carrier grating. */
import { defineDegradation, fmt } from '../degradation.js';
import { applyMoire, type MoireParams } from '../moire.js';

const AMPLITUDES = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5];

export const moireType = defineDegradation<{ amplitude: number }, MoireParams>({
  name: 'moire',
  id: 14,
  levels: AMPLITUDES.map((amplitude, rank) => ({
    name: `moire.amp.${fmt(amplitude)}`,
    series: 'amp',
    rank,
    spec: { amplitude },
  })),
  draw: (rng, spec) => ({
    amplitude: spec.amplitude,
    frequency: rng.uniform(0.01, 0.06),
    theta: rng.uniform(-Math.PI, Math.PI),
    curvature: rng.uniform(-2e-5, 2e-5),
    // Modest channel misregistration: colour fringes without a full rainbow.
    phases: [0, rng.uniform(0.3, 1.2), rng.uniform(0.6, 2.4)],
    carrierFrequency: rng.uniform(0.3, 0.45),
    carrierTheta: rng.uniform(-Math.PI, Math.PI),
    carrierAmplitude: 0.3,
  }),
  apply: (img, p) => applyMoire(img, p),
});
