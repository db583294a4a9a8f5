/**
 * The library API for apps, sharp-style: `restore(input, options)` takes a path, an encoded Buffer or raw
 * pixels and resolves to `{ data, info }` (raw pixels plus what was done), with typed progress events and an
 * AbortSignal.
 *
 * @example
 *   const { data, info } = await restore('photo.jpg', { model: 'nafnet-maskdcpt-5d', tile: 256 });
 *   // data: Float32Array, HWC interleaved, [0, 1]; info.channels counts alpha when info.hasAlpha
 */
import { existsSync, statSync } from 'node:fs';
import { loadModel } from '../archs/load.js';
import type { Backbone } from '../archs/types.js';
import { type ImageRead, readImage } from '../io/image.js';
import { createRaster, type Raster } from '../io/raster.js';
import { type BackendName, isRestorer, pickBackend, type Restorer } from './backend.js';
import type { RestoreProgress } from './events.js';
import { newestCheckpoint, resolveModelName } from './models.js';
import { runTiles } from './tiling.js';

/** Raw pixels, as sharp's `{ data, info }` (so one call's output can be the next one's input). */
export interface RawImage {
  /** HWC interleaved; Uint8 is read as /255, Uint16 as /65535, Float32 as is ([0, 1]). */
  data: Float32Array | Uint8Array | Uint16Array;
  info: { width: number; height: number; channels: 1 | 2 | 3 | 4 };
}

/** A file path, an encoded image (PNG, JPEG, WebP, TIFF, ...) or raw pixels. */
export type ImageInput = string | Uint8Array | RawImage;

export interface ModelOptions {
  /** For official .pth files: the architecture preset (e.g. 'nafnet-64-5d'). */
  arch?: string;
  archOptions?: Record<string, unknown>;
  /** 'params_ema' (default) or 'params'. */
  key?: string;
  /** Models folder for names (default: `modelsDir()`). */
  modelsDir?: string;
  /**
   * 'auto' (default): onnxruntime for `.onnx` files, libtorch otherwise. 'onnx' also makes a name resolve
   * to `<name>.onnx` in the models folder. The libtorch addon is loaded only when libtorch is used.
   */
  backend?: BackendName | 'auto';
  /** Intra-op threads for onnxruntime (libtorch's are process-wide: `setNumThreads`). */
  threads?: number;
}

export interface RestoreOptions extends ModelOptions {
  /** A loaded model (Backbone or Restorer, borrowed), a weights or .onnx file, or an installed name. */
  model: string | Backbone | Restorer;
  /** Core tile size in pixels; 0 = whole image (default 512). Halved automatically if memory runs out. */
  tile?: number;
  /** Context pixels per tile side, blended across neighbours (default 32). */
  tilePad?: number;
  signal?: AbortSignal;
  onProgress?: (event: RestoreProgress) => void;
}

export const DEFAULT_TILE = 512;
export const DEFAULT_TILE_PAD = 32;

export interface RestoreInfo {
  width: number;
  height: number;
  /** Channels of `data`: 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA). */
  channels: 1 | 2 | 3 | 4;
  hasAlpha: boolean;
  /** Of the input (16-bit inputs deserve 16-bit outputs). */
  bitDepth: 8 | 16;
  /** Input format ('png', 'jpeg', ... or 'raw'). */
  format: string;
  /** The input's EXIF orientation was applied: `data` is upright. */
  orientationApplied: boolean;
  hasIcc: boolean;
  /** Tile size used (after rounding/halving); 0 = whole image. */
  tile: number;
  tiles: number;
  seconds: number;
}

export interface RestoreResult {
  data: Float32Array;
  info: RestoreInfo;
}

/** A model loaded for restoration; `dispose()` frees it if this call loaded it. */
export interface LoadedModel {
  restorer: Restorer;
  name: string;
  dispose(): void;
}

/**
 * Loads a model from a Backbone or Restorer (borrowed), a weights or .onnx file, or a name in the models
 * folder. The engines are imported here, on demand: an .onnx model never loads libtorch, a libtorch model
 * never loads onnxruntime.
 */
export async function loadRestorationModel(
  ref: string | Backbone | Restorer,
  o: ModelOptions = {},
): Promise<LoadedModel> {
  if (isRestorer(ref)) return { restorer: ref, name: ref.arch, dispose: () => {} };
  if (typeof ref !== 'string') {
    const { torchRestorer } = await import('./torch-backend.js');
    return { restorer: torchRestorer(ref), name: ref.arch, dispose: () => {} };
  }
  let src: { name: string; path: string; arch?: string; key?: string };
  if (existsSync(ref) && statSync(ref).isDirectory()) {
    // A training run folder: its newest checkpoint (the classifier is dropped by loadModel).
    const ckpt = newestCheckpoint(ref);
    if (!ckpt) throw new Error(`${ref} holds no checkpoint (ckpt_<iter>.safetensors)`);
    src = { name: ref, path: ckpt };
  } else if (existsSync(ref) || /\.(safetensors|pth|pt|ckpt|onnx)$/i.test(ref)) {
    src = { name: ref, path: ref };
  } else {
    src = resolveModelName(ref, o.modelsDir, o.backend === 'onnx' ? 'onnx' : undefined);
  }
  const backend = pickBackend(src.path, o.backend ?? 'auto');
  if (backend === 'onnx') {
    if (!/\.onnx$/i.test(src.path)) {
      throw new Error(
        `--backend onnx needs an .onnx model, got ${src.path}; export it first: maskdcpt export --weights ${src.path} -o model.onnx`,
      );
    }
    const { loadOnnxModel } = await import('./onnx-backend.js');
    const m = await loadOnnxModel(src.path, o.threads ? { threads: o.threads } : {});
    return { restorer: m, name: src.name, dispose: () => m.dispose() };
  }
  const arch = o.arch ?? src.arch;
  const key = o.key ?? src.key;
  const { torchRestorer } = await import('./torch-backend.js');
  const { loadModel } = await import('../archs/load.js');
  const model = await loadModel(src.path, {
    ...(arch ? { arch } : {}),
    ...(o.archOptions ? { archOptions: o.archOptions } : {}),
    ...(key ? { key } : {}),
  });
  model.eval();
  return { restorer: torchRestorer(model, true), name: src.name, dispose: () => model.dispose() };
}

