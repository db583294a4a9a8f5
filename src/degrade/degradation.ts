/**
 * The shape every degradation type shares, and the helper that builds one from a level table.
 *
 * A *type* (one of the 19 UIR classes) has named *levels* (e.g. `noise.gaussian.s25`). A level belongs to a
 * *series* within which severity grows with `rank` (a type may have several series: Gaussian vs Poisson
 * noise). `sample(rng, level?)` draws JSON-serialisable params that record every random choice of that level;
 * `apply(img, params, rng)` is deterministic given params and the rng's seed (the rng only drives per-pixel
 * noise / particle placement). So a pair is regenerated from (image, type, params, seed).
 */
import type { Raster } from '../io/raster.js';
import type { Rng } from '../tensor/rng.js';

export interface Level {
  /** Globally unique, dot-separated: `<type prefix>.<series>.<value>`. */
  name: string;
  series: string;
  /** Severity order within the series (higher = stronger degradation). */
  rank: number;
}

export interface DegradationSample<P = unknown> {
  type: string;
  id: number;
  level: string;
  params: P;
}

export interface Degradation<P = unknown> {
  readonly name: string;
  /** Frozen class id 1..19 (labels.json). */
  readonly id: number;
  readonly levels: readonly Level[];
  /** Draws params for `level` (by name), or for a uniformly chosen level when omitted. */
  sample(rng: Rng, level?: string): DegradationSample<P>;
  apply(img: Raster, params: P, rng: Rng): Promise<Raster>;
}

export interface LevelDef<S> extends Level {
  /** Level-specific settings used by `draw` (not part of the recorded params unless `draw` copies them). */
  spec: S;
}

export interface DegradationDef<S, P> {
  name: string;
  id: number;
  levels: LevelDef<S>[];
  draw(rng: Rng, spec: S): P;
  apply(img: Raster, params: P, rng: Rng): Raster | Promise<Raster>;
}

/** Error for unknown names that lists the valid ones (truncated to keep messages readable). */
export function unknownName(kind: string, name: string, valid: readonly string[]): RangeError {
  const shown = valid.length > 40 ? `${valid.slice(0, 40).join(', ')}, … (${valid.length} in all)` : valid.join(', ');
  return new RangeError(`unknown ${kind} '${name}'; valid: ${shown}`);
}

/** Builds a `Degradation` from a level table, checking level names are unique and prefixed consistently. */
export function defineDegradation<S, P>(def: DegradationDef<S, P>): Degradation<P> {
  const byName = new Map<string, LevelDef<S>>();
  for (const l of def.levels) {
    if (byName.has(l.name)) throw new Error(`${def.name}: duplicate level ${l.name}`);
    byName.set(l.name, l);
  }
  const names = def.levels.map((l) => l.name);
  return {
    name: def.name,
    id: def.id,
    levels: def.levels.map(({ name, series, rank }) => ({ name, series, rank })),
    sample(rng: Rng, level?: string): DegradationSample<P> {
      const l = level === undefined ? rng.choice(def.levels) : byName.get(level);
      if (!l) throw unknownName(`level of ${def.name}`, level ?? '', names);
      return { type: def.name, id: def.id, level: l.name, params: def.draw(rng, l.spec) };
    },
    async apply(img: Raster, params: P, rng: Rng): Promise<Raster> {
      return def.apply(img, params, rng);
    },
  };
}

/** Formats a number for a level name: up to 4 significant decimals, no trailing zeros. */
export function fmt(x: number): string {
  return String(Number(x.toFixed(4)));
}
