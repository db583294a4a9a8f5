/**
 * NAFNet as MaskDCPT uses it: the fork's `NAFNetBaseline` (basicsr/archs/nafnet_arch.py), with the masked
 * pre-training mode of `MaskNAFNetBaseline` (mask_nafnet_arch.py) folded into the same module. Both official
 * classes have identical parameter names, so one set of parameters serves plain restoration, masked
 * pre-training and fine-tuning, and official checkpoints load strictly with no renaming:
 *   intro, encoders.<i>.blocks.<j>, downs.<i>, middle_blks.blocks.<j>, ups.<i>.0, decoder<i>.blocks.<j>, ending
 * (decoder0 is the coarsest decoder level; the fork stores decoders as separate attributes, not 'decoders.<i>').
 *
 * Masked mode follows MaskNAFNetBaseline: the input and the intro output are multiplied by the pixel mask,
 * norm1/norm2 are masked LayerNorms, the spatial branch is re-masked after conv3, and nothing else is masked
 * (FFN branch, SCA mean, downs, ups and skip additions), so features are NOT zero at masked positions.
 */

import { AdaptiveAvgPool2d, Conv2d, PixelShuffle } from '../nn/layers.js';
import { applyMask, expandMask, MaskLayerNorm2d } from '../nn/masked.js';
import { Module, ModuleList, Sequential } from '../nn/module.js';
import { F, pipe, type Tensor, zeros } from '../tensor/index.js';
import type { Backbone, FeatureOutput } from './types.js';

/** SimpleGate: split channels in half and multiply the halves. */
function simpleGate(x: Tensor): Tensor {
  const [a, b] = x.chunk(2, 1) as [Tensor, Tensor];
  const out = a.mul(b);
  a.dispose();
  b.dispose();
  return out;
}

/**
 * One NAF block. y = x + β·conv3(SCA(SG(conv2(conv1(LN1(x)))))); out = y + γ·conv5(SG(conv4(LN2(y)))).
 * With a mask (at any grid that divides this block's resolution) LN1/LN2 are masked and conv3's output is
 * re-masked, exactly as MaskNAFBlock.
 */
export class NAFBlock extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly conv3: Conv2d;
  readonly sca: Sequential;
  readonly conv4: Conv2d;
  readonly conv5: Conv2d;
  readonly norm1: MaskLayerNorm2d;
  readonly norm2: MaskLayerNorm2d;
  readonly beta: Tensor;
  readonly gamma: Tensor;

  constructor(c: number) {
    super();
    // Registration order mirrors the official __init__, so stateDict() lists keys as torch does.
    this.conv1 = this.module('conv1', new Conv2d(c, 2 * c, 1));
    this.conv2 = this.module('conv2', new Conv2d(2 * c, 2 * c, 3, { padding: 1, groups: 2 * c }));
    this.conv3 = this.module('conv3', new Conv2d(c, c, 1));
    // sca.0 is the parameter-free pooling, sca.1 the 1x1 conv: names must match 'sca.1.weight'.
    this.sca = this.module('sca', new Sequential([AdaptiveAvgPool2d(1), new Conv2d(c, c, 1)]));
    this.conv4 = this.module('conv4', new Conv2d(c, 2 * c, 1));
    this.conv5 = this.module('conv5', new Conv2d(c, c, 1));
    // The fork's LayerNorm2d is nn.LayerNorm over channels, eps 1e-5 (not NAFNet's eps-1e-6 custom function).
    this.norm1 = this.module('norm1', new MaskLayerNorm2d(c, { eps: 1e-5 }));
    this.norm2 = this.module('norm2', new MaskLayerNorm2d(c, { eps: 1e-5 }));
    this.beta = this.param('beta', zeros([1, c, 1, 1]));
    this.gamma = this.param('gamma', zeros([1, c, 1, 1]));
  }

  forward(inp: Tensor, mask: Tensor | null = null): Tensor {
    const spatial = pipe(
      inp,
      (t) => this.norm1.forward(t, mask),
      (t) => this.conv1.forward(t),
      (t) => this.conv2.forward(t),
      simpleGate,
      (t) => {
        const s = this.sca.forward(t);
        const out = t.mul(s);
        s.dispose();
        return out;
      },
      (t) => this.conv3.forward(t),
      (t) => (mask ? applyMask(t, mask) : t),
      (t) => t.mul(this.beta),
    );
    const y = inp.add(spatial);
    spatial.dispose();
    const ffn = pipe(
      y,
      (t) => this.norm2.forward(t, mask),
      (t) => this.conv4.forward(t),
      simpleGate,
      (t) => this.conv5.forward(t),
      (t) => t.mul(this.gamma),
    );
    const out = y.add(ffn);
    y.dispose();
    ffn.dispose();
    return out;
  }
}

