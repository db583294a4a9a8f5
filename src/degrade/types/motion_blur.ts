/** Type 3 (MB): camera-shake motion blur from random trajectories. */
import type { Rng } from '../../tensor/rng.js';
import { defineDegradation } from '../degradation.js';
import { filter2D } from '../filter.js';
import { randomTrajectory, trajectoryKernel } from '../motion.js';

export interface MotionParams {
  /** Unit-extent trajectory (x0, y0, x1, y1, …), recorded so the kernel is rebuilt exactly. */
  points: number[];
  /** Extent in pixels. */
  length: number;
}

export const MOTION_LENGTHS = [3, 5, 7, 9, 11, 15, 19, 25, 31, 41];

export function sampleMotion(rng: Rng, length: number): MotionParams {
  return { points: randomTrajectory(rng), length };
}

export function applyMotion(img: Parameters<typeof filter2D>[0], p: MotionParams) {
  return filter2D(img, trajectoryKernel(p.points, p.length));
}

export const motionBlurType = defineDegradation<{ length: number }, MotionParams>({
  name: 'motion_blur',
  id: 3,
  levels: MOTION_LENGTHS.map((length, rank) => ({
    name: `motion_blur.len.${length}`,
    series: 'len',
    rank,
    spec: { length },
  })),
  draw: (rng, spec) => sampleMotion(rng, spec.length),
  apply: (img, p) => applyMotion(img, p),
});
