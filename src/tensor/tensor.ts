/**
 * `Tensor`: a PyTorch-shaped handle over one libtorch tensor. This file holds the core (metadata, data
 * transfer, autograd, disposal); operators are added by `./ops-*.ts` and documented there.
 */
import { callNative, type Op } from './dispatch.js';
import { type DType, dtypeName, type TypedArray, typedArrayFor } from './dtype.js';
import { native, type NativeTensor, type NativeValue } from './native.js';
import { TRACKABLE, type Trackable, track } from './scope.js';

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
}

export class Tensor implements Trackable {
  readonly [TRACKABLE] = true as const;
  #h: NativeTensor | null;
  #shape: readonly number[] | undefined;

  /** Wraps a native handle; library code creates tensors through ops and factories, not this constructor. */
  constructor(handle: NativeTensor) {
    this.#h = handle;
    track(this);
  }

  /** The native handle; throws if the tensor was disposed. */
  get h(): NativeTensor {
    const h = this.#h;
    if (h === null) throw new Error('Tensor was used after dispose()');
    return h;
  }

  get shape(): readonly number[] {
    if (this.#shape === undefined) this.#shape = Object.freeze(this.h.shape());
    return this.#shape;
  }

  /** Size of one dimension (negative counts from the end), or the whole shape. */
  size(dim?: number): number {
    if (dim === undefined) return this.numel();
    const s = this.shape;
    const d = dim < 0 ? s.length + dim : dim;
    const v = s[d];
    if (v === undefined) throw new RangeError(`size(${dim}): tensor has ${s.length} dimensions`);
    return v;
  }

  get ndim(): number {
    return this.shape.length;
  }

  dim(): number {
    return this.shape.length;
  }

  numel(): number {
    return this.h.numel();
  }

  get dtype(): DType {
    return dtypeName(this.h.dtype());
  }

  get device(): string {
    return this.h.device();
  }

  get strides(): number[] {
    return this.h.strides();
  }

  isContiguous(): boolean {
    return this.h.isContiguous();
  }

  // ---- autograd -------------------------------------------------------------------------------------------

  get requiresGrad(): boolean {
    return this.h.requiresGrad();
  }

  /** Marks a leaf tensor as requiring gradients (in place, like `requires_grad_`). */
  requiresGrad_(on = true): this {
    this.h.setRequiresGrad(on);
    return this;
  }

  /** The accumulated gradient (a new handle to it, owned by the current scope), or null. */
  get grad(): Tensor | null {
    const g = this.h.grad();
    return g === null ? null : new Tensor(g);
  }

  set grad(g: Tensor | null) {
    this.h.setGrad(g === null ? null : g.h);
  }

  get isLeaf(): boolean {
    return this.h.isLeaf();
  }

  /** Name of the autograd node that produced this tensor (e.g. 'AddBackward0'), or null for leaves. */
  get gradFn(): string | null {
    return this.h.gradFn();
  }

  /** Accumulates gradients of this tensor into the leaves' `.grad` (scalar outputs need no `grad`). */
  backward(grad?: Tensor, options: BackwardOptions = {}): void {
    native.backward([this.h], grad ? [grad.h] : null, options.retainGraph, options.createGraph ?? false);
  }

  // ---- data transfer --------------------------------------------------------------------------------------

  /** Copies the values to a new typed array (row-major, contiguous). 16-bit floats come back as raw bits. */
  data(): TypedArray {
    return typedArrayFor(this.dtype, this.h.toBuffer());
  }

  /** Values as a Float32Array, converting the dtype if needed. */
  toFloat32Array(): Float32Array {
    if (this.dtype === 'float32') return this.data() as Float32Array;
    const t = this.to('float32');
    try {
      return t.data() as Float32Array;
    } finally {
      t.dispose();
    }
  }

  /** The single value of a one-element tensor. */
  item(): number {
    const v = this.h.item();
    return typeof v === 'boolean' ? Number(v) : v;
  }

  /** Nested JS arrays (numbers; int64 as numbers), like `tolist()`. */
  tolist(): unknown {
    const flat = Array.from(this.data() as ArrayLike<number | bigint>, (v) => Number(v));
    const shape = this.shape;
    if (shape.length === 0) return flat[0];
    const build = (dim: number, offset: number): unknown[] => {
      const n = shape[dim] as number;
      const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === shape.length - 1 ? flat[offset + i] : build(dim + 1, offset + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  // ---- lifetime -------------------------------------------------------------------------------------------

  /** Releases this handle's reference to the native tensor now. Safe to call twice. */
  dispose(): void {
    if (this.#h !== null) {
      this.#h.dispose();
      this.#h = null;
    }
  }

  get isDisposed(): boolean {
    return this.#h === null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    if (this.#h === null) return 'Tensor(<disposed>)';
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device}${
      this.requiresGrad ? ', requiresGrad' : ''
    })`;
  }
}

/** Converts a native result to Tensors; in-place ops hand back the input handle, which maps to its Tensor. */
export function wrap(v: NativeValue, inputs?: readonly Tensor[]): unknown {
  if (v === null || v === undefined || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((e) => wrap(e, inputs));
  if (inputs) {
    for (const t of inputs) if (!t.isDisposed && t.h === v) return t;
  }
  return new Tensor(v as NativeTensor);
}

/** Calls an operator whose single result is a tensor. `inputs` lists tensors an in-place op may return. */
export function callT(o: Op, args: unknown[], inputs?: readonly Tensor[]): Tensor {
  return wrap(callNative(o, args), inputs) as Tensor;
}

/** Calls an operator returning a list or tuple of tensors. */
export function callTs(o: Op, args: unknown[]): Tensor[] {
  return wrap(callNative(o, args)) as Tensor[];
}

/** Calls an operator returning a plain value (number, boolean). */
export function callV(o: Op, args: unknown[]): NativeValue {
  return callNative(o, args);
}
