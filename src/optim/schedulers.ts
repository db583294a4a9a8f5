/**
 * Learning-rate schedules as closed-form functions of the iteration (so resuming needs only the iteration),
 * matching BasicSR's MultiStepRestartLR / CosineAnnealingRestartLR, PromptIR's linear-warm-up cosine and a
 * BasicSR-style linear warm-up that can front any of them.
 */
import { Registry } from '../util/registry.js';
import type { Adam } from './adam.js';

/** lr multiplier-free schedule: maps (base lr, iteration) → lr. Iterations count from 0. */
export type Schedule = (baseLr: number, iter: number) => number;

export interface MultiStepOptions {
  milestones: number[];
  gamma?: number;
}

/** lr · γ^(number of milestones ≤ iter), torch.optim.lr_scheduler.MultiStepLR. */
export function multiStep(o: MultiStepOptions): Schedule {
  const gamma = o.gamma ?? 0.5;
  const ms = [...o.milestones].sort((a, b) => a - b);
  return (lr, it) => lr * gamma ** ms.filter((m) => m <= it).length;
}

export interface CosineRestartOptions {
  /** Length of each cosine period in iterations. */
  periods: number[];
  /** Peak multiplier of each period (default all 1). */
  restartWeights?: number[];
  etaMin?: number;
}

/** BasicSR's CosineAnnealingRestartLR: cosine from weight·lr to etaMin within each period. */
export function cosineRestart(o: CosineRestartOptions): Schedule {
  const weights = o.restartWeights ?? o.periods.map(() => 1);
  if (weights.length !== o.periods.length) throw new Error('cosineRestart: periods and restartWeights differ in length');
  const etaMin = o.etaMin ?? 0;
  const ends: number[] = [];
  o.periods.reduce((acc, p) => {
    ends.push(acc + p);
    return acc + p;
  }, 0);
  return (lr, it) => {
    let idx = ends.findIndex((e) => it < e);
    if (idx < 0) idx = ends.length - 1;
    const start = idx === 0 ? 0 : (ends[idx - 1] as number);
    const period = o.periods[idx] as number;
    const w = weights[idx] as number;
    return etaMin + ((w * lr - etaMin) * (1 + Math.cos((Math.PI * (it - start)) / period))) / 2;
  };
}

export interface WarmupCosineOptions {
  warmupIters: number;
  maxIters: number;
  warmupStartLr?: number;
  etaMin?: number;
}

/** Linear warm-up then cosine decay to etaMin at maxIters (PromptIR's LinearWarmupCosineAnnealingLR). */
export function warmupCosine(o: WarmupCosineOptions): Schedule {
  const start = o.warmupStartLr ?? 0;
  const etaMin = o.etaMin ?? 0;
  return (lr, it) => {
    if (it < o.warmupIters) return start + ((lr - start) * it) / Math.max(1, o.warmupIters - 1);
    const t = Math.min(1, (it - o.warmupIters) / Math.max(1, o.maxIters - o.warmupIters));
    return etaMin + ((lr - etaMin) * (1 + Math.cos(Math.PI * t))) / 2;
  };
}

export function constant(): Schedule {
  return (lr) => lr;
}

/** BasicSR's `warmup_iter`: the schedule's lr scaled linearly from 0 over the first `iters` iterations. */
export function withWarmup(schedule: Schedule, iters: number): Schedule {
  if (iters <= 0) return schedule;
  return (lr, it) => (it < iters ? (schedule(lr, it) * (it + 1)) / iters : schedule(lr, it));
}

export type ScheduleFactory = (options: Record<string, unknown>) => Schedule;

export const schedulers = new Registry<ScheduleFactory>('scheduler');
schedulers.register('constant', () => constant());
schedulers.register('multistep', (o) => multiStep(o as unknown as MultiStepOptions));
schedulers.register('cosine_restart', (o) => cosineRestart(o as unknown as CosineRestartOptions));
schedulers.register('warmup_cosine', (o) => warmupCosine(o as unknown as WarmupCosineOptions));

/** Sets each parameter group's lr for iteration `iter` from its initial lr. */
export function applySchedule(optimizer: Adam, schedule: Schedule, iter: number): number {
  let last = 0;
  for (const g of optimizer.paramGroups) {
    g.lr = schedule(g.initialLr, iter);
    last = g.lr;
  }
  return last;
}
