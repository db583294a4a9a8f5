/**
 * BRISQUE (Mittal, Moorthy & Bovik, TIP 2012) as OpenCV's quality module computes it
 * (`cv::quality::QualityBRISQUE` with `brisque_model_live.yml` / `brisque_range_live.yml`, shipped
 * here in models/brisque-live.ts). The image is taken as 8-bit, converted to grey with OpenCV's BGR2GRAY
 * and scaled to [0, 1] in float32; at full and half size (INTER_CUBIC) the MSCN map (7x7 Gaussian,
 * sigma 7/6, C = 1/255) and its four neighbour products get AGGD fits: 36 features, scaled to [-1, 1]
 * by the range file, scored by the RBF epsilon-SVR and clamped to [0, 100]. Lower is better.
 * The float32 pipeline follows OpenCV's operation order (see opencv-float32.ts).
 */
import type { Raster } from '../io/raster.js';
import { greyOpenCvU8 } from './color.js';
import { gamma } from './gamma.js';
import { gaussianKernel } from './kernels.js';
import { BRISQUE_LIVE } from './models/brisque-live.js';
import { decodeFloat32, decodeFloat64 } from './models/decode.js';
import { cvExp32f } from './opencv-exp.js';
import { cvGaussianBlur, cvResizeCubic } from './opencv-float32.js';
import { assertImage, toUint8 } from './plane.js';

const f32 = Math.fround;
const KERNEL = Float32Array.from(gaussianKernel(7, 7 / 6)); // == cv::getGaussianKernel(7, 7/6, CV_32F)

interface Model {
  sv: Float32Array;
  alpha: Float64Array;
  min: Float32Array;
  max: Float32Array;
}
let modelCache: Model | undefined;

function model(): Model {
  modelCache ??= {
    sv: decodeFloat32(BRISQUE_LIVE.supportVectors),
    alpha: decodeFloat64(BRISQUE_LIVE.alpha),
    min: decodeFloat32(BRISQUE_LIVE.rangeMin),
    max: decodeFloat32(BRISQUE_LIVE.rangeMax),
  };
  return modelCache;
}

let loopCache: { gam: Float64Array; r: Float64Array } | undefined;

/** OpenCV's search grid: `for (gam = 0.2; gam < 10; gam += 0.001)`, accumulated in double as written. */
function loopGrid(): { gam: Float64Array; r: Float64Array } {
  if (loopCache) return loopCache;
  const gs: number[] = [];
  for (let g = 0.2; g < 10; g += 0.001) gs.push(g);
  const gam = Float64Array.from(gs);
  const r = gam.map((g) => (gamma(2 / g) * gamma(2 / g)) / (gamma(1 / g) * gamma(3 / g)));
  loopCache = { gam, r };
  return loopCache;
}

/**
 * The shape OpenCV's loop settles on: it walks the grid until |r - x| grows. r increases along the
 * grid, so the walk can start just before the crossing found by bisection, with the same result.
 */
