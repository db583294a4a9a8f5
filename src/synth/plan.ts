/**
 * What a `synth` job makes: the options, the validated type/level selection, the source images with their
 * names, and the pair list of one shard. A pair is identified by (source key, index k) alone — its name, its
 * random stream and its shard derive from that — so adding images to the input, changing the worker count or
 * the number of shards never changes a pair that was already made.
 */
import { relative, sep } from 'node:path';
import { listImages } from '../data/folder.js';
import { getDegradation, listDegradations } from '../degrade/registry.js';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

export interface SynthOptions {
  /** Folder of clean images. */
  input: string;
  /** Output folder: lq/, gt/, manifest*.jsonl, synth.json. */
  output: string;
  /** Type names (default all 19). */
  types?: string[];
  /** Restrict to these level names; a type listed only through its levels is selected too. */
  levels?: string[];
  /** Pairs per source image (default 1). */
  perImage?: number;
  /** Default 0. */
  seed?: number;
  shard?: Shard;
  /** Square crop size; whole images when absent. */
  crop?: number;
  recursive?: boolean;
  /** Worker threads; 0 = in-process (default: cores − 1, at most 8). */
  workers?: number;
}

/** The resolved selection: every type, with its allowed levels (undefined = all of them). */
export interface Selection {
  types: string[];
  levels: Record<string, string[] | undefined>;
}

export interface SourceImage {
  path: string;
  /** Path relative to the input folder, '/'-separated: recorded in the manifest and used for ordering. */
  rel: string;
  /** File-name-safe unique key: the relative path without extension, '/' → '__'. */
  key: string;
}

export interface PairJob {
  name: string;
  source: SourceImage;
  k: number;
}

/** `--types a,b` and `--levels x,y` → a checked selection (unknown names throw, listing the valid ones). */
export function resolveSelection(types?: readonly string[], levels?: readonly string[]): Selection {
  const fromLevels = (levels ?? []).map((l) => {
    const t = l.split('.')[0] as string;
    const d = getDegradation(t);
    if (!d.levels.some((x: { name: string }) => x.name === l)) {
      throw new RangeError(
        `unknown level '${l}' of ${t}; valid: ${d.levels.map((x: { name: string }) => x.name).join(', ')}`,
      );
    }
    return t;
  });
  const list = types && types.length > 0 ? [...types] : levels && levels.length > 0 ? [] : listDegradations();
  for (const t of list) getDegradation(t);
  if (types && types.length > 0) {
    const stray = fromLevels.filter((t) => !list.includes(t));
    if (stray.length > 0)
      throw new RangeError(
        `levels of ${[...new Set(stray)].join(', ')} given, but not in --types (${list.join(', ')})`,
      );
  }
  for (const t of fromLevels) if (!list.includes(t)) list.push(t);
  if (new Set(list).size !== list.length) throw new RangeError(`a type is listed twice: ${list.join(', ')}`);
  const byType: Record<string, string[] | undefined> = {};
  for (const t of list) {
    const mine = (levels ?? []).filter((l) => l.startsWith(`${t}.`));
    byType[t] = mine.length > 0 ? mine : undefined;
  }
  return { types: list, levels: byType };
}

export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (!m) throw new RangeError(`--shard must look like i/n (0-based, e.g. 0/4 … 3/4), got '${s}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count)
    throw new RangeError(`--shard ${s}: the index must be 0..${Math.max(0, count - 1)} (0-based)`);
  return { index, count };
}

/** Code-unit order: unlike localeCompare it is the same on every machine, so manifests are byte-identical. */
export const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sources with unique keys; keys that would collide (`a.png` and `a.jpg`) keep their extension. */
export function listSources(input: string, recursive = false): SourceImage[] {
  const paths = listImages(input, { recursive });
  const rows = paths.map((path) => {
    const rel = relative(input, path).split(sep).join('/');
    const stem = rel.replace(/\.[^./]+$/, '');
    return { path, rel, stem };
  });
  const count = new Map<string, number>();
  for (const r of rows) count.set(r.stem, (count.get(r.stem) ?? 0) + 1);
  const safe = (s: string) => s.replace(/\//g, '__').replace(/[^A-Za-z0-9._+-]/g, '_');
  return rows
    .map((r) => ({
      path: r.path,
      rel: r.rel,
      key: safe((count.get(r.stem) ?? 0) > 1 ? r.rel.replace(/\.([^./]+)$/, '_$1') : r.stem),
    }))
    .sort((a, b) => byCodeUnit(a.rel, b.rel));
}

export function pairName(key: string, k: number): string {
  return `${key}_${String(k).padStart(3, '0')}`;
}

/** FNV-1a of the pair name: a shard assignment that depends on nothing but the pair itself. */
export function shardOf(name: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h >>> 0) % count;
}

/** All pairs of this shard, in manifest order (source path, then k). */
export function planJobs(sources: readonly SourceImage[], perImage: number, shard?: Shard): PairJob[] {
  if (!Number.isInteger(perImage) || perImage < 1)
    throw new RangeError(`--per-image must be a positive integer, got ${perImage}`);
  const keys = new Set<string>();
  const jobs: PairJob[] = [];
  for (const source of sources) {
    if (keys.has(source.key)) throw new Error(`two source images map to the output name '${source.key}'; rename one`);
    keys.add(source.key);
    for (let k = 0; k < perImage; k++) {
      const name = pairName(source.key, k);
      if (!shard || shardOf(name, shard.count) === shard.index) jobs.push({ name, source, k });
    }
  }
  return jobs;
}

/** The settings a resumed run must share with the run that started the folder (synth.json). */
export interface Settings {
  format: 'maskdcpt-synth/1';
  seed: number;
  selection: Selection;
  crop: number | null;
}

export function settingsOf(o: SynthOptions): Settings {
  if (o.crop !== undefined && (!Number.isInteger(o.crop) || o.crop < 1))
    throw new RangeError(`--crop must be a positive integer, got ${o.crop}`);
  const seed = o.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`--seed must be an integer, got ${seed}`);
  return { format: 'maskdcpt-synth/1', seed, selection: resolveSelection(o.types, o.levels), crop: o.crop ?? null };
}

/** Why `b` (this command) cannot continue a folder made with `a`, or null when it can. */
export function settingsConflict(a: Settings, b: Settings): string | null {
  if (a.seed !== b.seed) return `--seed ${a.seed} (this command: ${b.seed})`;
  if (a.crop !== b.crop) return `--crop ${a.crop ?? 'none'} (this command: ${b.crop ?? 'none'})`;
  if (JSON.stringify(a.selection) !== JSON.stringify(b.selection)) {
    const show = (s: Selection) =>
      s.types.map((t) => (s.levels[t] ? `${t}[${(s.levels[t] ?? []).join(',')}]` : t)).join(',');
    return `types/levels ${show(a.selection)} (this command: ${show(b.selection)})`;
  }
  return null;
}