/** A stage of NAF blocks, stored as '<stage>.blocks.<j>' like the fork's NAFBlocks. */
export class NAFBlocks extends Module {
  readonly blocks: ModuleList<NAFBlock>;

  constructor(c: number, num: number) {
    super();
    this.blocks = this.module('blocks', new ModuleList(Array.from({ length: num }, () => new NAFBlock(c))));
  }

  forward(x: Tensor, mask: Tensor | null = null): Tensor {
    // An empty stage is the identity; return a fresh tensor so callers can always dispose what they get.
    if (this.blocks.length === 0) return x.clone();
    return pipe(x, ...this.blocks.items.map((b) => (t: Tensor) => b.forward(t, mask)));
  }
}

export interface NAFNetOptions {
  imgChannel?: number;
  width: number;
  encBlkNums: readonly number[];
  middleBlkNum: number;
  decBlkNums: readonly number[];
  /**
   * The official `window_size`, used only as the mask patch size P. MaskDCPT's NAFNet configs set 16 (the
   * official constructor default is 8, which the fixtures pass explicitly).
   */
  windowSize?: number;
}

/** Module paths `forwardFeatures` can additionally record in `named` (decoder outputs are always there). */
export type NAFNetTap = 'intro' | 'middle_blks' | `encoders.${number}`;

/** Parameters of a NAF block of width c: 7c² + 33c (method.md §1.7). */
export function nafBlockParams(c: number): number {
  return 7 * c * c + 33 * c;
}

/** Parameter count of a NAFNetBaseline, in closed form (no allocation). */
export function nafnetParamCount(o: NAFNetOptions): number {
  const img = o.imgChannel ?? 3;
  let n = img * o.width * 9 + o.width + o.width * img * 9 + img; // intro + ending
  let c = o.width;
  for (const num of o.encBlkNums) {
    n += num * nafBlockParams(c) + c * 2 * c * 4 + 2 * c; // blocks + 2x2 stride-2 down conv
    c *= 2;
  }
  n += o.middleBlkNum * nafBlockParams(c);
  for (const num of o.decBlkNums) {
    n += c * 2 * c; // 1x1 up conv without bias, then PixelShuffle(2) halves the channels
    c /= 2;
    n += num * nafBlockParams(c);
  }
  return n;
}

/**
 * NAFNetBaseline. `forward(x)` restores an image; `forwardFeatures(x, mask)` runs the U-Net (masked when a
 * mask is given) and returns the decoder outputs; `forwardHead` applies `ending` plus the global residual.
 */
export class NAFNet extends Module implements Backbone {
  readonly arch = 'nafnet';
  readonly sizeMultiple: number;
  readonly maskPatchSize: number;
  readonly intro: Conv2d;
  readonly ending: Conv2d;
  readonly encoders: ModuleList<NAFBlocks>;
  readonly middleBlks: NAFBlocks;
  readonly ups: ModuleList<Sequential>;
  readonly downs: ModuleList<Conv2d>;
  /** decoder0 (coarsest) .. decoder<n-1> (full resolution), registered as separate attributes. */
  readonly decoders: NAFBlocks[] = [];

