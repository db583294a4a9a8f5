/**
 * Loads the libtorch addon (native/, built by node-gyp into build/Release/maskdcpt.node) and types its surface.
 * Everything above this file talks to libtorch only through these functions.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An opaque handle to one at::Tensor reference. */
export interface NativeTensor {
  dispose(): void;
  isDisposed(): boolean;
  shape(): number[];
  strides(): number[];
  dtype(): number;
  device(): string;
  numel(): number;
  dim(): number;
  isContiguous(): boolean;
  requiresGrad(): boolean;
  setRequiresGrad(on: boolean): NativeTensor;
  grad(): NativeTensor | null;
  setGrad(g: NativeTensor | null): void;
  isLeaf(): boolean;
  gradFn(): string | null;
  toBuffer(): ArrayBuffer;
  item(): number | boolean;
  sameStorage(other: NativeTensor): boolean;
  nbytes(): number;
  version(): number;
}

export interface OpLookup {
  handle: unknown;
  schema: string;
  numArgs: number;
}

export interface BuildInfo {
  version: string;
  config: string;
  parallel: string;
  numThreads: number;
  numInteropThreads: number;
  hasCuda: boolean;
  hasMkldnn: boolean;
  hasOpenMP: boolean;
  hasLapack: boolean;
  cudaDevices: number;
}

export interface AllocatorStats {
  name: 'caching' | 'system';
  inUseBytes: number;
  cachedBytes: number;
  peakBytes: number;
}

/** A c10d rendezvous store (TCPStore or FileStore); values are strings. */
export interface NativeStore {
  set(key: string, value: string): void;
  /** Blocks until the key exists (up to the store's timeout). */
  get(key: string): string;
  add(key: string, delta: number): number;
  check(keys: string[]): boolean;
  wait(keys: string[], timeoutMs: number): void;
}

export type StoreInit =
  | { kind: 'tcp'; host: string; port: number; isServer: boolean; worldSize: number; timeoutMs: number; prefix?: string }
  | { kind: 'file'; path: string; worldSize: number; timeoutMs: number; prefix?: string };

export interface GroupInit {
  backend: 'gloo' | 'nccl';
  timeoutMs: number;
  /** Gloo: the address other ranks reach this one at, or the network interface to bind. */
  hostname?: string;
  iface?: string;
  threads?: number;
}

export type ReduceOp = 'sum' | 'avg' | 'max' | 'min';

/** A c10d process group; collectives are in place and block until done (or throw on timeout/peer failure). */
export interface NativeProcessGroup {
  allReduce(tensors: NativeTensor[], op: ReduceOp, bucketBytes: number, timeoutMs?: number): void;
  broadcast(tensors: NativeTensor[], root: number, bucketBytes: number, timeoutMs?: number): void;
  barrier(timeoutMs?: number): void;
  close(): void;
}

/** Averages gradients while backward runs (hooks on the parameters' AccumulateGrad nodes); finish() after it. */
export interface NativeGradReducer {
  finish(timeoutMs?: number): void;
  close(): void;
}

export type NativeValue = NativeTensor | number | boolean | string | null | undefined | NativeValue[];

export interface NativeAddon {
  NativeTensor: abstract new () => NativeTensor;
  lookupOp(name: string, overload: string): OpLookup;
  hasOp(name: string, overload: string): boolean;
  callOp(handle: unknown, args: unknown[]): NativeValue;
  fromBuffer(data: ArrayBufferView, shape: readonly number[], dtype: number): NativeTensor;
  backward(tensors: NativeTensor[], grads: (NativeTensor | null)[] | null, retainGraph?: boolean, createGraph?: boolean): void;
  grad(
    outputs: NativeTensor[],
    inputs: NativeTensor[],
    gradOutputs: (NativeTensor | null)[] | null,
    retainGraph: boolean | undefined,
    createGraph: boolean,
    allowUnused: boolean,
  ): (NativeTensor | null)[];
  setGradEnabled(on: boolean): boolean;
  isGradEnabled(): boolean;
  manualSeed(seed: number): void;
  getRngState(): Uint8Array;
  setRngState(state: Uint8Array): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  buildInfo(): BuildInfo;
  allocatorStats(): AllocatorStats;
  emptyCache(): void;
  resetPeakMemory(): void;
  /** Which c10d backends this build of the addon has (none when built without Gloo's headers). */
  distributedBackends: { gloo: boolean; nccl: boolean };
  NativeStore?: new (init: StoreInit) => NativeStore;
  NativeProcessGroup?: new (store: NativeStore, rank: number, size: number, init: GroupInit) => NativeProcessGroup;
  NativeGradReducer?: new (group: NativeProcessGroup, params: NativeTensor[], bucketBytes: number, firstBucketBytes: number) => NativeGradReducer;
}

function packageRoot(): string {
  // src/tensor/native.ts and dist/tensor/native.js both sit two levels below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

function load(): NativeAddon {
  const root = packageRoot();
  const file = process.env.MASKDCPT_ADDON ?? join(root, 'build', 'Release', 'maskdcpt.node');
  if (!existsSync(file)) {
    throw new Error(
      `maskdcpt: the libtorch addon is not built (${file} is missing). ` +
        'Run `bash scripts/setup.sh` (installs libtorch-dev and builds it) or `npm run build:native`.',
    );
  }
  const require = createRequire(import.meta.url);
  try {
    return require(file) as NativeAddon;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`maskdcpt: cannot load the libtorch addon ${file}: ${msg}`);
  }
}

export const native: NativeAddon = load();
