/**
 * Builds the ONNX graph from a (symbolic) trace: names values, interns constants, and turns size-dependent
 * integers into small Shape/Mul/Div/Add/Mod subgraphs. The per-operator mapping lives in `onnx-ops.ts`.
 */
import type { DType } from '../tensor/dtype.js';
import { type AttributeMsg, AttrType, DataType, type NodeMsg, type TensorMsg } from './onnx-proto.js';
import { isSymInt, type SymArg, type SymExpr, type SymGraph } from './symbolic.js';

/** An integer known now (number) or computed in the graph (the name of a 1-D int64 tensor of length 1). */
export type IntVal = number | { readonly value: string };

export type Attr = AttributeMsg;
export const A = {
  i: (name: string, v: number): Attr => ({ name, type: AttrType.INT, i: v }),
  f: (name: string, v: number): Attr => ({ name, type: AttrType.FLOAT, f: v }),
  s: (name: string, v: string): Attr => ({ name, type: AttrType.STRING, s: new TextEncoder().encode(v) }),
  ints: (name: string, v: readonly number[]): Attr => ({ name, type: AttrType.INTS, ints: [...v] }),
};

const ONNX_DTYPE: Partial<Record<DType, number>> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  float16: DataType.FLOAT16,
  bfloat16: DataType.BFLOAT16,
  int64: DataType.INT64,
  int32: DataType.INT32,
  uint8: DataType.UINT8,
  int8: DataType.INT8,
  bool: DataType.BOOL,
};

export function onnxDtype(d: DType): number {
  const v = ONNX_DTYPE[d];
  if (v === undefined) throw new Error(`ONNX export: dtype ${d} is not supported`);
  return v;
}

/** Largest int64 a JS number holds exactly; Slice clamps it to the dimension ("to the end"). */
export const INT_MAX = Number.MAX_SAFE_INTEGER;

export class GraphBuilder {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  readonly #consts = new Map<string, string>();
  readonly #values = new Map<number, string>();
  readonly #symCache = new Map<string, IntVal>();
  #counter = 0;

  constructor(
    readonly graph: SymGraph,
    readonly opset: number,
  ) {}

  fresh(hint: string): string {
    return `${hint}_${this.#counter++}`;
  }

  /** Adds a node; returns its output names. */
  node(opType: string, inputs: readonly string[], attrs: readonly Attr[] = [], outputs = 1): string[] {
    const out = Array.from({ length: outputs }, () => this.fresh(opType));
    this.nodes.push({
      op_type: opType,
      name: out[0] as string,
      input: [...inputs],
      output: out,
      attribute: [...attrs],
    });
    return out;
  }

  /** Single-output node. */
  n(opType: string, inputs: readonly string[], ...attrs: Attr[]): string {
    return this.node(opType, inputs, attrs)[0] as string;
  }

  initializer(name: string, dims: readonly number[], dtype: number, raw: Uint8Array): string {
    this.initializers.push({ name, dims: [...dims], data_type: dtype, raw_data: raw });
    return name;
  }

  /** A constant int64 tensor (1-D unless `dims` says otherwise), shared by value. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i64:${dims.join(',')}:${values.join(',')}`;
    const hit = this.#consts.get(key);
    if (hit) return hit;
    const raw = new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
    const name = this.initializer(this.fresh('const_i64'), dims, DataType.INT64, raw);
    this.#consts.set(key, name);
    return name;
  }

  /** A constant float32 tensor (a scalar unless `dims` is given), shared by value. */
  float(values: number | readonly number[], dims: readonly number[] = []): string {
    const vs = typeof values === 'number' ? [values] : values;
    const key = `f32:${dims.join(',')}:${vs.join(',')}`;
    const hit = this.#consts.get(key);
    if (hit) return hit;
    const raw = new Uint8Array(Float32Array.from(vs).buffer);
    const name = this.initializer(this.fresh('const_f32'), dims, DataType.FLOAT, raw);
    this.#consts.set(key, name);
    return name;
  }

  // ---- traced tensors -------------------------------------------------------------------------------------

  /** The ONNX value holding traced tensor `id`; parameters and constants become initializers on first use. */
  value(id: number): string {
    const hit = this.#values.get(id);
    if (hit) return hit;
    const t = this.graph.trace.tensors[id];
    if (t === undefined || (t.kind !== 'param' && t.kind !== 'const') || t.data === undefined) {
      throw new Error(`ONNX export: tensor #${id} is used before it is computed`);
    }
    const name = this.initializer(t.name ?? this.fresh('const'), t.shape, onnxDtype(t.dtype), t.data);
    this.#values.set(id, name);
    return name;
  }

