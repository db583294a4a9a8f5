/**
 * Wall time per ATen operator, summed by name, through the dispatcher's observer (every operator call from TS
 * passes through `callNative`). Backward runs inside libtorch's autograd engine and is not seen here.
 */
import { type Op, type OpObserver, withOpObserver } from '../../src/tensor/dispatch.js';

export interface OpTime {
  ms: number;
  calls: number;
}

export class OpTimer {
  readonly times = new Map<string, OpTime>();
  #t0 = 0;
  readonly #observer: OpObserver = {
    beforeCall: () => {
      this.#t0 = performance.now();
    },
    onCall: (o: Op) => {
      const dt = performance.now() - this.#t0;
      const name = o.overload ? `${o.name}.${o.overload}` : o.name;
      const e = this.times.get(name) ?? { ms: 0, calls: 0 };
      e.ms += dt;
      e.calls += 1;
      this.times.set(name, e);
    },
  };

  /** Runs `fn`, timing its operator calls. */
  record<T>(fn: () => T): T {
    return withOpObserver(this.#observer, fn);
  }

  /** Operators by total time, slowest first. */
  rows(): [string, OpTime][] {
    return [...this.times.entries()].sort((a, b) => b[1].ms - a[1].ms);
  }

  /** Total ms inside operator calls. */
  totalMs(): number {
    let s = 0;
    for (const e of this.times.values()) s += e.ms;
    return s;
  }
}
