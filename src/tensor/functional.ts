/**
 * Neural-network functions over tensors, as torch.nn.functional (import as `F`). Shapes are NCHW.
 * Integer pairs accept a number for both dimensions.
 */
import { op } from './dispatch.js';
import { callT, type Tensor } from './tensor.js';

type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : v);

const O = {
  conv2d: op('conv2d'),
  convT2d: op('conv_transpose2d', 'input'),
  linear: op('linear'),
  layerNorm: op('layer_norm'),
  groupNorm: op('group_norm'),
  gelu: op('gelu'),
  leakyRelu: op('leaky_relu'),
  silu: op('silu'),
  relu: op('relu'),
  softmax: op('softmax', 'int'),
  logSoftmax: op('log_softmax', 'int'),
  pixelShuffle: op('pixel_shuffle'),
  pixelUnshuffle: op('pixel_unshuffle'),
  adaptiveAvgPool2d: op('adaptive_avg_pool2d'),
  adaptiveMaxPool2d: op('adaptive_max_pool2d'),
  avgPool2d: op('avg_pool2d'),
  maxPool2d: op('max_pool2d'),
  nearest: op('upsample_nearest2d', 'vec'),
  bilinear: op('upsample_bilinear2d', 'vec'),
  bicubic: op('upsample_bicubic2d', 'vec'),
  pad: op('pad'),
  dropout: op('dropout'),
  im2col: op('im2col'),
  col2im: op('col2im'),
  l1: op('l1_loss'),
  mse: op('mse_loss'),
  ce: op('cross_entropy_loss'),
  nll: op('nll_loss_nd'),
  bceLogits: op('binary_cross_entropy_with_logits'),
  norm: op('linalg_vector_norm'),
  clampMin: op('clamp_min'),
  div: op('div', 'Tensor'),
};

export type Reduction = 'none' | 'mean' | 'sum';
const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: Conv2dOptions = {}): Tensor {
  return callT(O.conv2d, [
    x.h,
    weight.h,
    bias?.h ?? null,
    pair(o.stride ?? 1),
    pair(o.padding ?? 0),
    pair(o.dilation ?? 1),
    o.groups ?? 1,
  ]);
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  outputPadding?: Pair;
}

export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: ConvTranspose2dOptions = {}): Tensor {
  return callT(O.convT2d, [
    x.h,
    weight.h,
    bias?.h ?? null,
    pair(o.stride ?? 1),
    pair(o.padding ?? 0),
    pair(o.outputPadding ?? 0),
    o.groups ?? 1,
    pair(o.dilation ?? 1),
  ]);
}

export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return callT(O.linear, [x.h, weight.h, bias?.h ?? null]);
}

/** Layer norm over the trailing `normalizedShape` dimensions. */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  return callT(O.layerNorm, [x.h, [...normalizedShape], weight?.h ?? null, bias?.h ?? null, eps, true]);
}

export function groupNorm(x: Tensor, groups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  return callT(O.groupNorm, [x.h, groups, weight?.h ?? null, bias?.h ?? null, eps, true]);
}

