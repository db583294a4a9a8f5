/**
 * Camera-pipeline "real" noise after Brooks et al., "Unprocessing Images for Learned Raw Denoising" (CVPR 2019):
 * sRGB → inverse tone map → inverse gamma → RGB→camera colour matrix → inverse white balance (highlight-safe)
 * gives linear raw; heteroscedastic shot/read noise is added there (variance = x·shot + read); the forward
 * pipeline (white balance, camera→RGB, gamma, tone map) brings it back. Kept in the RGB domain: no Bayer
 * mosaic inside the loop, so the noise stays spatially white in raw space (documented simplification).
 */
import type { Raster } from '../io/raster.js';
import { createRaster } from '../io/raster.js';
import type { Rng } from '../tensor/rng.js';
import { normals } from './fastrand.js';

type Mat3 = [number, number, number, number, number, number, number, number, number];

/** The four XYZ→camera matrices of Brooks et al. (Canon/Nikon/… profiles from their released code). */
const XYZ2CAMS: readonly Mat3[] = [
  [1.0234, -0.2969, -0.2266, -0.5625, 1.6328, -0.0469, -0.0703, 0.2188, 0.6406],
  [0.4913, -0.0541, -0.0202, -0.613, 1.3513, 0.2906, -0.1564, 0.2151, 0.7183],
  [0.838, -0.263, -0.0639, -0.2887, 1.0725, 0.2496, -0.0627, 0.1427, 0.5438],
  [0.6596, -0.2079, -0.0562, -0.4782, 1.3016, 0.1933, -0.097, 0.1581, 0.5181],
];
const RGB2XYZ: Mat3 = [0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.072175, 0.0193339, 0.119192, 0.9503041];

function matmul(a: Mat3, b: Mat3): Mat3 {
  const o = new Array(9).fill(0) as Mat3;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += (a[i * 3 + k] as number) * (b[k * 3 + j] as number);
      o[i * 3 + j] = s;
    }
  }
  return o;
}

function invert(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}

/** Everything the pipeline draws, recorded so a sample can be regenerated. */
export interface CameraParams {
  /** Row-normalised RGB→camera matrix. */
  rgb2cam: number[];
  rgbGain: number;
  redGain: number;
  blueGain: number;
  /** Shot-noise gain and read-noise variance in linear raw units. */
  shot: number;
  read: number;
}

/** Brooks' `random_ccm`: a random convex mix of the camera matrices, times RGB→XYZ, rows normalised to 1. */
export function randomRgb2Cam(rng: Rng): number[] {
  const w = XYZ2CAMS.map(() => rng.uniform(1e-8, 1e8));
  const total = w.reduce((x, y) => x + y, 0);
  const xyz2cam = new Array(9).fill(0) as Mat3;
  XYZ2CAMS.forEach((m, k) => {
    for (let i = 0; i < 9; i++) xyz2cam[i] = (xyz2cam[i] as number) + ((w[k] as number) * (m[i] as number)) / total;
  });
  const m = matmul(xyz2cam, RGB2XYZ);
  for (let r = 0; r < 3; r++) {
    const s = (m[r * 3] as number) + (m[r * 3 + 1] as number) + (m[r * 3 + 2] as number);
    for (let c = 0; c < 3; c++) m[r * 3 + c] = (m[r * 3 + c] as number) / s;
  }
  return m;
}

/** Brooks' `random_gains`. */
export function randomGains(rng: Rng): { rgbGain: number; redGain: number; blueGain: number } {
  return { rgbGain: 1 / rng.normal(0.8, 0.1), redGain: rng.uniform(1.9, 2.4), blueGain: rng.uniform(1.5, 1.9) };
}

/** Brooks' `random_noise_levels`: log-uniform shot noise, read noise on the fitted line ± N(0, 0.26). */
export function randomNoiseLevels(
  rng: Rng,
  shotRange: readonly [number, number] = [1e-4, 0.012],
): { shot: number; read: number } {
  const logShot = rng.uniform(Math.log(shotRange[0]), Math.log(shotRange[1]));
  return { shot: Math.exp(logShot), read: readForShot(Math.exp(logShot), rng.normal(0, 0.26)) };
}

