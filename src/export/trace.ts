/**
 * Records one forward pass as a graph of ATen calls, through the operator observer of `tensor/dispatch.ts`.
 * Tensors are identified by their native handle: the traced input, the module's parameters and buffers
 * (by identity, so they become named initializers), op results, and any other tensor an op consumes
 * (created outside the dispatcher, e.g. by `fromTypedArray`), whose value is captured as a constant.
 * In-place ops give their handle a fresh id, so the graph stays in SSA form.
 */
import type { Module } from '../nn/module.js';
import { noGrad, type Tensor } from '../tensor/index.js';
import { type OpObserver, withOpObserver } from '../tensor/dispatch.js';
import { type DType, dtypeName } from '../tensor/dtype.js';
import type { NativeTensor, NativeValue } from '../tensor/native.js';

/** A reference to a traced tensor inside an op's argument list. */
export interface TensorRef {
  readonly tensor: number;
}

export type TraceArg = number | boolean | string | null | undefined | TensorRef | TraceArg[];

export interface TraceNode {
  /** ATen name without the namespace, e.g. 'conv2d'. */
  readonly op: string;
  readonly overload: string;
  readonly args: TraceArg[];
  readonly outputs: number[];
}

export type TensorKind = 'input' | 'param' | 'const' | 'node';

export interface TracedTensor {
  readonly id: number;
  readonly kind: TensorKind;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Dotted parameter/buffer name for 'param'. */
  readonly name?: string;
  /** Raw little-endian bytes for 'param' and 'const' (when captured). */
  readonly data?: Uint8Array;
}

export interface Trace {
  readonly tensors: TracedTensor[];
  readonly nodes: TraceNode[];
  readonly input: number;
  /** The first (or only) result. */
  readonly output: number;
  /** Every result, in the order the traced function returned them. */
  readonly outputs: readonly number[];
}

export function isTensorRef(a: unknown): a is TensorRef {
  return typeof a === 'object' && a !== null && !Array.isArray(a) && 'tensor' in a;
}

function isNative(v: unknown): v is NativeTensor {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as NativeTensor).shape === 'function';
}

class Recorder implements OpObserver {
  readonly tensors: TracedTensor[] = [];
  readonly nodes: TraceNode[] = [];
  readonly #ids = new WeakMap<NativeTensor, number>();
  readonly #params: Map<NativeTensor, string>;
  readonly #captureData: boolean;

  constructor(params: Map<NativeTensor, string>, captureData: boolean) {
    this.#params = params;
    this.#captureData = captureData;
  }

  add(h: NativeTensor, kind: TensorKind, name?: string): number {
    const id = this.tensors.length;
    const withData = this.#captureData && (kind === 'param' || kind === 'const');
    this.tensors.push({
      id,
      kind,
      shape: h.shape(),
      dtype: dtypeName(h.dtype()),
      ...(name !== undefined ? { name } : {}),
      ...(withData ? { data: new Uint8Array(h.toBuffer()) } : {}),
    });
    this.#ids.set(h, id);
    return id;
  }

  idOf(h: NativeTensor): number {
    const id = this.#ids.get(h);
    if (id !== undefined) return id;
    const name = this.#params.get(h);
    return this.add(h, name === undefined ? 'const' : 'param', name);
  }

  #arg(a: unknown): TraceArg {
    if (isNative(a)) return { tensor: this.idOf(a) };
    if (Array.isArray(a)) return a.map((e) => this.#arg(e));
    if (a === null || a === undefined || typeof a === 'number' || typeof a === 'boolean' || typeof a === 'string')
      return a;
    if (typeof a === 'bigint') return Number(a);
    throw new TypeError(`trace: unsupported argument ${String(a)}`);
  }

  onCall(o: { name: string; overload: string }, args: readonly unknown[], result: NativeValue): void {
    // Inputs are resolved before outputs: an in-place op returns its input handle, which then gets a new id.
    const traced = args.map((a) => this.#arg(a));
    const outs = (Array.isArray(result) ? result : [result]).filter(isNative);
    const outputs = outs.map((h) => this.add(h, 'node'));
    this.nodes.push({ op: o.name.replace(/^aten::/, ''), overload: o.overload, args: traced, outputs });
  }
}

/**
 * Runs `run(x)` (default `[model.forward(x)]`) without gradients and records it; the results are disposed.
 * `model` names the parameters and buffers. `captureData` copies parameter and constant values (only the
 * trace that becomes the graph needs them).
 */
export function traceForward(model: Module & { forward(x: Tensor): Tensor }, x: Tensor, captureData?: boolean): Trace;
export function traceForward(model: Module, x: Tensor, captureData: boolean, run: (x: Tensor) => Tensor[]): Trace;
export function traceForward(
  model: Module,
  x: Tensor,
  captureData = true,
  run: (x: Tensor) => Tensor[] = (t) => [(model as Module & { forward(x: Tensor): Tensor }).forward(t)],
): Trace {
  const params = new Map<NativeTensor, string>();
  for (const [name, t] of model.namedParameters()) params.set(t.h, name);
  for (const [name, t] of model.namedBuffers()) params.set(t.h, name);
  const rec = new Recorder(params, captureData);
  const input = rec.add(x.h, 'input');
  const ys = noGrad(() => withOpObserver(rec, () => run(x)));
  try {
    const outputs = ys.map((y) => rec.idOf(y.h));
    if (outputs.some((o) => rec.tensors[o]?.kind !== 'node'))
      throw new Error('trace: the forward pass returned a tensor it did not compute');
    return { tensors: rec.tensors, nodes: rec.nodes, input, output: outputs[0] as number, outputs };
  } finally {
    for (const y of ys) y.dispose();
  }
}
