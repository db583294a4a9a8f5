/**
 * Restormer's building blocks as MaskDCPT's fork defines them (basicsr/archs/restormer_arch.py and
 * promptir_arch.py), shared by Restormer and PromptIR: MDTA attention, GDFN feed-forward, TransformerBlock,
 * the stage wrapper with its `blocks` list, OverlapPatchEmbed and Down/Upsample.
 *
 * Every block takes an optional patch mask (B,1,h,w), 1 = visible. Without it the block is the plain one;
 * with it, it is the Mask* variant of mask_restormer_arch.py / mask_promptir_arch.py — the same parameters
 * under the same names, so one module serves pre-training (masked) and fine-tuning (plain). Masks are
 * expanded to each feature size by integer repeats, as SparK's `_get_active_ex_or_ii`; the backbones hand
 * every level its mask already expanded to that level's resolution, which yields the same values and saves
 * the repeated expansion.
 */
import { applyMask, Conv2d, expandMask, MaskLayerNorm2d, Module, ModuleList } from '../nn/index.js';
import { cat, F, ones, pipe, type Tensor } from '../tensor/index.js';

/** An optional patch mask: absent (plain mode) or (B,1,h,w) with 1 = visible. */
export type Mask = Tensor | null | undefined;

/**
 * x times the mask expanded to x's size; x itself when there is no mask (so it composes with `pipe`, which
 * does not release a step that returns its input). Never disposes x.
 */
export function maskMul(x: Tensor, mask: Mask): Tensor {
  if (!mask) return x;
  if (mask.size(2) === x.size(2) && mask.size(3) === x.size(3)) return x.mul(mask);
  return applyMask(x, mask);
}

/**
 * Gated-Dconv Feed-Forward Network: project_out(gelu(x1) · x2) with x1, x2 the channel halves after a 1×1
 * expansion and a 3×3 depthwise conv; hidden width int(dim · factor), as Python's int() truncates.
 * Masked mode re-masks the project_out output (the fork's FeedForward(x, mask)).
 */
export class FeedForward extends Module {
  readonly projectIn: Conv2d;
  readonly dwconv: Conv2d;
  readonly projectOut: Conv2d;
  readonly hidden: number;

  constructor(dim: number, ffnExpansionFactor: number, bias: boolean) {
    super();
    this.hidden = Math.trunc(dim * ffnExpansionFactor);
    const h2 = this.hidden * 2;
    this.projectIn = this.module('project_in', new Conv2d(dim, h2, 1, { bias }));
    this.dwconv = this.module('dwconv', new Conv2d(h2, h2, 3, { padding: 1, groups: h2, bias }));
    this.projectOut = this.module('project_out', new Conv2d(this.hidden, dim, 1, { bias }));
  }

  forward(x: Tensor, mask?: Mask): Tensor {
    const y = pipe(
      x,
      (t) => this.projectIn.forward(t),
      (t) => this.dwconv.forward(t),
    );
    const [x1, x2] = y.chunk(2, 1) as [Tensor, Tensor];
    y.dispose();
    const g = F.gelu(x1);
    x1.dispose();
    const gated = g.mul(x2);
    g.dispose();
    x2.dispose();
    const out = pipe(
      gated,
      (t) => this.projectOut.forward(t),
      (t) => maskMul(t, mask),
    );
    gated.dispose();
    return out;
  }
}

/**
 * Multi-Dconv-head Transposed Attention: attention across channels, not pixels. q and k are L2-normalised
 * over the H·W positions (F.normalize, eps 1e-12), attn = softmax(q kᵀ · temperature) per head, heads split
 * the channels in order. Masked mode re-masks the qkv_dwconv output (so masked pixels add nothing to the
 * channel statistics); project_out is not re-masked, as in the fork.
 */
export class Attention extends Module {
  readonly temperature: Tensor;
  readonly qkv: Conv2d;
  readonly qkvDwconv: Conv2d;
  readonly projectOut: Conv2d;

