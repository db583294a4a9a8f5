/**
 * Dynamic sizes from concrete traces. The same forward pass is traced at several input sizes; integer
 * arguments that differ between traces depend on the input size and are re-expressed from the dimensions of
 * tensors already in the graph, which the ONNX graph can read back with Shape:
 *   affine   v = d·p/q + c       (view/reshape sizes, window counts, crop lengths)
 *   product  v = d_i·d_j·p/q     (flattened H·W)
 *   padTo    v = (k − d mod k) mod k   (padding to a size multiple k)
 * A form is accepted only when it reproduces the value in every trace; traces at sizes whose H, W and
 * padded sizes are not affinely related to each other keep a wrong dimension from fitting by chance.
 */
import { isTensorRef, type Trace, type TraceArg, type TraceNode } from './trace.js';

export type SymExpr =
  | { kind: 'affine'; tensor: number; dim: number; p: number; q: number; c: number }
  | { kind: 'product'; tensor: number; dims: [number, number]; p: number; q: number }
  | { kind: 'padTo'; tensor: number; dim: number; k: number };

/** A size-dependent integer: its expression, and its value in the primary trace. */
export interface SymInt {
  readonly sym: SymExpr;
  readonly value: number;
}

export type SymArg = Exclude<TraceArg, TraceArg[]> | SymInt | SymArg[];

export interface SymNode extends Omit<TraceNode, 'args'> {
  readonly args: SymArg[];
}

export interface SymGraph {
  /** The primary trace (its tensors carry the data). */
  readonly trace: Trace;
  readonly nodes: SymNode[];
  /** Per tensor id, which dimensions vary with the input size. */
  readonly dynamicDims: boolean[][];
}

export function isSymInt(a: SymArg): a is SymInt {
  return typeof a === 'object' && a !== null && !Array.isArray(a) && 'sym' in a;
}

function gcd(a: number, b: number): number {
  let [x, y] = [Math.abs(a), Math.abs(b)];
  while (y) [x, y] = [y, x % y];
  return x;
}

class Fitter {
  constructor(
    private readonly traces: readonly Trace[],
    private readonly multiples: readonly number[],
  ) {}

  dim(t: number, d: number): number[] {
    return this.traces.map((tr) => tr.tensors[t]?.shape[d] as number);
  }

