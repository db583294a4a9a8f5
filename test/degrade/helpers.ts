/**
 * Test helpers for the degradation suite: fixture paths, a tiny safetensors reader (the io module's reader lands
 * separately), PNG loading through sharp and a float64 PSNR.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createRaster, cropRaster, type Raster } from '../../src/io/raster.js';

/** Absolute path of a file under the shared folder (a sibling of the repository root). */
export function sharedPath(rel: string): string {
  return fileURLToPath(new URL(`../../../shared/${rel}`, import.meta.url));
}

/** Absolute path of a file under test/fixtures/degrade. */
export function localFixture(rel: string): string {
  return fileURLToPath(new URL(`../fixtures/degrade/${rel}`, import.meta.url));
}

export interface StTensor {
  dtype: string;
  shape: number[];
  data: Float64Array | Float32Array | BigInt64Array;
}

/** Reads a .safetensors file: u64 LE header length, JSON header, raw LE data. */
export function readSafetensors(path: string): Map<string, StTensor> {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const base = 8 + n;
  const out = new Map<string, StTensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [a, b] = info.data_offsets;
    const bytes = new Uint8Array(buf.subarray(base + a, base + b)).slice().buffer;
    let data: StTensor['data'];
    if (info.dtype === 'F64') data = new Float64Array(bytes);
    else if (info.dtype === 'F32') data = new Float32Array(bytes);
    else if (info.dtype === 'I64') data = new BigInt64Array(bytes);
    else throw new Error(`unsupported dtype ${info.dtype}`);
    out.set(name, { dtype: info.dtype, shape: info.shape, data });
  }
  return out;
}

/** 8-bit PNG → raw uint8 HWC plus size. */
export async function readPngU8(
  path: string,
): Promise<{ data: Uint8Array; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
}

/** 8-bit PNG → Raster (uint8 / 255). */
export async function readPngRaster(path: string): Promise<Raster> {
  const p = await readPngU8(path);
  const r = createRaster(p.width, p.height, p.channels);
  for (let i = 0; i < p.data.length; i++) r.data[i] = (p.data[i] as number) / 255;
  return r;
}

/** Float64 PSNR over all samples, range 1. */
export function psnr(a: Raster, b: Raster): number {
  assertSameShape(a, b);
  let s = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = (a.data[i] as number) - (b.data[i] as number);
    s += d * d;
  }
  const mse = s / a.data.length;
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(1 / mse);
}

export function assertSameShape(a: Raster, b: Raster): void {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(`shape mismatch ${a.width}x${a.height}x${a.channels} vs ${b.width}x${b.height}x${b.channels}`);
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** A few small real-photo crops (Kodak, downscaled ×½ by sharp, centre crop) for severity tests. */
export async function kodakCrops(names: readonly string[], size: number): Promise<Raster[]> {
  const out: Raster[] = [];
  for (const name of names) {
    const { data, info } = await sharp(sharedPath(`data/kodak24/${name}.png`))
      .resize({ width: 192, kernel: 'lanczos3' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const r = createRaster(info.width, info.height, info.channels);
    for (let i = 0; i < data.length; i++) r.data[i] = (data[i] as number) / 255;
    out.push(cropRaster(r, Math.floor((r.height - size) / 2), Math.floor((r.width - size) / 2), size, size));
  }
  return out;
}
