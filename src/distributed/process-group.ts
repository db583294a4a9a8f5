/**
 * A data-parallel process group over libtorch's c10d: rendezvous through a TCPStore hosted by rank 0 (or a
 * FileStore on a shared filesystem), then Gloo (CPU) or NCCL (CUDA builds) collectives. Collectives block the
 * JS thread until done. When one fails (a peer died or hung past the timeout) the error is rewritten to name
 * the rank responsible, found by checking peer processes on this host and then a roll call through the store.
 */
import { hostname } from 'node:os';
import { fromTypedArray, type Tensor, tidy } from '../tensor/index.js';
import { type GroupInit, type NativeProcessGroup, type NativeStore, native, type ReduceOp } from '../tensor/native.js';
import type { DistEnv } from './env.js';

/** DDP's default bucket size: large enough to amortize per-message latency, small enough to pipeline. */
export const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;
/** DDP's first bucket: small, so communication starts early in backward. */
export const FIRST_BUCKET_BYTES = 1024 * 1024;

/** Gradient averaging overlapped with backward; call `finish()` after each backward, `close()` at the end. */
export interface GradientReducer {
  finish(): void;
  close(): void;
}

export interface CollectiveOptions {
  /** Overrides the group's timeout for this call (e.g. longer while rank 0 writes a checkpoint). */
  timeoutMs?: number;
  bucketBytes?: number;
}

