/** Operator handles: each ATen operator is looked up once by (name, overload) and then called by handle. */
import { native, type NativeValue } from './native.js';

export interface Op {
  readonly name: string;
  readonly overload: string;
  handle: unknown;
}

/** Declares an operator; the schema lookup happens on first call. */
export function op(name: string, overload = ''): Op {
  return { name: name.includes('::') ? name : `aten::${name}`, overload, handle: undefined };
}

export function callNative(o: Op, args: unknown[]): NativeValue {
  if (o.handle === undefined) o.handle = native.lookupOp(o.name, o.overload).handle;
  return native.callOp(o.handle, args);
}

/** The schema string of an operator, e.g. for error messages and docs. */
export function schemaOf(name: string, overload = ''): string {
  return native.lookupOp(name.includes('::') ? name : `aten::${name}`, overload).schema;
}
