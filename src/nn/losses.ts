/** Losses used in restoration and degradation classification, with a registry keyed by name. */
import { F, type Tensor } from '../tensor/index.js';
import { Registry } from '../util/registry.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(t: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return t;
  const r = reduction === 'mean' ? t.mean() : t.sum();
  t.dispose();
  return r;
}

/** Mean absolute error. */
export function l1Loss(pred: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return F.l1Loss(pred, target, reduction);
}

export function mseLoss(pred: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return F.mseLoss(pred, target, reduction);
}

/** Charbonnier loss sqrt((x−y)² + ε²), BasicSR's CharbonnierLoss (ε = 1e-12 there). */
export function charbonnierLoss(pred: Tensor, target: Tensor, eps = 1e-12, reduction: Reduction = 'mean'): Tensor {
  const d = pred.sub(target);
  const sq = d.square();
  d.dispose();
  const v = sq.add(eps * eps);
  sq.dispose();
  const s = v.sqrt();
  v.dispose();
  return reduce(s, reduction);
}

/**
 * Focal loss on logits (N×C) and int64 labels (N): −(1 − p_t)^γ · log p_t, averaged — DCPT's FocalLoss with
 * alpha=None. γ = 0 gives cross-entropy.
 */
export function focalLoss(logits: Tensor, labels: Tensor, gamma = 2, reduction: Reduction = 'mean'): Tensor {
  const logp = F.logSoftmax(logits, 1);
  const idx = labels.unsqueeze(1);
  const g = logp.gather(1, idx);
  logp.dispose();
  idx.dispose();
  const logpt = g.squeeze(1);
  g.dispose();
  let loss: Tensor;
  if (gamma === 0) {
    loss = logpt.neg();
  } else {
    const pt = logpt.exp();
    const w = pt.rsub(1).pow(gamma);
    pt.dispose();
    const wl = w.mul(logpt);
    w.dispose();
    loss = wl.neg();
    wl.dispose();
  }
  logpt.dispose();
  return reduce(loss, reduction);
}

export type PixelLoss = (pred: Tensor, target: Tensor) => Tensor;

/** Pixel losses by name (configs say `type: l1`). */
export const pixelLosses = new Registry<(options: Record<string, number>) => PixelLoss>('loss');
pixelLosses.register('l1', () => (p, t) => l1Loss(p, t));
pixelLosses.register('mse', () => (p, t) => mseLoss(p, t));
pixelLosses.register('charbonnier', (o) => (p, t) => charbonnierLoss(p, t, o.eps ?? 1e-12));
