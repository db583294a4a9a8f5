/**
 * Conventions for full-reference metrics (PSNR, SSIM, NRMSE). The same pair of images gives different
 * numbers under BasicSR, the MaskDCPT fork and scikit-image, so every value carries its convention.
 *
 * - `maskdcpt` (default): the MaskDCPT fork's `calculate_psnr/ssim(..., image_range=1.0)` as its test
 *   YAMLs call them: float [0, 1] samples, not re-quantised, peak 1, SSIM constants for range 1.
 * - `basicsr`: upstream BasicSR's numpy functions on 8-bit images (`tensor2img` output): samples are
 *   clamped and rounded to uint8 first, peak 255. Also equals the fork with its default `image_range=255`.
 * - `basicsr-pt`: BasicSR's torch variants (`calculate_psnr_pt`, `calculate_ssim_pt`): float samples,
 *   PSNR adds 1e-8 to the MSE, Y via `rgb2ycbcr_pt`.
 * - `skimage`: scikit-image 0.19 `peak_signal_noise_ratio` / `structural_similarity` (PromptIR family):
 *   float samples with `data_range` (default 1); SSIM uses a 7x7 uniform window and sample covariance.
 *
 * `channel: 'y'` converts RGB to the Y of MATLAB's `rgb2ycbcr` (BT.601, [16, 235]/255) exactly as the
 * chosen code does; grey images are used as they are. `cropBorder` removes pixels on every side first.
 */
import type { Raster } from '../io/raster.js';
import { yBt601, yBt601Torch } from './color.js';
import { assertCrop, assertSameShape, type Plane, toUint8 } from './plane.js';

export type FullReferenceConvention = 'maskdcpt' | 'basicsr' | 'basicsr-pt' | 'skimage';
export const FULL_REFERENCE_CONVENTIONS: readonly FullReferenceConvention[] = [
  'maskdcpt',
  'basicsr',
  'basicsr-pt',
  'skimage',
];

export interface FullReferenceOptions {
  /** Which reference code to reproduce; default `maskdcpt`. */
  convention?: FullReferenceConvention;
  /** `rgb` (all channels, default) or `y` (BT.601 luma of RGB input). */
  channel?: 'rgb' | 'y';
  /** Pixels removed on every side before measuring; default 0. */
  cropBorder?: number;
  /** skimage only: the `data_range` argument; default 1 (float images in [0, 1]). */
  dataRange?: number;
}

export interface ResolvedFullReference {
  convention: FullReferenceConvention;
  channel: 'rgb' | 'y';
  cropBorder: number;
  /** Peak value of the prepared samples (255 for `basicsr`, 1 or `dataRange` otherwise). */
  peak: number;
  /** True when the images were grey, so `channel` had nothing to convert. */
  grey: boolean;
}

export interface PreparedPair extends ResolvedFullReference {
  /** Prepared samples; every convention's values are exact in float32 (inputs, uint8, float32 Y). */
  a: Plane<Float32Array>[];
  b: Plane<Float32Array>[];
}

export function resolveFullReference(options: FullReferenceOptions, who: string): Omit<ResolvedFullReference, 'grey'> {
  const convention = options.convention ?? 'maskdcpt';
  if (!FULL_REFERENCE_CONVENTIONS.includes(convention)) {
    throw new RangeError(`${who}: unknown convention '${convention}'; valid: ${FULL_REFERENCE_CONVENTIONS.join(', ')}`);
  }
  const channel = options.channel ?? 'rgb';
  if (channel !== 'rgb' && channel !== 'y')
    throw new RangeError(`${who}: channel must be 'rgb' or 'y', got '${channel}'`);
  if (options.dataRange !== undefined && convention !== 'skimage') {
    throw new RangeError(`${who}: dataRange applies to the skimage convention only`);
  }
  const dataRange = options.dataRange ?? 1;
  if (!(dataRange > 0) || !Number.isFinite(dataRange)) {
    throw new RangeError(`${who}: dataRange must be a positive number, got ${dataRange}`);
  }
  const peak = convention === 'basicsr' ? 255 : convention === 'skimage' ? dataRange : 1;
  return { convention, channel, cropBorder: options.cropBorder ?? 0, peak };
}

/** Converts one raster to the planes the chosen convention measures (cropped, Y or all channels). */
function preparePlanes(r: Raster, conv: Omit<ResolvedFullReference, 'grey'>): Plane<Float32Array>[] {
  const { cropBorder: cb, convention } = conv;
  const w = r.width - 2 * cb;
  const h = r.height - 2 * cb;
  const c = r.channels;
  const src = r.data;
  const quantise = convention === 'basicsr';
  if (conv.channel === 'rgb' || c === 1) {
    const planes = Array.from({ length: c }, () => new Float32Array(w * h));
    if (c === 1) {
      const p0 = planes[0] as Float32Array;
      for (let y = 0; y < h; y++) {
        const s = (y + cb) * r.width + cb;
        for (let x = 0; x < w; x++) p0[y * w + x] = quantise ? toUint8(src[s + x] as number) : (src[s + x] as number);
      }
    } else {
      // One pass over the interleaved samples fills all three planes.
      const [p0, p1, p2] = planes as [Float32Array, Float32Array, Float32Array];
      for (let y = 0; y < h; y++) {
        let s = ((y + cb) * r.width + cb) * 3;
        const o = y * w;
        if (quantise) {
          for (let x = 0; x < w; x++, s += 3) {
            p0[o + x] = toUint8(src[s] as number);
            p1[o + x] = toUint8(src[s + 1] as number);
            p2[o + x] = toUint8(src[s + 2] as number);
          }
        } else {
          for (let x = 0; x < w; x++, s += 3) {
            p0[o + x] = src[s] as number;
            p1[o + x] = src[s + 1] as number;
            p2[o + x] = src[s + 2] as number;
          }
        }
      }
    }
    return planes.map((data) => ({ data, width: w, height: h }));
  }
  const out = new Float32Array(w * h);
  const f32 = Math.fround;
  for (let y = 0; y < h; y++) {
    let s = ((y + cb) * r.width + cb) * 3;
    const o = y * w;
    for (let x = 0; x < w; x++, s += 3) {
      const R = src[s] as number;
      const G = src[s + 1] as number;
      const B = src[s + 2] as number;
      if (quantise) {
        // to_y_channel on uint8: astype(float32) / 255, Y in float32, * 255 in float32.
        out[o + x] = f32(yBt601(f32(toUint8(R) / 255), f32(toUint8(G) / 255), f32(toUint8(B) / 255)) * 255);
      } else out[o + x] = convention === 'basicsr-pt' ? yBt601Torch(R, G, B) : yBt601(R, G, B);
    }
  }
  return [{ data: out, width: w, height: h }];
}

/** Validates a pair of images and prepares both under one convention. */
export function preparePair(a: Raster, b: Raster, options: FullReferenceOptions, who: string): PreparedPair {
  assertSameShape(a, b, who);
  const conv = resolveFullReference(options, who);
  assertCrop(conv.cropBorder, a.width, a.height, who);
  return { ...conv, grey: a.channels === 1, a: preparePlanes(a, conv), b: preparePlanes(b, conv) };
}

/** A short label such as `basicsr, Y, crop 4`. */
export function fullReferenceLabel(c: ResolvedFullReference, extra: readonly string[] = []): string {
  const ch = c.grey ? 'grey' : c.channel === 'y' ? 'Y' : 'RGB';
  const parts = [c.convention, ch, `crop ${c.cropBorder}`];
  if (c.convention === 'skimage') parts.push(`data_range ${c.peak}`);
  return [...parts, ...extra].join(', ');
}
