/**
 * Real paired data (SIDD, GoPro, LOL, Rain13k, … when a user has them): (degraded, clean) image pairs with one
 * degradation type label per source, served as the same `Pair` items as `SyntheticPairs` so the batch loader and
 * trainer take either. Item `i` is a pure function of (seed, i): the pair, the aligned crop and the dihedral
 * transform all come from `new Rng(seed).fork(i)`.
 *
 * Pairs come from an lq/ and a gt/ folder matched by relative path (stem or full name), or from a JSONL manifest
 * (`{"lq": …, "gt": …, "type"?: …}` per line, paths relative to the manifest) — `maskdcpt synth` writes one.
 * Everything checkable without decoding (matching, type names, image headers: readable, same size, not smaller
 * than the patch) is checked in `open`, so a bad dataset fails before training starts, with the files named.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, relative, resolve } from 'node:path';
import sharp from 'sharp';
import { getDegradation } from '../degrade/registry.js';
import { readImage } from '../io/image.js';
import type { Raster } from '../io/raster.js';
import { Rng } from '../tensor/rng.js';
import { crop, dihedral, randomCropBox } from './augment.js';
import { listImages } from './folder.js';
import type { Pair } from './synthetic.js';

export interface PairedSource {
  /** Folder of degraded images; with `gt`. */
  lq?: string;
  /** Folder of clean images; with `lq`. */
  gt?: string;
  /** Instead of folders: a JSONL file, one `{"lq": path, "gt": path, "type"?: name}` per line. */
  manifest?: string;
  /** Degradation type name every pair is labelled with (a manifest line's own `type` wins). */
  type?: string;
  /** Recorded as the items' `level` (default `<type>.real`). */
  level?: string;
  /** Folder matching: 'stem' (default) pairs `a.png` with `a.jpg`; 'name' needs identical file names. */
  match?: 'stem' | 'name';
  recursive?: boolean;
}

export interface PairedOptions {
  type: 'paired';
  sources: PairedSource[];
  patchSize: number;
  seed: number;
  /** Random flips and 90° rotations, the same for lq and gt (default true). */
  augment?: boolean;
  /** Relative sampling weight per source (default: uniform over all pairs). */
  sourceWeights?: number[];
  /** Keep decoded images in memory (default false: real sets are often tens of GB once decoded to float). */
  cache?: boolean;
  /** Read every image header in `open` (default true). */
  validate?: boolean;
}

export interface PairEntry {
  lq: string;
  gt: string;
  type: string;
  level: string;
  /** 0-based class index (degradation id − 1). */
  label: number;
}

export function isPairedSpec(spec: object): spec is PairedOptions {
  return (spec as { type?: unknown }).type === 'paired';
}

const stemOf = (rel: string) => rel.slice(0, rel.length - extname(rel).length);

/** Lists problems as one error: the first few in full, then a count. */
function problems(what: string, list: string[]): Error {
  const shown = list.slice(0, 8).map((p) => `\n  ${p}`);
  const more = list.length > 8 ? `\n  … and ${list.length - 8} more` : '';
  return new Error(`${what}: ${list.length} problem${list.length === 1 ? '' : 's'}:${shown.join('')}${more}`);
}

function labelFor(type: string | undefined, where: string): { type: string; label: number } {
  if (type === undefined)
    throw new Error(`${where}: no degradation type; give the source a 'type' (e.g. 'noise' for SIDD)`);
  return { type, label: getDegradation(type).id - 1 };
}

function fromFolders(s: PairedSource, n: number): PairEntry[] {
  const lqDir = s.lq as string;
  const gtDir = s.gt as string;
  const match = s.match ?? 'stem';
  if (match !== 'stem' && match !== 'name')
    throw new Error(`paired source ${n}: match must be 'stem' or 'name', got '${match}'`);
  const key = (dir: string, p: string) => {
    const rel = relative(dir, p);
    return match === 'stem' ? stemOf(rel) : rel;
  };
  const index = (dir: string): Map<string, string> => {
    const m = new Map<string, string>();
    const dup: string[] = [];
    for (const p of listImages(dir, { recursive: s.recursive ?? false })) {
      const k = key(dir, p);
      const prev = m.get(k);
      if (prev) dup.push(`${relative(dir, prev)} and ${relative(dir, p)} both match '${k}'`);
      m.set(k, p);
    }
    if (dup.length > 0) throw problems(`paired folder ${dir} (matching by ${match})`, dup);
    return m;
  };
  const lq = index(lqDir);
  const gt = index(gtDir);
  const unmatched: string[] = [];
  for (const [k, p] of lq) if (!gt.has(k)) unmatched.push(`${p} has no match in ${gtDir}`);
  for (const [k, p] of gt) if (!lq.has(k)) unmatched.push(`${p} has no match in ${lqDir}`);
  if (unmatched.length > 0) throw problems(`paired folders ${lqDir} and ${gtDir} (matching by ${match})`, unmatched);
  const { type, label } = labelFor(s.type, `paired folders ${lqDir} and ${gtDir}`);
  const level = s.level ?? `${type}.real`;
  return [...lq.keys()].sort().map((k) => ({ lq: lq.get(k) as string, gt: gt.get(k) as string, type, level, label }));
}

