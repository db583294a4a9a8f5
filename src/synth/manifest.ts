/**
 * The synth manifest: one JSON line per finished pair. While a run works it appends to
 * `manifest[-i-of-n].partial.jsonl` (a line is appended only after both PNGs are in place, so every line names
 * complete files); when the run finishes, the entries are sorted into plan order and written atomically to
 * `manifest.jsonl` (`manifest-i-of-n.jsonl` for a shard) and the partial file is removed. The final file is
 * therefore byte-identical whatever the worker count, interruptions and resumes, and merging shards gives the
 * same bytes as one unsharded run.
 */
import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { CropBox } from '../data/augment.js';
import { writeFileAtomic } from '../io/atomic.js';
import { byCodeUnit, type Shard } from './plan.js';

export interface ManifestEntry {
  name: string;
  /** Files relative to the output folder. */
  lq: string;
  gt: string;
  /** Source image, relative to the input folder. */
  source: string;
  /** Pair index k within its source. */
  index: number;
  type: string;
  id: number;
  level: string;
  params: unknown;
  /** `regenerate(gt, {type, id, level, params}, applySeed)` reproduces lq. */
  applySeed: number;
  /** The run's --seed. */
  seed: number;
  width: number;
  height: number;
  crop?: CropBox;
  /** Conversion applied to the source, e.g. '16-bit grey+alpha' (absent for 8-bit RGB). */
  from?: string;
}

export interface ManifestFiles {
  final: string;
  partial: string;
}

export function manifestFiles(out: string, shard?: Shard): ManifestFiles {
  const base = shard && shard.count > 1 ? `manifest-${shard.index}-of-${shard.count}` : 'manifest';
  return { final: join(out, `${base}.jsonl`), partial: join(out, `${base}.partial.jsonl`) };
}

/** Plan order: source path (code units), then pair index. */
export function compareEntries(a: ManifestEntry, b: ManifestEntry): number {
  return byCodeUnit(a.source, b.source) || a.index - b.index;
}

export function entryLine(e: ManifestEntry): string {
  return `${JSON.stringify(e)}\n`;
}

/**
 * Entries of a manifest file (none if it does not exist). A torn last line — the process died while
 * appending — is dropped; any other malformed line is an error naming the line.
 */
export function readManifest(file: string): ManifestEntry[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const out: ManifestEntry[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const last = i === lines.length - 1; // no newline after it: possibly torn
    try {
      const e = JSON.parse(line) as ManifestEntry;
      if (
        typeof e.name !== 'string' ||
        typeof e.lq !== 'string' ||
        typeof e.gt !== 'string' ||
        typeof e.source !== 'string'
      ) {
        throw new Error('missing fields');
      }
      out.push(e);
    } catch (err) {
      if (!last)
        throw new Error(
          `${file}:${i + 1}: not a manifest entry (${(err as Error).message}); remove the line or the file`,
        );
    }
  });
  return out;
}

export async function writeManifest(file: string, entries: ManifestEntry[]): Promise<void> {
  const sorted = [...entries].sort(compareEntries);
  await writeFileAtomic(file, [Buffer.from(sorted.map(entryLine).join(''))]);
}

export function removeIfExists(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export interface MergeResult {
  shards: number;
  pairs: number;
  file: string;
}

/**
 * Joins finished shard manifests (`manifest-i-of-n.jsonl`, all n of them, each shard's lq/ and gt/ files copied
 * into `out`) into `out/manifest.jsonl`. Refuses unfinished or missing shards and missing files.
 */
export async function mergeShards(out: string): Promise<MergeResult> {
  if (!existsSync(out)) throw new Error(`${out} does not exist`);
  const names = readdirSync(out);
  const finals = names.map((n) => /^manifest-(\d+)-of-(\d+)\.jsonl$/.exec(n)).filter((m) => m !== null);
  if (finals.length === 0) {
    const partial = names.some((n) => /^manifest-\d+-of-\d+\.partial\.jsonl$/.test(n));
    throw new Error(
      `${out} has no finished shard manifests (manifest-i-of-n.jsonl)${partial ? '; only unfinished ones: rerun those shards' : ''}`,
    );
  }
  const counts = new Set(finals.map((m) => Number(m[2])));
  if (counts.size > 1)
    throw new Error(`${out} mixes shard counts (${[...counts].join(', ')}); keep one set of manifest-i-of-n.jsonl`);
  const n = [...counts][0] as number;
  const have = new Set(finals.map((m) => Number(m[1])));
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !have.has(i));
  const unfinished = names.filter((x) => /^manifest-\d+-of-\d+\.partial\.jsonl$/.test(x));
  if (missing.length > 0 || unfinished.length > 0) {
    const parts = [
      missing.length > 0
        ? `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} not finished or not copied here`
        : '',
      unfinished.length > 0 ? `unfinished: ${unfinished.join(', ')}` : '',
    ];
    throw new Error(`cannot merge ${out}: ${parts.filter((p) => p).join('; ')}`);
  }
  const entries: ManifestEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    for (const e of readManifest(join(out, `manifest-${i}-of-${n}.jsonl`))) {
      if (seen.has(e.name)) throw new Error(`cannot merge ${out}: pair ${e.name} appears in two shards`);
      seen.add(e.name);
      for (const f of [e.lq, e.gt])
        if (!existsSync(join(out, f)))
          throw new Error(`cannot merge ${out}: ${f} is missing (copy shard ${i}/${n}'s files here)`);
      entries.push(e);
    }
  }
  const seeds = [...new Set(entries.map((e) => e.seed))];
  if (seeds.length > 1)
    throw new Error(`cannot merge ${out}: shards were made with different seeds (${seeds.join(', ')})`);
  const file = join(out, 'manifest.jsonl');
  await writeManifest(file, entries);
  return { shards: n, pairs: entries.length, file };
}
