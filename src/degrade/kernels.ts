/**
 * BasicSR's blur-kernel family (basicsr/data/degradations.py): isotropic / anisotropic Gaussian, generalised
 * Gaussian, plateau, the circular low-pass (sinc) kernel, and `random_mixed_kernels`. Kernels are float64,
 * square, odd-sized, row-major with element [r][c] at (x, y) = (c − k//2, r − k//2), normalised to sum 1.
 * Sampling is split from construction: `sample*` draws a JSON-serialisable `KernelSpec`, `buildKernel` turns a
 * spec into numbers, so a recorded spec regenerates the exact kernel.
 */
import type { Rng } from '../tensor/rng.js';
import { besselJ1 } from './bessel.js';

/** A square float64 kernel. */
export interface Kernel {
  size: number;
  data: Float64Array;
}

export type KernelFamily =
  | 'iso'
  | 'aniso'
  | 'generalized_iso'
  | 'generalized_aniso'
  | 'plateau_iso'
  | 'plateau_aniso'
  | 'sinc';

/** Everything needed to rebuild a kernel; `padTo` zero-pads symmetrically (BasicSR pads every kernel to 21). */
export type KernelSpec =
  | { family: 'iso' | 'aniso'; size: number; sigX: number; sigY: number; theta: number; padTo?: number }
  | {
      family: 'generalized_iso' | 'generalized_aniso' | 'plateau_iso' | 'plateau_aniso';
      size: number;
      sigX: number;
      sigY: number;
      theta: number;
      beta: number;
      padTo?: number;
    }
  | { family: 'sinc'; size: number; cutoff: number; padTo?: number };

function checkOdd(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size % 2 !== 1)
    throw new RangeError(`kernel size must be odd, got ${size}`);
}

/**
 * Inverse of the covariance U·diag(sx², sy²)·Uᵀ (isotropic: sx² I). Returned as [a, b, c, d] = [[a, b], [c, d]].
 * Computed like numpy's LU-based inverse up to rounding (≈1e-16 relative), far below the 1e-12 target.
 */
function inverseSigma(sigX: number, sigY: number, theta: number, isotropic: boolean): [number, number, number, number] {
  let s00: number;
  let s01: number;
  let s10: number;
  let s11: number;
  if (isotropic) {
    s00 = sigX * sigX;
    s11 = sigX * sigX;
    s01 = 0;
    s10 = 0;
  } else {
    const c = Math.cos(theta);
    const s = Math.sin(theta);
    const dx = sigX * sigX;
    const dy = sigY * sigY;
    // U D Uᵀ with U = [[c, −s], [s, c]].
    s00 = c * dx * c + -s * dy * -s;
    s01 = c * dx * s + -s * dy * c;
    s10 = s * dx * c + c * dy * -s;
    s11 = s * dx * s + c * dy * c;
  }
  const det = s00 * s11 - s01 * s10;
  return [s11 / det, -s01 / det, -s10 / det, s00 / det];
}

/** q(x, y) = gᵀ Σ⁻¹ g on the k×k grid, with g = (x, y) as numpy's `np.dot(grid, inv) * grid` sums it. */
function quadraticForm(size: number, inv: [number, number, number, number]): Float64Array {
  const [a, b, c, d] = inv;
  const half = (size - 1) / 2;
  const q = new Float64Array(size * size);
  for (let r = 0; r < size; r++) {
    const y = r - half;
    for (let col = 0; col < size; col++) {
      const x = col - half;
      q[r * size + col] = (x * a + y * c) * x + (x * b + y * d) * y;
    }
  }
  return q;
}

function normalise(k: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < k.length; i++) s += k[i] as number;
  for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / s;
  return k;
}

/** `bivariate_Gaussian`: exp(−q/2), normalised. */
export function bivariateGaussian(size: number, sigX: number, sigY: number, theta: number, isotropic: boolean): Kernel {
  checkOdd(size);
  const q = quadraticForm(size, inverseSigma(sigX, sigY, theta, isotropic));
  for (let i = 0; i < q.length; i++) q[i] = Math.exp(-0.5 * (q[i] as number));
  return { size, data: normalise(q) };
}

/** `bivariate_generalized_Gaussian`: exp(−q^β / 2), normalised. */
export function bivariateGeneralizedGaussian(
  size: number,
  sigX: number,
  sigY: number,
  theta: number,
  beta: number,
  isotropic: boolean,
): Kernel {
  checkOdd(size);
  const q = quadraticForm(size, inverseSigma(sigX, sigY, theta, isotropic));
  for (let i = 0; i < q.length; i++) q[i] = Math.exp(-0.5 * (q[i] as number) ** beta);
  return { size, data: normalise(q) };
}

/** `bivariate_plateau`: 1 / (q^β + 1), normalised. */
export function bivariatePlateau(
  size: number,
  sigX: number,
  sigY: number,
  theta: number,
  beta: number,
  isotropic: boolean,
): Kernel {
  checkOdd(size);
  const q = quadraticForm(size, inverseSigma(sigX, sigY, theta, isotropic));
  for (let i = 0; i < q.length; i++) q[i] = 1 / ((q[i] as number) ** beta + 1);
  return { size, data: normalise(q) };
}

