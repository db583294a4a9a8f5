/**
 * Evaluation of trained runs on the study's suites (real benchmark images from ../shared/data), through the
 * library's `evaluate` + `modelRestorer` (MaskDCPT's test protocol: reflect-pad, no re-quantisation, RGB PSNR,
 * BasicSR SSIM). Results are cached next to the checkpoint (eval-<suite>-l<limit>.json), so items sharing a
 * model measure it once.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../src/archs/load.js';
import { DATASETS } from '../../src/eval/datasets.js';
import { identityRestorer, modelRestorer } from '../../src/eval/restorers.js';
import { evaluate } from '../../src/eval/runner.js';
import { denoiseTask, getSuite, NOISE_SEED } from '../../src/eval/suites.js';
import type { EvalResult, EvalSuite, EvalTask } from '../../src/eval/types.js';
import type { RunRecord } from './runs.js';

/** Level of the left-out-type test (item 4): mid-range snow on Kodak24, frozen per-image seeds. */
export const SNOW_LEVEL = 'snow.density.3';

function snowTask(): EvalTask {
  const id = `desnow/kodak24/${SNOW_LEVEL}`;
  return {
    id,
    task: 'desnow',
    label: `Kodak24 synthetic snow (${SNOW_LEVEL})`,
    dataset: DATASETS.kodak24,
    lq: { kind: 'synthesize', level: SNOW_LEVEL, seeding: { kind: 'per-image', salt: id } },
  };
}

/** The study's suites by name; `denoise-ood` here is CBSD68 and Kodak24 at σ 25 (seen) and 60/75 (unseen). */
export function studySuite(name: string): EvalSuite {
  if (name === 'denoise-ood') {
    const sets = [
      ['cbsd68', DATASETS.cbsd68],
      ['kodak24', DATASETS.kodak24],
    ] as const;
    return {
      name,
      description: `Gaussian colour denoising on CBSD68 and Kodak24: σ25 (5D training level) and σ60/75 (never trained on); noise seed ${NOISE_SEED} per image`,
      kind: 'full-reference',
      tasks: sets.flatMap(([key, d]) => [25, 60, 75].map((s) => denoiseTask(d, key, s))),
    };
  }
  if (name === 'snow') {
    return { name, description: 'desnowing of synthetic snow on Kodak24 (a type left out of pre-training)', kind: 'full-reference', tasks: [snowTask()] };
  }
  return getSuite(name);
}

/** What the study keeps of an evaluation: per-task means and the suite average, plus the images used. */
export interface EvalSummary {
  suite: string;
  limit: number;
  seconds: number;
  average: Record<string, number>;
  tasks: { taskId: string; label: string; images: number; means: Record<string, number> }[];
}

function summarise(r: EvalResult, limit: number): EvalSummary {
  return {
    suite: r.suite,
    limit,
    seconds: r.seconds,
    average: r.average,
    tasks: r.tasks.map((t) => ({ taskId: t.taskId, label: t.label, images: t.images, means: t.means })),
  };
}

/** Evaluates a run's final weights (EMA) on a suite, or reads the cached result. */
export async function evalRun(run: RunRecord, suite: string, dataRoot: string, limit: number, log: (l: string) => void): Promise<EvalSummary> {
  const cache = join(run.dir, `eval-${suite}-l${limit}-it${run.iters}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as EvalSummary;
  log(`  eval ${run.name} on ${suite} (${limit} images per task)`);
  const model = await loadModel(run.checkpoint);
  try {
    const r = await evaluate(studySuite(suite), modelRestorer(model), { dataRoot, limit });
    const s = summarise(r, limit);
    writeFileSync(cache, `${JSON.stringify(s, null, 2)}\n`);
    return s;
  } finally {
    model.dispose();
  }
}

/** The degraded inputs themselves (output = input): the floor every model should beat. */
export async function evalInput(suite: string, dataRoot: string, limit: number): Promise<EvalSummary> {
  return summarise(await evaluate(studySuite(suite), identityRestorer, { dataRoot, limit }), limit);
}

export interface RunInfo {
  name: string;
  command: string;
  seed: number;
  iters: number;
  trainSeconds: number;
  lastVal: Record<string, number> | null;
}

/** A compact per-run view for the results JSON. */
export function runInfo(r: RunRecord): RunInfo {
  return { name: r.name, command: r.command, seed: r.seed, iters: r.iters, trainSeconds: Number(r.seconds.toFixed(1)), lastVal: r.lastVal };
}
