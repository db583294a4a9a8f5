/**
 * The Swin Transformer pieces of MaskDCPT's SwinIR fork (basicsr/archs/swinir_arch.py and mask_swinir_arch.py):
 * window attention, the Swin block, BasicLayer and the residual group RSTB. Parameter names follow the
 * official state dict (`residual_group.blocks.<i>.attn.qkv.weight`, ...).
 *
 * The fork differs from the original SwinIR in two ways that matter here: the attention has NO relative
 * position bias, and shifted windows are attended WITHOUT the shift attention mask (tokens that wrapped around
 * by the cyclic roll attend to each other freely).
 *
 * Tokens are (B, L, C) with L = H·W and token index y·W + x. Every forward takes an optional token mask
 * (B, L, 1), 1 = visible: with it the blocks run as MaskDCPT's masked encoder does (masked LayerNorms, block
 * outputs re-masked, RSTB conv output masked before the residual). The same parameters serve both modes.
 */

import { Conv2d, LayerNorm, LeakyReLU, Linear, Module, ModuleList, Sequential } from '../nn/index.js';
import { truncNormal_, zeros_ } from '../nn/init.js';
import { F, type Tensor } from '../tensor/index.js';

/** Masks of one forward at the token grid: (B, L, 1) for tokens and (B, 1, H, W) for conv feature maps. */
export interface TokenMasks {
  tokens: Tensor;
  pixels: Tensor;
}

/** Spatial size of the token grid (the official `x_size`). */
export type GridSize = readonly [height: number, width: number];

/**
 * MaskDCPT's MaskLayerNorm over tokens: LayerNorm at visible tokens, exact zeros elsewhere. LayerNorm is
 * per token, so normalising all tokens and multiplying by the 0/1 mask gives the gather/scatter version's
 * values and gradients without the gather.
 */
export function tokenNorm(norm: LayerNorm, x: Tensor, mask: Tensor | null): Tensor {
  const y = norm.forward(x);
  if (mask === null) return y;
  const out = y.mul(mask);
  y.dispose();
  return out;
}

/** (B, H, W, C) → (B·nW, ws·ws, C), windows in row-major order per image (the official window_partition). */
export function windowPartition(x: Tensor, ws: number): Tensor {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const v = x.view(b, h / ws, ws, w / ws, ws, c);
  const p = v.permute(0, 1, 3, 2, 4, 5);
  v.dispose();
  const out = p.reshape(-1, ws * ws, c);
  p.dispose();
  return out;
}

/** Inverse of `windowPartition`: (B·nW, ws·ws, C) → (B, H, W, C). */
export function windowReverse(windows: Tensor, ws: number, h: number, w: number): Tensor {
  const c = windows.size(-1);
  const b = windows.size(0) / ((h / ws) * (w / ws));
  const v = windows.view(b, h / ws, w / ws, ws, ws, c);
  const p = v.permute(0, 1, 3, 2, 4, 5);
  v.dispose();
  const out = p.reshape(b, h, w, c);
  p.dispose();
  return out;
}

/** (B, L, C) tokens → (B, C, H, W) view (the official PatchUnEmbed). */
export function tokensToImage(x: Tensor, [h, w]: GridSize): Tensor {
  const [b, , c] = x.shape as [number, number, number];
  const t = x.transpose(1, 2);
  const out = t.reshape(b, c, h, w);
  t.dispose();
  return out;
}

/** (B, C, H, W) → (B, L, C) view (the official PatchEmbed without norm). */
export function imageToTokens(x: Tensor): Tensor {
  const f = x.flatten(2);
  const out = f.transpose(1, 2);
  f.dispose();
  return out;
}

/** Multi-head self-attention within windows, batched over all windows: softmax(q·scale kᵀ) v, no position bias. */
export class WindowAttention extends Module {
  readonly qkv: Linear;
  readonly proj: Linear;
  readonly headDim: number;
  readonly scale: number;

  constructor(
    readonly dim: number,
    readonly numHeads: number,
    qkvBias = true,
    qkScale: number | null = null,
  ) {
    super();
    if (dim % numHeads !== 0) throw new RangeError(`WindowAttention: dim ${dim} is not divisible by ${numHeads} heads`);
    this.headDim = dim / numHeads;
    // Python's `qk_scale or head_dim ** -0.5`: 0 and None both mean the default.
    this.scale = qkScale || this.headDim ** -0.5;
    this.qkv = this.module('qkv', new Linear(dim, dim * 3, { bias: qkvBias }));
    this.proj = this.module('proj', new Linear(dim, dim));
  }

