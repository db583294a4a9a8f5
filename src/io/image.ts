/**
 * Image files ↔ Raster, through sharp only.
 *
 * Reading: EXIF orientation is applied, palette/CMYK/etc. become RGB (embedded ICC profiles are honoured by
 * converting to sRGB), grey images stay 1 channel, 16-bit PNG/TIFF keep full precision (value / 65535), 8-bit is
 * value / 255, alpha is returned separately.
 *
 * Writing: samples are quantised by round-half-up after clamping, q = floor(clamp(v, 0, 1) * max + 0.5) with
 * max = 255 or 65535 (NaN → 0). This differs from numpy's round-half-to-even (BasicSR's tensor2img) only for
 * values exactly halfway between two levels. Files are written atomically (temp file + rename).
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { commitAtomic, tempPathFor } from './atomic.js';
import { exifTextTags } from './exif.js';
import { createRaster, type Raster } from './raster.js';

export interface ReadImageOptions {
  /** 3 forces RGB output for grey images (default: keep the file's 1 or 3 colour channels). */
  channels?: 3;
  /** Names a buffer input in errors. */
  name?: string;
  /** How strict decoding is (sharp's failOn). Default 'warning': damaged files are errors, never half images. */
  failOn?: 'warning' | 'error' | 'truncated';
}

export interface ImageRead {
  raster: Raster;
  /** Alpha in [0, 1], one value per pixel, when the file has an alpha channel. */
  alpha?: Float32Array;
  bitDepth: 8 | 16;
  /** Decoder name from sharp: 'png', 'jpeg', 'webp', 'tiff', 'gif', ... */
  format: string;
  hasIcc: boolean;
  /** True when an EXIF orientation other than 1 (upright) was applied to the pixels. */
  orientationApplied: boolean;
}

export type ImageFormat = 'png' | 'jpg' | 'webp';

export interface WriteImageOptions {
  alpha?: Float32Array;
  /** 16 needs PNG. Default 8. */
  bitDepth?: 8 | 16;
  /** Default: from the file extension (.png, .jpg/.jpeg, .webp). */
  format?: ImageFormat;
  /** JPEG/WebP quality 1-100, default 95. */
  quality?: number;
  /**
   * An image (path or bytes) whose ICC profile, density and descriptive EXIF text tags (camera, software, date,
   * artist, copyright) are carried over. The orientation is not: written pixels are always upright.
   */
  keepMetadataFrom?: string | Uint8Array;
}

const SIGNATURES: [string, number[]][] = [
  ['PNG', [0x89, 0x50, 0x4e, 0x47]],
  ['JPEG', [0xff, 0xd8, 0xff]],
  ['GIF', [0x47, 0x49, 0x46]],
  ['TIFF', [0x49, 0x49, 0x2a, 0x00]],
  ['TIFF', [0x4d, 0x4d, 0x00, 0x2a]],
];

