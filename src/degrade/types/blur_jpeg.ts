/** Type 15: blur + JPEG (REDS / RealBlur-J style): camera-shake motion blur, then JPEG compression. */
import { defineDegradation } from '../degradation.js';
import { jpegRoundTrip } from '../jpeg.js';
import { applyMotion, type MotionParams, sampleMotion } from './motion_blur.js';

/** (motion length px, JPEG quality) per level. */
const COMBOS: [number, number][] = [
  [5, 80],
  [9, 65],
  [13, 50],
  [17, 40],
  [23, 30],
  [31, 20],
];

export const blurJpegType = defineDegradation<
  { length: number; quality: number },
  { motion: MotionParams; quality: number }
>({
  name: 'blur_jpeg',
  id: 15,
  levels: COMBOS.map(([length, quality], rank) => ({
    name: `blur_jpeg.level.${rank + 1}`,
    series: 'level',
    rank,
    spec: { length, quality },
  })),
  draw: (rng, spec) => ({ motion: sampleMotion(rng, spec.length), quality: spec.quality }),
  apply: (img, p) => jpegRoundTrip(applyMotion(img, p.motion), p.quality),
});