  /** (B_, N, C) windows → (B_, N, C). */
  forward(x: Tensor): Tensor {
    const [bw, n, c] = x.shape as [number, number, number];
    const nh = this.numHeads;
    const hd = this.headDim;
    // One copy lays q, k, v out as (3, B_·heads, N, hd) so the products below are plain bmm calls.
    const qkv = this.qkv.forward(x);
    const v5 = qkv.view(bw, n, 3, nh, hd);
    qkv.dispose();
    const p = v5.permute(2, 0, 3, 1, 4);
    v5.dispose();
    const heads = p.reshape(3, bw * nh, n, hd);
    p.dispose();
    const [q0, k, v] = heads.unbind(0) as [Tensor, Tensor, Tensor];
    heads.dispose();
    // Scale q before the product, as the official code does (same rounding).
    const q = q0.mul(this.scale);
    q0.dispose();
    const kt = k.transpose(1, 2);
    k.dispose();
    const logits = q.bmm(kt);
    q.dispose();
    kt.dispose();
    const attn = logits.softmax(-1);
    logits.dispose();
    const o = attn.bmm(v);
    attn.dispose();
    v.dispose();
    const o4 = o.view(bw, nh, n, hd);
    o.dispose();
    const ot = o4.transpose(1, 2);
    o4.dispose();
    const merged = ot.reshape(bw, n, c);
    ot.dispose();
    const out = this.proj.forward(merged);
    merged.dispose();
    return out;
  }
}

/** fc1 → exact GELU → fc2 (the official Mlp; dropout is 0 in every MaskDCPT config). */
export class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(inFeatures: number, hiddenFeatures: number) {
    super();
    this.fc1 = this.module('fc1', new Linear(inFeatures, hiddenFeatures));
    this.fc2 = this.module('fc2', new Linear(hiddenFeatures, inFeatures));
  }

  forward(x: Tensor): Tensor {
    const h = this.fc1.forward(x);
    const g = F.gelu(h);
    h.dispose();
    const out = this.fc2.forward(g);
    g.dispose();
    return out;
  }
}

export interface SwinBlockOptions {
  dim: number;
  /** Token grid the model is built for (img_size // patch_size): decides window shrink and shift. */
  inputResolution: GridSize;
  numHeads: number;
  windowSize: number;
  shiftSize: number;
  mlpRatio: number;
  qkvBias: boolean;
  qkScale: number | null;
}

/**
 * Swin block: x + W-MSA(LN(x)) then + MLP(LN(·)). Odd blocks roll the grid by −shift before partitioning and
 * back afterwards; the fork applies no attention mask to the wrapped-around windows.
 */
export class SwinTransformerBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attn: WindowAttention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;
  /** Effective window and shift after the img_size rule (shrunk window, shift off, if the grid is small). */
  readonly windowSize: number;
  readonly shiftSize: number;

  constructor(o: SwinBlockOptions) {
    super();
    let ws = o.windowSize;
    let shift = o.shiftSize;
    const minRes = Math.min(o.inputResolution[0], o.inputResolution[1]);
    if (minRes <= ws) {
      // The official rule: a grid no larger than one window is not partitioned and not shifted.
      shift = 0;
      ws = minRes;
    }
    if (!(shift >= 0 && shift < ws)) throw new RangeError(`SwinTransformerBlock: shift ${shift} must be in [0, ${ws})`);
    this.windowSize = ws;
    this.shiftSize = shift;
    this.norm1 = this.module('norm1', new LayerNorm(o.dim));
    this.attn = this.module('attn', new WindowAttention(o.dim, o.numHeads, o.qkvBias, o.qkScale));
    this.norm2 = this.module('norm2', new LayerNorm(o.dim));
    this.mlp = this.module('mlp', new Mlp(o.dim, Math.trunc(o.dim * o.mlpRatio)));
  }

  forward(x: Tensor, [h, w]: GridSize, mask: TokenMasks | null): Tensor {
    const [b, l, c] = x.shape as [number, number, number];
    if (l !== h * w) throw new RangeError(`SwinTransformerBlock: ${l} tokens for a ${h}x${w} grid`);
    const ws = this.windowSize;
    if (h % ws !== 0 || w % ws !== 0) {
      throw new RangeError(`SwinTransformerBlock: grid ${h}x${w} is not a multiple of the window ${ws}`);
    }
    const tm = mask?.tokens ?? null;
    const n1 = tokenNorm(this.norm1, x, tm);
    const grid = n1.view(b, h, w, c);
    n1.dispose();
    const s = this.shiftSize;
    const shifted = s > 0 ? grid.roll([-s, -s], [1, 2]) : grid;
    if (shifted !== grid) grid.dispose();
    const windows = windowPartition(shifted, ws);
    shifted.dispose();
    const attended = this.attn.forward(windows);
    windows.dispose();
    const merged = windowReverse(attended, ws, h, w);
    attended.dispose();
    const unshifted = s > 0 ? merged.roll([s, s], [1, 2]) : merged;
    if (unshifted !== merged) merged.dispose();
    const attnTokens = unshifted.view(b, l, c);
    unshifted.dispose();
    const y = x.add(attnTokens);
    attnTokens.dispose();
    const n2 = tokenNorm(this.norm2, y, tm);
    const m = this.mlp.forward(n2);
    n2.dispose();
    const out = y.add(m);
    y.dispose();
    m.dispose();
    if (tm === null) return out;
    // MaskSwinIR re-masks every block output.
    const masked = out.mul(tm);
    out.dispose();
    return masked;
  }
}

