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