/** GELU; `approximate: 'tanh'` for the tanh approximation. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  return callT(O.gelu, [x.h, approximate]);
}

export function relu(x: Tensor): Tensor {
  return callT(O.relu, [x.h]);
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return callT(O.leakyRelu, [x.h, negativeSlope]);
}

export function silu(x: Tensor): Tensor {
  return callT(O.silu, [x.h]);
}

export function softmax(x: Tensor, dim: number): Tensor {
  return callT(O.softmax, [x.h, dim]);
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  return callT(O.logSoftmax, [x.h, dim]);
}

export function pixelShuffle(x: Tensor, upscale: number): Tensor {
  return callT(O.pixelShuffle, [x.h, upscale]);
}

export function pixelUnshuffle(x: Tensor, downscale: number): Tensor {
  return callT(O.pixelUnshuffle, [x.h, downscale]);
}

export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  return callT(O.adaptiveAvgPool2d, [x.h, pair(outputSize)]);
}

export function adaptiveMaxPool2d(x: Tensor, outputSize: Pair): Tensor {
  const r = callT(O.adaptiveMaxPool2d, [x.h, pair(outputSize)]) as unknown as Tensor[];
  r[1]?.dispose();
  return r[0] as Tensor;
}

export interface PoolOptions {
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
}

export function avgPool2d(x: Tensor, kernel: Pair, o: PoolOptions & { countIncludePad?: boolean } = {}): Tensor {
  return callT(O.avgPool2d, [x.h, pair(kernel), pair(o.stride ?? kernel), pair(o.padding ?? 0), o.ceilMode ?? false, o.countIncludePad ?? true, null]);
}

export function maxPool2d(x: Tensor, kernel: Pair, o: PoolOptions & { dilation?: Pair } = {}): Tensor {
  return callT(O.maxPool2d, [x.h, pair(kernel), pair(o.stride ?? kernel), pair(o.padding ?? 0), pair(o.dilation ?? 1), o.ceilMode ?? false]);
}

export interface InterpolateOptions {
  size?: [number, number];
  scaleFactor?: number | [number, number];
  mode?: 'nearest' | 'bilinear' | 'bicubic';
  alignCorners?: boolean;
}

/** Resizes NCHW tensors (F.interpolate); give `size` or `scaleFactor`. */
export function interpolate(x: Tensor, o: InterpolateOptions): Tensor {
  const mode = o.mode ?? 'nearest';
  if ((o.size === undefined) === (o.scaleFactor === undefined)) {
    throw new TypeError('interpolate: give exactly one of size and scaleFactor');
  }
  const size = o.size ?? null;
  const scale = o.scaleFactor === undefined ? null : pair(o.scaleFactor);
  if (mode === 'nearest') {
    if (o.alignCorners !== undefined) throw new TypeError("interpolate: alignCorners only applies to 'bilinear' and 'bicubic'");
    return callT(O.nearest, [x.h, size, scale]);
  }
  return callT(mode === 'bilinear' ? O.bilinear : O.bicubic, [x.h, size, o.alignCorners ?? false, scale]);
}

/**
 * Pads the last dimensions; `pad` lists (left, right, top, bottom, ...) as in F.pad.
 * Modes: 'constant' (with `value`), 'reflect', 'replicate', 'circular'.
 */
export function pad(x: Tensor, padding: readonly number[], mode: 'constant' | 'reflect' | 'replicate' | 'circular' = 'constant', value = 0): Tensor {
  return callT(O.pad, [x.h, [...padding], mode, mode === 'constant' ? value : null]);
}

/** x / max(‖x‖_p, eps) along `dim` (F.normalize). */
export function normalize(x: Tensor, p = 2, dim = 1, eps = 1e-12): Tensor {
  const n = callT(O.norm, [x.h, p, [dim], true]);
  const d = callT(O.clampMin, [n.h, eps]);
  n.dispose();
  const out = callT(O.div, [x.h, d.h]);
  d.dispose();
  return out;
}

export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  return callT(O.dropout, [x.h, p, training]);
}

export interface UnfoldOptions {
  dilation?: Pair;
  padding?: Pair;
  stride?: Pair;
}

/** Sliding local blocks: N×C×H×W → N×(C·kh·kw)×L (F.unfold). */
export function unfold(x: Tensor, kernel: Pair, o: UnfoldOptions = {}): Tensor {
  return callT(O.im2col, [x.h, pair(kernel), pair(o.dilation ?? 1), pair(o.padding ?? 0), pair(o.stride ?? 1)]);
}

/** Inverse of `unfold`, summing overlaps (F.fold). */
export function fold(x: Tensor, outputSize: Pair, kernel: Pair, o: UnfoldOptions = {}): Tensor {
  return callT(O.col2im, [x.h, pair(outputSize), pair(kernel), pair(o.dilation ?? 1), pair(o.padding ?? 0), pair(o.stride ?? 1)]);
}

export function l1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return callT(O.l1, [input.h, target.h, REDUCTION[reduction]]);
}

export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return callT(O.mse, [input.h, target.h, REDUCTION[reduction]]);
}

export interface CrossEntropyOptions {
  weight?: Tensor;
  reduction?: Reduction;
  ignoreIndex?: number;
  labelSmoothing?: number;
}

/** Cross-entropy from logits (N×C) and int64 class targets (N) or class probabilities (N×C). */
export function crossEntropy(logits: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  return callT(O.ce, [logits.h, target.h, o.weight?.h ?? null, REDUCTION[o.reduction ?? 'mean'], o.ignoreIndex ?? -100, o.labelSmoothing ?? 0]);
}

export function nllLoss(logProbs: Tensor, target: Tensor, o: Omit<CrossEntropyOptions, 'labelSmoothing'> = {}): Tensor {
  return callT(O.nll, [logProbs.h, target.h, o.weight?.h ?? null, REDUCTION[o.reduction ?? 'mean'], o.ignoreIndex ?? -100]);
}

export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return callT(O.bceLogits, [logits.h, target.h, null, null, REDUCTION[reduction]]);
}
