/**
 * Tiled inference over a host raster: one tile's activations at a time, never a whole-image tensor
 * (Real-ESRGAN #184), overlaps blended with a linear feather (chaiNNer PR #2363), and the tile halved and the
 * image started again when an allocation fails.
 *
 * Layout. Cores of `tile` pixels partition the image; each core is run inside a window that adds `pad` pixels
 * of context per side. All windows of an image have ONE shape (edge windows are shifted inwards, not shrunk),
 * so the caching allocator reuses the same blocks for every tile and memory stays flat. Window origins are
 * multiples of the model's size multiple and rows/columns past the image are reflect-padded exactly as
 * `padToMultiple` pads a whole image, so a tile sees the same pixels at the same phase as untiled inference:
 * for a model whose receptive field fits in the context, the output equals untiled inference bit for bit away
 * from core boundaries, and within a small tolerance in the feather bands around them (where two tiles mix).
 */
import type { Raster } from '../io/raster.js';
import { createRaster } from '../io/raster.js';

/**
 * Runs the model on one window: planar (1,C,h,w) float32 in, the same shape out. The engine behind it
 * (libtorch in torch-backend.ts, onnxruntime in onnx-backend.ts, onnxruntime-web in web/) is the caller's; this
 * file stays engine-free so the browser demo bundles the very same layout and blend.
 */
export type TileFn = (
  input: Float32Array,
  shape: readonly [1, number, number, number],
) => Float32Array | Promise<Float32Array>;

export interface TileOptions {
  /** Core tile size in pixels; 0 = the whole image in one window. Rounded down to a multiple of `multiple`. */
  tile: number;
  /** Context pixels added on each side of a core (rounded up to a multiple of `multiple`). */
  pad: number;
  /** Window sides and origins are multiples of this (the model's `sizeMultiple`). */
  multiple: number;
  /** Colour channels the model takes (1 or 3); grey images are replicated for 3-channel models. */
  modelChannels?: number;
  /**
   * A fixed-size graph's input [height, width]: every window has exactly this size, the core is what `pad`
   * leaves of it (`tile` is ignored, no halving on allocation failures), and windows larger than the image
   * are filled by mirroring.
   */
  window?: readonly [number, number];
  onTile?: (index: number, total: number) => void;
  /** Called when a tile failed to allocate and the image starts again with a smaller tile. */
  onRetry?: (tile: number, reason: string) => void;
  signal?: AbortSignal;
}

export interface TiledResult {
  /** Unclamped model output, same size and channel count as the input raster. */
  raster: Raster;
  /** The core tile size used (after rounding and any halving); 0 = whole image. */
  tile: number;
  tiles: number;
}

/** One axis of a layout: core intervals, their (equal-length) windows and feather weights. */
export interface AxisTile {
  core0: number;
  core1: number;
  /** Window start in the padded image; the window length is `AxisLayout.window`. */
  win0: number;
  /** Output range this tile writes (core plus feather bands), and its weights there. */
  out0: number;
  out1: number;
  weights: Float64Array;
}

export interface AxisLayout {
  window: number;
  tiles: AxisTile[];
}

const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

/**
 * Splits [0, size) into cores of `tile` and windows of `tile + 2·pad` (clipped to the padded size). With
 * `fixed` (a fixed-size graph) every window is `fixed` long and the core is what the context leaves.
 */
