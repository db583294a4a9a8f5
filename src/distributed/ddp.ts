/**
 * Data parallelism on top of a process group, in DDP's terms: the same weights on every rank (broadcast from
 * rank 0), each rank's gradient of its slice of the global batch, averaged in buckets after backward.
 * With equal slices and a loss that is a mean over samples, the averaged gradient is the gradient of the
 * global batch, so a W-process step equals a 1-process step on all W·B samples (up to float rounding).
 *
 * Gradients are reduced after backward returns, not overlapped with it: backward is one native call, and
 * overlapping would need C++ hooks on every parameter's AccumulateGrad node (c10d::Reducer's job).
 */
import type { Module } from '../nn/module.js';
import { type Tensor, tidy } from '../tensor/index.js';
import { DEFAULT_BUCKET_BYTES, type ProcessGroup } from './process-group.js';

/** The part of global batch item indices [0, globalBatch) that `rank` trains on. */
export function shardOf(globalBatch: number, rank: number, worldSize: number): { start: number; count: number } {
  if (globalBatch % worldSize !== 0) {
    throw new Error(`the global batch size ${globalBatch} is not divisible by the world size ${worldSize}; choose a batch size that is a multiple of it`);
  }
  const count = globalBatch / worldSize;
  return { start: rank * count, count };
}

/** Copies rank 0's parameters and persistent buffers into every rank's module. */
export function broadcastModule(pg: ProcessGroup, module: Module, root = 0): void {
  pg.broadcast([...module.stateDict().values()], root);
}

/**
 * Averages the parameters' gradients over all ranks, in place. Every rank must hold a gradient for the same
 * parameters (unused parameters are skipped on all ranks alike, as they are in a single process).
 */
export function averageGradients(pg: ProcessGroup, params: readonly Tensor[], bucketBytes = DEFAULT_BUCKET_BYTES): void {
  tidy(() => {
    const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
    pg.allReduce(grads, 'avg', { bucketBytes });
  });
}
