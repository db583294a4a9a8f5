/**
 * Exponential moving average of a model's weights (BasicSR's `net_g_ema`): after each step
 * ema ← decay·ema + (1−decay)·param, buffers copied. Saved as `params_ema`.
 */
import type { Module } from '../nn/module.js';
import { op, callNative } from '../tensor/dispatch.js';
import { keep, noGrad, type Tensor } from '../tensor/index.js';

const O = {
  mulS: op('_foreach_mul_', 'Scalar'),
  addL: op('_foreach_add_', 'List'),
};

export class ModelEMA {
  /** The averaged tensors, by state-dict name. */
  readonly shadow = new Map<string, Tensor>();

  constructor(
    model: Module,
    readonly decay = 0.999,
  ) {
    noGrad(() => {
      for (const [k, t] of model.stateDict()) this.shadow.set(k, keep(t.detach().clone()));
    });
  }

  update(model: Module): void {
    noGrad(() => {
      const sd = model.stateDict();
      const params = new Set(model.parameters());
      const E: unknown[] = [];
      const P: unknown[] = [];
      for (const [k, t] of sd) {
        const s = this.shadow.get(k);
        if (s === undefined) throw new Error(`ModelEMA: model has a new tensor '${k}'`);
        if (params.has(t) && t.dtype !== 'int64') {
          E.push(s.h);
          P.push(t.h);
        } else {
          s.copy_(t);
        }
      }
      if (E.length > 0) {
        callNative(O.mulS, [E, this.decay]);
        callNative(O.addL, [E, P, 1 - this.decay]);
      }
    });
  }

  /** Copies the averaged weights into a model of the same architecture. */
  copyTo(model: Module): void {
    model.loadStateDict(this.shadow);
  }

  dispose(): void {
    for (const t of this.shadow.values()) t.dispose();
    this.shadow.clear();
  }
}