interface Peer {
  pid: number;
  host: string;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class ProcessGroup {
  private closed = false;
  private failures = 0;

  private constructor(
    readonly rank: number,
    readonly worldSize: number,
    readonly localRank: number,
    readonly timeoutMs: number,
    private readonly store: NativeStore,
    private readonly group: NativeProcessGroup,
    private readonly peers: Peer[],
    private readonly where: string,
    /** Gradient bucket size for this job (MASKDCPT_DIST_BUCKET_MB). */
    readonly bucketBytes: number = DEFAULT_BUCKET_BYTES,
  ) {}

  /** Which backends this build of the addon has. */
  static backends(): { gloo: boolean; nccl: boolean } {
    return native.distributedBackends;
  }

  /**
   * Joins the group: every rank must call this with the same world size and master address. Waits up to
   * the timeout for all ranks to arrive and names the ones that did not.
   */
  static init(e: DistEnv, o: { hostname?: string; iface?: string; threads?: number } = {}): ProcessGroup {
    const { NativeStore, NativeProcessGroup } = native;
    if (!NativeStore || !NativeProcessGroup || !native.distributedBackends[e.backend]) {
      throw new Error(
        `data-parallel training needs the ${e.backend} backend, which this build of the addon lacks ` +
          `(${e.backend === 'gloo' ? 'install libgloo-dev and rebuild: bash scripts/setup.sh' : 'build against a CUDA libtorch with NCCL via LIBTORCH'})`,
      );
    }
    const where = e.storeFile ? `file store ${e.storeFile}` : `${e.masterAddr}:${e.masterPort}`;
    let store: NativeStore;
    try {
      store = e.storeFile
        ? new NativeStore({ kind: 'file', path: e.storeFile, worldSize: e.worldSize, timeoutMs: e.timeoutMs })
        : new NativeStore({ kind: 'tcp', host: e.masterAddr, port: e.masterPort, isServer: e.rank === 0, worldSize: e.worldSize, timeoutMs: e.timeoutMs });
    } catch (err) {
      throw new Error(`rank ${e.rank}: cannot reach the rendezvous store at ${where}: ${message(err)}`);
    }
    // Peer identities first, so a rank that never shows up is named rather than reported as a generic timeout.
    store.set(`peer/${e.rank}`, JSON.stringify({ pid: process.pid, host: hostname() }));
    const keys = Array.from({ length: e.worldSize }, (_, r) => `peer/${r}`);
    try {
      store.wait(keys, e.timeoutMs);
    } catch {
      const missing = keys.flatMap((k, r) => (store.check([k]) ? [] : [r]));
      throw new Error(`rank ${e.rank}: rank${missing.length > 1 ? 's' : ''} ${missing.join(', ')} did not join at ${where} within ${e.timeoutMs / 1000} s`);
    }
    const peers = keys.map((k) => JSON.parse(store.get(k)) as Peer);
    const init: GroupInit = { backend: e.backend, timeoutMs: e.timeoutMs };
    // Gloo binds to this machine's hostname by default; clusters where that does not resolve to a routable
    // address name one (MASKDCPT_GLOO_HOST) or an interface (GLOO_SOCKET_IFNAME, as PyTorch reads it).
    const host = o.hostname ?? process.env.MASKDCPT_GLOO_HOST;
    const iface = o.iface ?? process.env.GLOO_SOCKET_IFNAME;
    if (host) init.hostname = host;
    if (iface) init.iface = iface;
    if (o.threads) init.threads = o.threads;
    let group: NativeProcessGroup;
    try {
      group = new NativeProcessGroup(store, e.rank, e.worldSize, init);
    } catch (err) {
      throw new Error(`rank ${e.rank}: cannot connect the ${e.backend} process group (${where}): ${message(err)}`);
    }
    return new ProcessGroup(e.rank, e.worldSize, e.localRank, e.timeoutMs, store, group, peers, where, e.bucketBytes);
  }

  /** In-place all-reduce of the tensors, bucketed (one collective per ≤ bucketBytes of same-dtype tensors). */
  allReduce(tensors: readonly Tensor[], op: ReduceOp = 'sum', o: CollectiveOptions = {}): void {
    if (tensors.length === 0) return;
    this.guard('allReduce', () => this.group.allReduce(tensors.map((t) => t.h), op, o.bucketBytes ?? DEFAULT_BUCKET_BYTES, o.timeoutMs));
  }

  /** In-place broadcast: every rank ends with `root`'s values. */
  broadcast(tensors: readonly Tensor[], root = 0, o: CollectiveOptions = {}): void {
    if (tensors.length === 0) return;
    this.guard('broadcast', () => this.group.broadcast(tensors.map((t) => t.h), root, o.bucketBytes ?? DEFAULT_BUCKET_BYTES, o.timeoutMs));
  }

  /**
   * Averages the gradients of `params` over the ranks while backward is still running: each bucket's
   * all-reduce starts as soon as its last gradient is accumulated (DDP's scheme), `finish()` waits for the
   * rest and writes the averages into `.grad`. One backward per `finish()`; every rank must hold the same
   * parameters in the same order.
   */
  gradientReducer(params: readonly Tensor[], o: { bucketBytes?: number; firstBucketBytes?: number } = {}): GradientReducer {
    const Reducer = native.NativeGradReducer;
    if (!Reducer) throw new Error('this build of the addon has no gradient reducer (built without Gloo)');
    const bucket = o.bucketBytes ?? this.bucketBytes;
    const r = new Reducer(this.group, params.map((p) => p.h), bucket, Math.min(bucket, o.firstBucketBytes ?? FIRST_BUCKET_BYTES));
    return {
      finish: () => this.guard('allReduce (gradients)', () => r.finish()),
      close: () => r.close(),
    };
  }

  barrier(o: CollectiveOptions = {}): void {
    this.guard('barrier', () => this.group.barrier(o.timeoutMs));
  }

  /** All-reduces a few host numbers (float64), e.g. losses or a checkpoint iteration. */
  allReduceNumbers(values: readonly number[], op: ReduceOp = 'sum'): number[] {
    return tidy(() => {
      const t = fromTypedArray(Float64Array.from(values), [values.length]);
      this.allReduce([t], op);
      return Array.from(t.data() as Float64Array);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.group.close();
  }

  private guard(what: string, fn: () => void): void {
    if (this.closed) throw new Error(`${what}: the process group is closed`);
    try {
      fn();
    } catch (err) {
      // Bad arguments are this rank's own mistake, found before any communication: no one else to blame.
      if (err instanceof TypeError || err instanceof RangeError) throw err;
      throw new Error(this.explain(what, message(err)));
    }
  }

  /**
   * Names the rank(s) a failed collective is waiting for. Peers on this host are checked directly (is the
   * process alive?); otherwise every surviving rank answers a roll call in the store, and those that stay
   * silent for one timeout are named. Without the store (rank 0 hosts it) rank 0 itself is the suspect.
   */
  private explain(what: string, cause: string): string {
    const head = `rank ${this.rank}: ${what} failed`;
    const here = hostname();
    const dead = this.peers.flatMap((p, r) => (r !== this.rank && p.host === here && !alive(p.pid) ? [r] : []));
    if (dead.length > 0) return `${head}: ${describe(dead, this.peers)} exited (${cause})`;
    const call = `rollcall/${this.failures++}`;
    try {
      this.store.set(`${call}/${this.rank}`, '1');
      const keys = this.peers.map((_, r) => `${call}/${r}`);
      const deadline = Date.now() + this.timeoutMs;
      while (!this.store.check(keys) && Date.now() < deadline) sleepSync(100);
      const silent = keys.flatMap((k, r) => (this.store.check([k]) ? [] : [r]));
      if (silent.length > 0) return `${head}: ${describe(silent, this.peers)} stopped responding (${cause})`;
      return `${head}: every rank is still alive; ${cause}`;
    } catch {
      const suspect = this.rank === 0 ? 'a peer' : `rank 0 (which hosts the rendezvous store at ${this.where})`;
      return `${head}: ${suspect} is unreachable (${cause})`;
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describe(ranks: number[], peers: Peer[]): string {
  const one = (r: number) => `rank ${r} (pid ${peers[r]?.pid} on ${peers[r]?.host})`;
  return ranks.map(one).join(', ');
}
