/**
 * The traced function of a MaskDCPT export with its classifier: one unmasked encoder pass feeds both the
 * restoration head (`output`, equal to `backbone.forward`) and the classification decoder (`logits`, what the
 * libtorch diagnoser computes for a tile before its softmax). Sharing the pass keeps the encoder once in the
 * graph; runtimes that evaluate every node would otherwise pay for it twice.
 */
import { disposeFeatures, padToMultiple } from '../archs/nafnet.js';
import { reflectPadTo } from '../archs/restormer-family.js';
import type { Backbone } from '../archs/types.js';
import type { MaskDCPT } from '../maskdcpt/pretrain.js';
import type { Tensor } from '../tensor/index.js';

/** The pad each backbone's own `forward` applies (NAFNet falls back to edge padding for tiny inputs). */
function padLike(backbone: Backbone, x: Tensor): Tensor {
  return backbone.arch === 'nafnet' ? padToMultiple(x, backbone.sizeMultiple) : reflectPadTo(x, backbone.sizeMultiple);
}

/** `x` → [restored, logits]. The logits see the padded image; diagnose feeds multiples, so no pad runs there. */
export function restoreAndClassify(pre: MaskDCPT, x: Tensor): [Tensor, Tensor] {
  const b = pre.backbone;
  const [, , h, w] = x.shape as [number, number, number, number];
  const padded = padLike(b, x);
  const feats = b.forwardFeatures(padded);
  try {
    const logits = pre.classify(feats);
    const full = b.forwardHead(feats, padded);
    if (padded === x) return [full, logits];
    const rows = full.narrow(2, 0, h);
    full.dispose();
    const crop = rows.narrow(3, 0, w);
    rows.dispose();
    const out = crop.contiguous();
    crop.dispose();
    return [out, logits];
  } finally {
    disposeFeatures(feats);
    if (padded !== x) padded.dispose();
  }
}