export function axisLayout(size: number, tile: number, pad: number, multiple: number, fixed?: number): AxisLayout {
  const padded = roundUp(size, multiple);
  let whole: boolean;
  let window: number;
  if (fixed !== undefined) {
    whole = fixed >= size;
    window = fixed;
    pad = Math.min(pad, Math.floor((fixed - 1) / 2));
    tile = fixed - 2 * pad;
  } else {
    whole = tile <= 0 || tile + 2 * pad >= padded;
    window = whole ? padded : tile + 2 * pad;
  }
  const n = whole ? 1 : Math.ceil(size / tile);
  // Feather half-width: half the context, so every blended pixel still has pad/2 context in both tiles.
  const f = Math.min(Math.floor(pad / 2), Math.floor(tile / 2));
  const tiles: AxisTile[] = [];
  for (let i = 0; i < n; i++) {
    const core0 = whole ? 0 : i * tile;
    const core1 = whole ? size : Math.min(size, core0 + tile);
    const win0 = Math.min(Math.max(core0 - pad, 0), Math.max(0, padded - window));
    const lo = core0 > 0 ? f : 0;
    const hi = core1 < size ? f : 0;
    const out0 = core0 - lo;
    const out1 = Math.min(size, core1 + hi);
    const weights = new Float64Array(out1 - out0);
    for (let p = out0; p < out1; p++) {
      let w = 1;
      // Rising ramp across the band around core0, falling ramp across the band around core1; the neighbour's
      // ramp is the exact complement, so weights sum to one at every pixel.
      if (lo > 0 && p < core0 + lo) w = (p - (core0 - lo) + 0.5) / (2 * lo);
      if (hi > 0 && p >= core1 - hi) w = 1 - (p - (core1 - hi) + 0.5) / (2 * hi);
      weights[p - out0] = w;
    }
    tiles.push({ core0, core1, win0, out0, out1, weights });
  }
  return { window, tiles };
}

/**
 * Source index for a padded-image coordinate, matching `padToMultiple`: reflection about the last row/column
 * (torch 'reflect'), or replication when the padding is not smaller than the image.
 */
function sourceIndex(p: number, size: number, reflect: boolean): number {
  if (p < size) return p;
  if (!reflect || size === 1) return size - 1;
  // Mirror-periodic, so a fixed window larger than twice the image still finds a pixel.
  const period = 2 * (size - 1);
  const q = p % period;
  return q < size ? q : period - q;
}

/** Copies a window of an HWC raster into a planar (C,h,w) buffer, replicating grey into `channels` planes. */
export function fillWindow(
  r: Raster,
  y0: number,
  x0: number,
  h: number,
  w: number,
  channels: number,
  reflect: boolean,
  out: Float32Array,
): void {
  const { data, width, height, channels: c } = r;
  const plane = h * w;
  const cols = new Int32Array(w);
  for (let x = 0; x < w; x++) cols[x] = sourceIndex(x0 + x, width, reflect);
  for (let y = 0; y < h; y++) {
    const row = sourceIndex(y0 + y, height, reflect) * width;
    const dst = y * w;
    for (let x = 0; x < w; x++) {
      const s = (row + (cols[x] as number)) * c;
      for (let k = 0; k < channels; k++) out[k * plane + dst + x] = data[s + (c === 1 ? 0 : k)] as number;
    }
  }
}

/** The tile size rounded down to the model's multiple; a tile below the multiple is an error. */
export function checkTile(tile: number, multiple: number): number {
  if (!Number.isInteger(tile) || tile < 0)
    throw new RangeError(`tile must be a whole number of pixels (0 = whole image), got ${tile}`);
  if (tile === 0) return 0;
  const m = Math.max(1, multiple);
  if (tile < m) {
    throw new RangeError(
      `tile ${tile} is smaller than the model's size multiple ${m}; use -t ${m} or more, or -t 0 for the whole image`,
    );
  }
  return Math.floor(tile / m) * m;
}

/** Is this error an allocation failure (worth retrying with a smaller tile)? */
export function isAllocationError(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /out of memory|can't allocate|cannot allocate|bad_alloc|failed to allocate|allocation fail/i.test(msg);
}

