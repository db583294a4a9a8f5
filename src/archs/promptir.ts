/**
 * PromptIR (Potlapalli et al., NeurIPS'23) as MaskDCPT's fork defines it (basicsr/archs/promptir_arch.py) and,
 * with a mask, as its MaskPromptIR (mask_promptir_arch.py): a Restormer body whose decoder injects learned
 * prompts at three levels. Parameter names equal the official state dicts (prompt1.prompt_param,
 * noise_level3.attn.qkv.weight, ...), so released checkpoints load strictly without renaming.
 *
 * Fork specifics kept on purpose:
 * - the prompt and noise-level widths are hard-coded for dim = 48 (prompt dims 64/128/320, noise levels
 *   704/320/160); any other dim fails in the official forward, so the constructor refuses it;
 * - `bias` applies to the attention/FFN convs, reduce_chan_*, reduce_noise_* and the output conv; the stem,
 *   Down/Upsample and the prompt conv3x3 never have one; LayerNorms are nn.LayerNorm (weight + bias);
 * - up4_3 is built for 4·dim input (after reduce_noise_level3), and noise_level1..3 all use heads[2].
 * Not ported: decoder = false (the fork's channel sizes only fit decoder = true) and the unused `resblock`.
 */
import { Conv2d, Linear, Module } from '../nn/index.js';
import { cat, dispose, F, pipe, rand, type Tensor, tidy } from '../tensor/index.js';
import { RestormerFamily } from './restormer-family.js';
import {
  checkFeatureInput,
  Downsample,
  FeatureRecorder,
  levelMasks,
  type Mask,
  maskMul,
  OverlapPatchEmbed,
  runDecoderLevel,
  runEncoder,
  TransformerBlock,
  type TransformerBlockOptions,
  type TransformerEncoder,
  TransformerStage,
  Upsample,
} from './transformer-blocks.js';

/**
 * Prompt generation: a softmax over `len` prompt components, weighted by a linear map of the feature's
 * spatial mean, summed, resized bilinearly to the feature size, then a 3×3 conv (no bias). In masked mode
 * the resized prompt and the conv output are masked; the mean still covers every position (as the fork).
 */
export class PromptGenBlock extends Module {
  readonly promptParam: Tensor;
  readonly linearLayer: Linear;
  readonly conv3x3: Conv2d;

  constructor(
    readonly promptDim: number,
    readonly promptLen: number,
    readonly promptSize: number,
    linDim: number,
  ) {
    super();
    this.promptParam = this.param('prompt_param', rand([1, promptLen, promptDim, promptSize, promptSize]));
    this.linearLayer = this.module('linear_layer', new Linear(linDim, promptLen));
    this.conv3x3 = this.module('conv3x3', new Conv2d(promptDim, promptDim, 3, { padding: 1, bias: false }));
  }

  forward(x: Tensor, mask?: Mask): Tensor {
    const [b, , h, w] = x.shape as [number, number, number, number];
    const weights = pipe(
      x,
      (t) => t.mean([2, 3]),
      (t) => this.linearLayer.forward(t),
      (t) => t.softmax(1),
    );
    // Σ_l w[b,l]·P[l] as one (B,len)×(len, dim·s·s) product instead of a broadcast multiply and sum.
    const s = this.promptSize;
    const flat = this.promptParam.reshape(this.promptLen, this.promptDim * s * s);
    const prompt = pipe(
      weights,
      (t) => t.matmul(flat),
      (t) => t.view(b, this.promptDim, s, s),
      (t) => F.interpolate(t, { size: [h, w], mode: 'bilinear', alignCorners: false }),
      (t) => maskMul(t, mask),
      (t) => this.conv3x3.forward(t),
      (t) => maskMul(t, mask),
    );
    weights.dispose();
    flat.dispose();
    return prompt;
  }
}

export interface PromptIROptions {
  inpChannels?: number;
  outChannels?: number;
  /** Must be 48: the fork hard-codes the prompt and noise-level widths for it. */
  dim?: number;
  numBlocks?: [number, number, number, number] | number[];
  numRefinementBlocks?: number;
  heads?: [number, number, number, number] | number[];
  ffnExpansionFactor?: number;
  bias?: boolean;
  /** MaskDCPT's window_size: the mask patch size P and the multiple forward() pads to (a multiple of 8). */
  windowSize?: number;
}

