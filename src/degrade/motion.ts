/**
 * Camera-shake motion blur from random trajectories, in the spirit of Boracchi & Foi (2012) as used by
 * DeblurGAN: a 2-D random walk with inertia (velocity plus Gaussian acceleration and occasional jerks) is
 * traced, centred and scaled to a requested extent, then splatted bilinearly onto an odd kernel grid. The
 * trajectory points are part of the sample parameters, so a kernel is rebuilt exactly from its params.
 */
import type { Rng } from '../tensor/rng.js';
import type { FilterKernel } from './filter.js';

export interface TrajectoryOptions {
  /** Number of trajectory samples (exposure time resolution). */
  steps?: number;
  /** Std of the Gaussian acceleration relative to the step speed (shake). */
  jitter?: number;
  /** Probability of an abrupt jerk per step. */
  jerkProb?: number;
}

/** A unit-extent trajectory: points (x0, y0, x1, y1, …) centred on their mean, max |offset| ≈ 0.5. */
export function randomTrajectory(rng: Rng, opts: TrajectoryOptions = {}): number[] {
  const steps = opts.steps ?? 48;
  const jitter = opts.jitter ?? 0.35;
  const jerkProb = opts.jerkProb ?? 0.03;
  let angle = rng.uniform(-Math.PI, Math.PI);
  let vx = Math.cos(angle);
  let vy = Math.sin(angle);
  let x = 0;
  let y = 0;
  const pts: number[] = [];
  for (let i = 0; i < steps; i++) {
    pts.push(x, y);
    if (rng.random() < jerkProb) angle += rng.uniform(-Math.PI / 2, Math.PI / 2);
    vx += jitter * rng.normal() + 0.2 * Math.cos(angle);
    vy += jitter * rng.normal() + 0.2 * Math.sin(angle);
    const n = Math.hypot(vx, vy) || 1;
    vx /= n;
    vy /= n;
    x += vx;
    y += vy;
  }
  let mx = 0;
  let my = 0;
  for (let i = 0; i < pts.length; i += 2) {
    mx += pts[i] as number;
    my += pts[i + 1] as number;
  }
  mx /= steps;
  my /= steps;
  let ext = 0;
  for (let i = 0; i < pts.length; i += 2) {
    pts[i] = (pts[i] as number) - mx;
    pts[i + 1] = (pts[i + 1] as number) - my;
    ext = Math.max(ext, Math.abs(pts[i] as number), Math.abs(pts[i + 1] as number));
  }
  const s = ext > 0 ? 0.5 / ext : 0;
  return pts.map((v) => v * s);
}

/** A straight linear-motion trajectory of unit length at angle θ (used for rain streaks too). */
export function lineTrajectory(theta: number, steps = 32): number[] {
  const pts: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = i / (steps - 1) - 0.5;
    pts.push(t * Math.cos(theta), t * Math.sin(theta));
  }
  return pts;
}

/**
 * Rasterises a unit trajectory scaled by `length` pixels into a normalised odd kernel: every segment gets equal
 * exposure, spread by bilinear splatting at points ≤ 0.25 px apart, so the kernel is a continuous path.
 */
export function trajectoryKernel(points: readonly number[], length: number): FilterKernel {
  const n = points.length / 2;
  let maxOff = 0;
  for (const v of points) maxOff = Math.max(maxOff, Math.abs(v * length));
  const half = Math.ceil(maxOff) + 1;
  const size = 2 * half + 1;
  const k = new Float64Array(size * size);
  const splat = (px: number, py: number, w: number) => {
    const fx = Math.floor(px);
    const fy = Math.floor(py);
    const ax = px - fx;
    const ay = py - fy;
    const put = (xx: number, yy: number, v: number) => {
      if (xx >= 0 && xx < size && yy >= 0 && yy < size) k[yy * size + xx] = (k[yy * size + xx] as number) + v;
    };
    put(fx, fy, w * (1 - ax) * (1 - ay));
    put(fx + 1, fy, w * ax * (1 - ay));
    put(fx, fy + 1, w * (1 - ax) * ay);
    put(fx + 1, fy + 1, w * ax * ay);
  };
  if (n === 1) splat((points[0] as number) * length + half, (points[1] as number) * length + half, 1);
  // Equal exposure per segment, sampled at sub-segment midpoints (≤ 0.25 px apart): symmetric for a line.
  for (let i = 0; i + 1 < n; i++) {
    const x0 = (points[2 * i] as number) * length + half;
    const y0 = (points[2 * i + 1] as number) * length + half;
    const x1 = (points[2 * i + 2] as number) * length + half;
    const y1 = (points[2 * i + 3] as number) * length + half;
    const sub = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 0.25));
    for (let s = 0; s < sub; s++) {
      const f = (s + 0.5) / sub;
      splat(x0 + (x1 - x0) * f, y0 + (y1 - y0) * f, 1 / sub);
    }
  }
  let sum = 0;
  for (const v of k) sum += v;
  for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / sum;
  return { width: size, height: size, data: k };
}
