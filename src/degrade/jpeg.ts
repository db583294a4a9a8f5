/**
 * JPEG compression as MaskDCPT's `PairedImageJPEGCARDataset` does it with OpenCV: round(x·255) → uint8 →
 * `cv2.imencode('.jpg', q)` (libjpeg-turbo: baseline, IJG tables scaled by quality, 4:2:0, no Huffman
 * optimisation) → decode → /255.
 *
 * sharp's bundled mozjpeg with every mozjpeg extra switched off writes the same entropy-coded bytes as OpenCV's
 * libjpeg-turbo; only the 18-byte JFIF APP0 segment that OpenCV emits after SOI is missing, so `encodeJpeg`
 * inserts it and the file is then byte-identical. Channel order: OpenCV is fed BGR and converts to YCbCr
 * internally; sharp takes RGB, which yields the same YCbCr planes, so no swap is needed here.
 */
import sharp from 'sharp';
import type { Raster } from '../io/raster.js';
import { createRaster } from '../io/raster.js';

/** The JFIF APP0 segment libjpeg writes by default (version 1.01, aspect-ratio units, density 1×1, no thumbnail). */
const JFIF_APP0 = Uint8Array.from([
  0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
]);

/** numpy's `np.round` (round half to even), which MaskDCPT applies before the uint8 cast. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // halves go up
  return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/**
 * Float raster → uint8 samples: round-half-even of x·255, clipped to [0, 255]. Uint8ClampedArray stores with
 * exactly that rule (ECMAScript ToUint8Clamp: clamp, ties to even, NaN → 0), natively.
 */
export function toUint8(img: Raster): Uint8Array {
  const out = new Uint8ClampedArray(img.data.length);
  const src = img.data;
  for (let i = 0; i < out.length; i++) out[i] = (src[i] as number) * 255;
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

const FROM_U8 = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** uint8 samples → float raster (/255, rounded to float32 as the raster stores it). */
export function fromUint8(data: Uint8Array, width: number, height: number, channels: number): Raster {
  const r = createRaster(width, height, channels);
  const out = r.data;
  for (let i = 0; i < data.length; i++) out[i] = FROM_U8[data[i] as number] as number;
  return r;
}

function checkQuality(quality: number): void {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`jpeg: quality must be an integer in 1..100, got ${quality}`);
  }
}

/** Encodes like `cv2.imencode('.jpg', img, [IMWRITE_JPEG_QUALITY, quality])`: byte-identical output. */
export async function encodeJpeg(img: Raster, quality: number): Promise<Buffer> {
  checkQuality(quality);
  const raw = toUint8(img);
  let pipeline = sharp(raw, { raw: { width: img.width, height: img.height, channels: img.channels as 1 | 3 } });
  // Grey stays a one-component JPEG, as OpenCV writes it.
  if (img.channels === 1) pipeline = pipeline.toColourspace('b-w');
  const body = await pipeline
    .jpeg({
      quality,
      mozjpeg: false,
      chromaSubsampling: '4:2:0',
      optimiseCoding: false,
      trellisQuantisation: false,
      overshootDeringing: false,
      optimiseScans: false,
      progressive: false,
      quantisationTable: 0,
    })
    .toBuffer();
  // SOI, then OpenCV's JFIF APP0, then everything sharp wrote after its SOI.
  return Buffer.concat([body.subarray(0, 2), JFIF_APP0, body.subarray(2)]);
}

/** Decodes a JPEG to a float raster with the file's channel count (1 or 3); pass `channels` if known. */
export async function decodeJpeg(buf: Uint8Array, channels?: 1 | 3): Promise<Raster> {
  // sharp would expand a one-component JPEG to RGB; keep it grey like cv2.IMREAD_UNCHANGED.
  const grey = (channels ?? (await sharp(buf).metadata()).channels) === 1;
  let pipeline = sharp(buf);
  if (grey) pipeline = pipeline.toColourspace('b-w');
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return fromUint8(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height, info.channels);
}

/** Encode + decode: the JPEG degradation itself. */
export async function jpegRoundTrip(img: Raster, quality: number): Promise<Raster> {
  return decodeJpeg(await encodeJpeg(img, quality), img.channels === 1 ? 1 : 3);
}
