/**
 * SwinIR as in MaskDCPT's fork (basicsr/archs/swinir_arch.py, restoration variant: upscale 1, conv_last head),
 * with MaskSwinIR's masked encoder (mask_swinir_arch.py) as a mode of the same module. Parameter names equal
 * the official state dict, so `loadStateDict` takes the official checkpoint (and the masked pre-training one)
 * without renaming.
 *
 * Plain forward (the fork's SwinIR.forward):
 *   x  = (img − mean)·img_range;  x_first = conv_first(x)
 *   f  = patch_unembed(norm(decode_layers2(…encode_layers.0(patch_embed(x_first)))))
 *   out = (x + conv_last(conv_after_body(f) + x_first)) / img_range + mean
 * Masked forward (MaskSwinIR.forward, mask (B,1,H/P,W/P), P = window_size, 1 = visible): no mean handling,
 *   img·mask_pixel → conv_first → ·mask_pixel → masked patch_embed norm → RSTBs in masked mode → masked norm →
 *   conv_after_body → ·mask_pixel → + x_first → conv_last, with NO global residual.
 */

import { Conv2d, LayerNorm, Module, ModuleList, type Sequential } from '../nn/index.js';
import { expandMask } from '../nn/masked.js';
import { F, fromTypedArray, type Tensor } from '../tensor/index.js';
import {
  type GridSize,
  imageToTokens,
  initSwinWeights,
  type ResiConnection,
  RSTB,
  resiConv,
  type TokenMasks,
  tokenNorm,
  tokensToImage,
} from './swin-blocks.js';
import type { Backbone, FeatureOutput } from './types.js';

export interface SwinIROptions {
  /** Training image size; only img_size // patch_size matters: a grid ≤ window_size shrinks the window and disables the shift. */
  imgSize?: number | readonly [number, number];
  patchSize?: number;
  inChans?: number;
  embedDim?: number;
  /** At least 6 entries: the fork builds len/2 encode_layers from depths[0..] and len/2 decode_layers<i> from depths[i+3]. */
  depths?: readonly number[];
  numHeads?: readonly number[];
  windowSize?: number;
  mlpRatio?: number;
  imgRange?: number;
  resiConnection?: ResiConnection;
  qkvBias?: boolean;
  qkScale?: number | null;
}

/** The official constructor defaults; with them the model is MaskDCPT's SwinIR (test_SwinIR_5d.yml sets only these values). */
export const SWINIR_DEFAULTS = {
  imgSize: 128,
  patchSize: 1,
  inChans: 3,
  embedDim: 180,
  depths: [6, 6, 6, 6, 6, 6],
  numHeads: [6, 6, 6, 6, 6, 6],
  windowSize: 8,
  mlpRatio: 2,
  imgRange: 1,
  resiConnection: '1conv',
  qkvBias: true,
  qkScale: null,
} as const satisfies Required<SwinIROptions>;

const RGB_MEAN = [0.4488, 0.4371, 0.404];

/** Called with (module path, output) as a forward hook would be; token outputs are (B, H·W, C). Do not dispose. */
export type TapHook = (name: string, t: Tensor) => void;

/** Features of one SwinIR encoder pass; `masked` tells `forwardHead` which tail to run. */
export interface SwinIRFeatures extends FeatureOutput {
  masked: boolean;
}

/** The top-level patch embedding: (B,C,H,W) → tokens, then LayerNorm (masked in masked mode). */
class PatchEmbed extends Module {
  readonly norm: LayerNorm;

  constructor(dim: number) {
    super();
    this.norm = this.module('norm', new LayerNorm(dim));
  }

