/**
 * The training loop for MaskDCPT pre-training and all-in-one fine-tuning, driven by one validated config.
 * Every random choice is seeded (data by batch index, masks by a saved host stream, libtorch's generator saved
 * in checkpoints), so a run killed at iteration k and resumed produces the same losses as an uninterrupted one.
 *
 * Data parallel (`dist`): the config's batch size is the global batch; rank r trains on its slice of each
 * global batch and of the batch's masks, gradients are averaged, so every world size follows the same sample
 * stream and (up to float rounding) the same weights. Only rank 0 writes the run directory.
 */
import { join } from 'node:path';
import { createModel, resolveModel } from '../archs/registry.js';
import { broadcastModule, shardOf } from '../distributed/ddp.js';
import type { ProcessGroup } from '../distributed/process-group.js';
import type { Backbone } from '../archs/types.js';
import { BatchLoader } from '../data/loader.js';
import { LABELS } from '../degrade/labels.js';
import { WEIGHTS_FORMAT } from '../archs/load.js';
import { writeSafetensors } from '../io/safetensors.js';
import { readWeights, stateToHost, stateToTensors } from '../io/tensor-bridge.js';
import { pixelLosses } from '../nn/losses.js';
import type { Module } from '../nn/module.js';
import { backboneWeights, MaskDCPT } from '../maskdcpt/pretrain.js';
import { Adam, AdamW } from '../optim/adam.js';
import { ModelEMA } from '../optim/ema.js';
import { applySchedule, type Schedule, schedulers, withWarmup } from '../optim/schedulers.js';
import { dispose, fromTypedArray, manualSeed, Rng, setNumThreads, tidy } from '../tensor/index.js';
import { findResumable, restoreTraining, saveTraining, type TrainingParts } from './checkpoints.js';
import { configHash, type TrainConfig } from './config.js';
import { RunDir, type TrainEvent } from './run.js';
import { datasetOptions } from './datasets.js';
import { Validator } from './validate.js';

interface Best {
  iter: number;
  metric: string;
  value: number;
}

/** The best weights so far (EMA if on) as a self-describing weights file that `restore`/`loadModel` read. */
async function writeBest(path: string, parts: TrainingParts, b: Best): Promise<void> {
  const sd = parts.ema ? parts.ema.shadow : parts.model.stateDict();
  await writeSafetensors(path, stateToHost(sd), {
    format: WEIGHTS_FORMAT,
    arch: parts.arch,
    arch_options: JSON.stringify(parts.archOptions),
    best: JSON.stringify(b),
  });
}

export interface TrainOptions {
  /** 'auto' resumes from the run directory's newest good checkpoint (default); 'never' starts over. */
  resume?: 'auto' | 'never';
  onEvent?: (e: TrainEvent) => void;
  signal?: AbortSignal;
  /** Stop after this iteration (for tests that simulate a crash); the run stays resumable. */
  stopAfter?: number;
  /** Train data-parallel in this process group (every rank calls `train` with the same config). */
  dist?: ProcessGroup | null;
}

export interface TrainResult {
  runDir: string;
  iter: number;
  losses: { iter: number; loss: number }[];
  lastVal: Record<string, number> | null;
}

function buildSchedule(c: TrainConfig): Schedule {
  const s = c.train.scheduler;
  const opts: Record<string, unknown> = { ...s };
  if (s.type === 'cosine_restart' && !s.periods) opts.periods = [c.train.totalIter];
  if (s.type === 'warmup_cosine' && !s.maxIters) opts.maxIters = c.train.totalIter;
  if (s.type === 'multistep' && !s.milestones) opts.milestones = [];
  return withWarmup(schedulers.get(s.type)(opts), c.train.warmupIter);
}

