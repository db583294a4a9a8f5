/** Small Markdown helpers for experiments/render.ts: tables, mean ± sd cells, signed gains, run listings. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from './common.js';

export interface Stat {
  mean: number;
  sd: number;
  n: number;
  values: number[];
}

/** `28.41 ± 0.12` (sd over seeds), or just the mean for one seed. */
export const ms = (s: Stat | undefined, digits = 2): string => {
  if (!s || !Number.isFinite(s.mean)) return '–';
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}` : s.mean.toFixed(digits);
};
export const signed = (v: number, digits = 2): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}` : '–');
export const num = (v: number | undefined, digits = 2): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

export function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Reads experiments/results/<item>.json, or null when that item has not been run. */
export function loadResult<T>(item: string): T | null {
  const f = join(RESULTS_DIR, `${item}.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as T) : null;
}

/** Provenance block every item shows: the command, seeds, threads, wall time, commit and date. */
export function provenance(r: { command: string; seeds: number[]; threads: number; wallSeconds: number; commit: string; finished: string; machine: string }): string {
  const min = (r.wallSeconds / 60).toFixed(1);
  return [
    '```sh',
    r.command,
    '```',
    `Seeds ${r.seeds.join(', ')} · ${r.threads} threads · wall time ${min} min for this script (training runs it reused from an earlier script are not counted again) · commit ${r.commit} · ${r.finished.slice(0, 16).replace('T', ' ')} UTC · ${r.machine}`,
  ].join('\n');
}

/** A collapsible list of the training commands behind a table (each run's exact CLI equivalent). */
export function runList(runs: { name: string; command: string; trainSeconds?: number }[]): string {
  const seen = new Set<string>();
  const lines = runs
    .filter((r) => !seen.has(r.name) && seen.add(r.name))
    .map((r) => `${r.command}${r.trainSeconds ? `   # ${(r.trainSeconds / 60).toFixed(1)} min` : ''}`);
  return ['<details><summary>Training runs (CLI equivalents)</summary>', '', '```sh', ...lines, '```', '', '</details>'].join('\n');
}

/** How to read a difference measured over a few seeds. */
export function signWord(diffs: number[]): string {
  if (diffs.length === 0) return 'not measured';
  const pos = diffs.filter((d) => d > 0).length;
  if (pos === diffs.length) return diffs.length > 1 ? (diffs.length === 2 ? 'positive in both seeds' : `positive in all ${diffs.length} seeds`) : 'positive (one seed)';
  if (pos === 0) return diffs.length > 1 ? (diffs.length === 2 ? 'negative in both seeds' : `negative in all ${diffs.length} seeds`) : 'negative (one seed)';
  return `of mixed sign across seeds (${pos} of ${diffs.length} positive)`;
}
