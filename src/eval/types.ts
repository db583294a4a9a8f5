/**
 * The vocabulary of evaluation: a suite is a list of tasks; a task is one dataset with one way of making the
 * low-quality input; the runner feeds each input to a `Restorer` (any function from raster to raster) and
 * measures the result. Rows and summaries are plain JSON so reports can read them without this code.
 */
import type { Raster } from '../io/raster.js';

/** What the restorer is told about the image it restores (for logging or task-aware models). */
export interface RestoreContext {
  suite: string;
  /** Task id, e.g. `denoise/cbsd68/s25`. */
  taskId: string;
  /** Task kind, e.g. `denoise`. */
  task: string;
  image: string;
}

/** Anything that restores: the identity, a loaded network, a classical filter, a remote service. */
export type Restorer = (lq: Raster, ctx: RestoreContext) => Raster | Promise<Raster>;

/** A benchmark folder under the data root (or an absolute folder). */
export interface DatasetSpec {
  /** Display name, e.g. `CBSD68`. */
  name: string;
  /** Folder, relative to the data root unless absolute. */
  dir: string;
  /** 1 = grey set (read and measured as one channel), 3 = colour (grey files are expanded), 'any' = as stored. */
  channels: 1 | 3 | 'any';
  /** Paired sets: sub-folders of degraded inputs and clean targets, matched by file name. */
  pairs?: { input: string; target: string };
}

/** How a task's low-quality input comes about. */
export type LqSource =
  /** A level of the degradation engine applied to the clean image (see `seeding`). */
  | { kind: 'synthesize'; level: string; seeding: Seeding }
  /** The dataset's own degraded input (paired sets). */
  | { kind: 'paired' }
  /** No-reference: the image itself is the input; there is no ground truth. */
  | { kind: 'as-is' };

/**
 * `fixed`: every image gets a fresh generator with the same seed, as the official test code calls
 * `np.random.seed(0)` before every image (so equally sized images get the same noise field).
 * `per-image`: the generator is seeded with `<salt>/<image name>`, frozen but different per image (used for
 * the synthetic dehaze / deblur / low-light tasks, so that kernels and airlights vary across images).
 */
export type Seeding = { kind: 'fixed'; seed: number } | { kind: 'per-image'; salt: string };

export interface EvalTask {
  /** Unique within the suite, e.g. `denoise/cbsd68/s25`. */
  id: string;
  /** Column group of the paper's tables: denoise, jpeg, derain, dehaze, deblur, low-light, no-reference. */
  task: string;
  /** Human label, e.g. `CBSD68 σ25`. */
  label: string;
  dataset: DatasetSpec;
  lq: LqSource;
}

export interface EvalSuite {
  name: string;
  description: string;
  /** Full-reference suites report PSNR/SSIM; no-reference suites PIQE/NIQE/BRISQUE of input and output. */
  kind: 'full-reference' | 'no-reference';
  tasks: EvalTask[];
}

/** One evaluated image. */
export interface EvalRow {
  taskId: string;
  task: string;
  label: string;
  dataset: string;
  image: string;
  width: number;
  height: number;
  channels: number;
  /** `psnr`, `ssim` (full-reference) or `piqe_in`, `piqe_out`, `niqe_in`, ... (no-reference). */
  metrics: Record<string, number>;
  /** Wall time of the restorer alone. */
  seconds: number;
}

export interface TaskSummary {
  taskId: string;
  task: string;
  label: string;
  dataset: string;
  images: number;
  /** Mean over the task's images of each metric (the dataset value, as BasicSR reports it). */
  means: Record<string, number>;
  /** Metric name → the convention it was computed under, e.g. `maskdcpt, RGB, crop 0`. */
  conventions: Record<string, string>;
}

export interface EvalResult {
  suite: string;
  description: string;
  kind: EvalSuite['kind'];
  /** Metric columns in display order. */
  metrics: string[];
  rows: EvalRow[];
  tasks: TaskSummary[];
  /** Mean of the task means (the paper's "Avg" column). */
  average: Record<string, number>;
  /** Total wall time of the run. */
  seconds: number;
}

export interface EvalProgress {
  suite: string;
  taskId: string;
  label: string;
  image: string;
  /** 1-based position over the whole run, and its length. */
  done: number;
  total: number;
  row: EvalRow;
}
