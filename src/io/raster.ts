/**
 * The host-side image type shared by io, degrade, metrics and data: float32 pixels, interleaved HWC
 * (the layout sharp's `.raw()` and OpenCV use), RGB order, nominal range [0, 1].
 * Networks take NCHW tensors; conversion happens once, when a batch is assembled.
 */
export interface Raster {
  /** Interleaved HWC samples, length = width * height * channels. */
  data: Float32Array;
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB); alpha is carried separately by image I/O. */
  channels: number;
}

export function createRaster(width: number, height: number, channels: number, data?: Float32Array): Raster {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`raster: invalid size ${width}x${height}`);
  }
  if (channels !== 1 && channels !== 3) throw new RangeError(`raster: channels must be 1 or 3, got ${channels}`);
  const n = width * height * channels;
  if (data && data.length !== n) {
    throw new RangeError(`raster: data has ${data.length} samples, expected ${width}x${height}x${channels} = ${n}`);
  }
  return { data: data ?? new Float32Array(n), width, height, channels };
}

export function cloneRaster(r: Raster): Raster {
  return { data: r.data.slice(), width: r.width, height: r.height, channels: r.channels };
}

/** HWC → CHW copy (planar), e.g. to build an NCHW tensor. */
export function toPlanar(r: Raster, out = new Float32Array(r.data.length)): Float32Array {
  const { width: w, height: h, channels: c, data } = r;
  const plane = w * h;
  for (let i = 0; i < plane; i++) {
    for (let k = 0; k < c; k++) out[k * plane + i] = data[i * c + k] as number;
  }
  return out;
}

/** CHW (planar) → HWC raster. */
export function fromPlanar(planar: Float32Array, width: number, height: number, channels: number): Raster {
  const r = createRaster(width, height, channels);
  const plane = width * height;
  if (planar.length < plane * channels) throw new RangeError('fromPlanar: buffer too small');
  for (let i = 0; i < plane; i++) {
    for (let k = 0; k < channels; k++) r.data[i * channels + k] = planar[k * plane + i] as number;
  }
  return r;
}

/** Crops a window; throws if it does not fit. */
export function cropRaster(r: Raster, top: number, left: number, height: number, width: number): Raster {
  if (top < 0 || left < 0 || top + height > r.height || left + width > r.width) {
    throw new RangeError(`cropRaster: window ${height}x${width}@(${top},${left}) outside ${r.height}x${r.width}`);
  }
  const out = createRaster(width, height, r.channels);
  const c = r.channels;
  for (let y = 0; y < height; y++) {
    const src = ((top + y) * r.width + left) * c;
    out.data.set(r.data.subarray(src, src + width * c), y * width * c);
  }
  return out;
}
