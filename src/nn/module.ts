/**
 * `Module`: the PyTorch-shaped building block. Parameters, buffers and sub-modules are registered by name,
 * so `stateDict()` yields PyTorch's dotted names (`encoders.0.0.conv1.weight`) and official checkpoints load
 * without renaming.
 */
import { keep, noGrad, pipe, type Tensor } from '../tensor/index.js';

/** Any tensor-like value a state dict may carry in: an engine tensor, or host data to copy from. */
export interface StateSource {
  shape: readonly number[];
}

export interface LoadResult {
  missing: string[];
  unexpected: string[];
}

export interface LoadOptions {
  /** Require exactly the module's keys (default true), as `load_state_dict(strict=True)`. */
  strict?: boolean;
  /** Copies a source value into the target tensor; defaults to `target.copy_(source)` for engine tensors. */
  assign?: (target: Tensor, source: unknown, key: string) => void;
}

export class Module {
  training = true;
  readonly #params = new Map<string, Tensor | null>();
  readonly #buffers = new Map<string, { tensor: Tensor | null; persistent: boolean }>();
  readonly #modules = new Map<string, Module | null>();

  /** Registers a trainable parameter (marks it as requiring grad, exempts it from `tidy` scopes). */
  protected param(name: string, t: Tensor | null): Tensor {
    this.#checkName(name);
    if (t !== null) {
      keep(t);
      if (!t.requiresGrad) t.requiresGrad_(true);
    }
    this.#params.set(name, t);
    return t as Tensor;
  }

  /** Registers a buffer (state that is saved but not trained, e.g. running statistics). */
  protected buffer(name: string, t: Tensor | null, persistent = true): Tensor {
    this.#checkName(name);
    if (t !== null) keep(t);
    this.#buffers.set(name, { tensor: t, persistent });
    return t as Tensor;
  }

  /** Registers a sub-module under `name`. */
  protected module<M extends Module | null>(name: string, m: M): M {
    this.#checkName(name);
    this.#modules.set(name, m);
    return m;
  }

  #checkName(name: string): void {
    if (name === '' || name.includes('.')) throw new Error(`invalid module attribute name '${name}'`);
    if (this.#params.has(name) || this.#buffers.has(name) || this.#modules.has(name)) {
      throw new Error(`'${name}' is already registered on ${this.constructor.name}`);
    }
  }

  /** Replaces a registered parameter's tensor (e.g. after loading); the old one is disposed. */
  protected replaceParam(name: string, t: Tensor): void {
    if (!this.#params.has(name)) throw new Error(`no parameter '${name}' on ${this.constructor.name}`);
    this.#params.get(name)?.dispose();
    keep(t);
    this.#params.set(name, t);
  }

  *namedChildren(): Generator<[string, Module]> {
    for (const [k, m] of this.#modules) if (m !== null) yield [k, m];
  }

  children(): Module[] {
    return [...this.namedChildren()].map(([, m]) => m);
  }

  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k);
  }

  /** All parameters with dotted names; a tensor shared by two modules is listed once. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [k, t] of m.#params) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        out.push([path ? `${path}.${k}` : k, t]);
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(prefix = '', persistentOnly = false): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [k, b] of m.#buffers) {
        if (b.tensor === null || (persistentOnly && !b.persistent)) continue;
        out.push([path ? `${path}.${k}` : k, b.tensor]);
      }
    }
    return out;
  }

  /** Parameters and persistent buffers by dotted name, in registration order (the tensors themselves). */
  stateDict(): Map<string, Tensor> {
    const sd = new Map<string, Tensor>();
    for (const [path, m] of this.namedModules()) {
      const pre = path ? `${path}.` : '';
      for (const [k, t] of m.#params) if (t !== null) sd.set(pre + k, t);
      for (const [k, b] of m.#buffers) if (b.tensor !== null && b.persistent) sd.set(pre + k, b.tensor);
    }
    return sd;
  }

  /**
   * Copies values from `source` into this module's tensors. Shape mismatches, and with `strict` missing or
   * unexpected keys, raise one error naming the first few of each.
   */
  loadStateDict(source: ReadonlyMap<string, StateSource>, options: LoadOptions = {}): LoadResult {
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !source.has(k));
    const unexpected = [...source.keys()].filter((k) => !own.has(k));
    const misShaped: string[] = [];
    for (const [k, t] of own) {
      const s = source.get(k);
      if (s && !sameShape(t.shape, s.shape)) misShaped.push(`${k}: expected [${t.shape}] got [${s.shape}]`);
    }
    if (misShaped.length > 0 || (strict && (missing.length > 0 || unexpected.length > 0))) {
      const parts: string[] = [];
      const head = (xs: string[]) => xs.slice(0, 5).join(', ') + (xs.length > 5 ? `, … (${xs.length} in all)` : '');
      if (missing.length && strict) parts.push(`missing keys: ${head(missing)}`);
      if (unexpected.length && strict) parts.push(`unexpected keys: ${head(unexpected)}`);
      if (misShaped.length) parts.push(`shape mismatch: ${head(misShaped)}`);
      throw new Error(`loadStateDict(${this.constructor.name}): ${parts.join('; ')}`);
    }
    const assign = options.assign ?? ((target: Tensor, src: unknown) => target.copy_(src as Tensor));
    noGrad(() => {
      for (const [k, t] of own) {
        const s = source.get(k);
        if (s !== undefined) assign(t, s, k);
      }
    });
    return { missing, unexpected };
  }

  train(on = true): this {
    for (const [, m] of this.namedModules()) m.training = on;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (sets it to none, like `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel(), 0);
  }

  /** Releases every parameter and buffer. The module is unusable afterwards. */
  dispose(): void {
    for (const [, t] of this.namedParameters()) t.dispose();
    for (const [, t] of this.namedBuffers()) t.dispose();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A module with a single-input forward, for containers. */
export interface Layer extends Module {
  forward(x: Tensor): Tensor;
}

/** Sub-modules named '0', '1', ... as torch.nn.ModuleList. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[] = [];

  constructor(items: Iterable<M> = []) {
    super();
    for (const m of items) this.push(m);
  }

  push(m: M): this {
    this.module(String(this.items.length), m);
    this.items.push(m);
    return this;
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): M {
    const m = this.items[i < 0 ? this.items.length + i : i];
    if (m === undefined) throw new RangeError(`ModuleList index ${i} out of range (${this.items.length})`);
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

/** Applies layers in order, as torch.nn.Sequential (children named '0', '1', ...). */
export class Sequential extends ModuleList<Layer> {
  forward(x: Tensor): Tensor {
    return pipe(x, ...this.items.map((m) => (t: Tensor) => m.forward(t)));
  }
}
