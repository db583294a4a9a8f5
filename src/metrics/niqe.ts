/**
 * NIQE (Mittal, Soundararajan & Bovik, "Making a Completely Blind Image Quality Analyzer", 2012) as
 * BasicSR's `calculate_niqe` computes it, which reproduces MATLAB (baboon test vector: MATLAB R2021a
 * 5.72957338, BasicSR 5.7295763): Y of MATLAB YCbCr rounded to integers, 96x96 blocks cropped from
 * the top-left, 18 AGGD features per block at full and half resolution (MATLAB bicubic imresize with
 * antialiasing), an MVG fit over the blocks, and the distance to the LIVE pristine model:
 * sqrt((mu_p - mu_d)^T pinv((S_p + S_d) / 2) (mu_p - mu_d)). Lower is better.
 */
import type { Raster } from '../io/raster.js';
import { greyOpenCvFloat, yBt601 } from './color.js';
import { imresize } from './imresize.js';
import { nanMeanAndCov, pinvSymmetric } from './linalg.js';
import { decodeFloat64 } from './models/decode.js';
import { NIQE_PRISTINE } from './models/niqe-pristine.js';
import { mscnFloat32 } from './mscn.js';
import { blockFeatures } from './niqe-features.js';
import { assertCrop, assertImage, type Plane, roundHalfEven } from './plane.js';

export type NiqeConversion = 'y' | 'gray' | 'rgb-mean';

export interface NiqeOptions {
  /**
   * How colour becomes the measured plane: `y` (default; BasicSR `convert_to='y'`), `gray` (BasicSR
   * `convert_to='gray'`, OpenCV's 0.299/0.587/0.114), or `rgb-mean` (the MaskDCPT fork's
   * `calculate_niqe`, which skips the conversion and averages the NIQE of R, G and B).
   */
  convertTo?: NiqeConversion;
  /** Pixels removed on every side first; default 0. */
  cropBorder?: number;
}

const BLOCK = 96;
const FEATURES = 36;

let modelCache: { mu: Float64Array; cov: Float64Array; kernel: Float64Array } | undefined;

/** The pristine MVG and the 7-tap kernel whose outer product is BasicSR's 7x7 window (its row sums). */
function model() {
  if (modelCache) return modelCache;
  const window = decodeFloat64(NIQE_PRISTINE.window);
  const kernel = new Float64Array(7);
  for (let i = 0; i < 7; i++)
    for (let j = 0; j < 7; j++) kernel[i] = (kernel[i] as number) + (window[i * 7 + j] as number);
  modelCache = { mu: decodeFloat64(NIQE_PRISTINE.mu), cov: decodeFloat64(NIQE_PRISTINE.cov), kernel };
  return modelCache;
}

function features(img: Plane<Float32Array>, scale: 1 | 2, nbw: number, nbh: number, out: Float64Array, offset: number) {
  const n = mscnFloat32(img, model().kernel);
  const bs = BLOCK / scale;
  const block = new Float32Array(bs * bs);
  let b = 0;
  // BasicSR walks blocks column by column; the order only affects summation order of the MVG fit.
  for (let bx = 0; bx < nbw; bx++) {
    for (let by = 0; by < nbh; by++, b++) {
      for (let y = 0; y < bs; y++) {
        const src = (by * bs + y) * img.width + bx * bs;
        block.set(n.subarray(src, src + bs), y * bs);
      }
      blockFeatures(block, bs, bs, out, b * FEATURES + offset);
    }
  }
}

/**
 * NIQE of one luminance plane with integer values in [0, 255] (float32, as BasicSR's rounded Y).
 * Throws if fewer than two 96x96 blocks fit, or fewer than two blocks have finite features.
 */