/** `circular_lowpass_kernel` (2-D sinc): cutoff·J1(cutoff·r)/(2πr), centre cutoff²/(4π), normalised. */
export function circularLowpassKernel(cutoff: number, size: number, padTo = 0): Kernel {
  checkOdd(size);
  const half = (size - 1) / 2;
  const k = new Float64Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const rad = Math.sqrt((r - half) ** 2 + (c - half) ** 2);
      k[r * size + c] = (cutoff * besselJ1(cutoff * rad)) / (2 * Math.PI * rad);
    }
  }
  k[half * size + half] = (cutoff * cutoff) / (4 * Math.PI);
  const out = { size, data: normalise(k) };
  return padTo > size ? padKernel(out, padTo) : out;
}

/** Zero-pads symmetrically to `to`×`to` (np.pad with (to−k)//2 on every side). */
export function padKernel(k: Kernel, to: number): Kernel {
  if (to <= k.size) return k;
  const p = Math.floor((to - k.size) / 2);
  const n = k.size + 2 * p;
  const data = new Float64Array(n * n);
  for (let r = 0; r < k.size; r++) data.set(k.data.subarray(r * k.size, (r + 1) * k.size), (r + p) * n + p);
  return { size: n, data };
}

/** Builds the kernel a spec describes (deterministic). */
export function buildKernel(spec: KernelSpec): Kernel {
  let k: Kernel;
  switch (spec.family) {
    case 'iso':
    case 'aniso':
      k = bivariateGaussian(spec.size, spec.sigX, spec.sigY, spec.theta, spec.family === 'iso');
      break;
    case 'generalized_iso':
    case 'generalized_aniso':
      k = bivariateGeneralizedGaussian(
        spec.size,
        spec.sigX,
        spec.sigY,
        spec.theta,
        spec.beta,
        spec.family === 'generalized_iso',
      );
      break;
    case 'plateau_iso':
    case 'plateau_aniso':
      k = bivariatePlateau(spec.size, spec.sigX, spec.sigY, spec.theta, spec.beta, spec.family === 'plateau_iso');
      break;
    case 'sinc':
      k = circularLowpassKernel(spec.cutoff, spec.size);
      break;
  }
  return spec.padTo !== undefined ? padKernel(k, spec.padTo) : k;
}

/** Options of `random_mixed_kernels` (BasicSR defaults). */
export interface MixedKernelOptions {
  families: readonly Exclude<KernelFamily, 'sinc'>[];
  probs: readonly number[];
  sigmaXRange: readonly [number, number];
  sigmaYRange: readonly [number, number];
  rotationRange: readonly [number, number];
  betaGRange: readonly [number, number];
  betaPRange: readonly [number, number];
}

/** MaskDCPT's Gaussian-blur dataset and Real-ESRGAN's first kernel use these lists and ranges. */
export const BASICSR_MIXED: MixedKernelOptions = {
  families: ['iso', 'aniso', 'generalized_iso', 'generalized_aniso', 'plateau_iso', 'plateau_aniso'],
  probs: [0.45, 0.25, 0.12, 0.03, 0.12, 0.03],
  sigmaXRange: [0.2, 3],
  sigmaYRange: [0.2, 3],
  rotationRange: [-Math.PI, Math.PI],
  betaGRange: [0.5, 4],
  betaPRange: [1, 2],
};

/**
 * BasicSR draws β below 1 or above 1 with probability ½ each (`uniform(lo, 1)` or `uniform(1, hi)`); with
 * β_p ∈ [1, 2] that means β = 1 exactly half the time. Kept as is.
 */
function sampleBeta(rng: Rng, range: readonly [number, number]): number {
  return rng.random() < 0.5 ? rng.uniform(range[0], 1) : rng.uniform(1, range[1]);
}

/** `random_mixed_kernels`: picks a family by probability and draws its parameters (no multiplicative noise). */
export function sampleMixedKernel(rng: Rng, size: number, opts: MixedKernelOptions = BASICSR_MIXED): KernelSpec {
  checkOdd(size);
  const family = rng.choice(opts.families, opts.probs);
  const iso = family.endsWith('iso') && !family.endsWith('aniso');
  const sigX = rng.uniform(opts.sigmaXRange[0], opts.sigmaXRange[1]);
  const sigY = iso ? sigX : rng.uniform(opts.sigmaYRange[0], opts.sigmaYRange[1]);
  const theta = iso ? 0 : rng.uniform(opts.rotationRange[0], opts.rotationRange[1]);
  if (family === 'iso' || family === 'aniso') return { family, size, sigX, sigY, theta };
  const beta = sampleBeta(rng, family.startsWith('generalized') ? opts.betaGRange : opts.betaPRange);
  return { family, size, sigX, sigY, theta, beta };
}

/** Odd kernel sizes 7..21 as MaskDCPT / Real-ESRGAN draw them. */
export const KERNEL_SIZES = [7, 9, 11, 13, 15, 17, 19, 21] as const;

/**
 * MaskDCPT `PairedImageGaussianBlurDataset` kernel: odd size 7–21; with p = 0.1 a sinc with ω_c ~ U(π/3, π)
 * (size < 13) or U(π/5, π); otherwise `random_mixed_kernels`; always zero-padded to 21.
 */
export function sampleBasicsrBlurKernel(
  rng: Rng,
  sincProb = 0.1,
  opts: MixedKernelOptions = BASICSR_MIXED,
): KernelSpec {
  const size = rng.choice(KERNEL_SIZES);
  if (rng.random() < sincProb) {
    const cutoff = size < 13 ? rng.uniform(Math.PI / 3, Math.PI) : rng.uniform(Math.PI / 5, Math.PI);
    return { family: 'sinc', size, cutoff, padTo: 21 };
  }
  return { ...sampleMixedKernel(rng, size, opts), padTo: 21 };
}
