/**
 * Helpers shared by the metrics: single-channel planes, validation with clear messages, and the
 * rounding rules the reference implementations use (NumPy's half-to-even, MATLAB's half-away-from-zero).
 */
import type { Raster } from '../io/raster.js';

/** One image channel, row-major. Metrics work per plane in float64 unless they emulate float32 code. */
export interface Plane<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  data: T;
  width: number;
  height: number;
}

const describe = (r: Raster): string =>
  `${r.width}x${r.height} ${r.channels === 1 ? 'grey' : r.channels === 3 ? 'RGB' : `${r.channels}-channel`}`;

/** Throws unless `r` is a well-formed, non-empty grey or RGB raster. */
export function assertImage(r: Raster, who: string): void {
  if (!r || !(r.data instanceof Float32Array)) throw new TypeError(`${who}: expected a Raster with Float32Array data`);
  if (!(r.width > 0 && r.height > 0) || !Number.isInteger(r.width) || !Number.isInteger(r.height)) {
    throw new RangeError(`${who}: empty image (${r.width}x${r.height})`);
  }
  if (r.channels !== 1 && r.channels !== 3) {
    throw new RangeError(`${who}: images must be grey (1 channel) or RGB (3 channels), got ${r.channels} channels`);
  }
  if (r.data.length !== r.width * r.height * r.channels) {
    throw new RangeError(`${who}: data has ${r.data.length} samples, expected ${r.width * r.height * r.channels}`);
  }
}

/** Throws unless both images are valid and have the same size and channel count. */
export function assertSameShape(a: Raster, b: Raster, who: string): void {
  assertImage(a, who);
  assertImage(b, who);
  if (a.channels !== b.channels) {
    throw new RangeError(`${who}: cannot compare a ${describe(a)} image with a ${describe(b)} image (grey vs colour)`);
  }
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`${who}: image sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
}

/** Throws if the image (after `what`, e.g. a crop) is smaller than `min` in either dimension. */
export function assertMinSize(width: number, height: number, min: number, who: string, what: string): void {
  if (width < min || height < min) {
    throw new RangeError(`${who}: image is ${width}x${height}${what}, smaller than the ${min}x${min} window`);
  }
}

/** NumPy `round` / `rint`: half to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** MATLAB `round`: half away from zero. */
export function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/**
 * The 8-bit value the Python pipelines see for a float sample: clamp to [0, 1], `x * 255` in float32,
 * round half to even (BasicSR `tensor2img`, the fork's `image_range=255` path, `cv2.imwrite` inputs).
 */
export function toUint8(x: number): number {
  const v = Math.fround(x * 255);
  if (!(v > 0)) return 0; // also maps NaN to 0
  if (v >= 255) return 255;
  const r = Math.round(v);
  return r - v === 0.5 && (r & 1) === 1 ? r - 1 : r;
}

/** Validates a crop border against an image size. */
export function assertCrop(border: number, width: number, height: number, who: string): void {
  if (!Number.isInteger(border) || border < 0) {
    throw new RangeError(`${who}: cropBorder must be a non-negative integer, got ${border}`);
  }
  if (2 * border >= width || 2 * border >= height) {
    throw new RangeError(`${who}: cropBorder ${border} leaves nothing of a ${width}x${height} image`);
  }
}
