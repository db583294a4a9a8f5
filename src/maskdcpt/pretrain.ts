/**
 * The MaskDCPT pre-training model: a backbone in masked mode (the encoder), the classification decoder on its
 * multi-scale features, and the backbone's own head as the reconstruction decoder.
 *
 *   loss = L1(reconstruction, clean) + λ · focal(logits, type, γ)
 *
 * State-dict names are `backbone.*` and `classifier.*`; `backboneWeights` strips the prefix so pre-trained
 * weights load strictly into the plain backbone for fine-tuning.
 */
import type { Backbone, FeatureOutput } from '../archs/types.js';
import { focalLoss } from '../nn/losses.js';
import { Module } from '../nn/module.js';
import { expandMask } from '../nn/masked.js';
import { F, noGrad, type Rng, type Tensor, zeros } from '../tensor/index.js';
import { DegradationClassifier } from './classifier.js';
import { randomPatchMask } from './mask.js';

export interface PretrainOptions {
  numClasses: number;
  /** Fraction of patches hidden from the encoder (default 0.5). */
  maskRatio?: number;
  /** Mask grid cell size in pixels; default the backbone's `maskPatchSize`. */
  patchSize?: number;
  /** Weight of the classification loss (default 1). */
  lambda?: number;
  /** Focal-loss γ (default 2; 0 = cross-entropy). */
  gamma?: number;
  /** Pixels the L1 term covers: 'all' (default), only 'masked' patches, or 'none' (classification only). */
  reconstruct?: 'all' | 'masked' | 'none';
  numResBlocks?: number;
}

export interface PretrainOutput {
  loss: Tensor;
  l1: number;
  focal: number;
  logits: Tensor;
}

function disposeFeatures(f: FeatureOutput): void {
  const all = new Set<Tensor>([...f.named.values(), ...f.pyramid, f.last]);
  for (const t of all) t.dispose();
}

/**
 * Channel widths of a backbone's classifier pyramid, found by a small forward pass, and whether all levels
 * share one resolution (SwinIR): then the classifier runs in token mode and downsamples by itself.
 */
export function pyramidLayout(backbone: Backbone): { dims: number[]; sameResolution: boolean } {
  const s = Math.max(backbone.sizeMultiple, backbone.maskPatchSize) * 4;
  return noGrad(() => {
    const x = zeros([1, 3, s, s]);
    const f = backbone.forwardFeatures(x);
    const dims = f.pyramid.map((t) => t.size(1));
    const sizes = new Set(f.pyramid.map((t) => t.size(2)));
    disposeFeatures(f);
    x.dispose();
    return { dims, sameResolution: f.pyramid.length > 1 && sizes.size === 1 };
  });
}

/** NCHW maps → (B, H·W, C) tokens, as the classifier's token mode expects. */
function toTokens(t: Tensor): Tensor {
  const flat = t.flatten(2);
  const tokens = flat.transpose(1, 2);
  flat.dispose();
  return tokens;
}

export class MaskDCPT extends Module {
  readonly backbone: Backbone;
  readonly classifier: DegradationClassifier;
  readonly options: Required<Omit<PretrainOptions, 'patchSize'>> & { patchSize: number };
  /** True when the pyramid levels share one resolution and the classifier tokenises them. */
  readonly tokenMode: boolean;

  constructor(backbone: Backbone, o: PretrainOptions) {
    super();
    this.backbone = this.module('backbone', backbone);
    this.options = {
      numClasses: o.numClasses,
      maskRatio: o.maskRatio ?? 0.5,
      patchSize: o.patchSize ?? backbone.maskPatchSize,
      lambda: o.lambda ?? 1,
      gamma: o.gamma ?? 2,
      reconstruct: o.reconstruct ?? 'all',
      numResBlocks: o.numResBlocks ?? 2,
    };
    if (backbone.sizeMultiple % 1 !== 0 || this.options.patchSize < 1) throw new RangeError('MaskDCPT: bad patch size');
    const layout = pyramidLayout(backbone);
    this.tokenMode = layout.sameResolution;
    this.classifier = this.module(
      'classifier',
      new DegradationClassifier({
        featureDims: layout.dims,
        numResBlocks: this.options.numResBlocks,
        numClasses: o.numClasses,
        downsample: this.tokenMode,
      }),
    );
  }

  /** Classifier logits for a backbone's features (tokenised first for single-resolution backbones). */
  classify(feats: FeatureOutput): Tensor {
    if (!this.tokenMode) return this.classifier.forward(feats.pyramid);
    const tokens = feats.pyramid.map(toTokens);
    const logits = this.classifier.forward(tokens);
    for (const t of tokens) t.dispose();
    return logits;
  }

  /** A fresh mask for a batch of H×W images; H and W must be multiples of the patch size. */
  drawMask(batch: number, height: number, width: number, rng: Rng): Tensor {
    const p = this.options.patchSize;
    if (height % p !== 0 || width % p !== 0) {
      throw new RangeError(`MaskDCPT: image ${height}x${width} is not a multiple of the mask patch ${p}`);
    }
    return randomPatchMask(batch, height / p, width / p, this.options.maskRatio, rng);
  }

  /** One pre-training forward: masked encoder → classifier and reconstruction head → combined loss. */
  forward(lq: Tensor, gt: Tensor, labels: Tensor, mask: Tensor): PretrainOutput {
    const { lambda, gamma, reconstruct } = this.options;
    const pixelMask = expandMask(mask, lq.size(2), lq.size(3));
    // The head's global residual uses the masked input: what the encoder saw, so hidden patches do not leak.
    const seen = lq.mul(pixelMask);
    const feats = this.backbone.forwardFeatures(lq, mask);
    const logits = this.classify(feats);
    const focal = lambda > 0 ? focalLoss(logits, labels, gamma) : null;
    let l1: Tensor | null = null;
    if (reconstruct !== 'none') {
      const recon = this.backbone.forwardHead(feats, seen);
      if (reconstruct === 'all') {
        l1 = F.l1Loss(recon, gt);
      } else {
        const hidden = pixelMask.rsub(1);
        const diff = recon.sub(gt).abs().mul(hidden);
        // Mean over hidden pixels (× channels), so the scale matches 'all'.
        const denom = Math.max(1, hidden.sum().item() * lq.size(1));
        l1 = diff.sum().div(denom);
        hidden.dispose();
        diff.dispose();
      }
      recon.dispose();
    }
    disposeFeatures(feats);
    seen.dispose();
    pixelMask.dispose();
    let loss: Tensor;
    if (l1 && focal) loss = l1.add(focal, lambda);
    else if (l1) loss = l1.mul(1);
    else if (focal) loss = focal.mul(lambda);
    else throw new Error('MaskDCPT: both losses are off (reconstruct none and lambda 0)');
    const out = { loss, l1: l1 ? l1.item() : 0, focal: focal ? focal.item() : 0, logits };
    l1?.dispose();
    focal?.dispose();
    return out;
  }
}

/** Backbone weights of a pre-training state dict: `backbone.` stripped, the classifier dropped by name. */
export function backboneWeights<T>(sd: ReadonlyMap<string, T>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [k, v] of sd) if (k.startsWith('backbone.')) out.set(k.slice(9), v);
  return out;
}

/** Classifier weights of a pre-training state dict, `classifier.` stripped. */
export function classifierWeights<T>(sd: ReadonlyMap<string, T>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [k, v] of sd) if (k.startsWith('classifier.')) out.set(k.slice(11), v);
  return out;
}
