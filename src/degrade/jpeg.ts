/**
 * JPEG compression as MaskDCPT's `PairedImageJPEGCARDataset` does it with OpenCV: round(x·255) → uint8 →
 * `cv2.imencode('.jpg', q)` (libjpeg-turbo: baseline, IJG tables scaled by quality, 4:2:0, islow DCT, no
 * Huffman optimisation, JFIF APP0) → decode → /255.
 *
 * The codec is the system libjpeg-turbo that OpenCV links, called from the addon (native/jpeg.cc), so files are
 * byte-identical to cv2.imencode's. The addon quantises the float samples itself with the same rule as `toUint8`
 * and converts the decoded image to float32 itself, so a round trip hands JS nothing but the result.
 * Channel order: OpenCV is fed BGR and converts to YCbCr internally; RGB yields the same YCbCr planes, so no
 * swap is needed here.
 */
import type { Raster } from '../io/raster.js';
import { createRaster } from '../io/raster.js';
import { native } from '../tensor/native.js';
import { Tensor } from '../tensor/tensor.js';

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

/**
 * uint8 samples → float raster (/255, rounded to float32 as the raster stores it). `swapRedBlue` also reverses
 * the channel order of 3-channel data (BGR ↔ RGB) in the same pass.
 */
export function fromUint8(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  swapRedBlue = false,
): Raster {
  const r = createRaster(width, height, channels);
  const out = r.data;
  if (swapRedBlue && channels === 3) {
    for (let i = 0; i < data.length; i += 3) {
      out[i] = FROM_U8[data[i + 2] as number] as number;
      out[i + 1] = FROM_U8[data[i + 1] as number] as number;
      out[i + 2] = FROM_U8[data[i] as number] as number;
    }
    return r;
  }
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
  return native.jpegEncode(img.data, img.width, img.height, img.channels, quality);
}

/**
 * Decodes a JPEG to a float raster with the file's channel count (1 or 3, like cv2.IMREAD_UNCHANGED); pass
 * `channels` to convert (colour → grey keeps the luma plane, grey → RGB replicates it).
 */
export async function decodeJpeg(buf: Uint8Array, channels?: 1 | 3): Promise<Raster> {
  const r = native.jpegDecode(buf, channels ?? 0);
  return createRaster(r.width, r.height, r.channels, r.data);
}

/** Encode + decode: the JPEG degradation itself. */
export async function jpegRoundTrip(img: Raster, quality: number): Promise<Raster> {
  checkQuality(quality);
  const data = native.jpegRoundTrip(img.data, img.width, img.height, img.channels, quality);
  return createRaster(img.width, img.height, img.channels, data);
}

/**
 * The same round trip on a float32 CPU tensor, [C,H,W] or [N,C,H,W] with C = 1 or 3 (RGB), each image on its
 * own; returns a new contiguous tensor and leaves the input alone.
 */
export function jpegRoundTripTensor(t: Tensor, quality: number): Tensor {
  checkQuality(quality);
  return new Tensor(native.jpegRoundTripTensor(t.h, quality));
}
