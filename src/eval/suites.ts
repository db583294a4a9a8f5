/**
 * Named evaluation suites over the real benchmark sets of ../shared/data (see its README for provenance).
 *
 * Inputs follow MaskDCPT's test code (method.md §4.1): Gaussian noise is N(0, σ/255) added to the float image
 * and clipped, not re-quantised, with the generator re-seeded to the same seed before every image (the official
 * code calls `np.random.seed(0)` per image; we use our `Rng` with seed 0, so the noise values differ from
 * NumPy's but have the same law and the same per-image reseeding). JPEG inputs are OpenCV-identical encodes at
 * integer quality (grey sets are encoded as one-component JPEGs and measured on their single channel).
 *
 * Sets the paper uses but that are not available offline (SOTS, Rain100L, GoPro, LOL) are replaced by
 * synthetic degradations of Kodak24 from the degradation engine at one mid-range level each, seeded per image
 * from the task and image name, so the inputs are frozen: `5d-proxy` is the paper's 5D table with what exists.
 */
import { resolve } from 'node:path';
import { degradationForLevel } from '../degrade/registry.js';
import { Registry } from '../util/registry.js';
import { DATASETS } from './datasets.js';
import type { DatasetSpec, EvalSuite, EvalTask } from './types.js';

/** The seed every image's noise generator starts from (the official `np.random.seed(0)`). */
export const NOISE_SEED = 0;

/** Synthetic stand-ins on Kodak24: one level each, chosen near the middle of each series. */
export const SYNTHETIC_LEVELS = {
  /** β 0.9: input PSNR ≈ 14 dB on Kodak24, near SOTS-outdoor's hazy inputs. */
  dehaze: 'haze.beta.0.9',
  /** 15-pixel camera-shake trajectories. */
  deblur: 'motion_blur.len.15',
  /** 3 EV under-exposure with signal-dependent noise and 8-bit quantisation. */
  'low-light': 'low_light.ev.3',
} as const;

const TASK_LABELS: Record<keyof typeof SYNTHETIC_LEVELS, string> = {
  dehaze: 'haze',
  deblur: 'motion blur',
  'low-light': 'low light',
};

export function denoiseTask(d: DatasetSpec, key: string, sigma: number): EvalTask {
  return {
    id: `denoise/${key}/s${sigma}`,
    task: 'denoise',
    label: `${d.name} σ${sigma}`,
    dataset: d,
    lq: { kind: 'synthesize', level: `noise.gaussian.s${sigma}`, seeding: { kind: 'fixed', seed: NOISE_SEED } },
  };
}

export function jpegTask(d: DatasetSpec, key: string, quality: number): EvalTask {
  return {
    id: `jpeg/${key}/q${quality}`,
    task: 'jpeg',
    label: `${d.name} q${quality}`,
    dataset: d,
    // JPEG draws nothing; the seed is recorded only for uniformity.
    lq: { kind: 'synthesize', level: `jpeg.q.${quality}`, seeding: { kind: 'fixed', seed: 0 } },
  };
}

export function syntheticTask(task: keyof typeof SYNTHETIC_LEVELS): EvalTask {
  const level = SYNTHETIC_LEVELS[task];
  const id = `${task}/kodak24/${level}`;
  return {
    id,
    task,
    label: `Kodak24 synthetic ${TASK_LABELS[task]} (${level})`,
    dataset: DATASETS.kodak24,
    lq: { kind: 'synthesize', level, seeding: { kind: 'per-image', salt: id } },
  };
}

export function derainTask(): EvalTask {
  return {
    id: 'derain/rain100h',
    task: 'derain',
    label: 'Rain100H',
    dataset: DATASETS.rain100h,
    lq: { kind: 'paired' },
  };
}

export function noReferenceTask(d: DatasetSpec, key: string): EvalTask {
  return { id: `no-reference/${key}`, task: 'no-reference', label: d.name, dataset: d, lq: { kind: 'as-is' } };
}

