/**
 * The Python values a checkpoint pickle can hold, as TypeScript sees them. Lists are arrays, tuples are PyTuple
 * (so they stay distinguishable for writing back), dicts and OrderedDicts are PyDict (a Map that also carries
 * instance attributes such as a state dict's `_metadata`), tensors are HostTensor.
 */
import type { HostTensor } from './host-tensor.js';

export type PyKey = string | number | bigint | boolean | null;

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | HostTensor
  | PyValue[]
  | PyTuple
  | PyDict
  | PyGlobal;

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

export class PyDict extends Map<PyKey, PyValue> {
  /** Instance attributes set by the pickle BUILD opcode, e.g. `_metadata` on a state dict. */
  readonly attrs = new Map<string, PyValue>();

  constructor(
    readonly pyClass: 'dict' | 'collections.OrderedDict' = 'dict',
    entries?: Iterable<readonly [PyKey, PyValue]>,
  ) {
    super(entries);
  }
}

/**
 * An allow-listed Python global. `call` is our own re-implementation, used when the pickle calls it (REDUCE);
 * globals without one (storage classes, dtypes) are only markers. `tag` carries data for the caller.
 */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call?: (args: PyValue[]) => unknown,
    readonly tag?: unknown,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

export function isHostTensor(v: unknown): v is HostTensor {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<HostTensor>;
  return typeof t.dtype === 'string' && Array.isArray(t.shape) && ArrayBuffer.isView(t.data);
}
