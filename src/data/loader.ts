/**
 * Batches of a dataset (synthetic, or real pairs with `type: 'paired'`), built ahead of time in worker threads
 * so training never waits on data.
 * Batch b holds items b·B … b·B+B−1 of the global sample stream, whatever the number of workers, so results
 * are identical with 0 (in-process), 1 or N workers, and a resumed run restarts at the batch it stopped at.
 * A data-parallel rank loads only its `slice` of each global batch, so the global sample stream is the same for
 * every world size.
 */
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../util/worker.js';
import { collate, type HostBatch } from './batch.js';
import { isPairedSpec, type PairedOptions, PairedFolder } from './paired.js';
import { type Pair, type SyntheticOptions, SyntheticPairs } from './synthetic.js';

/** What a loader serves: the synthetic dataset's options, or a paired dataset's (`type: 'paired'`). */
export type DatasetSpec = SyntheticOptions | PairedOptions;

/** Any dataset whose item `i` is a pure function of (seed, i). */
export interface Dataset {
  item(index: number): Promise<Pair>;
}

export function openDataset(spec: DatasetSpec): Promise<Dataset> {
  return isPairedSpec(spec) ? PairedFolder.open(spec) : SyntheticPairs.open(spec);
}

export interface LoaderOptions {
  batchSize: number;
  /** Worker threads; 0 builds batches on the calling thread (default: 2). */
  workers?: number;
  /** Batches requested ahead (default: 2 per worker). */
  prefetch?: number;
  /** First batch index (for resuming). */
  startBatch?: number;
  /** Load only items [start, start + count) of each batch of `batchSize` (a data-parallel rank's share). */
  slice?: { start: number; count: number };
}

/** The dataset item indices of batch `index`, restricted to a slice when given. */
export function batchItems(index: number, batchSize: number, slice?: { start: number; count: number }): number[] {
  const start = slice?.start ?? 0;
  const count = slice?.count ?? batchSize;
  if (start < 0 || count < 1 || start + count > batchSize) throw new RangeError(`loader slice [${start}, ${start + count}) is outside a batch of ${batchSize}`);
  return Array.from({ length: count }, (_, i) => index * batchSize + start + i);
}

interface Pending {
  promise: Promise<HostBatch>;
  resolve: (b: HostBatch) => void;
  reject: (e: Error) => void;
}

export class BatchLoader {
  private cursor: number;
  private requested: number;
  private readonly pending = new Map<number, Pending>();
  private readonly workers: Worker[] = [];
  private inProcess: Promise<Dataset> | null = null;
  /** Milliseconds `next()` spent waiting for data (to prove the loader keeps up). */
  waitedMs = 0;

  constructor(
    readonly dataset: DatasetSpec,
    readonly options: LoaderOptions,
  ) {
    batchItems(0, options.batchSize, options.slice); // validates the slice up front
    this.cursor = options.startBatch ?? 0;
    this.requested = this.cursor;
    const n = options.workers ?? 2;
    if (n === 0) {
      this.inProcess = openDataset(dataset);
      return;
    }
    const url = siblingModule(import.meta.url, 'loader-worker');
    for (let i = 0; i < n; i++) {
      const w = startModuleWorker(url, { workerData: { options: dataset, batchSize: options.batchSize, slice: options.slice } });
      w.on('message', (m: { ok: true; batch: HostBatch } | { ok: false; batch: number; error: string }) => {
        const idx = m.ok ? m.batch.index : m.batch;
        const p = this.pending.get(idx);
        if (!p) return;
        if (m.ok) p.resolve(m.batch);
        else p.reject(new Error(`data worker failed on batch ${idx}: ${m.error}`));
      });
      w.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(new Error(`data worker crashed: ${err.message}`));
      });
      w.unref(); // idle workers must not keep the process alive; `request` refs them while work is pending
      this.workers.push(w);
    }
  }

  private request(index: number): void {
    let resolve!: (b: HostBatch) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<HostBatch>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {}); // surfaced by next()
    this.pending.set(index, { promise, resolve, reject });
    if (this.inProcess) {
      const ds = this.inProcess;
      const items = batchItems(index, this.options.batchSize, this.options.slice);
      void (async () => {
        try {
          const d = await ds;
          const pairs = [];
          for (const i of items) pairs.push(await d.item(i));
          resolve(collate(index, pairs));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      })();
    } else {
      for (const w of this.workers) w.ref();
      (this.workers[index % this.workers.length] as Worker).postMessage({ batch: index });
    }
  }

  /** The next batch in order. */
  async next(): Promise<HostBatch> {
    const ahead = this.options.prefetch ?? Math.max(1, 2 * this.workers.length);
    while (this.requested < this.cursor + Math.max(1, ahead)) this.request(this.requested++);
    const p = this.pending.get(this.cursor) as Pending;
    const t0 = performance.now();
    const b = await p.promise;
    this.waitedMs += performance.now() - t0;
    this.pending.delete(this.cursor);
    this.cursor++;
    if (this.pending.size === 0) for (const w of this.workers) w.unref();
    return b;
  }

  /** Index of the batch `next()` returns next (save it to resume). */
  get position(): number {
    return this.cursor;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
