/** What every backbone offers: plain restoration, and named features (optionally masked) for MaskDCPT. */
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/index.js';

export interface FeatureOutput {
  /** Named intermediate features by module path (e.g. 'decoder0'), NCHW (SwinIR tokens reshaped to NCHW). */
  named: Map<string, Tensor>;
  /** Multi-scale features for the classification decoder, finest first. */
  pyramid: Tensor[];
  /** The tensor the backbone's own output head consumes. */
  last: Tensor;
}

export interface Backbone extends Module {
  /** Registry name of the architecture family, e.g. 'nafnet'. */
  readonly arch: string;
  /** Input height and width must be multiples of this (the caller pads; see `padToMultiple`). */
  readonly sizeMultiple: number;
  /** Patch size of the MaskDCPT mask grid for this backbone (16 for NAFNet, 8 for the transformers). */
  readonly maskPatchSize: number;
  /** Plain restoration: LQ image (N,3,H,W) → restored image. */
  forward(x: Tensor): Tensor;
  /** Encoder pass; with a (B,1,H/P,W/P) mask (1 = visible) it runs in MaskDCPT's masked mode. */
  forwardFeatures(x: Tensor, mask?: Tensor | null): FeatureOutput;
  /** The output head on `features.last` (the reconstruction decoder), with the global residual of `input` if the arch has one. */
  forwardHead(features: FeatureOutput, input: Tensor): Tensor;
}
