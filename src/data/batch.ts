/** Collating pairs into planar NCHW batches (plain typed arrays, so workers can transfer them). */
import { toPlanar } from '../io/raster.js';
import type { Pair } from './synthetic.js';

export interface HostBatch {
  /** Batch index in the global sample stream. */
  index: number;
  n: number;
  size: number;
  lq: Float32Array;
  gt: Float32Array;
  labels: Int32Array;
  levels: string[];
}

export function collate(index: number, pairs: readonly Pair[]): HostBatch {
  const first = pairs[0];
  if (!first) throw new Error('collate: empty batch');
  const size = first.gt.width;
  const plane = 3 * size * size;
  const lq = new Float32Array(pairs.length * plane);
  const gt = new Float32Array(pairs.length * plane);
  const labels = new Int32Array(pairs.length);
  pairs.forEach((p, i) => {
    if (p.lq.width !== size || p.lq.height !== size || p.gt.height !== size) {
      throw new Error(`collate: pair ${i} is ${p.lq.width}x${p.lq.height}, batch is ${size}x${size}`);
    }
    toPlanar(p.lq, lq.subarray(i * plane, (i + 1) * plane));
    toPlanar(p.gt, gt.subarray(i * plane, (i + 1) * plane));
    labels[i] = p.label;
  });
  return { index, n: pairs.length, size, lq, gt, labels, levels: pairs.map((p) => p.level) };
}