function fromManifest(s: PairedSource): PairEntry[] {
  const file = s.manifest as string;
  if (!existsSync(file)) throw new Error(`paired manifest ${file} does not exist`);
  const base = dirname(file);
  const out: PairEntry[] = [];
  const bad: string[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const where = `${file}:${i + 1}`;
      let rec: { lq?: unknown; gt?: unknown; type?: unknown };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        bad.push(`${where}: not a JSON object`);
        return;
      }
      if (typeof rec.lq !== 'string' || typeof rec.gt !== 'string') {
        bad.push(`${where}: needs string fields "lq" and "gt"`);
        return;
      }
      const lq = resolve(base, rec.lq);
      const gt = resolve(base, rec.gt);
      for (const p of [lq, gt]) if (!existsSync(p)) bad.push(`${where}: ${p} does not exist`);
      const { type, label } = labelFor(typeof rec.type === 'string' ? rec.type : s.type, where);
      out.push({ lq, gt, type, level: s.level ?? `${type}.real`, label });
    });
  if (bad.length > 0) throw problems(`paired manifest ${file}`, bad);
  if (out.length === 0) throw new Error(`paired manifest ${file} lists no pairs`);
  return out;
}

/** Upright size from the header alone (EXIF orientations 5–8 swap width and height, as readImage applies them). */
async function headerSize(path: string): Promise<{ width: number; height: number }> {
  try {
    const m = await sharp(path, { failOn: 'none' }).metadata();
    const swap = (m.orientation ?? 1) >= 5;
    return { width: swap ? m.height : m.width, height: swap ? m.width : m.height };
  } catch (err) {
    throw new Error(`${path}: unreadable (${(err instanceof Error ? err.message : String(err)).split('\n')[0]})`);
  }
}

async function checkSizes(entries: PairEntry[], patch: number): Promise<void> {
  const bad: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const e = entries[next++] as PairEntry;
      try {
        const [a, b] = await Promise.all([headerSize(e.lq), headerSize(e.gt)]);
        if (a.width !== b.width || a.height !== b.height) {
          bad.push(
            `${e.lq} is ${a.width}x${a.height} but ${e.gt} is ${b.width}x${b.height} (pairs must be aligned, same size)`,
          );
        } else if (a.width < patch || a.height < patch) {
          bad.push(`${e.gt} is ${a.width}x${a.height}, smaller than the ${patch}x${patch} patch`);
        }
      } catch (err) {
        bad.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (bad.length > 0) throw problems('paired dataset', bad);
}

export class PairedFolder {
  private readonly cache = new Map<string, Raster>();
  private readonly offsets: number[];

  private constructor(
    readonly options: PairedOptions,
    /** Pairs per source, in a stable order (sorted keys, or manifest order). */
    readonly sources: PairEntry[][],
  ) {
    let total = 0;
    this.offsets = sources.map((s) => {
      const o = total;
      total += s.length;
      return o;
    });
  }

  static async open(options: PairedOptions): Promise<PairedFolder> {
    if (options.sources.length === 0) throw new Error('paired dataset: no sources');
    if (options.sourceWeights && options.sourceWeights.length !== options.sources.length) {
      throw new Error(
        `sourceWeights has ${options.sourceWeights.length} entries for ${options.sources.length} sources`,
      );
    }
    const sources = options.sources.map((s, n) => {
      if (s.manifest !== undefined) {
        if (s.lq !== undefined || s.gt !== undefined)
          throw new Error(`paired source ${n}: give 'manifest' or 'lq' + 'gt', not both`);
        return fromManifest(s);
      }
      if (s.lq === undefined || s.gt === undefined)
        throw new Error(`paired source ${n}: needs 'lq' and 'gt' folders, or 'manifest'`);
      return fromFolders(s, n);
    });
    if (options.validate ?? true) await checkSizes(sources.flat(), options.patchSize);
    return new PairedFolder(options, sources);
  }

  /** Number of pairs over all sources. */
  get length(): number {
    return this.sources.reduce((n, s) => n + s.length, 0);
  }

  /** The pair at a flat index (sources in order). */
  entry(flat: number): PairEntry {
    for (let s = this.sources.length - 1; s >= 0; s--) {
      const o = this.offsets[s] as number;
      if (flat >= o) {
        const e = (this.sources[s] as PairEntry[])[flat - o];
        if (e) return e;
        break;
      }
    }
    throw new RangeError(`paired dataset: pair ${flat} out of range 0..${this.length - 1}`);
  }

  private async load(path: string): Promise<Raster> {
    const hit = this.cache.get(path);
    if (hit) return hit;
    // Grey becomes RGB, alpha is dropped, 16-bit keeps its precision (value / 65535).
    const { raster } = await readImage(path, { channels: 3 });
    if (this.options.cache) this.cache.set(path, raster);
    return raster;
  }

  async item(index: number): Promise<Pair> {
    const rng = new Rng(this.options.seed).fork(index);
    let e: PairEntry;
    if (this.options.sourceWeights) {
      const list = rng.choice(this.sources, this.options.sourceWeights);
      e = list[rng.int(0, list.length - 1)] as PairEntry;
    } else {
      e = this.entry(rng.int(0, this.length - 1));
    }
    const [lqImg, gtImg] = await Promise.all([this.load(e.lq), this.load(e.gt)]);
    if (lqImg.width !== gtImg.width || lqImg.height !== gtImg.height) {
      throw new Error(`${e.lq} is ${lqImg.width}x${lqImg.height} but ${e.gt} is ${gtImg.width}x${gtImg.height}`);
    }
    const box = randomCropBox(gtImg.width, gtImg.height, this.options.patchSize, rng, e.gt);
    const code = (this.options.augment ?? true) ? rng.int(0, 7) : 0;
    return {
      lq: dihedral(crop(lqImg, box), code),
      gt: dihedral(crop(gtImg, box), code),
      label: e.label,
      type: e.type,
      level: e.level,
      params: { lq: e.lq, gt: e.gt, crop: box, dihedral: code },
      applySeed: 0,
      image: e.gt,
    };
  }
}