/** MaskDCPT's PromptIR configuration (test_PromptIR_5d.yml, constructor defaults): 35,539,290 parameters. */
export const PROMPTIR_PAPER: Required<PromptIROptions> = {
  inpChannels: 3,
  outChannels: 3,
  dim: 48,
  numBlocks: [4, 6, 6, 8],
  numRefinementBlocks: 4,
  heads: [1, 2, 4, 8],
  ffnExpansionFactor: 2.66,
  bias: true,
  windowSize: 8,
};

export class PromptIR extends RestormerFamily implements TransformerEncoder {
  readonly arch = 'promptir';
  readonly sizeMultiple: number;
  readonly maskPatchSize: number;
  readonly options: Required<PromptIROptions>;

  readonly patchEmbed: OverlapPatchEmbed;
  readonly prompt1: PromptGenBlock;
  readonly prompt2: PromptGenBlock;
  readonly prompt3: PromptGenBlock;
  readonly encoderLevel1: TransformerStage;
  readonly down12: Downsample;
  readonly encoderLevel2: TransformerStage;
  readonly down23: Downsample;
  readonly encoderLevel3: TransformerStage;
  readonly down34: Downsample;
  readonly latent: TransformerStage;
  readonly up43: Upsample;
  readonly reduceChanLevel3: Conv2d;
  readonly noiseLevel3: TransformerBlock;
  readonly reduceNoiseLevel3: Conv2d;
  readonly decoderLevel3: TransformerStage;
  readonly up32: Upsample;
  readonly reduceChanLevel2: Conv2d;
  readonly noiseLevel2: TransformerBlock;
  readonly reduceNoiseLevel2: Conv2d;
  readonly decoderLevel2: TransformerStage;
  readonly up21: Upsample;
  readonly noiseLevel1: TransformerBlock;
  readonly reduceNoiseLevel1: Conv2d;
  readonly decoderLevel1: TransformerStage;
  readonly refinement: TransformerStage;
  readonly output: Conv2d;

  constructor(options: PromptIROptions = {}) {
    super();
    const o = { ...PROMPTIR_PAPER, ...options };
    this.options = o;
    const { dim, numBlocks: nb, heads, ffnExpansionFactor: ffn, bias } = o;
    if (dim !== 48)
      throw new RangeError(`PromptIR: dim must be 48 (the fork hard-codes its prompt widths), got ${dim}`);
    if (nb.length !== 4 || heads.length !== 4) throw new RangeError('PromptIR: numBlocks and heads need 4 entries');
    if (o.windowSize % 8 !== 0) throw new RangeError(`PromptIR: windowSize ${o.windowSize} is not a multiple of 8`);
    this.sizeMultiple = o.windowSize;
    this.maskPatchSize = o.windowSize;
    const block = (width: number, level: number): TransformerBlockOptions => ({
      dim: width,
      heads: heads[level] as number,
      ffnExpansionFactor: ffn,
      bias,
    });
    const stage = (width: number, level: number, n: number) => new TransformerStage(block(width, level), n);
    const conv1 = (cin: number, cout: number) => new Conv2d(cin, cout, 1, { bias });
    const [n1, n2, n3, n4] = nb as [number, number, number, number];

    this.patchEmbed = this.module('patch_embed', new OverlapPatchEmbed(o.inpChannels, dim));
    this.prompt1 = this.module('prompt1', new PromptGenBlock(64, 5, 64, 96));
    this.prompt2 = this.module('prompt2', new PromptGenBlock(128, 5, 32, 192));
    this.prompt3 = this.module('prompt3', new PromptGenBlock(320, 5, 16, 384));
    this.encoderLevel1 = this.module('encoder_level1', stage(dim, 0, n1));
    this.down12 = this.module('down1_2', new Downsample(dim));
    this.encoderLevel2 = this.module('encoder_level2', stage(dim * 2, 1, n2));
    this.down23 = this.module('down2_3', new Downsample(dim * 2));
    this.encoderLevel3 = this.module('encoder_level3', stage(dim * 4, 2, n3));
    this.down34 = this.module('down3_4', new Downsample(dim * 4));
    this.latent = this.module('latent', stage(dim * 8, 3, n4));
    this.up43 = this.module('up4_3', new Upsample(dim * 4));
    this.reduceChanLevel3 = this.module('reduce_chan_level3', conv1(dim * 2 + 192, dim * 4));
    this.noiseLevel3 = this.module('noise_level3', new TransformerBlock(block(dim * 4 + 512, 2)));
    this.reduceNoiseLevel3 = this.module('reduce_noise_level3', conv1(dim * 4 + 512, dim * 4));
    this.decoderLevel3 = this.module('decoder_level3', stage(dim * 4, 2, n3));
    this.up32 = this.module('up3_2', new Upsample(dim * 4));
    this.reduceChanLevel2 = this.module('reduce_chan_level2', conv1(dim * 4, dim * 2));
    this.noiseLevel2 = this.module('noise_level2', new TransformerBlock(block(dim * 2 + 224, 2)));
    this.reduceNoiseLevel2 = this.module('reduce_noise_level2', conv1(dim * 2 + 224, dim * 4));
    this.decoderLevel2 = this.module('decoder_level2', stage(dim * 2, 1, n2));
    this.up21 = this.module('up2_1', new Upsample(dim * 2));
    this.noiseLevel1 = this.module('noise_level1', new TransformerBlock(block(dim * 2 + 64, 2)));
    this.reduceNoiseLevel1 = this.module('reduce_noise_level1', conv1(dim * 2 + 64, dim * 2));
    this.decoderLevel1 = this.module('decoder_level1', stage(dim * 2, 0, n1));
    this.refinement = this.module('refinement', stage(dim * 2, 0, o.numRefinementBlocks));
    this.output = this.module('output', new Conv2d(dim * 2, o.outChannels, 3, { padding: 1, bias }));
    // PromptIR keeps PyTorch's default initialisation (no _init_weights), prompts U(0, 1).
  }

