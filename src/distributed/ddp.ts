/**
 * Data parallelism on top of a process group, in DDP's terms: the same weights on every rank (broadcast from
 * rank 0), each rank's gradient of its slice of the global batch, averaged in buckets after backward.
 * With equal slices and a loss that is a mean over samples, the averaged gradient is the gradient of the
 * global batch, so a W-process step equals a 1-process step on all W·B samples (up to float rounding).
 *
 * The averaging itself overlaps with backward: `ProcessGroup.gradientReducer` (hooks on the parameters'
 * AccumulateGrad nodes, native/reducer.cc).
 */
import type { Module } from '../nn/module.js';
import type { ProcessGroup } from './process-group.js';

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
