/**
 * Restormer (Zamir et al., CVPR'22) as MaskDCPT's fork defines it (basicsr/archs/restormer_arch.py) and, with a
 * mask, as its MaskRestormer (mask_restormer_arch.py): one module, one set of parameters, named exactly as the
 * official state dicts so released checkpoints load strictly without renaming.
 *
 * Fork specifics kept on purpose (they decide which checkpoint keys exist):
 * - every LayerNorm is nn.LayerNorm over channels with weight and bias (LayerNorm_type is ignored);
 * - `bias` is ignored inside attention and FFN (no bias there) and applies only to reduce_chan_level2/3 and
 *   the output conv; the stem and Down/Upsample never have one;
 * - stages are wrapped in an object with a `blocks` list (encoder_level1.blocks.0.attn.qkv.weight).
 * Not ported: dual_pixel_task and scale > 1 (no MaskDCPT config uses them).
 */
import { Conv2d, init } from '../nn/index.js';
import { dispose, type Tensor, tidy } from '../tensor/index.js';
import { RestormerFamily } from './restormer-family.js';
import {
  checkFeatureInput,
  Downsample,
  FeatureRecorder,
  levelMasks,
  type Mask,
  OverlapPatchEmbed,
  runDecoderLevel,
  runEncoder,
  type TransformerEncoder,
  TransformerStage,
  Upsample,
} from './transformer-blocks.js';

export interface RestormerOptions {
  inpChannels?: number;
  outChannels?: number;
  /** Width of level 1; levels 2–4 have 2·, 4·, 8·dim channels. */
  dim?: number;
  /** Blocks per level: encoder_level1..3 + latent; decoder_level1..3 reuse the first three. */
  numBlocks?: [number, number, number, number] | number[];
  numRefinementBlocks?: number;
  heads?: [number, number, number, number] | number[];
  ffnExpansionFactor?: number;
  /** Bias of reduce_chan_level2/3 and the output conv only (see the file comment). */
  bias?: boolean;
  /** MaskDCPT's window_size: the mask patch size P and the multiple forward() pads to (a multiple of 8). */
  windowSize?: number;
  /**
   * Apply the official trunc-normal(0.02) conv initialisation (default true). False keeps PyTorch's default
   * conv init: for a model that loads a checkpoint next, it saves the erfinv pass (seconds for 26M weights).
   */
  initWeights?: boolean;
}

/** MaskDCPT's Restormer configuration (options/all_in_one/test/test_Restormer_5d.yml): 26,126,644 parameters. */
export const RESTORMER_PAPER: Required<RestormerOptions> = {
  inpChannels: 3,
  outChannels: 3,
  dim: 48,
  numBlocks: [4, 6, 6, 8],
  numRefinementBlocks: 4,
  heads: [1, 2, 4, 8],
  ffnExpansionFactor: 2.66,
  bias: false,
  windowSize: 8,
  initWeights: true,
};

/** Names `forwardFeatures` returns by default: the decoder levels (the pyramid) and the refinement output. */
export class Restormer extends RestormerFamily implements TransformerEncoder {
  readonly arch = 'restormer';
  readonly sizeMultiple: number;
  readonly maskPatchSize: number;
  readonly options: Required<RestormerOptions>;

  readonly patchEmbed: OverlapPatchEmbed;
  readonly encoderLevel1: TransformerStage;
  readonly down12: Downsample;
  readonly encoderLevel2: TransformerStage;
  readonly down23: Downsample;
  readonly encoderLevel3: TransformerStage;
  readonly down34: Downsample;
  readonly latent: TransformerStage;
  readonly up43: Upsample;
  readonly reduceChanLevel3: Conv2d;
  readonly decoderLevel3: TransformerStage;
  readonly up32: Upsample;
  readonly reduceChanLevel2: Conv2d;
  readonly decoderLevel2: TransformerStage;
  readonly up21: Upsample;
  readonly decoderLevel1: TransformerStage;
  readonly refinement: TransformerStage;
  readonly output: Conv2d;

