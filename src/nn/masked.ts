/**
 * SparK-style masking support shared by the masked encoders. A patch mask is a (B, 1, h, w) float tensor,
 * 1 = visible, 0 = masked; consumers at a finer resolution expand it by integer repeats (SparK's
 * `_get_active_ex_or_ii`).
 */
import { F, type Tensor } from '../tensor/index.js';
import { LayerNorm, type LayerNormOptions } from './layers.js';

/** Repeats a (B,1,h,w) mask up to (B,1,H,W); H and W must be integer multiples of h and w. */
export function expandMask(mask: Tensor, height: number, width: number): Tensor {
  const [, , h, w] = mask.shape as [number, number, number, number];
  if (height % h !== 0 || width % w !== 0) {
    throw new RangeError(`expandMask: feature ${height}x${width} is not a multiple of the mask grid ${h}x${w}`);
  }
  const fy = height / h;
  const fx = width / w;
  if (fy === 1 && fx === 1) return mask.clone();
  const a = fy === 1 ? mask.clone() : mask.repeatInterleave(fy, 2);
  if (fx === 1) return a;
  const b = a.repeatInterleave(fx, 3);
  a.dispose();
  return b;
}

/** Multiplies an NCHW feature map by the mask expanded to its size. */
export function applyMask(x: Tensor, mask: Tensor): Tensor {
  const m = expandMask(mask, x.size(2), x.size(3));
  const out = x.mul(m);
  m.dispose();
  return out;
}

/**
 * Channel LayerNorm over visible positions only, exact zeros at masked ones (MaskDCPT's MaskLayerNorm2d).
 * LayerNorm over channels is independent per pixel, so normalising every pixel and zeroing the masked ones
 * gives the same values and gradients as gathering the visible vectors, without the gather.
 * Without a mask it is the plain channel LayerNorm, so one module serves both modes.
 */
export class MaskLayerNorm2d extends LayerNorm {
  constructor(channels: number, o: LayerNormOptions = {}) {
    super(channels, o);
  }

  override forward(x: Tensor, mask?: Tensor | null): Tensor {
    const nhwc = x.permute(0, 2, 3, 1);
    const y = F.layerNorm(nhwc, this.normalizedShape, this.weight, this.bias, this.eps);
    nhwc.dispose();
    const out = y.permute(0, 3, 1, 2);
    y.dispose();
    if (!mask) return out;
    const masked = applyMask(out, mask);
    out.dispose();
    return masked;
  }
}