  constructor(
    readonly dim: number,
    readonly numHeads: number,
    bias: boolean,
  ) {
    super();
    if (dim % numHeads !== 0) throw new RangeError(`Attention: dim ${dim} is not divisible by ${numHeads} heads`);
    this.temperature = this.param('temperature', ones([numHeads, 1, 1]));
    this.qkv = this.module('qkv', new Conv2d(dim, dim * 3, 1, { bias }));
    this.qkvDwconv = this.module('qkv_dwconv', new Conv2d(dim * 3, dim * 3, 3, { padding: 1, groups: dim * 3, bias }));
    this.projectOut = this.module('project_out', new Conv2d(dim, dim, 1, { bias }));
  }

  forward(x: Tensor, mask?: Mask): Tensor {
    const [b, c, h, w] = x.shape as [number, number, number, number];
    const heads = this.numHeads;
    // "b (three head c) h w -> three × (b head c (h w))": q, k, v, each with heads splitting channels in order.
    const qkv = pipe(
      x,
      (t) => this.qkv.forward(t),
      (t) => this.qkvDwconv.forward(t),
      (t) => maskMul(t, mask),
      (t) => t.reshape(b, 3, heads, c / heads, h * w),
    );
    const [q, k, v] = qkv.unbind(1) as [Tensor, Tensor, Tensor];
    qkv.dispose();
    const qn = F.normalize(q, 2, -1);
    q.dispose();
    const kt = pipe(
      k,
      (t) => F.normalize(t, 2, -1),
      (t) => t.transpose(-2, -1),
    );
    k.dispose();
    const attn = pipe(
      qn,
      (t) => t.matmul(kt),
      (t) => t.mul(this.temperature),
      (t) => t.softmax(-1),
    );
    qn.dispose();
    kt.dispose();
    const out = pipe(
      attn,
      (t) => t.matmul(v),
      (t) => t.reshape(b, c, h, w),
      (t) => this.projectOut.forward(t),
    );
    attn.dispose();
    v.dispose();
    return out;
  }
}

export interface TransformerBlockOptions {
  dim: number;
  heads: number;
  ffnExpansionFactor: number;
  /** Bias of the attention and FFN convs (Restormer's fork never has one; PromptIR honours it). */
  bias: boolean;
}

/**
 * x + attn(norm1(x)), then + ffn(norm2(·)). The norms are channel LayerNorms (nn.LayerNorm with weight and
 * bias, eps 1e-5: the fork ignores LayerNorm_type); in masked mode they are MaskDCPT's MaskLayerNorm2d.
 */
export class TransformerBlock extends Module {
  readonly norm1: MaskLayerNorm2d;
  readonly attn: Attention;
  readonly norm2: MaskLayerNorm2d;
  readonly ffn: FeedForward;

  constructor(o: TransformerBlockOptions) {
    super();
    this.norm1 = this.module('norm1', new MaskLayerNorm2d(o.dim));
    this.attn = this.module('attn', new Attention(o.dim, o.heads, o.bias));
    this.norm2 = this.module('norm2', new MaskLayerNorm2d(o.dim));
    this.ffn = this.module('ffn', new FeedForward(o.dim, o.ffnExpansionFactor, o.bias));
  }

  forward(x: Tensor, mask?: Mask): Tensor {
    const a = pipe(
      x,
      (t) => this.norm1.forward(t, mask),
      (t) => this.attn.forward(t, mask),
    );
    const y = x.add(a);
    a.dispose();
    const f = pipe(
      y,
      (t) => this.norm2.forward(t, mask),
      (t) => this.ffn.forward(t, mask),
    );
    const out = y.add(f);
    y.dispose();
    f.dispose();
    return out;
  }
}

/** A stage: `num` TransformerBlocks in a list named `blocks` (the fork's RestormerBlock / PromptIRBlock). */
export class TransformerStage extends Module {
  readonly blocks: ModuleList<TransformerBlock>;