function sniff(bytes: Uint8Array): string | null {
  for (const [name, sig] of SIGNATURES) if (sig.every((b, i) => bytes[i] === b)) return name;
  if (bytes.byteLength >= 12 && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') return 'WebP';
  return null;
}

/** Turns a sharp/libvips message into a sentence about the file; truncation is recognised from the bytes. */
function explain(bytes: Uint8Array, err: unknown): string {
  const msg = String((err as Error)?.message ?? err);
  const kind = sniff(bytes);
  if (bytes.byteLength === 0) return 'the file is empty';
  if (msg.includes('unsupported image format') || !kind) return 'unsupported or unrecognised image format';
  const tail = bytes.subarray(Math.max(0, bytes.byteLength - 12));
  const hasIend = String.fromCharCode(...tail).includes('IEND');
  if (kind === 'PNG' && !hasIend) return `truncated PNG (${bytes.byteLength} bytes, no IEND chunk)`;
  const eoi = bytes.lastIndexOf(0xd9);
  if (kind === 'JPEG' && !(eoi > 0 && bytes[eoi - 1] === 0xff)) return `truncated JPEG (${bytes.byteLength} bytes)`;
  if (/premature end|truncated|unexpected end|not enough data/i.test(msg)) return `truncated ${kind}`;
  const detail = msg
    .split('\n')[0]
    ?.replace(/^Input buffer has corrupt header:\s*/, '')
    .trim();
  return `corrupt ${kind} data${detail ? ` (${detail})` : ''}`;
}

async function loadBytes(input: string | Uint8Array, what: string): Promise<Uint8Array> {
  if (typeof input !== 'string') return input;
  try {
    return await readFile(input);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot read ${what} ${input}: ${e.code === 'ENOENT' ? 'file not found' : e.message}`);
  }
}

export async function readImage(input: string | Uint8Array, opts: ReadImageOptions = {}): Promise<ImageRead> {
  const label = typeof input === 'string' ? input : (opts.name ?? '<buffer>');
  const bytes = await loadBytes(input, 'image');
  const fail = (problem: string) => new Error(`cannot read image ${label}: ${problem}`);
  const sharpOpts = { failOn: opts.failOn ?? 'warning' } as const;

  let meta: Metadata;
  try {
    meta = await sharp(bytes, sharpOpts).metadata();
  } catch (err) {
    throw fail(explain(bytes, err));
  }
  const is16 = meta.depth === 'ushort';
  if (meta.depth !== 'uchar' && !is16) {
    throw fail(`unsupported sample format '${meta.depth}' (only 8- and 16-bit integer images are read)`);
  }
  // Everything goes through sRGB (or 16-bit RGB): grey is replicated exactly, CMYK/palette/ICC are converted.
  let raw: { data: Uint8Array; info: OutputInfo };
  try {
    raw = await sharp(bytes, sharpOpts)
      .autoOrient()
      .toColourspace(is16 ? 'rgb16' : 'srgb')
      .raw({ depth: is16 ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw fail(explain(bytes, err));
  }
  const { width, height, channels: got } = raw.info;
  if (got !== 3 && got !== 4) throw fail(`unexpected ${got}-channel decode`);
  const samples = is16 ? new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength / 2) : raw.data;
  const scale = 1 / (is16 ? 65535 : 255);
  const colour = meta.channels - (meta.hasAlpha ? 1 : 0);
  const outChannels = opts.channels ?? (colour === 1 ? 1 : 3);
  const raster = createRaster(width, height, outChannels);
  const alpha = got === 4 ? new Float32Array(width * height) : undefined;
  const px = width * height;
  for (let i = 0; i < px; i++) {
    const s = i * got;
    if (outChannels === 1) {
      raster.data[i] = samples[s]! * scale;
    } else {
      raster.data[3 * i] = samples[s]! * scale;
      raster.data[3 * i + 1] = samples[s + 1]! * scale;
      raster.data[3 * i + 2] = samples[s + 2]! * scale;
    }
    if (alpha) alpha[i] = samples[s + 3]! * scale;
  }
  const orientation = meta.orientation ?? 1;
  return {
    raster,
    ...(alpha ? { alpha } : {}),
    bitDepth: is16 ? 16 : 8,
    format: meta.format,
    hasIcc: meta.hasProfile,
    orientationApplied: orientation > 1 && orientation <= 8,
  };
}

function formatFor(path: string, format: ImageFormat | undefined): ImageFormat {
  if (format) return format;
  const ext = extname(path).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.jpg' || ext === '.jpeg') return 'jpg';
  if (ext === '.webp') return 'webp';
  throw new Error(`cannot write image ${path}: unknown extension '${ext}' (use .png, .jpg, .webp or pass format)`);
}

/** Round-half-up quantisation after clamping to [0, 1]; NaN maps to 0. */
export function quantize(v: number, max: number): number {
  return v > 0 ? Math.floor(Math.min(v, 1) * max + 0.5) : 0;
}

export async function writeImage(path: string, raster: Raster, opts: WriteImageOptions = {}): Promise<void> {
  const fail = (problem: string) => new Error(`cannot write image ${path}: ${problem}`);
  const format = formatFor(path, opts.format);
  const bitDepth = opts.bitDepth ?? 8;
  const { width, height, channels, data } = raster;
  if (channels !== 1 && channels !== 3) throw fail(`rasters must have 1 or 3 channels, got ${channels}`);
  if (data.length !== width * height * channels) throw fail('raster data length does not match its size');
  if (bitDepth !== 8 && bitDepth !== 16) throw fail(`bit depth must be 8 or 16, got ${bitDepth}`);
  if (bitDepth === 16 && format !== 'png') throw fail(`16-bit output needs PNG, not ${format}`);
  const { alpha } = opts;
  if (alpha && alpha.length !== width * height)
    throw fail(`alpha has ${alpha.length} values for ${width * height} pixels`);
  if (alpha && format === 'jpg') throw fail('JPEG cannot store alpha; drop it or write PNG/WebP');
  const quality = opts.quality ?? 95;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw fail(`quality must be 1-100, got ${quality}`);

  const max = bitDepth === 16 ? 65535 : 255;
  const out = channels + (alpha ? 1 : 0);
  const px = width * height;
  const buf = bitDepth === 16 ? new Uint16Array(px * out) : new Uint8Array(px * out);
  for (let i = 0; i < px; i++) {
    for (let c = 0; c < channels; c++) buf[i * out + c] = quantize(data[i * channels + c]!, max);
    if (alpha) buf[i * out + channels] = quantize(alpha[i]!, max);
  }
  const space = channels === 1 ? (bitDepth === 16 ? 'grey16' : 'b-w') : bitDepth === 16 ? 'rgb16' : 'srgb';
  let img = sharp(buf, { raw: { width, height, channels: out as 1 | 2 | 3 | 4 } }).toColourspace(space);
  let iccPath: string | undefined;
  try {
    if (opts.keepMetadataFrom !== undefined) {
      const meta = await sourceMetadata(opts.keepMetadataFrom, path);
      if (meta.density) img = img.withDensity(meta.density);
      const tags = meta.exif ? exifTextTags(meta.exif) : {};
      if (Object.keys(tags).length) img = img.withExif({ IFD0: tags });
      if (meta.icc) {
        // sharp takes profiles by path only; it converts our sRGB pixels into the profile and embeds it.
        iccPath = `${tempPathFor(path)}.icc`;
        await writeFile(iccPath, meta.icc);
        img = img.withIccProfile(iccPath);
      }
    }
    if (format === 'png') img = img.png();
    else if (format === 'jpg') img = img.jpeg({ quality });
    else img = img.webp({ quality });
    const encoded = await img.toBuffer();
    await commitAtomic(path, (tmp) => writeFile(tmp, encoded));
  } finally {
    if (iccPath) await unlink(iccPath).catch(() => {});
  }
}

async function sourceMetadata(source: string | Uint8Array, path: string): Promise<Metadata> {
  const bytes = await loadBytes(source, 'metadata source');
  try {
    return await sharp(bytes).metadata();
  } catch (err) {
    throw new Error(`cannot write image ${path}: metadata source is unreadable (${explain(bytes, err)})`);
  }
}