/** A no-reference suite over any folder of images (PIQE/NIQE/BRISQUE before and after restoration). */
export function noReferenceSuite(folder: string, name = 'no-reference'): EvalSuite {
  // Resolved now: a folder named on the command line is relative to the working directory, not the data root.
  const d: DatasetSpec = { name: folder, dir: resolve(folder), channels: 'any' };
  return {
    name,
    description: `no-reference quality (PIQE, NIQE, BRISQUE) of ${folder}, before and after restoration`,
    kind: 'no-reference',
    tasks: [noReferenceTask(d, 'folder')],
  };
}

const COLOUR_DENOISE = [
  ['cbsd68', DATASETS.cbsd68],
  ['kodak24', DATASETS.kodak24],
  ['mcmaster', DATASETS.mcmaster],
] as const;
const denoiseTasks = (sigmas: number[]) =>
  COLOUR_DENOISE.flatMap(([key, d]) => sigmas.map((s) => denoiseTask(d, key, s)));

export const suites = new Registry<() => EvalSuite>('evaluation suite');

suites.register('denoise', () => ({
  name: 'denoise',
  description: 'Gaussian colour denoising, σ 15/25/50 (in distribution), on CBSD68, Kodak24 and McMaster',
  kind: 'full-reference',
  tasks: denoiseTasks([15, 25, 50]),
}));
suites.register('denoise-ood', () => ({
  name: 'denoise-ood',
  description: 'Gaussian colour denoising out of distribution, σ 60/75, on CBSD68, Kodak24 and McMaster',
  kind: 'full-reference',
  tasks: denoiseTasks([60, 75]),
}));
suites.register('jpeg', () => ({
  name: 'jpeg',
  description: 'JPEG artefact removal, q 10/20/30/40, on LIVE1 (colour) and Classic5 (grey)',
  kind: 'full-reference',
  tasks: [
    ...[10, 20, 30, 40].map((q) => jpegTask(DATASETS.live1, 'live1', q)),
    ...[10, 20, 30, 40].map((q) => jpegTask(DATASETS.classic5, 'classic5', q)),
  ],
}));
suites.register('derain', () => ({
  name: 'derain',
  description: 'deraining on the Rain100H test pairs',
  kind: 'full-reference',
  tasks: [derainTask()],
}));
suites.register('synthetic', () => ({
  name: 'synthetic',
  description: 'synthetic dehaze, deblur and low-light on Kodak24 (degradation engine, frozen per-image seeds)',
  kind: 'full-reference',
  tasks: [syntheticTask('dehaze'), syntheticTask('deblur'), syntheticTask('low-light')],
}));
suites.register('5d-proxy', () => ({
  name: '5d-proxy',
  description:
    "stand-in for the paper's 5D table: synthetic dehaze (Kodak24), Rain100H, CBSD68 σ25, synthetic deblur and low-light (Kodak24)",
  kind: 'full-reference',
  tasks: [
    syntheticTask('dehaze'),
    derainTask(),
    denoiseTask(DATASETS.cbsd68, 'cbsd68', 25),
    syntheticTask('deblur'),
    syntheticTask('low-light'),
  ],
}));
suites.register('real-nr', () => ({
  name: 'real-nr',
  description: 'no-reference quality on real photos without ground truth: DICM (low light) and RNI15 (noise)',
  kind: 'no-reference',
  tasks: [noReferenceTask(DATASETS.dicm, 'dicm'), noReferenceTask(DATASETS.rni15, 'rni15')],
}));

/** Suite names, including `no-reference` (which needs a folder). */
export function listSuites(): string[] {
  return [...suites.list(), 'no-reference'].sort();
}

/**
 * The suite called `name`. `no-reference` needs `folder`; unknown names list the valid ones. Every synthetic
 * level is checked against the degradation registry here, so a typo fails before any image is read.
 */
export function getSuite(name: string, options: { folder?: string } = {}): EvalSuite {
  let suite: EvalSuite;
  if (name === 'no-reference') {
    if (!options.folder) throw new Error('suite no-reference needs a folder of images (--folder <dir>)');
    suite = noReferenceSuite(options.folder);
  } else {
    if (!suites.has(name)) throw new Error(`unknown evaluation suite '${name}'; valid: ${listSuites().join(', ')}`);
    suite = suites.get(name)();
  }
  for (const t of suite.tasks) if (t.lq.kind === 'synthesize') degradationForLevel(t.lq.level);
  return suite;
}
