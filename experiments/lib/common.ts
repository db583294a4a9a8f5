/**
 * What every study script shares: its command-line flags (with the study's default scale), the banner that
 * prints the exact command and seeds, and the results file with its provenance (command, seeds, threads, wall
 * time, commit). Results go to experiments/results/<item>.json; experiments/render.ts turns them into
 * docs/results.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setNumThreads } from '../../src/tensor/index.js';

export const RESULTS_DIR = 'experiments/results';

/** The study's scale (see docs/results.md for why these numbers): a main arm and a cheaper ablation arm. */
export const SCALE = {
  main: { arch: 'nafnet-small', seeds: '0,1', pretrainIters: 200, finetuneIters: 200, limit: 5 },
  ablation: { arch: 'nafnet-tiny', seeds: '0', pretrainIters: 150, finetuneIters: 150, limit: 5 },
} as const;

export interface StudyArgs {
  arch: string;
  seeds: number[];
  pretrainIters: number;
  finetuneIters: number;
  /** Images per evaluation task (the first in natural order). */
  limit: number;
  threads: number;
  dataRoot: string;
  runs: string;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer, got '${v}'`);
  return n;
}

/** Parses the shared flags; `scale` picks the defaults. Unknown flags are errors. */
export function parseStudyArgs(scale: keyof typeof SCALE): StudyArgs {
  const d = SCALE[scale];
  const { values } = parseArgs({
    options: {
      arch: { type: 'string', default: d.arch },
      seeds: { type: 'string', default: d.seeds },
      'pretrain-iters': { type: 'string', default: String(d.pretrainIters) },
      'finetune-iters': { type: 'string', default: String(d.finetuneIters) },
      limit: { type: 'string', default: String(d.limit) },
      threads: { type: 'string', default: '2' },
      'data-root': { type: 'string', default: '../shared/data' },
      runs: { type: 'string', default: 'experiments/runs' },
    },
    strict: true,
  });
  const seeds = values.seeds.split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--seeds must be a comma-separated list of integers >= 0, got '${values.seeds}'`);
    return n;
  });
  const a: StudyArgs = {
    arch: values.arch,
    seeds,
    pretrainIters: positiveInt(values['pretrain-iters'], 'pretrain-iters'),
    finetuneIters: positiveInt(values['finetune-iters'], 'finetune-iters'),
    limit: positiveInt(values.limit, 'limit'),
    threads: positiveInt(values.threads, 'threads'),
    dataRoot: values['data-root'],
    runs: values.runs,
  };
  setNumThreads(a.threads);
  return a;
}

/** The exact command that reproduces this run (flags spelled out, defaults included). */
export function commandLine(script: string, a: StudyArgs): string {
  // OpenMP's spin-waiting threads make 2-thread steps 5-20x slower when other processes share the cores.
  const omp = process.env.OMP_WAIT_POLICY ? `OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY} ` : '';
  return [
    `${omp}node --import tsx experiments/${script}.ts`,
    `--arch ${a.arch} --seeds ${a.seeds.join(',')}`,
    `--pretrain-iters ${a.pretrainIters} --finetune-iters ${a.finetuneIters}`,
    `--limit ${a.limit} --threads ${a.threads} --data-root ${a.dataRoot} --runs ${a.runs}`,
  ].join(' ');
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'experiments/lib', 'experiments/configs'], { encoding: 'utf8' }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

export interface Study {
  item: string;
  command: string;
  args: StudyArgs;
  started: Date;
  log(line: string): void;
  /** Writes experiments/results/<item>.json with provenance around `data`. */
  finish(data: Record<string, unknown>): string;
}

export function startStudy(item: string, script: string, a: StudyArgs): Study {
  const command = commandLine(script, a);
  const started = new Date();
  const log = (line: string) => console.log(line);
  log(`# ${item}: ${command}`);
  log(`# seeds ${a.seeds.join(', ')}; ${a.threads} threads; started ${started.toISOString()}`);
  return {
    item,
    command,
    args: a,
    started,
    log,
    finish(data) {
      const finished = new Date();
      const out = {
        item,
        command,
        seeds: a.seeds,
        threads: a.threads,
        args: a,
        commit: gitCommit(),
        machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
        started: started.toISOString(),
        finished: finished.toISOString(),
        wallSeconds: (finished.getTime() - started.getTime()) / 1000,
        ...data,
      };
      mkdirSync(RESULTS_DIR, { recursive: true });
      const file = join(RESULTS_DIR, `${item}.json`);
      writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
      log(`# wrote ${file} (${out.wallSeconds.toFixed(0)} s)`);
      return file;
    },
  };
}

export const mean = (xs: readonly number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
/** Sample standard deviation (n − 1); 0 for a single value. */
export const sd = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, v) => s + (v - m) ** 2, 0) / (xs.length - 1));
};
export const summary = (xs: readonly number[]) => ({ mean: mean(xs), sd: sd(xs), n: xs.length, values: [...xs] });
