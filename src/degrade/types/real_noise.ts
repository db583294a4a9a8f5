/** Type 2 (RN): camera-pipeline real noise (Brooks et al. 2019 unprocess → shot/read noise → process). */
import type { Rng } from '../../tensor/rng.js';
import { type CameraParams, cameraNoise, randomGains, randomRgb2Cam, readForShot } from '../camera.js';
import { defineDegradation } from '../degradation.js';

/** ISO-like levels: shot-noise gain 1e-4 at "ISO 100", proportional to ISO (Brooks' range is 1e-4 … 1.2e-2). */
const ISOS = [100, 200, 400, 800, 1600, 3200, 6400, 12800];

export function sampleCameraParams(rng: Rng, shot: number): CameraParams {
  const rgb2cam = randomRgb2Cam(rng);
  const gains = randomGains(rng);
  return { rgb2cam, ...gains, shot, read: readForShot(shot, rng.normal(0, 0.26)) };
}

export const realNoiseType = defineDegradation<{ shot: number }, CameraParams>({
  name: 'real_noise',
  id: 2,
  levels: ISOS.map((iso, rank) => ({
    name: `real_noise.iso.${iso}`,
    series: 'iso',
    rank,
    spec: { shot: (1e-4 * iso) / 100 },
  })),
  draw: (rng, spec) => sampleCameraParams(rng, spec.shot),
  apply: (img, p, rng) => cameraNoise(img, p, rng),
});
