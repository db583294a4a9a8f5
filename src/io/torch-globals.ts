/**
 * The allow-list of Python globals a torch.save checkpoint may reference, each with a TypeScript stand-in:
 * tensor rebuilders (`torch._utils._rebuild_tensor*`, `_rebuild_parameter*`), storage classes and dtypes (markers
 * only), and `collections.OrderedDict`. Also the strided gather that turns (storage, offset, size, stride) into a
 * contiguous HostTensor.
 */
import { allocData, type DType, elementSize, fromBytes, type HostTensor, numel } from './host-tensor.js';
import { PyDict, PyGlobal, PyTuple, type PyValue } from './pytypes.js';

/** What a persistent id resolves to: the raw bytes of one storage in the archive. */
export interface StorageRef {
  key: string;
  /** Element type from the storage class; null for untyped (byte) storages. */
  dtype: DType | null;
  bytes: Uint8Array;
}

export function isStorageRef(v: unknown): v is StorageRef {
  return (
    typeof v === 'object' && v !== null && 'key' in v && 'bytes' in v && (v as StorageRef).bytes instanceof Uint8Array
  );
}

const STORAGE_CLASSES: Record<string, DType> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const TORCH_DTYPES: Record<string, DType> = {
  float32: 'float32',
  float: 'float32',
  float64: 'float64',
  double: 'float64',
  float16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  int16: 'int16',
  short: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

/** Tag on storage-class globals. `dtype: null` = untyped, the element type comes from the rebuild call. */
export interface StorageClassTag {
  storageDtype: DType | null;
}

function ints(v: PyValue | undefined, what: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null;
  if (!items?.every((x) => typeof x === 'number' && Number.isSafeInteger(x))) {
    throw new Error(`${what} must be a tuple of integers`);
  }
  return items as number[];
}

/** Rebuilds a contiguous tensor from a storage view; zero-copy when the view is already contiguous. */
export function rebuildTensor(
  storage: unknown,
  offsetArg: PyValue | undefined,
  sizeArg: PyValue | undefined,
  strideArg: PyValue | undefined,
  dtypeOverride: DType | null = null,
): HostTensor {
  if (!isStorageRef(storage)) throw new Error('first argument is not a storage from this archive');
  const dtype = dtypeOverride ?? storage.dtype;
  if (!dtype) throw new Error(`storage ${storage.key} is untyped and no dtype was given`);
  const size = ints(sizeArg, 'size');
  const stride = ints(strideArg, 'stride');
  const offset = offsetArg;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new Error('storage offset must be a non-negative integer');
  }
  if (size.length !== stride.length) throw new Error(`size has ${size.length} dims but stride has ${stride.length}`);
  if (stride.some((s) => s < 0)) throw new Error('negative strides are not supported');
  const itemsize = elementSize(dtype);
  if (storage.bytes.byteLength % itemsize) {
    throw new Error(`storage ${storage.key} has ${storage.bytes.byteLength} bytes, not a multiple of ${itemsize}`);
  }
  const storageNumel = storage.bytes.byteLength / itemsize;
  const n = numel(size);
  if (n === 0) return { dtype, shape: size, data: allocData(dtype, 0) };
  let last = offset;
  for (let d = 0; d < size.length; d++) last += (size[d]! - 1) * stride[d]!;
  if (last >= storageNumel) {
    throw new Error(
      `view (offset ${offset}, size [${size}], stride [${stride}]) reaches element ${last} of storage ${storage.key}, ` +
        `which has ${storageNumel}`,
    );
  }
  if (isContiguous(size, stride)) {
    return fromBytes(dtype, size, storage.bytes.subarray(offset * itemsize, (offset + n) * itemsize));
  }
  const src = fromBytes(dtype, [storageNumel], storage.bytes).data;
  return { dtype, shape: size, data: gather(src, offset, size, stride) };
}

/** Row-major contiguity, ignoring the stride of size-1 dims (torch does the same). */
export function isContiguous(size: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d] === 1) continue;
    if (stride[d] !== expected) return false;
    expected *= size[d]!;
  }
  return true;
}