  protected features(x: Tensor, mask: Mask, wanted: (name: string) => boolean): Map<string, Tensor> {
    checkFeatureInput(this.arch, x, mask, 8);
    // tidy only guards against leaks if something throws; intermediates are released eagerly.
    return tidy(() => {
      const r = new FeatureRecorder(wanted);
      const masks = levelMasks(mask, x.size(2), x.size(3));
      const [m1, m2, m3, m4] = masks;
      const [enc1, enc2, enc3, latent] = runEncoder(this, r, x, masks);
      const lat = this.#inject(r, 3, latent, m4);
      const dec3 = runDecoderLevel(
        r,
        'decoder_level3',
        this.up43.forward(lat, m4),
        enc3,
        this.reduceChanLevel3,
        this.decoderLevel3,
        m3,
      );
      lat.dispose();
      const d3 = this.#inject(r, 2, dec3, m3);
      const dec2 = runDecoderLevel(
        r,
        'decoder_level2',
        this.up32.forward(d3, m3),
        enc2,
        this.reduceChanLevel2,
        this.decoderLevel2,
        m2,
      );
      d3.dispose();
      const d2 = this.#inject(r, 1, dec2, m2);
      // Level 1 has no 1×1 reduction.
      const dec1 = runDecoderLevel(r, 'decoder_level1', this.up21.forward(d2, m2), enc1, null, this.decoderLevel1, m1);
      d2.dispose();
      r.put('refinement', this.refinement.forward(dec1, m1));
      r.drop(dec1);
      dispose(masks);
      return r.named;
    });
  }

  /**
   * reduce_noise_level<k>(noise_level<k>(cat(x, prompt<k>(x)))): the prompt injection after a decoder stage.
   * Releases `x` unless recorded; the concatenation and the 1×1 reduction are not masked (as the fork).
   */
  #inject(r: FeatureRecorder, level: 1 | 2 | 3, x: Tensor, mask: Mask): Tensor {
    const [prompt, noise, reduce] = [
      [this.prompt1, this.noiseLevel1, this.reduceNoiseLevel1],
      [this.prompt2, this.noiseLevel2, this.reduceNoiseLevel2],
      [this.prompt3, this.noiseLevel3, this.reduceNoiseLevel3],
    ][level - 1] as [PromptGenBlock, TransformerBlock, Conv2d];
    const p = r.put(`prompt${level}`, prompt.forward(x, mask));
    const joined = cat([x, p], 1);
    r.drop(x, p);
    const n = r.put(`noise_level${level}`, noise.forward(joined, mask));
    joined.dispose();
    const out = reduce.forward(n);
    r.drop(n);
    return out;
  }
}
