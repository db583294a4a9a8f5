/**
 * Adam and AdamW with PyTorch 1.13's update rule (bias-corrected, eps added after the square root), computed
 * with libtorch's multi-tensor `_foreach_*` kernels: one native call per stage for all parameters of a group.
 */
import { op } from '../tensor/dispatch.js';
import { keep, noGrad, type Tensor, zerosLike } from '../tensor/index.js';
import { callNative } from '../tensor/dispatch.js';

const O = {
  mulS: op('_foreach_mul_', 'Scalar'),
  addL: op('_foreach_add_', 'List'),
  addS: op('_foreach_add_', 'Scalar'),
  addcmulS: op('_foreach_addcmul_', 'Scalar'),
  addcdivS: op('_foreach_addcdiv_', 'Scalar'),
  divS: op('_foreach_div_', 'Scalar'),
  sqrt: op('_foreach_sqrt'),
  add: op('_foreach_add', 'List'),
};

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export interface ParamGroup {
  params: Tensor[];
  lr: number;
  initialLr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

export interface AdamParamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

/** Serializable optimizer state: per-parameter moments by flat index, and the groups' hyper-parameters. */
export interface OptimizerState {
  state: Map<number, AdamParamState>;
  groups: Omit<ParamGroup, 'params'>[];
}

export class Adam {
  readonly paramGroups: ParamGroup[];
  readonly state = new Map<Tensor, AdamParamState>();

  constructor(
    params: Tensor[] | (AdamOptions & { params: Tensor[] })[],
    defaults: AdamOptions = {},
    private readonly decoupled = false,
  ) {
    const groups = params.length > 0 && !isTensorList(params) ? (params as (AdamOptions & { params: Tensor[] })[]) : [{ params: params as Tensor[] }];
    this.paramGroups = groups.map((g) => {
      const lr = g.lr ?? defaults.lr ?? 1e-3;
      return {
        params: g.params,
        lr,
        initialLr: lr,
        betas: g.betas ?? defaults.betas ?? [0.9, 0.999],
        eps: g.eps ?? defaults.eps ?? 1e-8,
        weightDecay: g.weightDecay ?? defaults.weightDecay ?? (decoupled ? 1e-2 : 0),
      };
    });
  }

  /** One update from the parameters' current `.grad`; parameters without a gradient are skipped. */
  step(): void {
    noGrad(() => {
      for (const g of this.paramGroups) this.#stepGroup(g);
    });
  }

  #stepGroup(g: ParamGroup): void {
    const params: Tensor[] = [];
    const grads: Tensor[] = [];
    for (const p of g.params) {
      const gr = p.grad;
      if (gr === null) continue;
      params.push(p);
      grads.push(gr);
    }
    if (params.length === 0) return;
    const [beta1, beta2] = g.betas;
    const states = params.map((p) => this.#stateOf(p));
    // All parameters of a group step together, so they share the step count unless restored otherwise.
    const byStep = new Map<number, number[]>();
    states.forEach((s, i) => {
      s.step += 1;
      const list = byStep.get(s.step) ?? [];
      list.push(i);
      byStep.set(s.step, list);
    });
    const P = params.map((t) => t.h);
    let G = grads.map((t) => t.h);
    const M = states.map((s) => s.expAvg.h);
    const V = states.map((s) => s.expAvgSq.h);
    let decayedGrads: unknown[] | null = null;
    if (g.weightDecay !== 0) {
      if (this.decoupled) {
        callNative(O.mulS, [P, 1 - g.lr * g.weightDecay]);
      } else {
        // Adam's L2 term: grad + wd·param (a new list; the .grad tensors stay untouched).
        decayedGrads = callNative(O.add, [G, P, g.weightDecay]) as unknown[];
        G = decayedGrads as typeof G;
      }
    }
    callNative(O.mulS, [M, beta1]);
    callNative(O.addL, [M, G, 1 - beta1]);
    callNative(O.mulS, [V, beta2]);
    callNative(O.addcmulS, [V, G, G, 1 - beta2]);
    for (const [step, idx] of byStep) {
      const bc1 = 1 - beta1 ** step;
      const bc2sqrt = Math.sqrt(1 - beta2 ** step);
      const pick = <T>(xs: T[]) => idx.map((i) => xs[i] as T);
      const denom = callNative(O.sqrt, [pick(V)]) as { dispose(): void }[];
      callNative(O.divS, [denom, bc2sqrt]);
      callNative(O.addS, [denom, g.eps]);
      callNative(O.addcdivS, [pick(P), pick(M), denom, -g.lr / bc1]);
      for (const d of denom) d.dispose();
    }
    if (decayedGrads) for (const d of decayedGrads as { dispose(): void }[]) d.dispose();
    for (const gr of grads) gr.dispose();
  }

  #stateOf(p: Tensor): AdamParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = { step: 0, expAvg: keep(zerosLike(p)), expAvgSq: keep(zerosLike(p)) };
      this.state.set(p, s);
    }
    return s;
  }

  /** Sets every parameter's gradient to none. */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** State keyed by the parameter's flat index over all groups (PyTorch's layout). */
  stateDict(): OptimizerState {
    const state = new Map<number, AdamParamState>();
    let i = 0;
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        const s = this.state.get(p);
        if (s) state.set(i, s);
        i++;
      }
    }
    return { state, groups: this.paramGroups.map(({ params: _p, ...rest }) => ({ ...rest, betas: [...rest.betas] })) };
  }

  loadStateDict(sd: OptimizerState): void {
    if (sd.groups.length !== this.paramGroups.length) {
      throw new Error(`optimizer state has ${sd.groups.length} parameter groups, this optimizer ${this.paramGroups.length}`);
    }
    const flat = this.paramGroups.flatMap((g) => g.params);
    for (const [i, s] of sd.state) {
      const p = flat[i];
      if (p === undefined) throw new Error(`optimizer state refers to parameter #${i}, but there are ${flat.length}`);
      if (s.expAvg.shape.join() !== p.shape.join()) {
        throw new Error(`optimizer state for parameter #${i} has shape [${s.expAvg.shape}], parameter [${p.shape}]`);
      }
      const old = this.state.get(p);
      old?.expAvg.dispose();
      old?.expAvgSq.dispose();
      this.state.set(p, { step: s.step, expAvg: keep(s.expAvg), expAvgSq: keep(s.expAvgSq) });
    }
    for (const [k, g] of sd.groups.entries()) Object.assign(this.paramGroups[k] as ParamGroup, g);
  }

  dispose(): void {
    for (const s of this.state.values()) {
      s.expAvg.dispose();
      s.expAvgSq.dispose();
    }
    this.state.clear();
  }
}

/** AdamW: decoupled weight decay (default 1e-2), as torch.optim.AdamW. */
export class AdamW extends Adam {
  constructor(params: Tensor[] | (AdamOptions & { params: Tensor[] })[], defaults: AdamOptions = {}) {
    super(params, defaults, true);
  }
}

function isTensorList(xs: unknown[]): boolean {
  const first = xs[0] as { params?: unknown } | undefined;
  return first !== undefined && first.params === undefined;
}
