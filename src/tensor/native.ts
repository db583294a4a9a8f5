/**
 * Loads the libtorch addon (native/, built by node-gyp into build/Release/maskdcpt.node) and types its surface.
 * Everything above this file talks to libtorch only through these functions.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
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

/** JPEG codec with the system libjpeg-turbo (native/jpeg.cc); float samples in [0, 1], HWC rasters, RGB or grey. */
export interface NativeJpeg {
  jpegRoundTrip(data: Float32Array, width: number, height: number, channels: number, quality: number): Float32Array;
  jpegEncode(data: Float32Array, width: number, height: number, channels: number, quality: number): Buffer;
  /** channels: 0 keeps the file's (grey stays grey, colour becomes RGB), 1 or 3 converts. */
  jpegDecode(
    bytes: Uint8Array,
    channels: 0 | 1 | 3,
  ): { data: Float32Array; width: number; height: number; channels: number };
  /** float32 CPU [C,H,W] or [N,C,H,W], C = 1 or 3: a new contiguous tensor, each image round-tripped. */
  jpegRoundTripTensor(t: NativeTensor, quality: number): NativeTensor;
}

/**
 * cv2.filter2D paths for HWC float32 rasters (native/filter.cc): correlation, reflect-101, float64 sums, float32
 * out; bit-identical to the JS paths of src/degrade/filter.ts, which plans the kernel and calls these. Also the
 * separable resampler of src/degrade/resize.ts, bit-identical to its JS loops.
 */
export interface NativeFilter {
  /** kernel: kh·kw taps, row-major; anchor (ax, ay) inside it. */
  filter2dDirect(
    data: Float32Array,
    width: number,
    height: number,
    channels: number,
    kernel: Float64Array,
    kw: number,
    kh: number,
    ax: number,
    ay: number,
  ): Float32Array;
  /** Σ_t correlate(src, u_t v_tᵀ): u holds terms·kh vertical taps, v terms·kw horizontal ones. */
  filter2dSeparable(
    data: Float32Array,
    width: number,
    height: number,
    channels: number,
    u: Float64Array,
    v: Float64Array,
    terms: number,
    ay: number,
    ax: number,
  ): Float32Array;
  /** resize.ts `resample`: per-output tap lists along rows then columns; result colsOut × rowsOut × channels. */
  resample(
    data: Float32Array,
    width: number,
    height: number,
    channels: number,
    rowsOut: number,
    rowsTaps: number,
    rowsIdx: Int32Array,
    rowsW: Float64Array,
    colsOut: number,
    colsTaps: number,
    colsIdx: Int32Array,
    colsW: Float64Array,
  ): Float32Array;
}

export interface NativeAddon extends NativeJpeg, NativeFilter {
  NativeTensor: abstract new () => NativeTensor;
  lookupOp(name: string, overload: string): OpLookup;
  hasOp(name: string, overload: string): boolean;
  callOp(handle: unknown, args: unknown[]): NativeValue;
  fromBuffer(data: ArrayBufferView, shape: readonly number[], dtype: number): NativeTensor;
  backward(
    tensors: NativeTensor[],
    grads: (NativeTensor | null)[] | null,
    retainGraph?: boolean,
    createGraph?: boolean,
  ): void;
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

/** Where the addon is looked for: $MASKDCPT_ADDON, else build/Release/maskdcpt.node in the package. */
export function addonPath(): string {
  return process.env.MASKDCPT_ADDON || join(packageRoot(), 'build', 'Release', 'maskdcpt.node');
}

/** Why the addon could not be loaded (null until a load was tried or when it loaded). */
let failure: string | null = null;
let addon: NativeAddon | undefined;

function load(): NativeAddon | undefined {
  if (addon || failure) return addon;
  const file = addonPath();
  if (!existsSync(file)) {
    failure = `${file} is missing`;
    return undefined;
  }
  // OpenMP reads its wait policy once, when libgomp loads with the addon. Idle threads that spin starve the data
  // workers and other processes on small machines (training steps 5-20x slower under contention, see
  // docs/results.md), so wait passively unless the user chose a policy.
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  try {
    const a = createRequire(import.meta.url)(file) as NativeAddon;
    // libtorch defaults to one intra-op thread here; use the machine's cores unless the user chose.
    const envThreads = Number(process.env.MASKDCPT_THREADS ?? process.env.OMP_NUM_THREADS ?? '');
    a.setNumThreads(Number.isInteger(envThreads) && envThreads > 0 ? envThreads : availableParallelism());
    addon = a;
  } catch (err) {
    failure = `${file} cannot be loaded: ${err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)}`;
  }
  return addon;
}

/** Is the libtorch addon built and loadable? (Loads it on first call.) */
export function libtorchAvailable(): boolean {
  return load() !== undefined;
}

/**
 * The addon, or a clear error naming what needs it, what is missing and how to install it. The addon is
 * loaded on first use, not at import, so the ONNX paths (restore/diagnose with an .onnx model) run on a
 * machine without libtorch.
 */
export function requireLibtorch(feature = 'this command'): NativeAddon {
  const a = load();
  if (a) return a;
  throw new Error(
    `${feature} needs libtorch, and the libtorch addon is not available (${failure}). ` +
      'Install it: `sudo apt-get install libtorch-dev` (Debian/Ubuntu; or set LIBTORCH=/path/to/libtorch), then ' +
      '`npm run build:native` in the maskdcpt package folder (`bash scripts/setup.sh` does both). ' +
      'Restoring and diagnosing with an exported .onnx model need no libtorch (`--weights model.onnx`).',
  );
}

/**
 * The addon's functions, loaded on first access. Functions are bound once and cached, so the hot path
 * (`native.callOp`) costs one property read after the first call.
 */
const bound = new Map<PropertyKey, unknown>();
export const native: NativeAddon = new Proxy({} as NativeAddon, {
  get(_target, key) {
    const hit = bound.get(key);
    if (hit !== undefined) return hit;
    const a = requireLibtorch('this operation (tensor engine)');
    const v = Reflect.get(a, key) as unknown;
    const out = typeof v === 'function' && key !== 'NativeTensor' ? (v as (...args: unknown[]) => unknown).bind(a) : v;
    bound.set(key, out);
    return out;
  },
});
