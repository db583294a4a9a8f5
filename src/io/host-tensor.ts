/**
 * Host-side tensors: a dtype, a row-major contiguous shape and a typed array. This is what the file readers
 * (safetensors, .pth) produce and the writers consume; the engine converts to and from libtorch tensors.
 * Dependency-free on purpose, so every floor can use it.
 */

export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/** float16 and bfloat16 are stored as their raw 16-bit patterns; bool as 0/1 bytes. */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

export interface HostTensor {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

interface DTypeInfo {
  size: number;
  array: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => TypedArray;
  alloc: (length: number) => TypedArray;
}

const INFO: Record<DType, DTypeInfo> = {
  float32: { size: 4, array: Float32Array, alloc: (n) => new Float32Array(n) },
  float64: { size: 8, array: Float64Array, alloc: (n) => new Float64Array(n) },
  float16: { size: 2, array: Uint16Array, alloc: (n) => new Uint16Array(n) },
  bfloat16: { size: 2, array: Uint16Array, alloc: (n) => new Uint16Array(n) },
  int64: { size: 8, array: BigInt64Array, alloc: (n) => new BigInt64Array(n) },
  int32: { size: 4, array: Int32Array, alloc: (n) => new Int32Array(n) },
  int16: { size: 2, array: Int16Array, alloc: (n) => new Int16Array(n) },
  int8: { size: 1, array: Int8Array, alloc: (n) => new Int8Array(n) },
  uint8: { size: 1, array: Uint8Array, alloc: (n) => new Uint8Array(n) },
  bool: { size: 1, array: Uint8Array, alloc: (n) => new Uint8Array(n) },
};

export const DTYPES = Object.keys(INFO) as DType[];

/** File formats store little-endian data; typed-array views are only valid byte images on LE hosts. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function isDType(s: unknown): s is DType {
  return typeof s === 'string' && Object.hasOwn(INFO, s);
}

export function elementSize(dtype: DType): number {
  return INFO[dtype].size;
}

/** Product of the dimensions (1 for a scalar shape []). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new RangeError(`invalid dimension ${d} in shape [${shape.join(', ')}]`);
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw new RangeError(`shape [${shape.join(', ')}] has too many elements`);
  return n;
}

export function allocData(dtype: DType, length: number): TypedArray {
  return INFO[dtype].alloc(length);
}

/** Creates a tensor, checking that the array type and length fit the dtype and shape. */
export function hostTensor(dtype: DType, shape: readonly number[], data?: TypedArray): HostTensor {
  const n = numel(shape);
  const d = data ?? allocData(dtype, n);
  if (!(d instanceof INFO[dtype].array)) {
    throw new TypeError(`hostTensor: ${dtype} needs a ${INFO[dtype].array.name}, got ${d.constructor.name}`);
  }
  if (d.length !== n) throw new RangeError(`hostTensor: ${d.length} elements for shape [${shape.join(', ')}] (${n})`);
  return { dtype, shape: [...shape], data: d };
}

/**
 * Interprets little-endian bytes as a tensor. Returns a zero-copy view when the bytes are suitably aligned,
 * otherwise a copy (typed arrays cannot be misaligned).
 */
export function fromBytes(dtype: DType, shape: readonly number[], bytes: Uint8Array): HostTensor {
  if (!HOST_IS_LITTLE_ENDIAN) throw new Error('big-endian hosts are not supported');
  const { size, array } = INFO[dtype];
  const n = numel(shape);
  if (bytes.byteLength !== n * size) {
    throw new RangeError(`${bytes.byteLength} bytes cannot hold ${dtype}[${shape.join(', ')}] (${n * size} bytes)`);
  }
  // new Uint8Array(x) copies (Buffer#slice would not); the copy starts at offset 0, so it is aligned.
  const src = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
  return { dtype, shape: [...shape], data: new array(src.buffer, src.byteOffset, n) };
}

/** A plain Uint8Array view of the same memory: Node Buffers differ in `slice` (no copy) and toString. */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The tensor's little-endian bytes, as a view on its data (no copy). */
export function toBytes(t: HostTensor): Uint8Array {
  if (!HOST_IS_LITTLE_ENDIAN) throw new Error('big-endian hosts are not supported');
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits → number (exact: every half is representable in float32). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** number → binary16 bits, rounding to nearest even like torch's .half() (through float32 first). */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // underflows to (signed) zero
    mant |= 0x800000; // make the implicit bit explicit, then shift into the subnormal range
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  const rest = mant & 0x1fff;
  mant >>>= 13;
  if (rest > 0x1000 || (rest === 0x1000 && mant & 1)) {
    mant++;
    if (mant === 0x400) {
      mant = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | mant;
}

/** bfloat16 bits → number: the upper half of a float32. */
export function bfloat16ToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0]!;
}

/** number → bfloat16 bits, round to nearest even (NaN stays a quiet NaN), as torch does. */
export function floatToBfloat16(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x40) & 0xffff;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** Any tensor's values as float32 (a copy; int64 beyond 2^24 loses precision, as in torch's .float()). */
export function toFloat32(t: HostTensor): Float32Array {
  const src = t.data;
  const out = new Float32Array(src.length);
  if (t.dtype === 'float16') {
    for (let i = 0; i < src.length; i++) out[i] = halfToFloat(src[i] as number);
  } else if (t.dtype === 'bfloat16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < src.length; i++) bits[i] = (src[i] as number) << 16;
  } else if (src instanceof BigInt64Array) {
    for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  } else {
    out.set(src);
  }
  return out;
}

/** float32 values as a float16 or bfloat16 tensor (round to nearest even). */
export function fromFloat32(dtype: 'float16' | 'bfloat16', shape: readonly number[], values: Float32Array): HostTensor {
  const conv = dtype === 'float16' ? floatToHalf : floatToBfloat16;
  const data = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = conv(values[i]!);
  return hostTensor(dtype, shape, data);
}