/** Builds the trainable module: MaskDCPT around the backbone for pre-training, the backbone for fine-tuning. */
export async function buildModel(c: TrainConfig): Promise<{ model: Module; backbone: Backbone; arch: string; archOptions: Record<string, unknown> }> {
  const { arch, options } = resolveModel(c.network.arch, c.network.options);
  const backbone = createModel(arch, options);
  if (c.path.pretrained) {
    const { tensors } = await readWeights(c.path.pretrained, { key: c.path.pretrainedKey });
    const fromPretrain = [...tensors.keys()].some((k) => k.startsWith('backbone.'));
    const sd = stateToTensors(fromPretrain ? backboneWeights(tensors) : tensors);
    try {
      backbone.loadStateDict(sd, { strict: c.path.strictLoad });
    } catch (err) {
      throw new Error(`cannot load ${c.path.pretrained} into ${arch}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      dispose(sd);
    }
  }
  if (c.mode === 'finetune') return { model: backbone, backbone, arch, archOptions: options };
  const m = c.maskdcpt;
  const pre = new MaskDCPT(backbone, {
    numClasses: LABELS.length,
    maskRatio: m.maskRatio,
    lambda: m.lambda,
    gamma: m.gamma,
    reconstruct: m.reconstruct,
    numResBlocks: m.numResBlocks,
    ...(m.patchSize ? { patchSize: m.patchSize } : {}),
  });
  return { model: pre, backbone, arch: `maskdcpt:${arch}`, archOptions: options };
}

export async function train(c: TrainConfig, o: TrainOptions = {}): Promise<TrainResult> {
  const dist = o.dist ?? null;
  const lead = dist === null || dist.rank === 0;
  // Only rank 0 reports and writes the run directory; the other ranks stay silent.
  const onEvent = o.onEvent ?? (() => {});
  const emit = (e: TrainEvent) => {
    if (lead) onEvent(e);
  };
  if (c.threads) setNumThreads(c.threads);
  const run = new RunDir(c);
  const record = (e: TrainEvent) => {
    if (lead) run.log(e);
  };
  if (lead) run.prepare(c);
  // Rank 0 alone validates and saves; the others wait for it at a barrier with a generous timeout.
  const awaitLead = () => dist?.barrier({ timeoutMs: Math.max(10 * dist.timeoutMs, 600_000) });
  manualSeed(c.seed);
  const { model, backbone, arch, archOptions } = await buildModel(c);
  const oc = c.train.optim;
  const Optim = oc.type === 'adamw' ? AdamW : Adam;
  const optimizer = new Optim(model.parameters(), { lr: oc.lr, betas: oc.betas, eps: oc.eps, weightDecay: oc.weightDecay });
  const ema = c.train.ema > 0 ? new ModelEMA(model, c.train.ema) : null;
  const maskRng = new Rng(c.seed).fork('mask');
  const parts: TrainingParts = { model, arch, archOptions, ema, optimizers: { g: optimizer }, rngs: { mask: maskRng } };

  let start = 0;
  let best: Best | null = null;
  let resumedFrom: string | null = null;
  let skipped: string[] = [];
  if ((o.resume ?? 'auto') === 'auto') {
    const r = await findResumable(run.dir);
    skipped = r.skipped;
    if (r.found) {
      const restored = restoreTraining(r.found.content, parts);
      start = restored.iter;
      best = (restored.extra.best as Best | undefined) ?? null;
      resumedFrom = r.found.file;
    }
  }
  if (dist) {
    // Every rank read rank 0's checkpoint (the run directory must be shared); check they agree, then make
    // the weights identical whatever happened before.
    const [hi, negLo] = dist.allReduceNumbers([start, -start], 'max') as [number, number];
    if (hi !== -negLo) {
      throw new Error(
        `rank ${dist.rank} would resume at iteration ${start}, but another rank at ${start === hi ? -negLo : hi}: ` +
          `every rank must see rank 0's run directory ${run.dir} (a shared filesystem), or pass --resume never`,
      );
    }
    broadcastModule(dist, model);
    if (ema) dist.broadcast([...ema.shadow.values()]);
  }
  // Gradients are averaged bucket by bucket while backward runs.
  const reducer = dist ? dist.gradientReducer(model.parameters()) : null;
  const globalBatch = c.datasets.train.batchSize;
  const shard = dist ? shardOf(globalBatch, dist.rank, dist.worldSize) : { start: 0, count: globalBatch };
  const schedule = buildSchedule(c);
  const pixelLoss = pixelLosses.get(c.train.pixelLoss)({});
  const validator = new Validator(c);
  const trainData = datasetOptions(c.datasets.train, c.seed);
  const loader = new BatchLoader(trainData, {
    batchSize: globalBatch,
    workers: c.datasets.train.workers,
    startBatch: start,
    ...(dist ? { slice: shard } : {}),
  });
  const started = { type: 'start', runDir: run.dir, iter: start, totalIter: c.train.totalIter, resumedFrom, skipped, parameters: model.numParameters() } as const;
  record(started);
  emit(started);

  const losses: TrainResult['losses'] = [];
  let lastVal: Record<string, number> | null = null;
  let lastSaved: string | null = resumedFrom;
  const t0 = performance.now();
  let windowStart = performance.now();
  let windowIters = 0;
  let iter = start;
  // Data parallel: a stop request (Ctrl-C) reaches the ranks at different moments; they agree on it in the
  // step's collective and stop after the same iteration.
  let stopAll = false;
  const save = async (at: number) => {
    try {
      lastSaved = await saveTraining(run.dir, at, parts, { configHash: configHash(c), labels: LABELS.map((l) => l.name), best }, c.checkpoint.keep);
    } catch (err) {
      throw new Error(
        `could not save the checkpoint at iteration ${at} (${err instanceof Error ? err.message : String(err)}); ` +
          `the previous checkpoint ${lastSaved ?? '(none)'} is intact`,
      );
    }
    const e = { type: 'checkpoint', iter: at, file: lastSaved } as const;
    record(e);
    emit(e);
  };
  try {
    while (iter < c.train.totalIter) {
      // One turn of the event loop per step: with in-process data (workers: 0) the loop otherwise runs on
      // microtasks alone, and a Ctrl-C handler would never get to run.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (dist ? stopAll : o.signal?.aborted) break;
      const batch = await loader.next();
      const lr = applySchedule(optimizer, schedule, iter);
      const step: { loss: number; l1?: number; focal?: number } = tidy(() => {
        const shape = [batch.n, 3, batch.size, batch.size];
        const lq = fromTypedArray(batch.lq, shape);
        const gt = fromTypedArray(batch.gt, shape);
        optimizer.zeroGrad();
        if (model instanceof MaskDCPT) {
          const labels = fromTypedArray(BigInt64Array.from(batch.labels, (v) => BigInt(v)), [batch.n]);
          // Masks for the whole global batch, so the mask stream is the same for every world size.
          const globalMask = model.drawMask(globalBatch, batch.size, batch.size, maskRng);
          const mask = dist ? globalMask.narrow(0, shard.start, shard.count) : globalMask;
          const out = model.forward(lq, gt, labels, mask);
          out.loss.backward();
          return { loss: out.loss.item(), l1: out.l1, focal: out.focal };
        }
        const loss = pixelLoss(backbone.forward(lq), gt);
        loss.backward();
        return { loss: loss.item() };
      });
      if (dist && reducer) {
        reducer.finish();
        // The global batch's loss (a mean of equal slices), so every rank logs and stops on the same values.
        const [loss, l1, focal, stop] = dist.allReduceNumbers([step.loss, step.l1 ?? 0, step.focal ?? 0, o.signal?.aborted ? 1 : 0], 'avg') as [number, number, number, number];
        stopAll = stop > 0;
        step.loss = loss;
        if (step.l1 !== undefined) step.l1 = l1;
        if (step.focal !== undefined) step.focal = focal;
      }
      if (!Number.isFinite(step.loss)) {
        if (c.train.stopOnNonFinite) {
          throw new Error(`loss became ${step.loss} at iteration ${iter + 1}; stopping. Last good checkpoint: ${lastSaved ?? '(none)'}`);
        }
        continue;
      }
      optimizer.step();
      ema?.update(model);
      iter++;
      windowIters++;
      losses.push({ iter, loss: step.loss });
      if (iter % c.log.every === 0 || iter === c.train.totalIter) {
        const now = performance.now();
        const itPerSec = (windowIters * 1000) / Math.max(1, now - windowStart);
        const e: TrainEvent = { type: 'iter', iter, ...step, lr, itPerSec, dataWaitMs: loader.waitedMs, etaSec: (c.train.totalIter - iter) / Math.max(1e-9, itPerSec) };
        record(e);
        emit(e);
        windowStart = now;
        windowIters = 0;
      }
      if (c.datasets.val && (iter % c.val.every === 0 || iter === c.train.totalIter) && lead) {
        lastVal = await validator.run(model, backbone, ema);
        const e = { type: 'val', iter, metrics: lastVal } as const;
        record(e);
        emit(e);
        // Best-checkpoint tracking: restoration PSNR when fine-tuning, classification accuracy when pre-training.
        const metric = model instanceof MaskDCPT ? 'accuracy' : 'psnr';
        const value = lastVal[metric];
        if (value !== undefined && (best === null || value > best.value)) {
          best = { iter, metric, value };
          await writeBest(join(run.dir, 'best.safetensors'), parts, best);
        }
      }
      if (c.datasets.val && (iter % c.val.every === 0 || iter === c.train.totalIter)) awaitLead();
      if (iter % c.checkpoint.every === 0 || iter === c.train.totalIter) {
        if (lead) await save(iter);
        awaitLead();
      }
      if (o.stopAfter !== undefined && iter >= o.stopAfter) break;
    }
  } finally {
    reducer?.close();
    await loader.close();
  }
  const done = { type: 'done', iter, runDir: run.dir, seconds: (performance.now() - t0) / 1000 } as const;
  record(done);
  emit(done);
  model.dispose();
  ema?.dispose();
  optimizer.dispose();
  return { runDir: run.dir, iter, losses, lastVal };
}