/** Yields to the event loop between tiles, so signals (SIGINT → abort) and progress rendering get a turn. */
const yieldTurn = () =>
  // setImmediate is Node's (a browser has only setTimeout, clamped but fine between tiles).
  new Promise<void>((resolve) => ('setImmediate' in globalThis ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * Runs `run` (one window, NCHW → NCHW of the same size) tile by tile over `input` and blends the results. One
 * window is in flight at a time, so engine memory is bounded by one window's activations whatever the image
 * size.
 */
export async function runTiles(input: Raster, run: TileFn, o: TileOptions): Promise<TiledResult> {
  const m = Math.max(1, o.multiple);
  const pad = roundUp(Math.max(0, o.pad), m);
  if (o.window) return runLayout(input, run, 0, pad, m, o);
  let tile = checkTile(o.tile, m);
  for (;;) {
    try {
      return await runLayout(input, run, tile, pad, m, o);
    } catch (err) {
      if (!isAllocationError(err)) throw err;
      const current = tile > 0 ? tile : roundUp(Math.max(input.width, input.height), m);
      const next = Math.floor(current / 2 / m) * m;
      const reason = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
      if (next < m) throw new Error(`out of memory even with a ${current}px tile (${reason})`);
      o.onRetry?.(next, reason);
      tile = next;
    }
  }
}

async function runLayout(
  input: Raster,
  run: TileFn,
  tile: number,
  pad: number,
  m: number,
  o: TileOptions,
): Promise<TiledResult> {
  const { width: W, height: H, channels: C } = input;
  const mc = o.modelChannels ?? 3;
  if (C !== 1 && mc !== C) throw new Error(`the model takes ${mc}-channel images, this one has ${C} channels`);
  const ys = axisLayout(H, tile, pad, m, o.window?.[0]);
  const xs = axisLayout(W, tile, pad, m, o.window?.[1]);
  const wh = ys.window;
  const ww = xs.window;
  // Same rule as padToMultiple on the whole image: reflect unless the padding is as large as the image.
  const reflect = o.window !== undefined || (roundUp(H, m) - H < H && roundUp(W, m) - W < W);
  const out = createRaster(W, H, C);
  const buf = new Float32Array(mc * wh * ww);
  const total = ys.tiles.length * xs.tiles.length;
  let index = 0;
  for (const ty of ys.tiles) {
    for (const tx of xs.tiles) {
      o.signal?.throwIfAborted();
      fillWindow(input, ty.win0, tx.win0, wh, ww, mc, reflect, buf);
      const result = await run(buf, [1, mc, wh, ww]);
      if (result.length !== buf.length) {
        throw new Error(
          `the model returned ${result.length} values for a [1,${mc},${wh},${ww}] input; only same-size models are supported`,
        );
      }
      blend(out, result, ty, tx, wh, ww, mc);
      index++;
      o.onTile?.(index, total);
      await yieldTurn();
    }
  }
  const used = o.window ? Math.max(0, Math.min(wh, ww) - 2 * pad) : tile;
  return { raster: out, tile: used, tiles: total };
}

/** Adds a tile's weighted output into the image; grey images take the luma of a colour model's output. */
function blend(out: Raster, y: Float32Array, ty: AxisTile, tx: AxisTile, wh: number, ww: number, mc: number): void {
  const { width: W, channels: C, data } = out;
  const plane = wh * ww;
  const toGrey = C === 1 && mc === 3;
  for (let py = ty.out0; py < ty.out1; py++) {
    const wy = ty.weights[py - ty.out0] as number;
    const srcRow = (py - ty.win0) * ww - tx.win0;
    const dstRow = py * W;
    for (let px = tx.out0; px < tx.out1; px++) {
      const w = wy * (tx.weights[px - tx.out0] as number);
      const s = srcRow + px;
      const d = (dstRow + px) * C;
      if (toGrey) {
        // Rec. 601 luma, the weights sharp/libvips use to turn sRGB into grey.
        const v = 0.299 * (y[s] as number) + 0.587 * (y[plane + s] as number) + 0.114 * (y[2 * plane + s] as number);
        data[d] = (data[d] as number) + w * v;
      } else {
        for (let k = 0; k < C; k++) data[d + k] = (data[d + k] as number) + w * (y[k * plane + s] as number);
      }
    }
  }
}
