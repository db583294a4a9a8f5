/** Rendering of evaluation results: the paper-style table (per task and average) and per-image CSV. */
import type { EvalResult, TaskSummary } from './types.js';

const DIGITS: Record<string, number> = { psnr: 2, ssim: 4, piqe: 2, niqe: 3, brisque: 2 };
const TITLES: Record<string, string> = { psnr: 'PSNR', ssim: 'SSIM', piqe: 'PIQE', niqe: 'NIQE', brisque: 'BRISQUE' };

const base = (metric: string) => metric.replace(/_(in|out)$/, '');

/** A metric value with its usual precision; infinities (identical images) print as `inf`. */
export function formatNumber(metric: string, v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return v.toFixed(DIGITS[base(metric)] ?? 4);
}

function header(metric: string): string {
  const b = base(metric);
  const title = TITLES[b] ?? b.toUpperCase();
  if (metric.endsWith('_in')) return `${title} in`;
  if (metric.endsWith('_out')) return `${title} out`;
  return title;
}

/**
 * One line per metric saying how it was computed. When tasks differ (grey sets are measured on their single
 * channel), the most common convention is given first and the others name their tasks.
 */
export function conventionLines(tasks: readonly TaskSummary[]): string[] {
  const names = [...new Set(tasks.flatMap((t) => Object.keys(t.conventions)))];
  return names.map((name) => {
    const groups = new Map<string, string[]>();
    for (const t of tasks) {
      const c = t.conventions[name];
      if (c !== undefined) groups.set(c, [...(groups.get(c) ?? []), t.label]);
    }
    const sorted = [...groups].sort((a, b) => b[1].length - a[1].length);
    const [first, ...rest] = sorted;
    const others = rest.map(([c, labels]) => `; ${c} for ${labels.join(', ')}`).join('');
    return `${TITLES[name] ?? name}: ${first?.[0] ?? '?'}${others}`;
  });
}

function pad(cells: string[][], rightAlignFrom: number): string[] {
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length))) ?? [];
  return cells.map((r) =>
    r
      .map((c, i) => (i >= rightAlignFrom ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** The table: one row per task (task kind, data, images, metrics), then the average over tasks. */
export function formatTable(result: EvalResult, model?: string): string {
  const lines = [`suite ${result.suite}: ${result.description}`];
  if (model) lines.push(`model: ${model}`);
  lines.push(...conventionLines(result.tasks).map((l) => `  ${l}`));
  lines.push('');
  const head = ['task', 'data', 'images', ...result.metrics.map(header)];
  const body = result.tasks.map((t) => [
    t.task,
    t.label,
    String(t.images),
    ...result.metrics.map((m) => formatNumber(m, t.means[m])),
  ]);
  const images = result.tasks.reduce((n, t) => n + t.images, 0);
  const avg = ['average', `${result.tasks.length} task${result.tasks.length === 1 ? '' : 's'}`, String(images)];
  const table = [head, ...body, avg.concat(result.metrics.map((m) => formatNumber(m, result.average[m])))];
  const rendered = pad(table, 2);
  const rule = '-'.repeat(Math.max(...rendered.map((l) => l.length)));
  lines.push(rendered[0] as string, rule, ...rendered.slice(1, -1), rule, rendered.at(-1) as string);
  lines.push('', `${images} images in ${result.seconds.toFixed(1)} s`);
  return lines.join('\n');
}

function csvCell(v: string | number): string {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : String(v)) : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Per-image CSV (full precision), one header line. */
export function toCsv(result: EvalResult): string {
  const head = ['suite', 'task_id', 'task', 'label', 'dataset', 'image', 'width', 'height', 'channels'];
  const lines = [[...head, ...result.metrics, 'seconds'].join(',')];
  for (const r of result.rows) {
    const cells: (string | number)[] = [result.suite, r.taskId, r.task, r.label, r.dataset, r.image, r.width, r.height];
    cells.push(r.channels, ...result.metrics.map((m) => r.metrics[m] ?? Number.NaN), r.seconds);
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** JSON-safe copy: infinities become the strings "inf" / "-inf" (JSON has no Infinity). */
export function toJsonValue(result: EvalResult): unknown {
  return JSON.parse(
    JSON.stringify(result, (_k, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v) && !Number.isNaN(v) ? (v > 0 ? 'inf' : '-inf') : v,
    ),
  );
}