export function niqePlane(plane: Plane<Float32Array>): number {
  const nbh = Math.floor(plane.height / BLOCK);
  const nbw = Math.floor(plane.width / BLOCK);
  if (nbh * nbw < 2) {
    throw new RangeError(`niqe: image is ${plane.width}x${plane.height}; NIQE needs at least two 96x96 blocks`);
  }
  const w = nbw * BLOCK;
  const h = nbh * BLOCK;
  const img = new Float32Array(w * h);
  for (let y = 0; y < h; y++) img.set(plane.data.subarray(y * plane.width, y * plane.width + w), y * w);
  const blocks = nbw * nbh;
  const feats = new Float64Array(blocks * FEATURES);
  features({ data: img, width: w, height: h }, 1, nbw, nbh, feats, 0);
  // Half scale: imresize(img / 255, 0.5) in float32, then * 255, as BasicSR.
  const unit = new Float32Array(w * h);
  for (let i = 0; i < unit.length; i++) unit[i] = (img[i] as number) / 255;
  const half = imresize({ data: unit, width: w, height: h }, 0.5, { precision: 'float32' });
  const img2 = new Float32Array(half.data.length);
  for (let i = 0; i < img2.length; i++) img2[i] = (half.data[i] as number) * 255;
  features({ data: img2, width: half.width, height: half.height }, 2, nbw, nbh, feats, FEATURES / 2);

  const { mean, cov } = nanMeanAndCov(feats, blocks, FEATURES);
  if (Number.isNaN(cov[0])) {
    throw new RangeError('niqe: fewer than two blocks have finite features (is the image flat?)');
  }
  const { mu: muP, cov: covP } = model();
  const avg = new Float64Array(FEATURES * FEATURES);
  for (let i = 0; i < avg.length; i++) avg[i] = ((covP[i] as number) + (cov[i] as number)) / 2;
  const inv = pinvSymmetric(avg, FEATURES);
  const d = new Float64Array(FEATURES);
  for (let i = 0; i < FEATURES; i++) d[i] = (muP[i] as number) - (mean[i] as number);
  let q = 0;
  for (let j = 0; j < FEATURES; j++) {
    let t = 0;
    for (let i = 0; i < FEATURES; i++) t += (d[i] as number) * (inv[i * FEATURES + j] as number);
    q += t * (d[j] as number);
  }
  return Math.sqrt(q);
}

/** The rounded [0, 255] planes NIQE measures for a raster under a conversion. */
export function niqePlanes(image: Raster, convertTo: NiqeConversion, cropBorder = 0): Plane<Float32Array>[] {
  const { width, height, channels, data } = image;
  const w = width - 2 * cropBorder;
  const h = height - 2 * cropBorder;
  const f32 = Math.fround;
  const separate = convertTo === 'rgb-mean' || channels === 1;
  const planes = Array.from({ length: separate ? channels : 1 }, () => new Float32Array(w * h));
  for (let y = 0; y < h; y++) {
    let s = ((y + cropBorder) * width + cropBorder) * channels;
    const o = y * w;
    if (separate) {
      // Fork: (img * 255).round(). BasicSR on grey input: to_y_channel leaves one channel as v / 255 * 255.
      const fork = convertTo === 'rgb-mean';
      for (let k = 0; k < channels; k++) {
        const p = planes[k] as Float32Array;
        for (let x = 0, i = s + k; x < w; x++, i += channels) {
          const v = f32((data[i] as number) * 255);
          p[o + x] = roundHalfEven(fork ? v : f32(f32(v / 255) * 255));
        }
      }
      continue;
    }
    const p = planes[0] as Float32Array;
    for (let x = 0; x < w; x++, s += 3) {
      // BasicSR gets [0, 255] data: to_y_channel divides by 255 in float32 and multiplies back.
      const r = f32(f32((data[s] as number) * 255) / 255);
      const g = f32(f32((data[s + 1] as number) * 255) / 255);
      const b = f32(f32((data[s + 2] as number) * 255) / 255);
      const v = convertTo === 'y' ? yBt601(r, g, b) : greyOpenCvFloat(r, g, b);
      p[o + x] = roundHalfEven(f32(v * 255));
    }
  }
  return planes.map((data) => ({ data, width: w, height: h }));
}

/** NIQE of an image (grey or RGB, [0, 1]); lower is better. */
export function niqe(image: Raster, options: NiqeOptions = {}): number {
  assertImage(image, 'niqe');
  const convertTo = options.convertTo ?? 'y';
  if (convertTo !== 'y' && convertTo !== 'gray' && convertTo !== 'rgb-mean') {
    throw new RangeError(`niqe: convertTo must be 'y', 'gray' or 'rgb-mean', got '${convertTo}'`);
  }
  const cropBorder = options.cropBorder ?? 0;
  assertCrop(cropBorder, image.width, image.height, 'niqe');
  const planes = niqePlanes(image, convertTo, cropBorder);
  let sum = 0;
  for (const p of planes) sum += niqePlane(p);
  return sum / planes.length;
}