  constructor(readonly options: NAFNetOptions) {
    super();
    const img = options.imgChannel ?? 3;
    const { width, encBlkNums, middleBlkNum, decBlkNums } = options;
    if (encBlkNums.length !== decBlkNums.length) {
      // The official code zips ups with the encoder skips, so unequal lengths silently drop levels; refuse.
      throw new RangeError(
        `NAFNet: encBlkNums (${encBlkNums.length}) and decBlkNums (${decBlkNums.length}) differ in length`,
      );
    }
    this.sizeMultiple = 2 ** encBlkNums.length;
    this.maskPatchSize = options.windowSize ?? 16;
    // Built in the official construction order (intro, ending, encoder levels, middle, decoder levels) so the
    // default initialisation draws from the generator in PyTorch's order.
    const intro = new Conv2d(img, width, 3, { padding: 1 });
    const ending = new Conv2d(width, img, 3, { padding: 1 });
    const encoders = new ModuleList<NAFBlocks>();
    const downs = new ModuleList<Conv2d>();
    const ups = new ModuleList<Sequential>();
    let chan = width;
    for (const num of encBlkNums) {
      encoders.push(new NAFBlocks(chan, num));
      downs.push(new Conv2d(chan, 2 * chan, 2, { stride: 2 }));
      chan *= 2;
    }
    const middle = new NAFBlocks(chan, middleBlkNum);
    const decoders = decBlkNums.map((num) => {
      ups.push(new Sequential([new Conv2d(chan, 2 * chan, 1, { bias: false }), PixelShuffle(2)]));
      chan /= 2;
      return new NAFBlocks(chan, num);
    });
    // Registered in the official attribute order so stateDict() lists keys as torch's state_dict() does.
    this.intro = this.module('intro', intro);
    this.ending = this.module('ending', ending);
    this.encoders = this.module('encoders', encoders);
    this.middleBlks = this.module('middle_blks', middle);
    this.ups = this.module('ups', ups);
    this.downs = this.module('downs', downs);
    decoders.forEach((d, i) => {
      this.decoders.push(this.module(`decoder${i}`, d));
    });
  }

  forward(x: Tensor): Tensor {
    const [, , h, w] = x.shape as [number, number, number, number];
    const padded = padToMultiple(x, this.sizeMultiple);
    const feats = this.forwardFeatures(padded);
    const out = this.forwardHead(feats, padded);
    disposeFeatures(feats);
    if (padded === x) return out;
    padded.dispose();
    const cropped = pipe(
      out,
      (t) => t.narrow(2, 0, h),
      (t) => t.narrow(3, 0, w),
      (t) => t.contiguous(),
    );
    out.dispose();
    return cropped;
  }