  #fitAffine(t: number, d: number, v: number[], withOffset: boolean): SymExpr | null {
    const ds = this.dim(t, d);
    const j = ds.findIndex((x) => x !== ds[0]);
    if (j < 0) return null;
    // slope p/q from the first two distinct points, then check every trace exactly
    let p = (v[j] as number) - (v[0] as number);
    let q = (ds[j] as number) - (ds[0] as number);
    const g = gcd(p, q) || 1;
    [p, q] = [p / g, q / g];
    if (q < 0) [p, q] = [-p, -q];
    const num = (ds[0] as number) * p;
    if (num % q !== 0) return null;
    const c = (v[0] as number) - num / q;
    if (!withOffset && c !== 0) return null;
    for (let i = 0; i < ds.length; i++) {
      const x = (ds[i] as number) * p;
      if (x % q !== 0 || x / q + c !== v[i]) return null;
    }
    return { kind: 'affine', tensor: t, dim: d, p, q, c };
  }

  #fitProduct(t: number, a: number, b: number, v: number[]): SymExpr | null {
    const da = this.dim(t, a);
    const db = this.dim(t, b);
    const prod = da.map((x, i) => x * (db[i] as number));
    const g = gcd(v[0] as number, prod[0] as number) || 1;
    const [p, q] = [(v[0] as number) / g, (prod[0] as number) / g];
    if (prod.some((x, i) => (x * p) % q !== 0 || (x * p) / q !== v[i])) return null;
    return { kind: 'product', tensor: t, dims: [a, b], p, q };
  }

  #fitPadTo(t: number, d: number, v: number[]): SymExpr | null {
    const ds = this.dim(t, d);
    for (const k of this.multiples) {
      if (ds.every((x, i) => (k - (x % k)) % k === v[i])) return { kind: 'padTo', tensor: t, dim: d, k };
    }
    return null;
  }

  /** Tensors to explain `v` by, most plausible first: the op's own inputs, then newest to oldest. */
  fit(v: number[], inputs: readonly number[], before: number): SymExpr | null {
    const order = [...inputs];
    for (let t = before - 1; t >= 0; t--) if (!inputs.includes(t)) order.push(t);
    const dynamic = (t: number) => {
      const rank = this.traces[0]?.tensors[t]?.shape.length ?? 0;
      return Array.from({ length: rank }, (_, d) => d).filter((d) => new Set(this.dim(t, d)).size > 1);
    };
    const dyn = order.map((t) => [t, dynamic(t)] as const).filter(([, ds]) => ds.length > 0);
    const pairs = (ds: readonly number[]) => ds.flatMap((a) => ds.filter((b) => b > a).map((b) => [a, b] as const));
    const forms: ((t: number, ds: readonly number[]) => SymExpr | null)[] = [
      (t, ds) => firstOf(ds, (d) => this.#fitAffine(t, d, v, false)),
      (t, ds) => firstOf(ds, (d) => this.#fitPadTo(t, d, v)),
      (t, ds) => firstOf(pairs(ds), ([a, b]) => this.#fitProduct(t, a, b, v)),
      (t, ds) => firstOf(ds, (d) => this.#fitAffine(t, d, v, true)),
    ];
    // Stricter forms first across all candidates, so a loose form never shadows an exact one.
    for (const form of forms) {
      const e = firstOf(dyn, ([t, ds]) => form(t, ds));
      if (e) return e;
    }
    return null;
  }
}

function firstOf<T, R>(items: readonly T[], f: (item: T) => R | null): R | null {
  for (const it of items) {
    const r = f(it);
    if (r !== null) return r;
  }
  return null;
}

function where(node: TraceNode, i: number): string {
  return `op #${i} (aten::${node.op}${node.overload ? `.${node.overload}` : ''})`;
}

function tensorInputs(args: readonly TraceArg[], out: number[] = []): number[] {
  for (const a of args) {
    if (isTensorRef(a)) out.push(a.tensor);
    else if (Array.isArray(a)) tensorInputs(a, out);
  }
  return out;
}

/**
 * Merges traces of one forward pass at different input sizes (the first is primary). Throws if the passes
 * differ in structure, or if a varying integer fits none of the forms.
 */
export function mergeTraces(traces: readonly Trace[], multiples: readonly number[]): SymGraph {
  const [primary] = traces;
  if (primary === undefined) throw new Error('mergeTraces: no trace');
  const sizes = traces.map((t) => (t.tensors[t.input]?.shape ?? []).join('x'));
  for (const tr of traces) {
    if (tr.nodes.length !== primary.nodes.length || tr.tensors.length !== primary.tensors.length) {
      throw new Error(
        `the forward pass runs a different number of ops at input ${sizes[0]} and ${tr.tensors[tr.input]?.shape.join('x')}`,
      );
    }
  }
  const fitter = new Fitter(traces, multiples);
  const dynamicDims = primary.tensors.map((t) => t.shape.map((_, d) => new Set(fitter.dim(t.id, d)).size > 1));
  for (const t of primary.tensors) {
    if ((t.kind === 'const' || t.kind === 'param') && dynamicDims[t.id]?.some(Boolean)) {
      throw new Error(
        `a constant tensor of shape [${t.shape.join(', ')}] depends on the input size; export with a fixed --size`,
      );
    }
  }
  const nodes = primary.nodes.map((node, i): SymNode => {
    const others = traces.map((t) => t.nodes[i] as TraceNode);
    for (const o of others) {
      if (o.op !== node.op || o.overload !== node.overload || o.outputs.join() !== node.outputs.join()) {
        throw new Error(`the forward pass differs between input sizes at ${where(node, i)} vs aten::${o.op}`);
      }
    }
    const inputs = tensorInputs(node.args);
    const before = Math.min(...node.outputs, primary.tensors.length);
    const merge = (vals: TraceArg[], path: string): SymArg => {
      const a = vals[0] as TraceArg;
      if (Array.isArray(a)) {
        if (vals.some((v) => !Array.isArray(v) || v.length !== a.length)) {
          throw new Error(`${where(node, i)}: argument ${path} changes length with the input size`);
        }
        return a.map((_, k) =>
          merge(
            vals.map((v) => (v as TraceArg[])[k] as TraceArg),
            `${path}[${k}]`,
          ),
        );
      }
      if (isTensorRef(a)) {
        if (vals.some((v) => !isTensorRef(v) || v.tensor !== a.tensor)) {
          throw new Error(
            `the forward pass differs between input sizes at ${where(node, i)}: argument ${path} is another tensor`,
          );
        }
        return a;
      }
      if (vals.every((v) => v === a)) return a;
      if (typeof a !== 'number' || vals.some((v) => typeof v !== 'number' || !Number.isInteger(v))) {
        throw new Error(
          `${where(node, i)}: argument ${path} (${vals.join(' / ')}) depends on the input size and is not an integer`,
        );
      }
      const sym = fitter.fit(vals as number[], inputs, before);
      if (sym === null) {
        throw new Error(
          `${where(node, i)}: argument ${path} takes values ${vals.join(', ')} at input sizes ${sizes.join(', ')}, ` +
            'which no tensor dimension explains; export with a fixed --size',
        );
      }
      return { sym, value: a };
    };
    return {
      ...node,
      args: node.args.map((_, k) =>
        merge(
          others.map((o) => o.args[k] as TraceArg),
          `${k}`,
        ),
      ),
    };
  });
  return { trace: primary, nodes, dynamicDims };
}

/** A graph with every size fixed (one trace). */
export function staticGraph(trace: Trace): SymGraph {
  return { trace, nodes: trace.nodes, dynamicDims: trace.tensors.map((t) => t.shape.map(() => false)) };
}