/** A stage of Swin blocks (the official BasicLayer; no downsample in SwinIR). Shift on odd blocks. */
export class BasicLayer extends Module {
  readonly blocks: ModuleList<SwinTransformerBlock>;

  constructor(o: Omit<SwinBlockOptions, 'shiftSize'> & { depth: number }) {
    super();
    const { depth, ...rest } = o;
    this.blocks = this.module('blocks', new ModuleList<SwinTransformerBlock>());
    for (let i = 0; i < depth; i++) {
      const shiftSize = i % 2 === 0 ? 0 : Math.floor(o.windowSize / 2);
      this.blocks.push(new SwinTransformerBlock({ ...rest, shiftSize }));
    }
  }

  forward(x: Tensor, size: GridSize, mask: TokenMasks | null): Tensor {
    let cur = x;
    for (const blk of this.blocks) {
      const next = blk.forward(cur, size, mask);
      if (cur !== x) cur.dispose();
      cur = next;
    }
    return cur;
  }
}

export type ResiConnection = '1conv' | '3conv';

/** The convolution before a residual: 3×3 ('1conv'), or the official 3×3 → 1×1 → 3×3 bottleneck ('3conv'). */
export function resiConv(dim: number, kind: ResiConnection): Conv2d | Sequential {
  if (kind === '1conv') return new Conv2d(dim, dim, 3, { padding: 1 });
  const q = Math.floor(dim / 4);
  // Indices 0, 2, 4 carry the parameters, as in the official nn.Sequential.
  return new Sequential([
    new Conv2d(dim, q, 3, { padding: 1 }),
    LeakyReLU(0.2),
    new Conv2d(q, q, 1),
    LeakyReLU(0.2),
    new Conv2d(q, dim, 3, { padding: 1 }),
  ]);
}

/**
 * Residual Swin Transformer Block: tokens(conv(image(blocks(x)))) + x. The RSTB's own patch_embed and
 * patch_unembed have no parameters (no norm), so they are plain reshapes here.
 */
export class RSTB extends Module {
  readonly residualGroup: BasicLayer;
  readonly conv: Conv2d | Sequential;

  constructor(o: Omit<SwinBlockOptions, 'shiftSize'> & { depth: number; resiConnection: ResiConnection }) {
    super();
    const { resiConnection, ...layer } = o;
    this.residualGroup = this.module('residual_group', new BasicLayer(layer));
    this.conv = this.module('conv', resiConv(o.dim, resiConnection));
  }

  forward(x: Tensor, size: GridSize, mask: TokenMasks | null): Tensor {
    const y = this.residualGroup.forward(x, size, mask);
    const img = tokensToImage(y, size);
    y.dispose();
    let c = this.conv.forward(img);
    img.dispose();
    if (mask !== null) {
      // MaskSwinIR masks the conv output before the residual add.
      const m = c.mul(mask.pixels);
      c.dispose();
      c = m;
    }
    const t = imageToTokens(c);
    c.dispose();
    // x first: the result then takes x's contiguous (B, L, C) layout; addition is exact either way round.
    const out = x.add(t);
    t.dispose();
    return out;
  }
}

/** The official `_init_weights`: Linear weights ~ trunc_normal(std 0.02), Linear biases 0 (LayerNorms are 1/0 already). */
export function initSwinWeights(root: Module): void {
  for (const [, m] of root.namedModules()) {
    if (m instanceof Linear) {
      truncNormal_(m.weight, 0, 0.02);
      if (m.bias) zeros_(m.bias);
    }
  }
}
