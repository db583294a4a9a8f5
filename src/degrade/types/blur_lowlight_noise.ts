/** Type 17: blur + low light + noise (LOL-Blur style): shake blur in the scene, then a dark noisy capture. */
import { defineDegradation } from '../degradation.js';
import { applyLowLight, type LowLightParams } from '../lowlight.js';
import { sampleLowLight } from './low_light.js';
import { applyMotion, type MotionParams, sampleMotion } from './motion_blur.js';

/** (motion length px, under-exposure in stops) per level. */
const COMBOS: [number, number][] = [
  [5, 1.5],
  [9, 2],
  [13, 2.5],
  [17, 3],
  [23, 3.5],
  [31, 4],
];

export const blurLowLightNoiseType = defineDegradation<
  { length: number; ev: number },
  { motion: MotionParams; lowLight: LowLightParams }
>({
  name: 'blur_lowlight_noise',
  id: 17,
  levels: COMBOS.map(([length, ev], rank) => ({
    name: `blur_lowlight_noise.level.${rank + 1}`,
    series: 'level',
    rank,
    spec: { length, ev },
  })),
  draw: (rng, spec) => {
    const motion = sampleMotion(rng, spec.length);
    // LOL-Blur is noticeably noisy: raise the sensor noise over the plain low-light type.
    const ll = sampleLowLight(rng, spec.ev);
    return { motion, lowLight: { ...ll, shot: ll.shot * 2, read: ll.read * 4 } };
  },
  apply: (img, p, rng) => applyLowLight(applyMotion(img, p.motion), p.lowLight, rng),
});