  constructor(o: TransformerBlockOptions, num: number) {
    super();
    this.blocks = this.module('blocks', new ModuleList<TransformerBlock>());
    for (let i = 0; i < num; i++) this.blocks.push(new TransformerBlock(o));
  }

  /** Returns a new tensor even with zero blocks, so callers may always release their input. */
  forward(x: Tensor, mask?: Mask): Tensor {
    if (this.blocks.length === 0) return x.clone();
    return pipe(x, ...this.blocks.items.map((b) => (t: Tensor) => b.forward(t, mask)));
  }
}

/** The stem: a 3×3 conv without bias (the fork never gives it one). Masking happens in the backbone. */
export class OverlapPatchEmbed extends Module {
  readonly proj: Conv2d;

  constructor(inChannels: number, embedDim: number) {
    super();
    this.proj = this.module('proj', new Conv2d(inChannels, embedDim, 3, { padding: 1, bias: false }));
  }

  forward(x: Tensor): Tensor {
    return this.proj.forward(x);
  }
}

/** 3×3 conv C→C/2 (no bias), then PixelUnshuffle(2): half the size, twice the channels. */
export class Downsample extends Module {
  readonly conv: Conv2d;

  constructor(nFeat: number) {
    super();
    this.conv = this.module('conv', new Conv2d(nFeat, nFeat / 2, 3, { padding: 1, bias: false }));
  }

  /** Masked mode masks the conv output at the input resolution, before the unshuffle (as the fork). */
  forward(x: Tensor, mask?: Mask): Tensor {
    return pipe(
      x,
      (t) => this.conv.forward(t),
      (t) => maskMul(t, mask),
      (t) => F.pixelUnshuffle(t, 2),
    );
  }
}

/** 3×3 conv C→2C (no bias), then PixelShuffle(2): twice the size, half the channels. */
export class Upsample extends Module {
  readonly conv: Conv2d;

  constructor(nFeat: number) {
    super();
    this.conv = this.module('conv', new Conv2d(nFeat, nFeat * 2, 3, { padding: 1, bias: false }));
  }

  /** Masked mode masks the conv output at the input (coarse) resolution, before the shuffle. */
  forward(x: Tensor, mask?: Mask): Tensor {
    return pipe(
      x,
      (t) => this.conv.forward(t),
      (t) => maskMul(t, mask),
      (t) => F.pixelShuffle(t, 2),
    );
  }
}

// ---- plumbing shared by the Restormer and PromptIR backbones ----------------------------------------------

/** Options of `forwardFeatures` beyond the `Backbone` interface. */
export interface FeatureOptions {
  /**
   * Also return every stage output by its official module path (patch_embed, encoder_level1, latent,
   * prompt3, noise_level3, ...): the values a forward hook on that module sees, for bisecting a mismatch.
   */
  taps?: boolean;
}

/**
 * Keeps the named stage outputs a caller asked for and releases the rest as soon as they are consumed.
 * `drop` is a no-op on recorded tensors, so the forward code can release every intermediate unconditionally.
 */
export class FeatureRecorder {
  readonly named = new Map<string, Tensor>();
  readonly #kept = new Set<Tensor>();

  constructor(private readonly wanted: (name: string) => boolean) {}

  put(name: string, t: Tensor): Tensor {
    if (this.wanted(name)) {
      this.named.set(name, t);
      this.#kept.add(t);
    }
    return t;
  }

