/**
 * Restorers the runner can evaluate: the identity (output = input, which measures the protocol itself) and a
 * loaded backbone run the way MaskDCPT's test code runs it (SRModel.pad_test): the LQ image is reflect-padded
 * at the bottom/right to a multiple of the network's window size, restored without a graph, cropped back and
 * clamped to [0, 1] (not re-quantised).
 */
import { padToMultiple } from '../archs/nafnet.js';
import type { Backbone } from '../archs/types.js';
import { createRaster, fromPlanar, type Raster, toPlanar } from '../io/raster.js';
import { fromTypedArray, noGrad, tidy } from '../tensor/index.js';
import type { Restorer } from './types.js';

/** Output = input: the evaluation then reports the degraded input's own PSNR/SSIM. */
export const identityRestorer: Restorer = (lq) => lq;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Names of the first convolution of each backbone family (its weight is (C_out, C_in, k, k)). */
const INPUT_CONVS = ['intro.weight', 'patch_embed.proj.weight', 'conv_first.weight'];

/** Image channels the backbone takes, read from its first convolution (3 when it cannot be told). */
export function inputChannels(model: Backbone): number {
  const params = new Map(model.namedParameters());
  for (const name of INPUT_CONVS) {
    const w = params.get(name);
    if (w && w.shape.length === 4) return w.shape[1] as number;
  }
  return 3;
}

/**
 * The multiple the official test code pads to: `window_size` of the network config (NAFNet 16, the
 * transformers 8). Our backbones' own `forward` pads to `sizeMultiple` only (2^levels for NAFNet), which
 * equals the window for the paper's NAFNet (4 levels, window 16) but not for shallower configs (the 2-level
 * fixture has window 8, multiple 4), and a different pad changes the border pixels; so pad to both.
 */
export function testPadMultiple(model: Backbone): number {
  const a = model.sizeMultiple;
  const b = model.maskPatchSize;
  return (a / gcd(a, b)) * b;
}

export interface ModelRestorerOptions {
  /** Pad multiple; default `testPadMultiple(model)`. */
  padMultiple?: number;
}

/** Three equal channels from a grey raster. */
function greyToRgb(r: Raster): Raster {
  const out = createRaster(r.width, r.height, 3);
  for (let i = 0; i < r.data.length; i++) {
    const v = r.data[i] as number;
    out.data[3 * i] = v;
    out.data[3 * i + 1] = v;
    out.data[3 * i + 2] = v;
  }
  return out;
}

/** Channel mean: how a colour network's answer for a replicated grey input becomes grey again. */
function rgbToGreyMean(r: Raster): Raster {
  const out = createRaster(r.width, r.height, 1);
  for (let i = 0; i < out.data.length; i++) {
    out.data[i] = ((r.data[3 * i] as number) + (r.data[3 * i + 1] as number) + (r.data[3 * i + 2] as number)) / 3;
  }
  return out;
}

/**
 * A restorer running `model` on the CPU tensor engine. Grey inputs to a colour network are replicated to three
 * channels (as `cv2.imread(IMREAD_COLOR)` feeds grey files to the official code) and the output averaged back to
 * one channel, so grey sets stay grey end to end. A colour input to a grey network is an error.
 */
export function modelRestorer(model: Backbone, options: ModelRestorerOptions = {}): Restorer {
  const channels = inputChannels(model);
  const multiple = options.padMultiple ?? testPadMultiple(model);
  model.eval();
  return (lq) => {
    let x = lq;
    if (lq.channels !== channels) {
      if (lq.channels === 1 && channels === 3) x = greyToRgb(lq);
      else throw new Error(`the ${model.arch} model takes ${channels}-channel images, got ${lq.channels} channels`);
    }
    const { width: w, height: h } = x;
    const data = noGrad(() =>
      tidy(() => {
        const input = fromTypedArray(toPlanar(x), [1, channels, h, w]);
        const padded = padToMultiple(input, multiple);
        const y = model.forward(padded);
        return y.narrow(2, 0, h).narrow(3, 0, w).clamp(0, 1).contiguous().toFloat32Array();
      }),
    );
    const out = fromPlanar(data, w, h, channels);
    return x === lq ? out : rgbToGreyMean(out);
  };
}
