/** Grad-mode control and functional gradients, as torch.no_grad / torch.enable_grad / torch.autograd.grad. */
import { native } from './native.js';
import { Tensor } from './tensor.js';

/** Runs `fn` with gradient recording off (inference); restores the previous mode even if `fn` throws. */
export function noGrad<T>(fn: () => T): T {
  const prev = native.setGradEnabled(false);
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}

/** Runs `fn` with gradient recording on. */
export function enableGrad<T>(fn: () => T): T {
  const prev = native.setGradEnabled(true);
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}

export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}

export interface GradOptions {
  gradOutputs?: (Tensor | null)[];
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
}

/** Gradients of `outputs` with respect to `inputs`, without touching `.grad` (torch.autograd.grad). */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const res = native.grad(
    outs.map((t) => t.h),
    ins.map((t) => t.h),
    options.gradOutputs ? options.gradOutputs.map((g) => (g ? g.h : null)) : null,
    options.retainGraph,
    options.createGraph ?? false,
    options.allowUnused ?? false,
  );
  return res.map((h) => (h === null ? null : new Tensor(h)));
}
