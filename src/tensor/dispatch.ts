/** Operator handles: each ATen operator is looked up once by (name, overload) and then called by handle. */
import { type NativeValue, native } from './native.js';

export interface Op {
  readonly name: string;
  readonly overload: string;
  handle: unknown;
}

/** Observes every operator call (the ONNX exporter records a forward pass through this). */
export interface OpObserver {
  /** Called just before the operator runs (profilers start their clock here). */
  beforeCall?(o: Op): void;
  /** Called after the operator ran, with its boxed arguments and its result. */
  onCall(o: Op, args: readonly unknown[], result: NativeValue): void;
}

// Module-level but not a registry: it is only set inside `withOpObserver`, which restores it.
let observer: OpObserver | null = null;

/** Declares an operator; the schema lookup happens on first call. */
export function op(name: string, overload = ''): Op {
  return { name: name.includes('::') ? name : `aten::${name}`, overload, handle: undefined };
}

export function callNative(o: Op, args: unknown[]): NativeValue {
  if (o.handle === undefined) o.handle = native.lookupOp(o.name, o.overload).handle;
  // One null check when nobody observes: the hot path stays as it was.
  if (observer === null) return native.callOp(o.handle, args);
  const obs = observer;
  obs.beforeCall?.(o);
  const result = native.callOp(o.handle, args);
  obs.onCall(o, args, result);
  return result;
}

/** Runs `fn` with `obs` seeing every operator call; not reentrant (a nested call throws). */
export function withOpObserver<T>(obs: OpObserver, fn: () => T): T {
  if (observer !== null) throw new Error('withOpObserver: an operator observer is already active');
  observer = obs;
  try {
    return fn();
  } finally {
    observer = null;
  }
}

/** The schema string of an operator, e.g. for error messages and docs. */
export function schemaOf(name: string, overload = ''): string {
  return native.lookupOp(name.includes('::') ? name : `aten::${name}`, overload).schema;
}