  define(id: number, name: string): void {
    this.#values.set(id, name);
  }

  shape(id: number): readonly number[] {
    const t = this.graph.trace.tensors[id];
    if (t === undefined) throw new Error(`ONNX export: unknown tensor #${id}`);
    return t.shape;
  }

  rank(id: number): number {
    return this.shape(id).length;
  }

  dtype(id: number): DType {
    return (this.graph.trace.tensors[id] as { dtype: DType }).dtype;
  }

  /** Normalises a possibly negative axis of tensor `id`. */
  axis(id: number, d: number): number {
    return d < 0 ? d + this.rank(id) : d;
  }

  isDynamic(id: number, d: number): boolean {
    return this.graph.dynamicDims[id]?.[this.axis(id, d)] ?? false;
  }

  /** Dimension `d` of tensor `id`: a number when it does not vary with the input size. */
  dim(id: number, d: number): IntVal {
    const ax = this.axis(id, d);
    if (!this.isDynamic(id, ax)) return this.shape(id)[ax] as number;
    return this.#cached(`dim:${id}:${ax}`, () => ({
      value: this.n('Shape', [this.value(id)], A.i('start', ax), A.i('end', ax + 1)),
    }));
  }

  // ---- integer arithmetic ---------------------------------------------------------------------------------

  #cached(key: string, make: () => IntVal): IntVal {
    const hit = this.#symCache.get(key);
    if (hit !== undefined) return hit;
    const v = make();
    this.#symCache.set(key, v);
    return v;
  }

  #name(v: IntVal): string {
    return typeof v === 'number' ? this.int64([v]) : v.value;
  }

  mul(a: IntVal, b: IntVal): IntVal {
    if (typeof a === 'number' && typeof b === 'number') return a * b;
    if (a === 1) return b;
    if (b === 1) return a;
    return { value: this.n('Mul', [this.#name(a), this.#name(b)]) };
  }

  /** Exact (floor) division. */
  div(a: IntVal, b: IntVal): IntVal {
    if (typeof a === 'number' && typeof b === 'number') return Math.floor(a / b);
    if (b === 1) return a;
    return { value: this.n('Div', [this.#name(a), this.#name(b)]) };
  }

  add(a: IntVal, b: IntVal): IntVal {
    if (typeof a === 'number' && typeof b === 'number') return a + b;
    if (a === 0) return b;
    if (b === 0) return a;
    return { value: this.n('Add', [this.#name(a), this.#name(b)]) };
  }

  mod(a: IntVal, b: IntVal): IntVal {
    if (typeof a === 'number' && typeof b === 'number') return a % b;
    return { value: this.n('Mod', [this.#name(a), this.#name(b)]) };
  }

  #sym(e: SymExpr): IntVal {
    return this.#cached(JSON.stringify(e), () => {
      switch (e.kind) {
        case 'affine':
          return this.add(this.div(this.mul(this.dim(e.tensor, e.dim), e.p), e.q), e.c);
        case 'product':
          return this.div(this.mul(this.mul(this.dim(e.tensor, e.dims[0]), this.dim(e.tensor, e.dims[1])), e.p), e.q);
        case 'padTo':
          // (k - d mod k) mod k; int64 Mod with fmod=0 matches Python's % for the non-negative values here.
          return this.mod(this.add(this.mul(this.mod(this.dim(e.tensor, e.dim), e.k), -1), e.k), e.k);
      }
    });
  }

  /** An integer argument, static or symbolic. */
  int(a: SymArg): IntVal {
    if (typeof a === 'number') return a;
    if (isSymInt(a)) return this.#sym(a.sym);
    throw new Error(`ONNX export: expected an integer argument, got ${JSON.stringify(a)}`);
  }

  /** A static integer argument; a size-dependent one is an error naming `what`. */
  staticInt(a: SymArg, what: string): number {
    if (typeof a === 'number') return a;
    if (isSymInt(a))
      throw new Error(`ONNX export: ${what} depends on the input size, which this operator cannot express`);
    throw new Error(`ONNX export: ${what}: expected an integer, got ${JSON.stringify(a)}`);
  }

  /** A 1-D int64 tensor from integers: one constant if all are static, else a Concat. */
  vec(parts: readonly IntVal[]): string {
    if (parts.every((p) => typeof p === 'number')) return this.int64(parts as number[]);
    const names: string[] = [];
    let run: number[] = [];
    for (const p of parts) {
      if (typeof p === 'number') run.push(p);
      else {
        if (run.length) names.push(this.int64(run));
        run = [];
        names.push(p.value);
      }
    }
    if (run.length) names.push(this.int64(run));
    return this.n('Concat', names, A.i('axis', 0));
  }
}
