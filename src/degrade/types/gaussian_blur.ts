/**
 * Type 5 (GB): Gaussian & sinc blur with BasicSR kernels. `blur.basicsr` is exactly MaskDCPT's
 * `PairedImageGaussianBlurDataset` distribution; the other series pin the severity.
 */
import { defineDegradation, fmt, type LevelDef } from '../degradation.js';
import { filter2D } from '../filter.js';
import { buildKernel, type KernelSpec, sampleBasicsrBlurKernel } from '../kernels.js';

type Spec =
  | { kind: 'iso'; sigma: number }
  | { kind: 'aniso'; sigma: number }
  | { kind: 'sinc'; cutoff: number }
  | { kind: 'basicsr' };

/** Smallest odd size ≥ 21 covering ±3σ. */
const sizeFor = (sigma: number) => Math.max(21, 2 * Math.ceil(3 * sigma) + 1);

const levels: LevelDef<Spec>[] = [
  ...[0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4].map((sigma, rank) => ({
    name: `gaussian_blur.iso.s${fmt(sigma)}`,
    series: 'iso',
    rank,
    spec: { kind: 'iso', sigma } as Spec,
  })),
  ...[1, 1.5, 2, 2.5, 3].map((sigma, rank) => ({
    name: `gaussian_blur.aniso.s${fmt(sigma)}`,
    series: 'aniso',
    rank,
    spec: { kind: 'aniso', sigma } as Spec,
  })),
  // Cutoff as a fraction of π; BasicSR draws ω_c in [π/5, π].
  ...[1, 0.8, 0.6, 0.45, 0.35, 0.25, 0.2].map((f, rank) => ({
    name: `gaussian_blur.sinc.w${fmt(f)}pi`,
    series: 'sinc',
    rank,
    spec: { kind: 'sinc', cutoff: f * Math.PI } as Spec,
  })),
  { name: 'gaussian_blur.basicsr.mixed', series: 'basicsr', rank: 0, spec: { kind: 'basicsr' } },
];

export const gaussianBlurType = defineDegradation<Spec, { kernel: KernelSpec }>({
  name: 'gaussian_blur',
  id: 5,
  levels,
  draw(rng, spec) {
    switch (spec.kind) {
      case 'iso':
        return { kernel: { family: 'iso', size: sizeFor(spec.sigma), sigX: spec.sigma, sigY: spec.sigma, theta: 0 } };
      case 'aniso': {
        // Minor axis as a random fraction of the major one; orientation uniform.
        const ratio = rng.uniform(0.1, 1);
        const theta = rng.uniform(-Math.PI, Math.PI);
        const k: KernelSpec = {
          family: 'aniso',
          size: sizeFor(spec.sigma),
          sigX: spec.sigma,
          sigY: ratio * spec.sigma,
          theta,
        };
        return { kernel: k };
      }
      case 'sinc':
        return { kernel: { family: 'sinc', size: 21, cutoff: spec.cutoff } };
      case 'basicsr':
        return { kernel: sampleBasicsrBlurKernel(rng) };
    }
  },
  apply: (img, p) => filter2D(img, buildKernel(p.kernel)),
});