function isRaw(input: ImageInput): input is RawImage {
  return typeof input === 'object' && !(input instanceof Uint8Array) && 'info' in input;
}

/** Decodes any input to our raster + separate alpha; raw pixels are validated, not guessed. */
export async function decodeInput(input: ImageInput, name?: string): Promise<ImageRead> {
  if (!isRaw(input)) return readImage(input, name ? { name } : {});
  const { width, height, channels } = input.info;
  const n = width * height * channels;
  if (![1, 2, 3, 4].includes(channels)) throw new Error(`raw input: channels must be 1-4, got ${channels}`);
  if (input.data.length !== n) {
    throw new Error(`raw input: ${input.data.length} samples for ${width}x${height}x${channels} = ${n}`);
  }
  const scale = input.data instanceof Uint8Array ? 1 / 255 : input.data instanceof Uint16Array ? 1 / 65535 : 1;
  const colour = channels === 2 || channels === 1 ? 1 : 3;
  const hasAlpha = channels === 2 || channels === 4;
  const raster = createRaster(width, height, colour);
  const alpha = hasAlpha ? new Float32Array(width * height) : undefined;
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < colour; k++) raster.data[i * colour + k] = (input.data[i * channels + k] as number) * scale;
    if (alpha) alpha[i] = (input.data[i * channels + colour] as number) * scale;
  }
  return {
    raster,
    ...(alpha ? { alpha } : {}),
    bitDepth: input.data instanceof Uint16Array ? 16 : 8,
    format: 'raw',
    hasIcc: false,
    orientationApplied: false,
  };
}

export interface RestoredImage {
  /** Clamped to [0, 1]. */
  raster: Raster;
  alpha?: Float32Array;
  tile: number;
  tiles: number;
}

/** Restores a decoded image with a loaded model (alpha passes through untouched). */
export async function restoreDecoded(
  img: ImageRead,
  model: Backbone | Restorer,
  o: Pick<RestoreOptions, 'tile' | 'tilePad' | 'signal' | 'onProgress'> & { file?: string } = {},
): Promise<RestoredImage> {
  const emit = o.onProgress;
  const file = o.file;
  const r = isRestorer(model) ? model : (await loadRestorationModel(model)).restorer;
  const res = await runTiles(img.raster, r.runTile, {
    tile: o.tile ?? DEFAULT_TILE,
    pad: o.tilePad ?? DEFAULT_TILE_PAD,
    multiple: r.sizeMultiple,
    modelChannels: r.channels,
    ...(r.window ? { window: r.window } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(emit
      ? {
          onTile: (index: number, total: number) => emit({ type: 'tile', index, total, ...(file ? { file } : {}) }),
          onRetry: (tile: number, reason: string) => emit({ type: 'retry', tile, reason, ...(file ? { file } : {}) }),
        }
      : {}),
  });
  const d = res.raster.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i] as number;
    // biome-ignore lint/complexity/useMathMinMax: Math.min/max would keep NaN; this maps it to 0 as image writing does
    d[i] = v > 0 ? (v < 1 ? v : 1) : 0;
  }
  return { raster: res.raster, ...(img.alpha ? { alpha: img.alpha } : {}), tile: res.tile, tiles: res.tiles };
}

/** Colour and alpha interleaved into one HWC array (sharp's raw layout). */
export function interleave(raster: Raster, alpha?: Float32Array): Float32Array {
  if (!alpha) return raster.data;
  const c = raster.channels;
  const px = raster.width * raster.height;
  const out = new Float32Array(px * (c + 1));
  for (let i = 0; i < px; i++) {
    for (let k = 0; k < c; k++) out[i * (c + 1) + k] = raster.data[i * c + k] as number;
    out[i * (c + 1) + c] = alpha[i] as number;
  }
  return out;
}

/** Restores one image: path, encoded bytes or raw pixels in; raw float pixels plus info out. */
export async function restore(input: ImageInput, options: RestoreOptions): Promise<RestoreResult> {
  const t0 = performance.now();
  options.signal?.throwIfAborted();
  const loaded = await loadRestorationModel(options.model, options);
  try {
    const img = await decodeInput(input);
    const out = await restoreDecoded(img, loaded.restorer, options);
    const colour = out.raster.channels;
    const channels = (colour + (out.alpha ? 1 : 0)) as 1 | 2 | 3 | 4;
    const seconds = (performance.now() - t0) / 1000;
    options.onProgress?.({ type: 'done', seconds });
    return {
      data: interleave(out.raster, out.alpha),
      info: {
        width: out.raster.width,
        height: out.raster.height,
        channels,
        hasAlpha: out.alpha !== undefined,
        bitDepth: img.bitDepth,
        format: img.format,
        orientationApplied: img.orientationApplied,
        hasIcc: img.hasIcc,
        tile: out.tile,
        tiles: out.tiles,
        seconds,
      },
    };
  } finally {
    loaded.dispose();
  }
}
