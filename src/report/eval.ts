/**
 * Evaluation results → tables. Two shapes are read: what `maskdcpt eval --json` prints (recognised by its
 * `metrics` list; numbers are formatted and conventions described exactly as the CLI's table does, through
 * src/eval/format.ts, which is pure string code) and a generic flat form for results made elsewhere.
 */
import type { z } from 'zod';
import { conventionLines, formatNumber as formatMetric } from '../eval/format.js';
import type { TaskSummary } from '../eval/types.js';
import {
  type Cell,
  type EvalJson,
  type EvalResultJson,
  evalJsonSchema,
  evalResultSchema,
  type SectionView,
  type TableView,
} from './types.js';

export function formatIssues(err: z.ZodError, file: string, what: string): string {
  const lines = err.issues.slice(0, 8).map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  if (err.issues.length > 8) lines.push(`  … and ${err.issues.length - 8} more`);
  return `${file} is not a valid ${what}:\n${lines.join('\n')}`;
}

/** Any JSON with `suite` and `tasks` is an evaluation; anything else must be a report JSON. */
export function isEvalShaped(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'suite' in v && 'tasks' in v;
}

function emptySection(title: string, source: string): SectionView {
  return { title, source, runs: [], tables: [], examples: [], confusion: null, notes: [] };
}

const TITLES: Record<string, string> = {
  psnr: 'PSNR (dB)',
  ssim: 'SSIM',
  piqe: 'PIQE',
  niqe: 'NIQE',
  brisque: 'BRISQUE',
  n: 'images',
};

/** psnr → "PSNR (dB)", niqe_out → "NIQE out"; unknown names are kept as they are. */
export function metricTitle(metric: string): string {
  const m = /^(.*)_(in|out)$/.exec(metric);
  const base = m ? (m[1] as string) : metric;
  const title = TITLES[base] ?? base;
  return m ? `${title} ${m[2]}` : title;
}

function toNumber(v: number | 'inf' | '-inf' | undefined): number | undefined {
  return v === 'inf' ? Number.POSITIVE_INFINITY : v === '-inf' ? Number.NEGATIVE_INFINITY : v;
}

/** The CLI's digits per metric (PSNR 2, SSIM 4, NIQE 3...); a metric that was not measured is a gap. */
function metricCell(metric: string, v: number | 'inf' | '-inf' | undefined): Cell {
  const n = toNumber(v);
  return n === undefined || Number.isNaN(n) ? null : formatMetric(metric, n);
}

function resultSection(e: EvalResultJson, source: string): SectionView {
  const s = emptySection(`Evaluation: ${e.suite}`, source);
  const tasks = e.tasks.map((t) => ({ ...t, label: t.label ?? t.task, conventions: t.conventions ?? {} }));
  const rows: Cell[][] = tasks.map((t) => [
    t.task,
    t.label,
    t.images,
    ...e.metrics.map((m) => metricCell(m, t.means[m])),
  ]);
  if (e.average && tasks.length > 1) {
    const images = tasks.reduce((n, t) => n + t.images, 0);
    rows.push(['average', `${tasks.length} tasks`, images, ...e.metrics.map((m) => metricCell(m, e.average?.[m]))]);
  }
  const table: TableView = {
    title: e.description ? `${e.suite}: ${e.description}` : e.suite,
    columns: ['task', 'data', 'images', ...e.metrics.map(metricTitle)],
    rows,
  };
  // conventionLines reads only `label` and `conventions`, which every task has by now.
  const conventions = conventionLines(tasks as unknown as TaskSummary[]);
  if (conventions.length > 0) table.convention = conventions.join(' · ');
  s.tables.push(table);
  if (e.rows && e.rows.length > 0) {
    s.tables.push({
      title: `${e.suite}: per image (${e.rows.length})`,
      columns: ['task', 'data', 'image', ...e.metrics.map(metricTitle), 'seconds'],
      rows: e.rows.map((r) => [
        r.task,
        r.label ?? '',
        r.image,
        ...e.metrics.map((m) => metricCell(m, r.metrics[m])),
        r.seconds ?? null,
      ]),
      collapsed: true,
    });
  }
  if (e.model) s.notes.push(`model: ${e.model}`);
  if (e.kind) s.notes.push(`kind: ${e.kind}`);
  if (e.seconds !== undefined) {
    const images = e.tasks.reduce((n, t) => n + t.images, 0);
    s.notes.push(`${images} images in ${e.seconds.toFixed(1)} s`);
  }
  return s;
}

/** Columns in first-seen order, with the given ones first and last. */
function columnsOf(records: Array<Record<string, unknown>>, first: string[], last: string[]): string[] {
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) seen.add(k);
  const middle = [...seen].filter((k) => !first.includes(k) && !last.includes(k));
  return [...first.filter((k) => seen.has(k)), ...middle, ...last.filter((k) => seen.has(k))];
}

function cellOf(v: unknown): Cell {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (v === null || v === undefined) return null;
  return JSON.stringify(v);
}

function genericSection(e: EvalJson, source: string): SectionView {
  const s = emptySection(`Evaluation: ${e.suite}`, source);
  const taskRecords = e.tasks as Array<Record<string, unknown>>;
  const cols = columnsOf(taskRecords, ['task', 'psnr', 'ssim'], ['n']);
  const table: TableView = {
    title: e.suite,
    columns: cols.map(metricTitle),
    rows: taskRecords.map((t) => cols.map((c) => cellOf(t[c]))),
  };
  if (e.convention !== undefined) table.convention = e.convention;
  s.tables.push(table);
  if (e.rows && e.rows.length > 0) {
    const rcols = columnsOf(e.rows, ['task', 'image', 'psnr', 'ssim'], []);
    s.tables.push({
      title: `${e.suite}: per image (${e.rows.length})`,
      columns: rcols.map(metricTitle),
      rows: e.rows.map((r) => rcols.map((c) => cellOf(r[c]))),
      collapsed: true,
    });
  }
  // Whatever else the writer put in (model, weights, timings) is shown as notes rather than dropped.
  for (const [k, v] of Object.entries(e)) {
    if (['suite', 'convention', 'tasks', 'rows'].includes(k)) continue;
    if (v !== null && typeof v !== 'object') s.notes.push(`${k}: ${String(v)}`);
  }
  return s;
}

/** Validates either eval shape (errors name `file`) and renders it as a section. */
export function evalSection(value: unknown, file: string, source = file): SectionView {
  if (typeof value === 'object' && value !== null && Array.isArray((value as { metrics?: unknown }).metrics)) {
    const r = evalResultSchema.safeParse(value);
    if (!r.success) throw new Error(formatIssues(r.error, file, '`maskdcpt eval --json` result'));
    return resultSection(r.data, source);
  }
  const r = evalJsonSchema.safeParse(value);
  if (!r.success) throw new Error(formatIssues(r.error, file, 'eval JSON'));
  return genericSection(r.data, source);
}
