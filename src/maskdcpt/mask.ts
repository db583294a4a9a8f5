/**
 * MaskDCPT's random patch masks. The official `mask()` keeps the first len_keep = round(h·w·(1 − ratio))
 * entries of argsort(rand(B, h·w)) per image, i.e. a uniformly random subset of exactly len_keep patches.
 * We draw the same distribution from our seeded host `Rng` (torch's generator cannot be reproduced), with a
 * partial Fisher–Yates shuffle, so a mask depends only on the generator state.
 */
import { expandMask } from '../nn/masked.js';
import { fromTypedArray, type Rng, type Tensor } from '../tensor/index.js';

/** Python 3's round(): nearest integer, ties to even (round(2.5) = 2), as the official len_keep uses. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Number of visible patches per image for a grid of `cells` patches and a mask ratio. */
export function visibleCount(cells: number, ratio: number): number {
  return roundHalfEven(cells * (1 - ratio));
}

export interface PatchMaskOptions {
  /** Device of the returned tensor (default CPU). */
  device?: string;
}

/**
 * A (B,1,h,w) float32 mask, 1 = visible, 0 = masked, with exactly `visibleCount(h·w, ratio)` visible
 * patches in every image, chosen uniformly at random from `rng` (images drawn in batch order).
 */
export function randomPatchMask(
  batch: number,
  h: number,
  w: number,
  ratio: number,
  rng: Rng,
  o: PatchMaskOptions = {},
): Tensor {
  for (const [name, v] of [
    ['batch', batch],
    ['h', h],
    ['w', w],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`randomPatchMask: ${name} must be a positive integer, got ${v}`);
  }
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`randomPatchMask: ratio must be in [0, 1], got ${ratio}`);
  const cells = h * w;
  const keep = visibleCount(cells, ratio);
  const data = new Float32Array(batch * cells);
  const idx = new Int32Array(cells);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < cells; i++) idx[i] = i;
    // The first `keep` slots of a partial Fisher–Yates shuffle are a uniform random subset.
    for (let i = 0; i < keep; i++) {
      const j = rng.int(i, cells - 1);
      const t = idx[i] as number;
      idx[i] = idx[j] as number;
      idx[j] = t;
    }
    for (let i = 0; i < keep; i++) data[b * cells + (idx[i] as number)] = 1;
  }
  const mask = fromTypedArray(data, [batch, 1, h, w]);
  if (o.device === undefined || o.device === 'cpu') return mask;
  const moved = mask.to(o.device);
  mask.dispose();
  return moved;
}

/**
 * A mask for images `x` (B,C,H,W) on the `patch`-sized grid; H and W must be multiples of `patch`
 * (the official code requires it too: it multiplies the image by the mask repeated `patch` times).
 */
export function randomMaskFor(x: Tensor, patch: number, ratio: number, rng: Rng): Tensor {
  const [b, , H, W] = x.shape as [number, number, number, number];
  if (H % patch !== 0 || W % patch !== 0) {
    throw new RangeError(`randomMaskFor: image ${H}x${W} is not a multiple of the mask patch ${patch}`);
  }
  return randomPatchMask(b, H / patch, W / patch, ratio, rng, { device: x.device });
}

/** The patch mask at pixel resolution (each patch repeated `patch` times along H and W): `mask_pixel`. */
export function maskToPixels(mask: Tensor, patch: number): Tensor {
  const [, , h, w] = mask.shape as [number, number, number, number];
  return expandMask(mask, h * patch, w * patch);
}
