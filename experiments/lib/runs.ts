/**
 * Training runs of the study, each one `maskdcpt pretrain|finetune -c experiments/configs/<file> --set ...`.
 * A run is named by everything that changes it (arch, variant, steps, seed), so a run that one item trained is
 * reused by the others (item 1's models also serve items 3, 5 and 6) and an interrupted script resumes where
 * it stopped. Delete experiments/runs to retrain everything from nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listCheckpoints } from '../../src/train/checkpoints.js';
import { loadConfig } from '../../src/train/config.js';
import { formatEvent } from '../../src/train/run.js';
import { train } from '../../src/train/trainer.js';
import type { StudyArgs } from './common.js';

const CONFIGS = { pretrain: 'experiments/configs/pretrain.yaml', finetune: 'experiments/configs/finetune-5d.yaml' } as const;

/** Pre-training variants: the `--set` overrides that define each (item 2's ablations, item 4's left-out type). */
export const PRETRAIN_VARIANTS: Record<string, { label: string; sets: string[] }> = {
  maskdcpt: { label: 'MaskDCPT (mask 0.5, λ 1, γ 2)', sets: [] },
  'mask0': { label: 'mask ratio 0', sets: ['maskdcpt.maskRatio=0'] },
  'mask0.25': { label: 'mask ratio 0.25', sets: ['maskdcpt.maskRatio=0.25'] },
  'mask0.75': { label: 'mask ratio 0.75', sets: ['maskdcpt.maskRatio=0.75'] },
  'cls-off': { label: 'classification off (reconstruction only, λ 0)', sets: ['maskdcpt.lambda=0'] },
  'rec-off': { label: 'reconstruction off (classification only)', sets: ['maskdcpt.reconstruct=none'] },
  gamma0: { label: 'focal γ 0 (cross-entropy)', sets: ['maskdcpt.gamma=0'] },
  'no-snow': {
    label: 'MaskDCPT without snow (snow and low-light+haze+rain/snow left out)',
    sets: [
      'datasets.train.types=[noise,real_noise,motion_blur,defocus_blur,gaussian_blur,jpeg,haze,rain_streak,raindrop,rain_streak_drop,mosaic,low_light,moire,blur_jpeg,blur_rain,blur_lowlight_noise,realesrgan]',
    ],
  },
};

export interface RunRecord {
  name: string;
  mode: 'pretrain' | 'finetune';
  seed: number;
  iters: number;
  /** The CLI command that trains this run. */
  command: string;
  dir: string;
  /** Final checkpoint (params + params_ema). */
  checkpoint: string;
  /** Training wall time (all segments, if it was resumed). */
  seconds: number;
  /** The last validation metrics (synthetic pairs; accuracy for pre-training). */
  lastVal: Record<string, number> | null;
  reused: boolean;
}

interface MetricsLine {
  type: string;
  seconds?: number;
  metrics?: Record<string, number>;
}

function readMetrics(dir: string): MetricsLine[] {
  const f = join(dir, 'metrics.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as MetricsLine);
}

const quote = (s: string) => (/[^\w./=,:+-]/.test(s) ? `'${s}'` : s);

/** Trains the run unless its final checkpoint exists; returns where it is and what it cost. */
export async function ensureRun(a: StudyArgs, mode: 'pretrain' | 'finetune', name: string, seed: number, iters: number, extra: string[], log: (l: string) => void): Promise<RunRecord> {
  const sets = [`name=${name}`, `seed=${seed}`, `network.arch=${a.arch}`, `train.totalIter=${iters}`, `path.runs=${a.runs}`];
  // The photo folder lives in the runs folder (built by lib/photos.ts); say so only when it is not the default.
  const photos = join(a.runs, 'photos');
  if (photos !== 'experiments/runs/photos') sets.push(`datasets.train.source=${photos}`, `datasets.val.source=${photos}`);
  sets.push(...extra);
  if (mode === 'pretrain') sets.push(`train.warmupIter=${Math.max(1, Math.round(iters / 10))}`);
  const command = `maskdcpt ${mode} -c ${CONFIGS[mode]} ${sets.map((s) => `--set ${quote(s)}`).join(' ')}`;
  const config = loadConfig(CONFIGS[mode], sets);
  const dir = join(a.runs, name);
  const done = listCheckpoints(dir).at(-1);
  const reused = done !== undefined && done.iter >= iters;
  log(`${reused ? '# (already trained) ' : '$ '}${command}`);
  if (!reused) {
    await train(config, { onEvent: (e) => log(`  ${formatEvent(e)}`) });
  }
  const last = listCheckpoints(dir).at(-1);
  if (!last || last.iter < iters) throw new Error(`run ${name} stopped at iteration ${last?.iter ?? 0} of ${iters}`);
  const metrics = readMetrics(dir);
  const seconds = metrics.filter((m) => m.type === 'done').reduce((s, m) => s + (m.seconds ?? 0), 0);
  const lastVal = metrics.filter((m) => m.type === 'val').at(-1)?.metrics ?? null;
  return { name, mode, seed, iters, command, dir, checkpoint: last.file, seconds, lastVal, reused };
}

export function pretrainName(a: StudyArgs, variant: string, seed: number): string {
  return `${a.arch}-pre-${variant}-p${a.pretrainIters}-s${seed}`;
}

/** MaskDCPT pre-training (variant) then 5D fine-tuning from its final weights. */
export async function pretrainThenFinetune(a: StudyArgs, variant: string, seed: number, log: (l: string) => void): Promise<{ pretrain: RunRecord; finetune: RunRecord }> {
  const v = PRETRAIN_VARIANTS[variant];
  if (!v) throw new Error(`unknown pre-training variant '${variant}'; valid: ${Object.keys(PRETRAIN_VARIANTS).join(', ')}`);
  const pretrain = await ensureRun(a, 'pretrain', pretrainName(a, variant, seed), seed, a.pretrainIters, v.sets, log);
  const ftName = `${a.arch}-ft5d-${variant}-p${a.pretrainIters}-f${a.finetuneIters}-s${seed}`;
  const finetune = await ensureRun(a, 'finetune', ftName, seed, a.finetuneIters, [`path.pretrained=${pretrain.checkpoint}`], log);
  return { pretrain, finetune };
}

/** From-scratch 5D training with the same total number of steps (pre-training + fine-tuning), same seed. */
export async function scratch(a: StudyArgs, seed: number, log: (l: string) => void): Promise<RunRecord> {
  const total = a.pretrainIters + a.finetuneIters;
  return ensureRun(a, 'finetune', `${a.arch}-scratch5d-t${total}-s${seed}`, seed, total, [], log);
}
