/** Data types: names as in PyTorch, codes as c10::ScalarType, and the matching JS typed arrays. */

export type DType = 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'float16' | 'float32' | 'float64' | 'bool' | 'bfloat16';

const CODES: Record<DType, number> = {
  uint8: 0,
  int8: 1,
  int16: 2,
  int32: 3,
  int64: 4,
  float16: 5,
  float32: 6,
  float64: 7,
  bool: 11,
  bfloat16: 15,
};

const NAMES = new Map<number, DType>(Object.entries(CODES).map(([k, v]) => [v, k as DType]));

export function dtypeCode(d: DType): number {
  const c = CODES[d];
  if (c === undefined) throw new TypeError(`unknown dtype '${d}'; valid: ${Object.keys(CODES).join(', ')}`);
  return c;
}

export function dtypeName(code: number): DType {
  const n = NAMES.get(code);
  if (n === undefined) throw new TypeError(`unsupported scalar type code ${code}`);
  return n;
}

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint16Array
  | Float32Array
  | Float64Array;

/** The typed array that holds a dtype's raw values (16-bit floats as raw Uint16 bits, bool as bytes). */
export function typedArrayFor(d: DType, buffer: ArrayBuffer): TypedArray {
  switch (d) {
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer);
    case 'int8':
      return new Int8Array(buffer);
    case 'int16':
      return new Int16Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'int64':
      return new BigInt64Array(buffer);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(buffer);
    case 'float32':
      return new Float32Array(buffer);
    case 'float64':
      return new Float64Array(buffer);
  }
}

/** The dtype a typed array naturally holds. */
export function dtypeOfArray(a: ArrayBufferView): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Int16Array) return 'int16';
  throw new TypeError(`fromTypedArray: unsupported array type ${a.constructor.name}; pass { dtype } for raw 16-bit data`);
}

export function isFloating(d: DType): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
}