  drop(...ts: Tensor[]): void {
    for (const t of ts) if (!this.#kept.has(t)) t.dispose();
  }
}

/**
 * Checks a `forwardFeatures` input: NCHW with H and W multiples of `multiple` (the three 2× downsamplings),
 * and a (B,1,h,w) mask whose grid divides the coarsest level, so every level can expand it by an integer.
 */
export function checkFeatureInput(arch: string, x: Tensor, mask: Mask, multiple: number): void {
  if (x.ndim !== 4) throw new RangeError(`${arch}: expected an NCHW input, got [${x.shape.join(', ')}]`);
  const [b, , h, w] = x.shape as [number, number, number, number];
  if (h % multiple !== 0 || w % multiple !== 0) {
    throw new RangeError(
      `${arch}: input ${h}x${w} is not a multiple of ${multiple} (forward() pads; forwardFeatures() does not)`,
    );
  }
  if (!mask) return;
  const [mb, mc, mh, mw] = mask.shape as [number, number, number, number];
  if (mask.ndim !== 4 || mb !== b || mc !== 1 || (h / 8) % mh !== 0 || (w / 8) % mw !== 0) {
    throw new RangeError(
      `${arch}: mask [${mask.shape.join(', ')}] does not fit input [${x.shape.join(', ')}]; expected (B,1,H/P,W/P) with P a multiple of 8`,
    );
  }
}

/** The mask expanded to each level of a 4-level U-Net (H, H/2, H/4, H/8); nulls in plain mode. */
export function levelMasks(mask: Mask, height: number, width: number): (Tensor | null)[] {
  if (!mask) return [null, null, null, null];
  return [0, 1, 2, 3].map((i) => expandMask(mask, height >> i, width >> i));
}

/** The encoder half Restormer and PromptIR share: the same module names and the same masking. */
export interface TransformerEncoder {
  readonly patchEmbed: OverlapPatchEmbed;
  readonly encoderLevel1: TransformerStage;
  readonly down12: Downsample;
  readonly encoderLevel2: TransformerStage;
  readonly down23: Downsample;
  readonly encoderLevel3: TransformerStage;
  readonly down34: Downsample;
  readonly latent: TransformerStage;
}

/**
 * Runs the shared encoder and returns [encoder_level1, encoder_level2, encoder_level3, latent]. In masked
 * mode the input image and the patch_embed output are both masked (the 'patch_embed' record is the module
 * output before that second mask, as a forward hook sees it). `masks` are the per-level masks.
 */
export function runEncoder(
  e: TransformerEncoder,
  r: FeatureRecorder,
  x: Tensor,
  masks: Mask[],
): [Tensor, Tensor, Tensor, Tensor] {
  const [m1, m2, m3, m4] = masks;
  const xin = maskMul(x, m1);
  const embedded = r.put('patch_embed', e.patchEmbed.forward(xin));
  if (xin !== x) xin.dispose();
  const inp1 = maskMul(embedded, m1);
  if (inp1 !== embedded) r.drop(embedded);
  const enc1 = r.put('encoder_level1', e.encoderLevel1.forward(inp1, m1));
  r.drop(inp1);
  const inp2 = e.down12.forward(enc1, m1);
  const enc2 = r.put('encoder_level2', e.encoderLevel2.forward(inp2, m2));
  inp2.dispose();
  const inp3 = e.down23.forward(enc2, m2);
  const enc3 = r.put('encoder_level3', e.encoderLevel3.forward(inp3, m3));
  inp3.dispose();
  const inp4 = e.down34.forward(enc3, m3);
  const latent = r.put('latent', e.latent.forward(inp4, m4));
  inp4.dispose();
  return [enc1, enc2, enc3, latent];
}

/**
 * One decoder level: cat(upsampled, skip) → optional 1×1 reduction → stage, recorded under `name`.
 * Consumes `up`, releases `skip` unless recorded. The concatenation and reduction are not masked (as the fork).
 */
export function runDecoderLevel(
  r: FeatureRecorder,
  name: string,
  up: Tensor,
  skip: Tensor,
  reduce: Conv2d | null,
  stage: TransformerStage,
  mask: Mask,
): Tensor {
  let inp = cat([up, skip], 1);
  up.dispose();
  r.drop(skip);
  if (reduce) {
    const reduced = reduce.forward(inp);
    inp.dispose();
    inp = reduced;
  }
  const out = r.put(name, stage.forward(inp, mask));
  inp.dispose();
  return out;
}