  constructor(options: RestormerOptions = {}) {
    super();
    const o = { ...RESTORMER_PAPER, ...options };
    this.options = o;
    const { dim, numBlocks: nb, heads, ffnExpansionFactor: ffn } = o;
    if (nb.length !== 4 || heads.length !== 4) throw new RangeError('Restormer: numBlocks and heads need 4 entries');
    if (o.windowSize % 8 !== 0) throw new RangeError(`Restormer: windowSize ${o.windowSize} is not a multiple of 8`);
    this.sizeMultiple = o.windowSize;
    this.maskPatchSize = o.windowSize;
    // The fork passes `bias` to the blocks but never uses it there.
    const stage = (width: number, level: number, n: number) =>
      new TransformerStage({ dim: width, heads: heads[level] as number, ffnExpansionFactor: ffn, bias: false }, n);
    const [n1, n2, n3, n4] = nb as [number, number, number, number];

    this.patchEmbed = this.module('patch_embed', new OverlapPatchEmbed(o.inpChannels, dim));
    this.encoderLevel1 = this.module('encoder_level1', stage(dim, 0, n1));
    this.down12 = this.module('down1_2', new Downsample(dim));
    this.encoderLevel2 = this.module('encoder_level2', stage(dim * 2, 1, n2));
    this.down23 = this.module('down2_3', new Downsample(dim * 2));
    this.encoderLevel3 = this.module('encoder_level3', stage(dim * 4, 2, n3));
    this.down34 = this.module('down3_4', new Downsample(dim * 4));
    this.latent = this.module('latent', stage(dim * 8, 3, n4));
    this.up43 = this.module('up4_3', new Upsample(dim * 8));
    this.reduceChanLevel3 = this.module('reduce_chan_level3', new Conv2d(dim * 8, dim * 4, 1, { bias: o.bias }));
    this.decoderLevel3 = this.module('decoder_level3', stage(dim * 4, 2, n3));
    this.up32 = this.module('up3_2', new Upsample(dim * 4));
    this.reduceChanLevel2 = this.module('reduce_chan_level2', new Conv2d(dim * 4, dim * 2, 1, { bias: o.bias }));
    this.decoderLevel2 = this.module('decoder_level2', stage(dim * 2, 1, n2));
    // Level 1 has no 1×1 reduction: the decoder and refinement run at 2·dim.
    this.up21 = this.module('up2_1', new Upsample(dim * 2));
    this.decoderLevel1 = this.module('decoder_level1', stage(dim * 2, 0, n1));
    this.refinement = this.module('refinement', stage(dim * 2, 0, o.numRefinementBlocks));
    this.output = this.module('output', new Conv2d(dim * 2, o.outChannels, 3, { padding: 1, bias: o.bias }));

    // The official _init_weights: trunc_normal(std 0.02) conv weights, zero conv biases.
    if (!o.initWeights) return;
    for (const [, m] of this.namedModules()) {
      if (m instanceof Conv2d) {
        init.truncNormal_(m.weight, 0, 0.02);
        if (m.bias) init.zeros_(m.bias);
      }
    }
  }

  protected features(x: Tensor, mask: Mask, wanted: (name: string) => boolean): Map<string, Tensor> {
    checkFeatureInput(this.arch, x, mask, 8);
    // tidy only guards against leaks if something throws; intermediates are released eagerly.
    return tidy(() => {
      const r = new FeatureRecorder(wanted);
      const masks = levelMasks(mask, x.size(2), x.size(3));
      const [m1, m2, m3, m4] = masks;
      const [enc1, enc2, enc3, latent] = runEncoder(this, r, x, masks);
      const dec3 = runDecoderLevel(
        r,
        'decoder_level3',
        this.up43.forward(latent, m4),
        enc3,
        this.reduceChanLevel3,
        this.decoderLevel3,
        m3,
      );
      r.drop(latent);
      const dec2 = runDecoderLevel(
        r,
        'decoder_level2',
        this.up32.forward(dec3, m3),
        enc2,
        this.reduceChanLevel2,
        this.decoderLevel2,
        m2,
      );
      r.drop(dec3);
      // Level 1 has no 1×1 reduction.
      const dec1 = runDecoderLevel(
        r,
        'decoder_level1',
        this.up21.forward(dec2, m2),
        enc1,
        null,
        this.decoderLevel1,
        m1,
      );
      r.drop(dec2);
      r.put('refinement', this.refinement.forward(dec1, m1));
      r.drop(dec1);
      dispose(masks);
      return r.named;
    });
  }
}
