/**
 * PIQE (Venkatanath et al., NCC 2015) with MATLAB `piqe` semantics (R2018b+), not those of pypiqe or
 * pyiqa: replicate-pad at the end to a multiple of 16, `rgb2gray`, round(255 * I), MSCN with a 7x7
 * Gaussian (sigma 7/6, replicate borders, C = 1), then per 16x16 block: active if var > 0.1; among
 * active blocks, "noticeable artifact" if any 6-sample segment of any edge has std < 0.1 and "noise"
 * if sigma > 2 beta (centre/surround deviation). Score = 100 (sum(D) + 1) / (N_active + 1), with
 * D = [artifact] (1 - var) + [noise] var. 0..100, lower is better; a flat image scores exactly 100.
 */
import type { Raster } from '../io/raster.js';
import { greyMatlab } from './color.js';
import { gaussianKernel } from './kernels.js';
import { mscn } from './mscn.js';
import { assertImage, roundHalfAway } from './plane.js';

const BLOCK = 16;
const SEGMENT = 6;
const ACTIVITY_THRESHOLD = 0.1;
const IMPAIRED_THRESHOLD = 0.1;
const KERNEL = gaussianKernel(7, 7 / 6);

export interface PiqeResult {
  score: number;
  /** Blocks across and down (of the image padded to a multiple of 16). */
  blocksX: number;
  blocksY: number;
  /** Per-block flags, row-major blocksY x blocksX: spatially active, noticeable artifact, noise. */
  activity: Uint8Array;
  artifact: Uint8Array;
  noise: Uint8Array;
}

/** Unbiased variance of `n` samples. */
function variance(v: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i] as number;
  const m = s / n;
  let q = 0;
  for (let i = 0; i < n; i++) q += ((v[i] as number) - m) ** 2;
  return q / (n - 1);
}

/** Any 6-sample window of the 16-sample edge with std below the threshold? */
function edgeImpaired(edge: Float64Array): boolean {
  for (let t = 0; t + SEGMENT <= BLOCK; t++) {
    if (Math.sqrt(variance(edge.subarray(t, t + SEGMENT), SEGMENT)) < IMPAIRED_THRESHOLD) return true;
  }
  return false;
}

/** PIQE score with the block-level masks MATLAB also returns. */
export function piqeDetailed(image: Raster): PiqeResult {
  assertImage(image, 'piqe');
  const { width, height, channels, data } = image;
  const pw = Math.ceil(width / BLOCK) * BLOCK;
  const ph = Math.ceil(height / BLOCK) * BLOCK;
  // Pad first (replicate, post), then grey, then round(255 * I), as piqe.m.
  const x = new Float64Array(pw * ph);
  for (let y = 0; y < ph; y++) {
    const sy = Math.min(y, height - 1);
    for (let c = 0; c < pw; c++) {
      const s = (sy * width + Math.min(c, width - 1)) * channels;
      const v =
        channels === 3
          ? greyMatlab(data[s] as number, data[s + 1] as number, data[s + 2] as number)
          : (data[s] as number);
      x[y * pw + c] = roundHalfAway(255 * v);
    }
  }
  const n = mscn({ data: x, width: pw, height: ph }, KERNEL, 1);
  const bx = pw / BLOCK;
  const by = ph / BLOCK;
  const activity = new Uint8Array(bx * by);
  const artifact = new Uint8Array(bx * by);
  const noise = new Uint8Array(bx * by);
  const block = new Float64Array(BLOCK * BLOCK);
  const edge = new Float64Array(BLOCK);
  const centre = new Float64Array(2 * BLOCK);
  const surround = new Float64Array((BLOCK - 2) * BLOCK);
  let distortion = 0;
  let active = 0;
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      for (let y = 0; y < BLOCK; y++) {
        const src = (j * BLOCK + y) * pw + i * BLOCK;
        block.set(n.subarray(src, src + BLOCK), y * BLOCK);
      }
      const v = variance(block, BLOCK * BLOCK);
      if (!(v > ACTIVITY_THRESHOLD)) continue;
      const b = j * bx + i;
      activity[b] = 1;
      active++;
      // Edges: top row, right column, bottom row, left column.
      let impaired = false;
      for (let e = 0; e < 4 && !impaired; e++) {
        for (let k = 0; k < BLOCK; k++) {
          edge[k] =
            e === 0
              ? (block[k] as number)
              : e === 1
                ? (block[k * BLOCK + BLOCK - 1] as number)
                : e === 2
                  ? (block[(BLOCK - 1) * BLOCK + k] as number)
                  : (block[k * BLOCK] as number);
        }
        impaired = edgeImpaired(edge);
      }
      // Centre: 1-based columns 8 and 9. Surround: the block without columns 8 and 10 (MATLAB deletes
      // column 8, then column 9 of the narrower matrix).
      let cs = 0;
      let ss = 0;
      for (let y = 0; y < BLOCK; y++) {
        for (let c = 0; c < BLOCK; c++) {
          const val = block[y * BLOCK + c] as number;
          if (c === 7) centre[y] = val;
          else if (c === 8) centre[BLOCK + y] = val;
          if (c !== 7 && c !== 9) surround[ss++] = val;
        }
      }
      cs = Math.sqrt(variance(centre, 2 * BLOCK)) / Math.sqrt(variance(surround, ss));
      if (Number.isNaN(cs)) cs = 0;
      const sigma = Math.sqrt(v);
      const beta = Math.abs(sigma - cs) / Math.max(sigma, cs);
      const noisy = sigma > 2 * beta;
      if (impaired) artifact[b] = 1;
      if (noisy) noise[b] = 1;
      distortion += (impaired ? 1 - v : 0) + (noisy ? v : 0);
    }
  }
  return { score: ((distortion + 1) / (active + 1)) * 100, blocksX: bx, blocksY: by, activity, artifact, noise };
}

/** PIQE score, 0 (best) to 100 (worst). */
export function piqe(image: Raster): number {
  return piqeDetailed(image).score;
}
