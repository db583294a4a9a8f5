/**
 * Saving and resuming training runs. A run directory holds `ckpt_<iter>.safetensors` files (see
 * io/checkpoint.ts) and a `latest` pointer; the newest few are kept. Resuming picks the newest checkpoint that
 * verifies, skipping (and naming) truncated or corrupt ones, so a crash during a save never loses the run.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { type CheckpointContent, readCheckpoint, writeCheckpoint } from '../io/checkpoint.js';
import { stateToHost, stateToTensors, toHost, toTensor } from '../io/tensor-bridge.js';
import type { Module } from '../nn/module.js';
import type { Adam, OptimizerState } from '../optim/adam.js';
import type { ModelEMA } from '../optim/ema.js';
import { getRngState, type Rng, type RngState, setRngState, type Tensor } from '../tensor/index.js';

export interface TrainingParts {
  model: Module;
  arch: string;
  archOptions: Record<string, unknown>;
  ema?: ModelEMA | null;
  optimizers: Record<string, Adam>;
  /** Host random streams by name (data sampling, masks...). */
  rngs: Record<string, Rng>;
}

const NAME = /^ckpt_(\d+)\.safetensors$/;

export function checkpointPath(dir: string, iter: number): string {
  return join(dir, `ckpt_${String(iter).padStart(8, '0')}.safetensors`);
}

/** Writes a checkpoint for `iter`, updates `latest`, and prunes to the newest `keep` files. */
export async function saveTraining(
  dir: string,
  iter: number,
  parts: TrainingParts,
  extra: Record<string, unknown> = {},
  keep = 3,
): Promise<string> {
  const optimizers: CheckpointContent['optimizers'] = new Map();
  for (const [name, opt] of Object.entries(parts.optimizers)) {
    const sd = opt.stateDict();
    const moments = new Map([...sd.state].map(([i, s]) => [i, { expAvg: toHost(s.expAvg), expAvgSq: toHost(s.expAvgSq) }]));
    const steps = Object.fromEntries([...sd.state].map(([i, s]) => [i, s.step]));
    optimizers.set(name, { moments, info: { groups: sd.groups, steps } });
  }
  const hostRng: Record<string, RngState> = {};
  for (const [k, r] of Object.entries(parts.rngs)) hostRng[k] = r.getState();
  const file = checkpointPath(dir, iter);
  await writeCheckpoint(file, {
    iter,
    arch: parts.arch,
    archOptions: parts.archOptions,
    params: stateToHost(parts.model.stateDict()),
    paramsEma: parts.ema ? stateToHost(parts.ema.shadow) : null,
    optimizers,
    torchRng: getRngState(),
    extra: { ...extra, hostRng },
  });
  await writeFileAtomic(join(dir, 'latest'), [new TextEncoder().encode(`${JSON.stringify({ iter, file })}\n`)]);
  const all = listCheckpoints(dir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(old.file, { force: true });
  return file;
}

export function listCheckpoints(dir: string): { iter: number; file: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => NAME.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ iter: Number(m[1]), file: join(dir, m[0]) }))
    .sort((a, b) => a.iter - b.iter);
}

export interface Resumable {
  /** The newest checkpoint that verifies, or null when there is none. */
  found: { content: CheckpointContent; file: string } | null;
  /** Newer checkpoints that failed verification, each with the reason. */
  skipped: string[];
}

/**
 * Finds the checkpoint to resume from: the newest one that verifies. (Files appear only by atomic rename, so a
 * checkpoint newer than the `latest` pointer is complete; the pointer is for people and tools.)
 */
export async function findResumable(dir: string): Promise<Resumable> {
  const skipped: string[] = [];
  const all = listCheckpoints(dir).reverse();
  for (const c of all) {
    try {
      return { found: { content: await readCheckpoint(c.file), file: c.file }, skipped };
    } catch (err) {
      skipped.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { found: null, skipped };
}

/** Restores model, EMA, optimizers and RNG streams in place; returns the checkpoint's iteration and extra. */
export function restoreTraining(content: CheckpointContent, parts: TrainingParts): { iter: number; extra: Record<string, unknown> } {
  if (content.arch !== parts.arch) {
    throw new Error(`checkpoint is for architecture '${content.arch}', this run uses '${parts.arch}'`);
  }
  const load = (target: Module | Map<string, Tensor>, src: Map<string, Tensor>) => {
    if (target instanceof Map) {
      for (const [k, t] of target) {
        const s = src.get(k);
        if (!s) throw new Error(`checkpoint lacks EMA tensor '${k}'`);
        t.copy_(s);
      }
    } else {
      target.loadStateDict(src);
    }
  };
  const params = stateToTensors(content.params);
  load(parts.model, params);
  for (const t of params.values()) t.dispose();
  if (parts.ema && content.paramsEma) {
    const ema = stateToTensors(content.paramsEma);
    load(parts.ema.shadow, ema);
    for (const t of ema.values()) t.dispose();
  }
  for (const [name, opt] of Object.entries(parts.optimizers)) {
    const saved = content.optimizers.get(name);
    if (!saved) throw new Error(`checkpoint has no state for optimizer '${name}'`);
    const info = saved.info as { groups: OptimizerState['groups']; steps: Record<string, number> };
    const state: OptimizerState['state'] = new Map();
    for (const [i, m] of saved.moments) {
      state.set(i, { step: info.steps[String(i)] ?? 0, expAvg: toTensor(m.expAvg), expAvgSq: toTensor(m.expAvgSq) });
    }
    opt.loadStateDict({ groups: info.groups, state });
  }
  if (content.torchRng) setRngState(content.torchRng);
  const hostRng = (content.extra.hostRng ?? {}) as Record<string, RngState>;
  for (const [k, r] of Object.entries(parts.rngs)) {
    const s = hostRng[k];
    if (!s) throw new Error(`checkpoint has no state for random stream '${k}'`);
    r.setState(s);
  }
  return { iter: content.iter, extra: content.extra };
}
