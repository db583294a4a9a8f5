/**
 * Real-ESRGAN's second-order degradation (BasicSR `RealESRGANDataset` kernels + `RealESRGANModel.feed_data`),
 * at a configurable output scale (UIR row 19 uses scale 1: the LQ keeps the GT size). Order: USM-sharpened GT →
 * blur1 → random resize → Gaussian/Poisson noise → JPEG → [p 0.8] blur2 → resize2 → noise2 → with p ½ either
 * (resize back + sinc + JPEG) or (JPEG + resize back + sinc) → 8-bit rounding.
 *
 * Differences from BasicSR, on purpose: JPEG is the OpenCV/libjpeg codec (performance.md §3e variant e4)
 * instead of DiffJPEG, with the quality rounded to an integer; random choices are per image (BasicSR draws
 * some per batch); all draws are recorded in `RealEsrganParams` so a sample can be replayed.
 */
import type { Raster } from '../io/raster.js';
import type { Rng } from '../tensor/rng.js';
import { filter2D, gaussianBlur } from './filter.js';
import { fromUint8, jpegRoundTrip, toUint8 } from './jpeg.js';
import { BASICSR_MIXED, buildKernel, KERNEL_SIZES, type KernelSpec, sampleBasicsrBlurKernel } from './kernels.js';
import { addGaussianNoise, addPoissonNoise } from './noise.js';
import { type InterpolateMode, interpolate } from './resize.js';

export type NoiseStep =
  | { kind: 'gaussian'; sigma: number; grey: boolean }
  | { kind: 'poisson'; scale: number; grey: boolean };

export interface RealEsrganParams {
  /** Output scale (1 = same size as the input). */
  scale: number;
  usm: boolean;
  kernel1: KernelSpec;
  resize1: { scale: number; mode: InterpolateMode };
  noise1: NoiseStep;
  jpeg1: number;
  kernel2: KernelSpec | null;
  resize2: { scale: number; mode: InterpolateMode };
  noise2: NoiseStep;
  finalOrder: 'resize_sinc_jpeg' | 'jpeg_resize_sinc';
  finalMode: InterpolateMode;
  /** null = identity (BasicSR's pulse kernel). */
  finalSinc: KernelSpec | null;
  jpeg2: number;
}

/** Ranges of `train_realesrnet_x4plus.yml`; `severity` scales blur σ, noise and JPEG strength (1 = BasicSR). */
export interface RealEsrganOptions {
  scale: number;
  severity: number;
  usm: boolean;
}

const MODES: readonly InterpolateMode[] = ['area', 'bilinear', 'bicubic'];

function sampleResize(
  rng: Rng,
  probs: readonly number[],
  range: readonly [number, number],
): { scale: number; mode: InterpolateMode } {
  const kind = rng.choice(['up', 'down', 'keep'] as const, probs);
  const u = rng.random();
  const scale = kind === 'up' ? 1 + u * (range[1] - 1) : kind === 'down' ? range[0] + u * (1 - range[0]) : 1;
  return { scale, mode: rng.choice(MODES) };
}

function sampleNoise(rng: Rng, sigmaMax: number, poissonMax: number, severity: number): NoiseStep {
  const gaussian = rng.random() < 0.5;
  const u = rng.random();
  const grey = rng.random() < 0.4;
  if (gaussian) return { kind: 'gaussian', sigma: (1 + u * (sigmaMax - 1)) * severity, grey };
  return { kind: 'poisson', scale: (0.05 + u * (poissonMax - 0.05)) * severity, grey };
}

function sampleQuality(rng: Rng, severity: number): number {
  const q = 95 - rng.random() * (95 - 30) * severity;
  return Math.min(95, Math.max(10, Math.round(q)));
}