  /**
   * The U-Net without its head. With `mask` (B,1,H/P,W/P), 1 = visible, it runs MaskNAFNetBaseline's masked
   * pass. `taps` adds more stage outputs to `named` (for bisecting against the official taps).
   */
  forwardFeatures(x: Tensor, mask: Tensor | null = null, taps: readonly NAFNetTap[] = []): FeatureOutput {
    const n = this.encoders.length;
    const [, , H, W] = x.shape as [number, number, number, number];
    if (H % this.sizeMultiple !== 0 || W % this.sizeMultiple !== 0) {
      throw new RangeError(`NAFNet.forwardFeatures: input ${H}x${W} is not a multiple of ${this.sizeMultiple}`);
    }
    const levelMasks = mask ? this.levelMasks(mask, H, W) : null;
    const lm = (i: number): Tensor | null => levelMasks?.[i] ?? null;
    const want = new Set<string>(taps);
    const named = new Map<string, Tensor>();
    // Tapped tensors are handed to the caller; everything else is released as soon as it is consumed.
    const release = (name: string, t: Tensor): void => {
      if (want.has(name)) named.set(name, t);
      else t.dispose();
    };

    let cur: Tensor;
    const m0 = lm(0);
    if (m0) {
      const masked = applyMask(x, m0);
      cur = pipe(
        masked,
        (t) => this.intro.forward(t),
        (t) => applyMask(t, m0),
      );
      masked.dispose();
    } else {
      cur = this.intro.forward(x);
    }
    const skips: Tensor[] = [];
    this.encoders.items.forEach((enc, i) => {
      const e = enc.forward(cur, lm(i));
      if (i === 0) release('intro', cur);
      else cur.dispose();
      skips.push(e);
      cur = this.downs.at(i).forward(e);
    });
    const mid = this.middleBlks.forward(cur, lm(n));
    if (n === 0) release('intro', cur);
    else cur.dispose();
    cur = mid;
    if (n === 0) named.set('middle_blks', cur);
    const pyramid: Tensor[] = n === 0 ? [cur] : [];
    this.decoders.forEach((dec, i) => {
      const up = this.ups.at(i).forward(cur);
      // cur is the middle output (i = 0) or decoder<i-1>'s output, which stays in `named` as a feature.
      if (i === 0) release('middle_blks', cur);
      const level = n - 1 - i;
      const skip = skips[level] as Tensor;
      const sum = up.add(skip);
      up.dispose();
      release(`encoders.${level}`, skip);
      // The official hands every decoder the grid at the level-(n-1) resolution and each block expands it
      // further; repeat-interleave factors compose, so the mask at this level's own resolution is identical.
      cur = dec.forward(sum, lm(level));
      sum.dispose();
      named.set(`decoder${i}`, cur);
      pyramid.unshift(cur);
    });
    for (const m of levelMasks ?? []) m.dispose();
    return { named, pyramid, last: cur };
  }

  /** `ending(features.last) + input` (the official head with its global residual). */
  forwardHead(features: FeatureOutput, input: Tensor): Tensor {
    const y = this.ending.forward(features.last);
    const out = y.add(input);
    y.dispose();
    return out;
  }

  /**
   * The mask at each level's resolution: level i < n is H/2^i, level n (middle blocks) is the coarsest.
   * The official code requires this too (its per-level repeat factors P/2^i must be positive integers).
   */
  private levelMasks(mask: Tensor, H: number, W: number): Tensor[] {
    const [, , h, w] = mask.shape as [number, number, number, number];
    const n = this.encoders.length;
    const coarse = 2 ** n;
    if ((H / coarse) % h !== 0 || (W / coarse) % w !== 0) {
      throw new RangeError(
        `NAFNet: mask grid ${h}x${w} must divide the coarsest feature map ${H / coarse}x${W / coarse} (input ${H}x${W})`,
      );
    }
    return Array.from({ length: n + 1 }, (_, i) => expandMask(mask, H / 2 ** i, W / 2 ** i));
  }
}

/** Disposes every tensor of a FeatureOutput once (pyramid and `last` alias entries of `named`). */
export function disposeFeatures(f: FeatureOutput): void {
  const all = new Set<Tensor>([...f.named.values(), ...f.pyramid, f.last]);
  for (const t of all) t.dispose();
}

/**
 * Pads bottom/right to a multiple of `m` by reflection, as MaskDCPT's test code (SRModel.pad_test) pads
 * before the network; the official NAFNetBaseline itself never pads (upstream NAFNet's check_image_size
 * pads with zeros). Replicate padding is used when the image is too small to reflect. Returns `x` itself
 * when no padding is needed.
 */
export function padToMultiple(x: Tensor, m: number): Tensor {
  const [, , h, w] = x.shape as [number, number, number, number];
  const ph = (m - (h % m)) % m;
  const pw = (m - (w % m)) % m;
  if (ph === 0 && pw === 0) return x;
  const mode = ph < h && pw < w ? 'reflect' : 'replicate';
  return F.pad(x, [0, pw, 0, ph], mode);
}