  forward(x: Tensor, mask: Tensor | null): Tensor {
    const t = imageToTokens(x);
    const out = tokenNorm(this.norm, t, mask);
    t.dispose();
    return out;
  }
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export class SwinIR extends Module implements Backbone {
  readonly arch = 'swinir';
  /** forward() reflect-pads to this multiple itself; forwardFeatures() needs it from the caller. */
  readonly sizeMultiple: number;
  readonly maskPatchSize: number;
  readonly options: Required<SwinIROptions>;
  readonly convFirst: Conv2d;
  readonly patchEmbed: PatchEmbed;
  readonly encodeLayers: ModuleList<RSTB>;
  readonly decodeLayers: RSTB[] = [];
  readonly norm: LayerNorm;
  readonly convAfterBody: Conv2d | Sequential;
  readonly convLast: Conv2d;
  /** Optional forward hook over the official module paths (conv_first, patch_embed, encode_layers.i, decode_layers<i>, norm, conv_after_body). */
  onTap: TapHook | null = null;

  constructor(options: SwinIROptions = {}) {
    super();
    // Undefined entries (e.g. from a parsed config) keep the default, as a missing kwarg does in Python.
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    const o = { ...SWINIR_DEFAULTS, ...given } as Required<SwinIROptions>;
    this.options = o;
    const { embedDim: dim, depths, numHeads, windowSize } = o;
    if (depths.length < 6 || numHeads.length !== depths.length) {
      throw new RangeError(
        `SwinIR: depths needs ≥ 6 entries and numHeads as many (got ${depths.length}, ${numHeads.length})`,
      );
    }
    const [ih, iw] = typeof o.imgSize === 'number' ? [o.imgSize, o.imgSize] : o.imgSize;
    const inputResolution: GridSize = [Math.floor(ih / o.patchSize), Math.floor(iw / o.patchSize)];

    // Registration order follows the official constructor, so a seeded build consumes the RNG as PyTorch does.
    this.convFirst = this.module('conv_first', new Conv2d(o.inChans, dim, 3, { padding: 1 }));
    this.patchEmbed = this.module('patch_embed', new PatchEmbed(dim));
    const half = Math.floor(depths.length / 2);
    const rstb = (i: number) =>
      new RSTB({
        dim,
        inputResolution,
        depth: depths[i] as number,
        numHeads: numHeads[i] as number,
        windowSize,
        mlpRatio: o.mlpRatio,
        qkvBias: o.qkvBias,
        qkScale: o.qkScale,
        resiConnection: o.resiConnection,
      });
    this.encodeLayers = this.module('encode_layers', new ModuleList<RSTB>());
    for (let i = 0; i < half; i++) this.encodeLayers.push(rstb(i));
    // The fork's decode stages are separate attributes decode_layers0.. and read depths[i + 3].
    for (let i = 0; i < half; i++) this.decodeLayers.push(this.module(`decode_layers${i}`, rstb(i + 3)));
    this.norm = this.module('norm', new LayerNorm(dim));
    this.convAfterBody = this.module('conv_after_body', resiConv(dim, o.resiConnection));
    this.convLast = this.module('conv_last', new Conv2d(dim, o.inChans, 3, { padding: 1 }));
    initSwinWeights(this);

    const effective = this.encodeLayers.items[0]?.residualGroup.blocks.items[0]?.windowSize ?? windowSize;
    this.sizeMultiple = (windowSize * effective) / gcd(windowSize, effective);
    // MaskSwinIR: mask_patch_size = window_size.
    this.maskPatchSize = windowSize;
  }

  /** Plain restoration. Reflect-pads bottom/right to `sizeMultiple` (as MaskDCPT's test code does) and crops back. */
  forward(x: Tensor): Tensor {
    const [, , h, w] = x.shape as [number, number, number, number];
    const m = this.sizeMultiple;
    const ph = (m - (h % m)) % m;
    const pw = (m - (w % m)) % m;
    const xp = ph > 0 || pw > 0 ? F.pad(x, [0, pw, 0, ph], 'reflect') : x;
    const feats = this.#encode(xp, null, false);
    const out = this.forwardHead(feats, xp);
    feats.last.dispose();
    if (xp === x) return out;
    xp.dispose();
    const rows = out.narrow(2, 0, h);
    out.dispose();
    const crop = rows.narrow(3, 0, w);
    rows.dispose();
    const res = crop.contiguous();
    crop.dispose();
    return res;
  }

  /**
   * Encoder pass on an input whose sides are multiples of `sizeMultiple`. `named` holds the decode stage
   * outputs as NCHW views of the (B, H·W, C) tokens ('decode_layers0'..; channels-last in memory), `pyramid` the same tensors with the last stage first (all at input
   * resolution; the classifier's token mode does the downsampling), `last` the body features conv_last
   * consumes: conv_after_body(f) + x_first, masked as MaskSwinIR masks them when `mask` is given.
   */
  forwardFeatures(x: Tensor, mask?: Tensor | null): SwinIRFeatures {
    return this.#encode(x, mask ?? null, true);
  }

  /**
   * Plain features: the fork's tail, (x + conv_last(last)) / img_range + mean with x = (input − mean)·img_range
   * (`input` is the image given to forwardFeatures). Masked features: MaskSwinIR's return value,
   * conv_last(last), with no mean and no global residual; `input` is ignored.
   */
  forwardHead(features: FeatureOutput, input: Tensor): Tensor {
    const head = this.convLast.forward(features.last);
    if ((features as Partial<SwinIRFeatures>).masked === true) return head;
    const mean = this.#mean(input);
    const xn = this.#normalize(input, mean);
    const sum = xn.add(head);
    xn.dispose();
    head.dispose();
    const scaled = this.options.imgRange === 1 ? sum : sum.div(this.options.imgRange);
    if (scaled !== sum) sum.dispose();
    const out = scaled.add(mean);
    scaled.dispose();
    mean.dispose();
    return out;
  }

  #encode(x: Tensor, mask: Tensor | null, collect: boolean): SwinIRFeatures {
    const [b, , h, w] = x.shape as [number, number, number, number];
    if (h % this.sizeMultiple !== 0 || w % this.sizeMultiple !== 0) {
      throw new RangeError(
        `SwinIR: input ${h}x${w} is not a multiple of ${this.sizeMultiple} (forward() pads; forwardFeatures() does not)`,
      );
    }
    const size: GridSize = [h, w];
    const tap = this.onTap;
    let masks: TokenMasks | null = null;
    let xin: Tensor;
    if (mask === null) {
      const mean = this.#mean(x);
      xin = this.#normalize(x, mean);
      mean.dispose();
    } else {
      const pixels = maskAt(mask, x, b, h, w);
      masks = { pixels, tokens: pixels.view(b, h * w, 1) };
      xin = x.mul(pixels);
    }
    let xFirst = this.convFirst.forward(xin);
    xin.dispose();
    tap?.('conv_first', xFirst);
    if (masks !== null) xFirst = mulDispose(xFirst, masks.pixels);

    let t = this.patchEmbed.forward(xFirst, masks?.tokens ?? null);
    tap?.('patch_embed', t);
    const named = new Map<string, Tensor>();
    const stages: [string, RSTB][] = [
      ...this.encodeLayers.items.map((l, i): [string, RSTB] => [`encode_layers.${i}`, l]),
      ...this.decodeLayers.map((l, i): [string, RSTB] => [`decode_layers${i}`, l]),
    ];
    for (const [name, layer] of stages) {
      const next = layer.forward(t, size, masks);
      t.dispose();
      t = next;
      tap?.(name, t);
      if (collect && name.startsWith('decode_layers')) named.set(name, tokensToImage(t, size));
    }
    const normed = tokenNorm(this.norm, t, masks?.tokens ?? null);
    t.dispose();
    tap?.('norm', normed);
    const f = tokensToImage(normed, size);
    normed.dispose();
    let body = this.convAfterBody.forward(f);
    f.dispose();
    tap?.('conv_after_body', body);
    if (masks !== null) body = mulDispose(body, masks.pixels);
    const last = body.add(xFirst);
    body.dispose();
    xFirst.dispose();
    if (masks !== null) {
      masks.tokens.dispose();
      masks.pixels.dispose();
    }
    const pyramid = [...named.values()].reverse();
    return { named, pyramid, last, masked: mask !== null };
  }