/** Copies a strided view into a new contiguous array, innermost dimension in a tight loop. */
function gather<T extends HostTensor['data']>(src: T, offset: number, size: number[], stride: number[]): T {
  const nd = size.length;
  const n = numel(size);
  const out = new (src.constructor as new (n: number) => T)(n);
  if (nd === 0) {
    out[0] = src[offset]!;
    return out;
  }
  const inner = size[nd - 1]!;
  const innerStride = stride[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  let base = offset;
  for (let o = 0; o < n; o += inner) {
    for (let i = 0, s = base; i < inner; i++, s += innerStride) out[o + i] = src[s]!;
    // Odometer increment over the outer dimensions.
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      base += stride[d]!;
      if (idx[d]! < size[d]!) break;
      base -= idx[d]! * stride[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

function dtypeArg(v: PyValue | undefined): DType {
  if (v instanceof PyGlobal && typeof v.tag === 'string') return v.tag as DType;
  throw new Error('dtype argument is not a torch dtype');
}

function orderedDict(args: PyValue[]): PyDict {
  const d = new PyDict('collections.OrderedDict');
  const init = args[0];
  if (args.length > 1) throw new Error('expected at most one argument');
  if (init === undefined) return d;
  const pairs = Array.isArray(init) ? init : init instanceof PyTuple ? init.items : null;
  if (!pairs) throw new Error('expected a list of key/value pairs');
  for (const p of pairs) {
    if (!(p instanceof PyTuple) || p.items.length !== 2) throw new Error('expected key/value pairs');
    const [k, v] = p.items as [PyValue, PyValue];
    if (k !== null && typeof k === 'object') throw new Error('unsupported key type');
    d.set(k, v);
  }
  return d;
}

/** Builds the allow-list, keyed "module.name", as the unpickler expects. */
export function torchGlobals(): Map<string, PyGlobal> {
  const list: PyGlobal[] = [
    new PyGlobal('collections', 'OrderedDict', orderedDict),
    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    new PyGlobal('torch._utils', '_rebuild_tensor_v2', (a) => rebuildTensor(a[0], a[1], a[2], a[3])),
    new PyGlobal('torch._utils', '_rebuild_tensor', (a) => rebuildTensor(a[0], a[1], a[2], a[3])),
    // _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype[, metadata])
    new PyGlobal('torch._utils', '_rebuild_tensor_v3', (a) => rebuildTensor(a[0], a[1], a[2], a[3], dtypeArg(a[6]))),
    // Parameters load as their data; requires_grad and hooks do not matter for weights.
    new PyGlobal('torch._utils', '_rebuild_parameter', (a) => tensorArg(a[0])),
    new PyGlobal('torch._utils', '_rebuild_parameter_with_state', (a) => tensorArg(a[0])),
  ];
  for (const [name, dtype] of Object.entries(STORAGE_CLASSES)) {
    list.push(new PyGlobal('torch', name, undefined, { storageDtype: dtype } satisfies StorageClassTag));
  }
  // Untyped storages hold bytes (torch.load gives them dtype uint8); _rebuild_tensor_v3 reinterprets them.
  // The TypedStorage base classes carry no element type, so only a v3 rebuild with a dtype can use them.
  for (const [module, name, storageDtype] of [
    ['torch', 'UntypedStorage', 'uint8'],
    ['torch', '_UntypedStorage', 'uint8'],
    ['torch.storage', 'UntypedStorage', 'uint8'],
    ['torch.storage', '_UntypedStorage', 'uint8'],
    ['torch.storage', 'TypedStorage', null],
    ['torch.storage', '_TypedStorage', null],
  ] as const) {
    list.push(new PyGlobal(module, name, undefined, { storageDtype } satisfies StorageClassTag));
  }
  for (const [name, dtype] of Object.entries(TORCH_DTYPES)) list.push(new PyGlobal('torch', name, undefined, dtype));
  return new Map(list.map((g) => [g.qualifiedName, g]));
}

function tensorArg(v: PyValue | undefined): HostTensor {
  if (typeof v !== 'object' || v === null || !('dtype' in v)) throw new Error('expected a tensor');
  return v as HostTensor;
}
