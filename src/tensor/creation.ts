/** Tensor factories (`zeros`, `randn`, `fromTypedArray`, ...) and multi-tensor ops (`cat`, `stack`, `where`). */
import { op } from './dispatch.js';
import { type DType, dtypeCode, dtypeOfArray } from './dtype.js';
import { native } from './native.js';
import { callT, Tensor } from './tensor.js';

export interface FactoryOptions {
  dtype?: DType;
  device?: string;
  requiresGrad?: boolean;
}

const O = {
  zeros: op('zeros'),
  ones: op('ones'),
  full: op('full'),
  empty: op('empty', 'memory_format'),
  randn: op('randn'),
  rand: op('rand'),
  randint: op('randint', 'low'),
  randperm: op('randperm'),
  arange: op('arange', 'start_step'),
  linspace: op('linspace'),
  eye: op('eye'),
  cat: op('cat'),
  stack: op('stack'),
  where: op('where', 'self'),
  zerosLike: op('zeros_like'),
  onesLike: op('ones_like'),
  randnLike: op('randn_like'),
  toDevice: op('to', 'device'),
};

function finish(t: Tensor, options: FactoryOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

function dt(options: FactoryOptions, fallback: DType = 'float32'): number {
  return dtypeCode(options.dtype ?? fallback);
}

function checkShape(shape: readonly number[], fn: string): number[] {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`${fn}: invalid shape [${shape.join(', ')}]`);
  }
  return [...shape];
}

export function zeros(shape: readonly number[], options: FactoryOptions = {}): Tensor {
  return finish(callT(O.zeros, [checkShape(shape, 'zeros'), dt(options), null, options.device ?? null]), options);
}

export function ones(shape: readonly number[], options: FactoryOptions = {}): Tensor {
  return finish(callT(O.ones, [checkShape(shape, 'ones'), dt(options), null, options.device ?? null]), options);
}

export function full(shape: readonly number[], value: number, options: FactoryOptions = {}): Tensor {
  return finish(callT(O.full, [checkShape(shape, 'full'), value, dt(options), null, options.device ?? null]), options);
}

export function empty(shape: readonly number[], options: FactoryOptions = {}): Tensor {
  return finish(callT(O.empty, [checkShape(shape, 'empty'), dt(options), null, options.device ?? null]), options);
}

/** Standard normal samples from libtorch's generator (seed it with `manualSeed`). */
export function randn(shape: readonly number[], options: FactoryOptions = {}): Tensor {
  return finish(callT(O.randn, [checkShape(shape, 'randn'), dt(options), null, options.device ?? null]), options);
}

/** Uniform [0, 1) samples from libtorch's generator. */
export function rand(shape: readonly number[], options: FactoryOptions = {}): Tensor {
  return finish(callT(O.rand, [checkShape(shape, 'rand'), dt(options), null, options.device ?? null]), options);
}

/** Integers uniform in [low, high). */
export function randint(low: number, high: number, shape: readonly number[], options: FactoryOptions = {}): Tensor {
  return callT(O.randint, [low, high, checkShape(shape, 'randint'), dt(options, 'int64'), null, options.device ?? null]);
}

export function randperm(n: number, options: FactoryOptions = {}): Tensor {
  return callT(O.randperm, [n, dt(options, 'int64'), null, options.device ?? null]);
}

export function arange(start: number, end?: number, step = 1, options: FactoryOptions = {}): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  const allInt = Number.isInteger(s) && Number.isInteger(e) && Number.isInteger(step);
  return callT(O.arange, [s, e, step, dt(options, allInt ? 'int64' : 'float32'), null, options.device ?? null]);
}

export function linspace(start: number, end: number, steps: number, options: FactoryOptions = {}): Tensor {
  return callT(O.linspace, [start, end, steps, dt(options), null, options.device ?? null]);
}

export function eye(n: number, options: FactoryOptions = {}): Tensor {
  return callT(O.eye, [n, dt(options), null, options.device ?? null]);
}

export function zerosLike(t: Tensor): Tensor {
  return callT(O.zerosLike, [t.h]);
}

export function onesLike(t: Tensor): Tensor {
  return callT(O.onesLike, [t.h]);
}

export function randnLike(t: Tensor): Tensor {
  return callT(O.randnLike, [t.h]);
}

/**
 * Copies a typed array into a new tensor of the given shape (default: 1-D). The dtype follows the array type
 * unless given (a Uint16Array needs `dtype: 'float16' | 'bfloat16'`; a Uint8Array may be `'bool'`).
 */
export function fromTypedArray(data: ArrayBufferView, shape?: readonly number[], options: FactoryOptions = {}): Tensor {
  const dtype = options.dtype ?? dtypeOfArray(data);
  const elems = data.byteLength / bytesPer(dtype);
  const s = shape ? checkShape(shape, 'fromTypedArray') : [elems];
  let t = new Tensor(native.fromBuffer(data, s, dtypeCode(dtype)));
  if (options.device && options.device !== 'cpu') {
    const moved = callT(O.toDevice, [t.h, options.device, dtypeCode(dtype)]);
    t.dispose();
    t = moved;
  }
  return finish(t, options);
}

/** A tensor from nested JS arrays of numbers (float32 unless `dtype` says otherwise). */
export function tensor(values: number | readonly unknown[], options: FactoryOptions = {}): Tensor {
  const shape: number[] = [];
  let probe: unknown = values;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat = (Array.isArray(values) ? (values as unknown[]).flat(Number.POSITIVE_INFINITY) : [values]) as number[];
  if (flat.length !== shape.reduce((a, b) => a * b, 1)) throw new RangeError('tensor(): ragged nested arrays');
  const dtype = options.dtype ?? 'float32';
  let data: ArrayBufferView;
  switch (dtype) {
    case 'float64':
      data = Float64Array.from(flat);
      break;
    case 'int64':
      data = BigInt64Array.from(flat, (v) => BigInt(Math.trunc(v)));
      break;
    case 'int32':
      data = Int32Array.from(flat);
      break;
    case 'uint8':
    case 'bool':
      data = Uint8Array.from(flat, (v) => (dtype === 'bool' ? (v ? 1 : 0) : v));
      break;
    default:
      data = Float32Array.from(flat);
  }
  const t = fromTypedArray(data, shape, { ...options, dtype: dtype === 'float16' || dtype === 'bfloat16' ? 'float32' : dtype });
  return dtype === 'float16' || dtype === 'bfloat16' ? t.to(dtype) : t;
}

function bytesPer(d: DType): number {
  switch (d) {
    case 'float64':
    case 'int64':
      return 8;
    case 'float32':
    case 'int32':
      return 4;
    case 'float16':
    case 'bfloat16':
    case 'int16':
      return 2;
    default:
      return 1;
  }
}

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return callT(O.cat, [tensors.map((t) => t.h), dim]);
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return callT(O.stack, [tensors.map((t) => t.h), dim]);
}

/** Element-wise `condition ? a : b` with broadcasting. */
export function where(condition: Tensor, a: Tensor, b: Tensor): Tensor {
  return callT(O.where, [condition.h, a.h, b.h]);
}