/** Draws every random choice of one pipeline run. */
export function sampleRealEsrgan(rng: Rng, opts: RealEsrganOptions): RealEsrganParams {
  const sev = opts.severity;
  const k1 = { ...BASICSR_MIXED, sigmaXRange: [0.2, 3 * sev], sigmaYRange: [0.2, 3 * sev] } as const;
  const k2 = { ...BASICSR_MIXED, sigmaXRange: [0.2, 1.5 * sev], sigmaYRange: [0.2, 1.5 * sev] } as const;
  const kernel1 = sampleBasicsrBlurKernel(rng, 0.1, k1);
  const resize1 = sampleResize(rng, [0.2, 0.7, 0.1], [0.15, 1.5]);
  const noise1 = sampleNoise(rng, 30, 3, sev);
  const jpeg1 = sampleQuality(rng, sev);
  const useBlur2 = rng.random() < 0.8;
  const kernel2Spec = sampleBasicsrBlurKernel(rng, 0.1, k2);
  const resize2 = sampleResize(rng, [0.3, 0.4, 0.3], [0.3, 1.2]);
  const noise2 = sampleNoise(rng, 25, 2.5, sev);
  const finalOrder = rng.random() < 0.5 ? 'resize_sinc_jpeg' : 'jpeg_resize_sinc';
  const finalMode = rng.choice(MODES);
  const useSinc = rng.random() < 0.8;
  const sincSize = rng.choice(KERNEL_SIZES);
  const sinc: KernelSpec = { family: 'sinc', size: sincSize, cutoff: rng.uniform(Math.PI / 3, Math.PI), padTo: 21 };
  const jpeg2 = sampleQuality(rng, sev);
  return {
    scale: opts.scale,
    usm: opts.usm,
    kernel1,
    resize1,
    noise1,
    jpeg1,
    kernel2: useBlur2 ? kernel2Spec : null,
    resize2,
    noise2,
    finalOrder,
    finalMode,
    finalSinc: useSinc ? sinc : null,
    jpeg2,
  };
}

/** BasicSR `USMSharp` (radius 50 → 51-tap Gaussian σ 8, weight 0.5, threshold 10): soft-masked unsharp mask. */
export function usmSharp(img: Raster, weight = 0.5, threshold = 10): Raster {
  const blur = gaussianBlur(img, 51, 0);
  const mask = { ...img, data: new Float32Array(img.data.length) };
  for (let i = 0; i < img.data.length; i++) {
    mask.data[i] = Math.abs((img.data[i] as number) - (blur.data[i] as number)) * 255 > threshold ? 1 : 0;
  }
  const soft = gaussianBlur(mask, 51, 0);
  const out = { ...img, data: new Float32Array(img.data.length) };
  for (let i = 0; i < img.data.length; i++) {
    const x = img.data[i] as number;
    const sharp = Math.min(1, Math.max(0, x + weight * (x - (blur.data[i] as number))));
    const m = soft.data[i] as number;
    out.data[i] = m * sharp + (1 - m) * x;
  }
  return out;
}

function noise(img: Raster, step: NoiseStep, rng: Rng): Raster {
  return step.kind === 'gaussian'
    ? addGaussianNoise(img, step.sigma / 255, rng, { grey: step.grey })
    : addPoissonNoise(img, step.scale, rng, { grey: step.grey });
}

/**
 * Runs the pipeline; output size = ⌊input / scale⌋ (the input size at scale 1). BasicSR clamps to [0, 1] before
 * each JPEG; the codec's quantiser clamps x·255 to [0, 255] (NaN → 0), which gives the same bytes, so no
 * separate clamp pass is made.
 */
export async function applyRealEsrgan(img: Raster, p: RealEsrganParams, rng: Rng): Promise<Raster> {
  const oh = img.height;
  const ow = img.width;
  let out = p.usm ? usmSharp(img) : img;
  out = filter2D(out, buildKernel(p.kernel1));
  out = interpolate(
    out,
    Math.max(1, Math.floor(out.height * p.resize1.scale)),
    Math.max(1, Math.floor(out.width * p.resize1.scale)),
    p.resize1.mode,
    p.resize1.scale,
  );
  out = noise(out, p.noise1, rng);
  out = await jpegRoundTrip(out, p.jpeg1);
  if (p.kernel2) out = filter2D(out, buildKernel(p.kernel2));
  out = interpolate(
    out,
    Math.max(1, Math.floor((oh / p.scale) * p.resize2.scale)),
    Math.max(1, Math.floor((ow / p.scale) * p.resize2.scale)),
    p.resize2.mode,
  );
  out = noise(out, p.noise2, rng);
  const th = Math.floor(oh / p.scale);
  const tw = Math.floor(ow / p.scale);
  const back = (x: Raster) => interpolate(x, th, tw, p.finalMode);
  const sinc = (x: Raster) => (p.finalSinc ? filter2D(x, buildKernel(p.finalSinc)) : x);
  if (p.finalOrder === 'resize_sinc_jpeg') {
    out = await jpegRoundTrip(sinc(back(out)), p.jpeg2);
  } else {
    out = sinc(back(await jpegRoundTrip(out, p.jpeg2)));
  }
  // clamp(round(x·255), 0, 255)/255 with torch.round's ties-to-even.
  return fromUint8(toUint8(out), out.width, out.height, out.channels);
}