function searchGamma(x: number): number {
  const { gam, r } = loopGrid();
  const n = gam.length;
  if (Number.isNaN(x)) return gam[n - 1] as number; // NaN never compares greater: the loop runs out
  if (!(Math.abs((r[0] as number) - x) <= 1e10)) return 0;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((r[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  const k0 = Math.max(0, lo - 2);
  let prevDiff = k0 > 0 ? Math.abs((r[k0 - 1] as number) - x) : 1e10;
  let prevGamma = k0 > 0 ? (gam[k0 - 1] as number) : 0;
  for (let k = k0; k < n; k++) {
    const diff = Math.abs((r[k] as number) - x);
    if (diff > prevDiff) break;
    prevDiff = diff;
    prevGamma = gam[k] as number;
  }
  return prevGamma;
}

/** `AGGDfit`: moments in double over the float32 map (zeros and NaNs count in the total only). */
function aggdFit(m: Float32Array): { l: number; r: number; g: number } {
  let pos = 0;
  let neg = 0;
  let posSq = 0;
  let negSq = 0;
  let abs = 0;
  for (let i = 0; i < m.length; i++) {
    const v = m[i] as number;
    if (v > 0) {
      pos++;
      posSq += v * v;
      abs += v;
    } else if (v < 0) {
      neg++;
      negSq += v * v;
      abs -= v;
    }
  }
  const l = Math.sqrt(negSq / neg);
  const r = Math.sqrt(posSq / pos);
  const gh = l / r;
  const total = m.length;
  const rhat = (abs / total) ** 2 / ((negSq + posSq) / total);
  const rhatnorm = (rhat * (gh ** 3 + 1) * (gh + 1)) / (gh ** 2 + 1) ** 2;
  return { l, r, g: searchGamma(rhatnorm) };
}

const SHIFTS: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 0],
  [1, 1],
  [-1, 1],
];

function scaleFeatures(img: Float32Array, w: number, h: number, out: number[]): void {
  const mu = cvGaussianBlur(img, w, h, KERNEL);
  const sq = new Float32Array(w * h);
  for (let i = 0; i < sq.length; i++) sq[i] = (img[i] as number) * (img[i] as number);
  const blurSq = cvGaussianBlur(sq, w, h, KERNEL);
  const c = f32(1 / 255);
  const mscn = new Float32Array(w * h);
  for (let i = 0; i < mscn.length; i++) {
    const m = mu[i] as number;
    const sigma = f32(f32(Math.sqrt(f32((blurSq[i] as number) - f32(m * m)))) + c); // negative -> NaN, as OpenCV
    mscn[i] = f32((img[i] as number) - m) / sigma;
  }
  let a = aggdFit(mscn);
  out.push(f32(a.g), f32(f32(a.l * a.l + a.r * a.r) / 2));
  const prod = new Float32Array(w * h);
  for (const [dy, dx] of SHIFTS) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const yy = y + dy;
        const xx = x + dx;
        const s = yy >= 0 && yy < h && xx >= 0 && xx < w ? (mscn[yy * w + xx] as number) : 0;
        prod[y * w + x] = (mscn[y * w + x] as number) * s;
      }
    }
    a = aggdFit(prod);
    const constant = Math.sqrt(gamma(1 / a.g)) / Math.sqrt(gamma(3 / a.g));
    const mean = (a.r - a.l) * (gamma(2 / a.g) / gamma(1 / a.g)) * constant;
    out.push(f32(a.g), f32(mean), f32(a.l * a.l), f32(a.r * a.r));
  }
}

/** The 36 raw BRISQUE features OpenCV computes (`QualityBRISQUE::computeFeatures`). */
export function brisqueFeatures(image: Raster): Float32Array {
  assertImage(image, 'brisque');
  const { width: w, height: h, channels, data } = image;
  if (w < 2 || h < 2) throw new RangeError(`brisque: image is ${w}x${h}; BRISQUE needs at least 2x2 pixels`);
  const scale = f32(1 / 255);
  const grey = new Float32Array(w * h);
  for (let i = 0; i < grey.length; i++) {
    const u =
      channels === 3
        ? greyOpenCvU8(
            toUint8(data[3 * i] as number),
            toUint8(data[3 * i + 1] as number),
            toUint8(data[3 * i + 2] as number),
          )
        : toUint8(data[i] as number);
    grey[i] = u * scale; // convertTo(CV_32F, 1/255): exact product rounded once
  }
  const feats: number[] = [];
  scaleFeatures(grey, w, h, feats);
  const hw = Math.floor(w / 2);
  const hh = Math.floor(h / 2);
  scaleFeatures(cvResizeCubic(grey, w, h, hw, hh), hw, hh, feats);
  return Float32Array.from(feats);
}

/** Score of raw features with the LIVE model: range scaling, RBF epsilon-SVR, clamp to [0, 100]. */
export function brisqueScore(features: Float32Array): number {
  const { sv, alpha, min, max } = model();
  const n = BRISQUE_LIVE.varCount;
  if (features.length !== n) throw new RangeError(`brisque: expected ${n} features, got ${features.length}`);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const lo = min[i] as number;
    x[i] = f32(-1 + f32(f32(2 * f32((features[i] as number) - lo)) / f32((max[i] as number) - lo)));
  }
  let sum = -BRISQUE_LIVE.rho;
  const g = -BRISQUE_LIVE.gamma;
  for (let k = 0; k < BRISQUE_LIVE.svTotal; k++) {
    const o = k * n;
    let s = 0;
    for (let i = 0; i < n; i += 2) {
      const t0 = f32((sv[o + i] as number) - (x[i] as number));
      const t1 = f32((sv[o + i + 1] as number) - (x[i + 1] as number));
      s += t0 * t0 + t1 * t1;
    }
    sum += cvExp32f(f32(s * g)) * (alpha[k] as number);
  }
  return Math.min(Math.max(f32(sum), 0), 100);
}

/** BRISQUE score of an image, 0 (best) to 100 (worst). */
export function brisque(image: Raster): number {
  return brisqueScore(brisqueFeatures(image));
}