  /** The fork's mean: a plain attribute (not in the state dict), RGB mean for 3 channels, else 0. */
  #mean(like: Tensor): Tensor {
    const c = this.options.inChans;
    const values = c === 3 ? Float32Array.from(RGB_MEAN) : new Float32Array(1);
    const m = fromTypedArray(values, [1, values.length, 1, 1], { device: like.device });
    if (like.dtype === 'float32') return m;
    const cast = m.to(like.dtype);
    m.dispose();
    return cast;
  }

  #normalize(x: Tensor, mean: Tensor): Tensor {
    const centred = x.sub(mean);
    if (this.options.imgRange === 1) return centred;
    const out = centred.mul(this.options.imgRange);
    centred.dispose();
    return out;
  }
}

function mulDispose(x: Tensor, m: Tensor): Tensor {
  const out = x.mul(m);
  x.dispose();
  return out;
}

/** The (B,1,H/P,W/P) mask repeated to (B,1,H,W) in the input's dtype. */
function maskAt(mask: Tensor, like: Tensor, b: number, h: number, w: number): Tensor {
  if (mask.ndim !== 4 || mask.size(0) !== b || mask.size(1) !== 1) {
    throw new RangeError(`SwinIR: mask must be (${b}, 1, h, w), got [${mask.shape.join(', ')}]`);
  }
  const px = expandMask(mask, h, w);
  if (px.dtype === like.dtype) return px;
  const cast = px.to(like.dtype);
  px.dispose();
  return cast;
}
