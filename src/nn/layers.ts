/** Standard layers, as torch.nn, with PyTorch's parameter names and default initialisation. */
import { empty, F, type Tensor } from '../tensor/index.js';
import { kaimingUniform_, ones_, uniform_, zeros_ } from './init.js';
import { Module } from './module.js';

type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : v);

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}

/** Default init of conv/linear layers: kaiming_uniform(a=√5) weights, U(±1/√fan_in) bias. */
function resetLinearLike(weight: Tensor, bias: Tensor | null, fanIn: number): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly options: Required<Omit<Conv2dOptions, 'bias'>>;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    o: Conv2dOptions = {},
  ) {
    super();
    const [kh, kw] = pair(kernelSize);
    const groups = o.groups ?? 1;
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new RangeError(`Conv2d: channels ${inChannels}→${outChannels} not divisible by groups ${groups}`);
    }
    this.options = { stride: o.stride ?? 1, padding: o.padding ?? 0, dilation: o.dilation ?? 1, groups };
    this.weight = this.param('weight', empty([outChannels, inChannels / groups, kh, kw]));
    this.bias = this.param('bias', o.bias === false ? null : empty([outChannels]));
    resetLinearLike(this.weight, this.bias, (inChannels / groups) * kh * kw);
  }

  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, this.options);
  }
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  outputPadding?: Pair;
}

export class ConvTranspose2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly options: Required<Omit<ConvTranspose2dOptions, 'bias'>>;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, o: ConvTranspose2dOptions = {}) {
    super();
    const [kh, kw] = pair(kernelSize);
    const groups = o.groups ?? 1;
    this.options = {
      stride: o.stride ?? 1,
      padding: o.padding ?? 0,
      dilation: o.dilation ?? 1,
      groups,
      outputPadding: o.outputPadding ?? 0,
    };
    this.weight = this.param('weight', empty([inChannels, outChannels / groups, kh, kw]));
    this.bias = this.param('bias', o.bias === false ? null : empty([outChannels]));
    // PyTorch computes fan_in from weight dim 1 for transposed convs too.
    resetLinearLike(this.weight, this.bias, (outChannels / groups) * kh * kw);
  }

  forward(x: Tensor): Tensor {
    return F.convTranspose2d(x, this.weight, this.bias, this.options);
  }
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    o: { bias?: boolean } = {},
  ) {
    super();
    this.weight = this.param('weight', empty([outFeatures, inFeatures]));
    this.bias = this.param('bias', o.bias === false ? null : empty([outFeatures]));
    resetLinearLike(this.weight, this.bias, inFeatures);
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
  bias?: boolean;
}

/** Layer norm over the trailing dimensions (torch.nn.LayerNorm). */
export class LayerNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly normalizedShape: number[];
  readonly eps: number;

  constructor(normalizedShape: number | number[], o: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    this.eps = o.eps ?? 1e-5;
    const affine = o.elementwiseAffine ?? true;
    this.weight = this.param('weight', affine ? ones_(empty(this.normalizedShape)) : null);
    this.bias = this.param('bias', affine && o.bias !== false ? zeros_(empty(this.normalizedShape)) : null);
  }

  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

/**
 * Channel layer norm for NCHW maps: normalises over C at every pixel. Implemented as the official code does
 * (permute to NHWC, nn.LayerNorm, permute back), so parameters are `weight` and `bias` of shape [C].
 */
export class LayerNorm2d extends LayerNorm {
  constructor(channels: number, o: LayerNormOptions = {}) {
    super(channels, o);
  }

  override forward(x: Tensor): Tensor {
    const nhwc = x.permute(0, 2, 3, 1);
    const y = F.layerNorm(nhwc, this.normalizedShape, this.weight, this.bias, this.eps);
    nhwc.dispose();
    const out = y.permute(0, 3, 1, 2);
    y.dispose();
    return out;
  }
}

export class GroupNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(
    readonly numGroups: number,
    numChannels: number,
    readonly eps = 1e-5,
    affine = true,
  ) {
    super();
    this.weight = this.param('weight', affine ? ones_(empty([numChannels])) : null);
    this.bias = this.param('bias', affine ? zeros_(empty([numChannels])) : null);
  }

  forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}

/** Wraps a parameter-free function as a layer (GELU, ReLU, PixelShuffle, ...). */
export class Lambda extends Module {
  constructor(
    readonly name: string,
    private readonly fn: (x: Tensor) => Tensor,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

export const GELU = (approximate: 'none' | 'tanh' = 'none') => new Lambda('GELU', (x) => F.gelu(x, approximate));
export const ReLU = () => new Lambda('ReLU', (x) => F.relu(x));
export const LeakyReLU = (slope = 0.01) => new Lambda('LeakyReLU', (x) => F.leakyRelu(x, slope));
export const Identity = () => new Lambda('Identity', (x) => x);
export const PixelShuffle = (r: number) => new Lambda('PixelShuffle', (x) => F.pixelShuffle(x, r));
export const PixelUnshuffle = (r: number) => new Lambda('PixelUnshuffle', (x) => F.pixelUnshuffle(x, r));
export const AdaptiveAvgPool2d = (size: Pair) => new Lambda('AdaptiveAvgPool2d', (x) => F.adaptiveAvgPool2d(x, size));

/** Dropout that is active only in training mode. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.p > 0 && this.training ? F.dropout(x, this.p, true) : x;
  }
}
