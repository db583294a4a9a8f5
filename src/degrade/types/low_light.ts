/** Type 13 (LL): low light: under-exposure in linear light, colour cast, signal-dependent noise, 8-bit. */
import type { Rng } from '../../tensor/rng.js';
import { readForShot } from '../camera.js';
import { defineDegradation, fmt } from '../degradation.js';
import { applyLowLight, type LowLightParams } from '../lowlight.js';

export const LOWLIGHT_EVS = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];

export function sampleLowLight(rng: Rng, ev: number): LowLightParams {
  const cast = [rng.uniform(0.85, 1.15), rng.uniform(0.95, 1.05), rng.uniform(0.85, 1.15)];
  const shot = Math.exp(rng.uniform(Math.log(2e-4), Math.log(2e-3)));
  return { ev, cast, shot, read: readForShot(shot, rng.normal(0, 0.26)) };
}

export const lowLightType = defineDegradation<{ ev: number }, LowLightParams>({
  name: 'low_light',
  id: 13,
  levels: LOWLIGHT_EVS.map((ev, rank) => ({ name: `low_light.ev.${fmt(ev)}`, series: 'ev', rank, spec: { ev } })),
  draw: (rng, spec) => sampleLowLight(rng, spec.ev),
  apply: (img, p, rng) => applyLowLight(img, p, rng),
});
