/** Type 1 (GN): synthetic noise: Gaussian (colour and grey), Poisson (Real-ESRGAN), salt & pepper, speckle. */
import { defineDegradation, fmt, type LevelDef } from '../degradation.js';
import { addGaussianNoise, addPoissonNoise, addSaltPepper, addSpeckle } from '../noise.js';

export type NoiseParams =
  | { kind: 'gaussian'; sigma: number; grey: boolean }
  | { kind: 'poisson'; scale: number; grey: boolean }
  | { kind: 'saltpepper'; amount: number }
  | { kind: 'speckle'; variance: number };

const levels: LevelDef<NoiseParams>[] = [];
const push = (series: string, label: string, values: number[], make: (v: number) => NoiseParams) =>
  values.forEach((v, rank) => {
    levels.push({ name: `noise.${series}.${label}${fmt(v)}`, series, rank, spec: make(v) });
  });
// σ on the 0–255 scale, as papers quote it; MaskDCPT's test σ are 15/25/50 (ID) and 60/75 (OOD).
push('gaussian', 's', [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75], (s) => ({
  kind: 'gaussian',
  sigma: s / 255,
  grey: false,
}));
push('gaussian_grey', 's', [10, 20, 30, 40, 50], (s) => ({ kind: 'gaussian', sigma: s / 255, grey: true }));
// Real-ESRGAN Poisson scale range is [0.05, 3].
push('poisson', 'k', [0.5, 1, 1.5, 2, 3], (k) => ({ kind: 'poisson', scale: k, grey: false }));
push('saltpepper', 'p', [0.005, 0.01, 0.02, 0.05, 0.1], (p) => ({ kind: 'saltpepper', amount: p }));
push('speckle', 'v', [0.01, 0.02, 0.05, 0.1, 0.2], (v) => ({ kind: 'speckle', variance: v }));

export const noiseType = defineDegradation<NoiseParams, NoiseParams>({
  name: 'noise',
  id: 1,
  levels,
  draw: (_rng, spec) => ({ ...spec }),
  apply(img, p, rng) {
    switch (p.kind) {
      case 'gaussian':
        return addGaussianNoise(img, p.sigma, rng, { grey: p.grey });
      case 'poisson':
        return addPoissonNoise(img, p.scale, rng, { grey: p.grey });
      case 'saltpepper':
        return addSaltPepper(img, p.amount, rng);
      case 'speckle':
        return addSpeckle(img, p.variance, rng);
    }
  },
});
