/** Test helpers: shared-data paths and PNG loading through sharp (src/io is written concurrently). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Raster } from '../../src/io/raster.js';

/** Absolute path of a file under ../shared (beside the clone in CI). */
export function sharedPath(rel: string): string {
  return fileURLToPath(new URL(`../../../shared/${rel}`, import.meta.url));
}

export const hasShared = existsSync(sharedPath('fixtures/metrics/expected.json'));

/** Decodes a PNG/JPEG to a float32 [0, 1] raster (grey stays 1 channel, alpha is dropped). */
export async function loadImage(file: string | Buffer): Promise<Raster> {
  const meta = await sharp(file).metadata();
  // sharp expands grey to sRGB on raw output unless asked to keep it.
  const pipeline = (meta.channels ?? 3) <= 2 ? sharp(file).toColourspace('b-w') : sharp(file);
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  const keep = info.channels >= 3 ? 3 : 1;
  const n = info.width * info.height;
  const out = new Float32Array(n * keep);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < keep; k++) out[i * keep + k] = (data[i * info.channels + k] as number) / 255;
  }
  return { data: out, width: info.width, height: info.height, channels: keep };
}

/** Encodes a float raster to 8-bit and back through sharp's JPEG (libjpeg tables, 4:2:0). */
export async function jpegRoundTrip(r: Raster, quality: number): Promise<Raster> {
  const u8 = Buffer.alloc(r.data.length);
  for (let i = 0; i < r.data.length; i++) u8[i] = Math.round(Math.min(1, Math.max(0, r.data[i] as number)) * 255);
  const jpg = await sharp(u8, { raw: { width: r.width, height: r.height, channels: r.channels as 1 | 3 } })
    .jpeg({ quality })
    .toBuffer();
  return loadImage(jpg);
}

/** Crops (y0, x0, h, w) out of a raster. */
export function crop(r: Raster, y0: number, x0: number, h: number, w: number): Raster {
  const c = r.channels;
  const data = new Float32Array(w * h * c);
  for (let y = 0; y < h; y++) {
    const s = ((y0 + y) * r.width + x0) * c;
    data.set(r.data.subarray(s, s + w * c), y * w * c);
  }
  return { data, width: w, height: h, channels: c };
}
