/**
 * What Restormer and PromptIR share above their blocks: padded plain restoration, named multi-scale features
 * (masked or not) and the output head with the global residual. Each subclass only says how its body runs
 * (`features`): the module names and masking rules that differ between the two official codes.
 */
import type { Conv2d } from '../nn/index.js';
import { Module } from '../nn/index.js';
import { F, pipe, type Tensor } from '../tensor/index.js';
import type { FeatureOptions, Mask } from './transformer-blocks.js';
import type { Backbone, FeatureOutput } from './types.js';

const DEFAULT_FEATURES = new Set(['decoder_level1', 'decoder_level2', 'decoder_level3', 'refinement']);

export abstract class RestormerFamily extends Module implements Backbone {
  abstract readonly arch: string;
  abstract readonly sizeMultiple: number;
  abstract readonly maskPatchSize: number;
  abstract readonly output: Conv2d;

  /**
   * The body up to the refinement stage, recording the stages `wanted` by name; inputs are already a multiple
   * of 8. The caller owns the returned tensors.
   */
  protected abstract features(x: Tensor, mask: Mask, wanted: (name: string) => boolean): Map<string, Tensor>;

  /**
   * Plain restoration. Reflect-pads the bottom/right edges to a multiple of `sizeMultiple` (window_size), as
   * MaskDCPT's test code does, runs the network, and crops the result back to the input size.
   */
  forward(x: Tensor): Tensor {
    return forwardPadded(x, this.sizeMultiple, (padded) => {
      const last = this.features(padded, null, (n) => n === 'refinement').get('refinement') as Tensor;
      const y = this.#head(last, padded);
      last.dispose();
      return y;
    });
  }

  /**
   * decoder_level1..3 (`pyramid`, finest first), `last` = refinement output, and with `taps` every stage
   * output; with a (B,1,H/P,W/P) mask the body runs in its masked (pre-training) mode.
   */
  forwardFeatures(x: Tensor, mask?: Mask, options: FeatureOptions = {}): FeatureOutput {
    const wanted = options.taps ? () => true : (n: string) => DEFAULT_FEATURES.has(n);
    const named = this.features(x, mask, wanted);
    const pyramid = ['decoder_level1', 'decoder_level2', 'decoder_level3'].map((n) => named.get(n) as Tensor);
    return { named, pyramid, last: named.get('refinement') as Tensor };
  }

  /** Output conv on `features.last` plus the global residual `input` (same size as the features). */
  forwardHead(features: FeatureOutput, input: Tensor): Tensor {
    return this.#head(features.last, input);
  }

  #head(last: Tensor, input: Tensor): Tensor {
    const y = this.output.forward(last);
    const out = y.add(input);
    y.dispose();
    return out;
  }
}

/**
 * Reflect-pads the bottom and right edges up to a multiple, as MaskDCPT's test code (sr_model.py
 * pre_process) does before the network; returns x itself when no padding is needed.
 */
export function reflectPadTo(x: Tensor, multiple: number): Tensor {
  const h = x.size(2);
  const w = x.size(3);
  const ph = (multiple - (h % multiple)) % multiple;
  const pw = (multiple - (w % multiple)) % multiple;
  if (ph === 0 && pw === 0) return x;
  if (ph >= h || pw >= w) {
    throw new RangeError(
      `reflect padding ${h}x${w} up to a multiple of ${multiple} needs at least ${ph + 1}x${pw + 1} pixels`,
    );
  }
  return F.pad(x, [0, pw, 0, ph], 'reflect');
}

/**
 * Plain restoration around a padded-input network: reflect-pads the bottom/right edges to `multiple` (as
 * MaskDCPT's test code does), runs `net`, and crops the result back to the input size (contiguous).
 */
export function forwardPadded(x: Tensor, multiple: number, net: (padded: Tensor) => Tensor): Tensor {
  const padded = reflectPadTo(x, multiple);
  const y = net(padded);
  if (padded === x) return y;
  padded.dispose();
  const out = pipe(
    y,
    (t) => t.narrow(2, 0, x.size(2)),
    (t) => t.narrow(3, 0, x.size(3)),
    (t) => t.contiguous(),
  );
  y.dispose();
  return out;
}