/** Read-noise variance for a shot level: exp(2.18·log(shot) + 1.20 + deviation). */
export function readForShot(shot: number, deviation = 0): number {
  return Math.exp(2.18 * Math.log(shot) + 1.2 + deviation);
}

/** Adds heteroscedastic noise N(0, x·shot + read) to linear data in place. */
export function addShotReadNoise(lin: Float64Array, shot: number, read: number, rng: Rng): void {
  const z = normals(rng, lin.length);
  for (let i = 0; i < lin.length; i++) {
    const x = lin[i] as number;
    lin[i] = x + Math.sqrt(Math.max(x * shot + read, 0)) * (z[i] as number);
  }
}

/** sRGB raster → linear raw (float64, HWC): tone map⁻¹, gamma⁻¹, RGB→cam, highlight-safe inverse gains. */
export function unprocess(img: Raster, p: CameraParams): Float64Array {
  if (img.channels !== 3) throw new RangeError('camera noise: needs an RGB raster');
  const m = p.rgb2cam;
  const gains = [1 / (p.redGain * p.rgbGain), 1 / p.rgbGain, 1 / (p.blueGain * p.rgbGain)];
  const out = new Float64Array(img.data.length);
  for (let i = 0; i < img.data.length; i += 3) {
    const lin = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      const x = Math.min(Math.max(img.data[i + c] as number, 0), 1);
      const y = 0.5 - Math.sin(Math.asin(1 - 2 * x) / 3); // inverse smoothstep
      lin[c] = Math.max(y, 1e-8) ** 2.2;
    }
    const cam = [0, 1, 2].map(
      (r) =>
        (m[r * 3] as number) * (lin[0] as number) +
        (m[r * 3 + 1] as number) * (lin[1] as number) +
        (m[r * 3 + 2] as number) * (lin[2] as number),
    ) as [number, number, number];
    // Highlight preservation: gains fade to 1 for bright pixels so they do not clip after re-applying gains.
    const grey = (cam[0] + cam[1] + cam[2]) / 3;
    const mask = (Math.max(grey - 0.9, 0) / 0.1) ** 2;
    for (let c = 0; c < 3; c++) {
      const g = gains[c] as number;
      out[i + c] = (cam[c] as number) * Math.max(mask + (1 - mask) * g, g);
    }
  }
  return out;
}

/** Linear raw → sRGB raster: gains, clip, cam→RGB, clip, gamma 1/2.2, smoothstep tone map. */
export function processRaw(raw: Float64Array, width: number, height: number, p: CameraParams): Raster {
  const inv = invert(p.rgb2cam as Mat3);
  const gains = [p.redGain * p.rgbGain, p.rgbGain, p.blueGain * p.rgbGain];
  const out = createRaster(width, height, 3);
  for (let i = 0; i < raw.length; i += 3) {
    const cam = [0, 1, 2].map((c) => Math.min(Math.max((raw[i + c] as number) * (gains[c] as number), 0), 1));
    for (let r = 0; r < 3; r++) {
      let v =
        (inv[r * 3] as number) * (cam[0] as number) +
        (inv[r * 3 + 1] as number) * (cam[1] as number) +
        (inv[r * 3 + 2] as number) * (cam[2] as number);
      v = Math.min(Math.max(v, 0), 1);
      v = Math.max(v, 1e-8) ** (1 / 2.2);
      out.data[i + r] = 3 * v * v - 2 * v * v * v;
    }
  }
  return out;
}

/** Full real-noise degradation: unprocess → shot/read noise → process. */
export function cameraNoise(img: Raster, p: CameraParams, rng: Rng): Raster {
  const raw = unprocess(img, p);
  addShotReadNoise(raw, p.shot, p.read, rng);
  return processRaw(raw, img.width, img.height, p);
}
