/**
 * Explicit ownership of native memory. V8's GC does not see libtorch allocations, so intermediates are
 * released deterministically: `tidy(fn)` disposes every tensor created inside `fn` except those it returns,
 * `keep(t)` exempts one, and tensors also implement `Symbol.dispose` for `using`. Autograd keeps its own
 * references to saved tensors, so disposing an intermediate never breaks `backward()`.
 */

export const TRACKABLE = Symbol('maskdcpt.trackable');

export interface Trackable {
  readonly [TRACKABLE]: true;
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Set<Trackable>[] = [];
const kept = new WeakSet<Trackable>();

/** Registers a newly created tensor with the innermost open scope, if any. */
export function track(t: Trackable): void {
  const s = scopes[scopes.length - 1];
  if (s !== undefined && !kept.has(t)) s.add(t);
}

function isTrackable(v: unknown): v is Trackable {
  return typeof v === 'object' && v !== null && (v as { [TRACKABLE]?: boolean })[TRACKABLE] === true;
}

/** Collects the tensors reachable from a result (tensors, arrays, Maps, plain objects). */
function collect(value: unknown, out: Set<Trackable>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTrackable(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, out, seen);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, out, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, seen);
  }
}

/**
 * Runs `fn` in a scope: tensors created inside and not reachable from its return value are disposed when it
 * returns (or throws). Returned tensors move to the enclosing scope. `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Trackable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw err;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new TypeError('tidy(fn): fn must be synchronous (it returned a Promise)');
  }
  const escaping = new Set<Trackable>();
  collect(result, escaping, new Set());
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (escaping.has(t)) {
      if (parent !== undefined) parent.add(t);
    } else {
      t.dispose();
    }
  }
  return result;
}

/** Exempts tensors from every open scope (e.g. parameters and optimizer state created inside `tidy`). */
export function keep<T extends Trackable | Trackable[]>(value: T): T {
  const list = Array.isArray(value) ? value : [value];
  for (const t of list) {
    kept.add(t);
    for (const s of scopes) s.delete(t);
  }
  return value;
}

/** Disposes tensors found in a value (tensor, array, Map or plain object). */
export function dispose(value: unknown): void {
  const found = new Set<Trackable>();
  collect(value, found, new Set());
  for (const t of found) t.dispose();
}

/**
 * Applies `fns` in order and disposes each intermediate as soon as the next one exists (the input is left to
 * its owner). Eager release lets the caching allocator hand the same, cache-warm block to the next op, which
 * is what makes inference as fast as PyTorch's refcounted frees.
 */
export function pipe<T extends Trackable>(x: T, ...fns: ((t: T) => T)[]): T {
  let cur = x;
  for (const fn of fns) {
    const next = fn(cur);
    if (cur !== x && next !== cur) cur.dispose();
    cur = next;
  }
  return cur;
}

/** Number of open scopes (for tests and diagnostics). */
export function scopeDepth(): number {
  return scopes.length;
}
