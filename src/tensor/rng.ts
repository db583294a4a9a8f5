/**
 * Seeded host-side random generator (xoshiro128**), used for every random choice made in TypeScript
 * (data sampling, degradation parameters, masks drawn on the host). Its whole state is four uint32 words
 * plus the cached Gaussian spare, so it can be saved in a checkpoint and restored exactly.
 *
 * Libtorch's own generator (used by ops such as `randn` and dropout) is separate: see `manualSeed` and
 * `getRngState` in `./random.ts`.
 */
import { poissonPtrs } from './poisson.js';

export interface RngState {
  s: [number, number, number, number];
  spare: number | null;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over a string: turns stream labels into 32-bit salts. */
function hashString(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** `seed` may be any finite number (its integer part modulo 2^53 is used) or a string. */
  constructor(seed: number | string = 0) {
    const lo = typeof seed === 'string' ? hashString(seed) : Math.trunc(seed) >>> 0;
    const hi = typeof seed === 'string' ? hashString(`${seed}#`) : Math.floor(Math.trunc(seed) / 2 ** 32) >>> 0;
    const mix = splitmix32(lo ^ Math.imul(hi, 0x9e3779b1));
    this.s0 = mix();
    this.s1 = mix();
    this.s2 = mix();
    this.s3 = mix();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** An independent stream derived from this generator's current state and a label; does not advance this one. */
  fork(label: string | number): Rng {
    const child = new Rng(0);
    const mix = splitmix32(
      this.s0 ^ rotl(this.s1, 7) ^ rotl(this.s2, 13) ^ rotl(this.s3, 19) ^ hashString(String(label)),
    );
    child.s0 = mix() ^ this.s1;
    child.s1 = mix() ^ this.s2;
    child.s2 = mix() ^ this.s3;
    child.s3 = mix() ^ this.s0;
    if ((child.s0 | child.s1 | child.s2 | child.s3) === 0) child.s0 = 1;
    return child;
  }

  /** Uniform uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform double in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.random();
  }

  /** Uniform integer in [lo, hi] (both inclusive), without modulo bias. */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new RangeError(`Rng.int: need integers lo <= hi, got ${lo}, ${hi}`);
    }
    const span = hi - lo + 1;
    if (span <= 0x100000000) {
      const limit = Math.floor(0x100000000 / span) * span;
      let x = this.nextUint32();
      while (x >= limit) x = this.nextUint32();
      return lo + (x % span);
    }
    return lo + Math.floor(this.random() * span);
  }

  /** Standard normal (Marsaglia polar method, spare cached and part of the state). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return mean + std * v;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.random() * 2 - 1;
      v = this.random() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return mean + std * u * f;
  }

  /** Poisson sample (Knuth for small means, normal approximation with continuity above 500). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 500) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    if (lambda < 30) {
      const l = Math.exp(-lambda);
      let k = 0;
      let p = 1;
      do {
        k++;
        p *= this.random();
      } while (p > l);
      return k - 1;
    }
    // Transformed rejection (PTRS, Hörmann 1993) for moderate means.
    return poissonPtrs(lambda, () => this.random());
  }

  /** Picks one element; with `weights`, proportionally to them. */
  choice<T>(items: readonly T[], weights?: readonly number[]): T {
    if (items.length === 0) throw new RangeError('Rng.choice: empty list');
    if (!weights) return items[this.int(0, items.length - 1)] as T;
    if (weights.length !== items.length) throw new RangeError('Rng.choice: weights and items differ in length');
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.random() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }

  /** Fills `out` with N(mean, std) samples. */
  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** Fills `out` with U[lo, hi) samples. */
  fillUniform(out: Float32Array | Float64Array, lo = 0, hi = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.random();
    return out;
  }

  getState(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  setState(state: RngState): this {
    const [a, b, c, d] = state.s;
    if ([a, b, c, d].some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new RangeError('Rng.setState: state words must be uint32');
    }
    this.s0 = a;
    this.s1 = b;
    this.s2 = c;
    this.s3 = d;
    this.spare = state.spare;
    return this;
  }
}
