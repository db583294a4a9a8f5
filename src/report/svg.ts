/**
 * Line charts as inline SVG strings: no script, no external library, so the page stays one offline file and the
 * charts print and scale like text. Axes get "nice" ticks (1/2/5 × 10^k), log scale uses decades.
 */
import type { ChartView } from './types.js';

/** Tableau 10: distinguishable, and survives common colour-vision deficiencies reasonably well. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
/** Past ten series the colours repeat with a dash pattern so lines stay distinguishable. */
const DASHES = ['', '6 3', '2 2', '8 3 2 3'];

const W = 640;
const PLOT_H = 220;
const M = { left: 60, right: 14, top: 12, bottom: 30 };

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Ticks at 1, 2 or 5 × 10^k covering [lo, hi] with about `n` steps. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  // Integer multiples of the step, rounded, so labels read 0.6 rather than 0.6000000000000001.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++)
    ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Short tick labels: 0.0001 → 1e-4, 12000 → 12000, 0.25 → 0.25. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) {
    const [m, e] = v.toExponential(2).split('e') as [string, string];
    return `${String(Number(m))}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(4)));
}

interface Legend {
  svg: string;
  height: number;
}

/** Legend entries flow left to right and wrap, so a chart with 20 PSNR series stays readable. */
function legend(names: string[], top: number): Legend {
  let x = M.left;
  let y = top;
  const parts: string[] = [];
  names.forEach((name, i) => {
    const w = 28 + name.length * 6.6;
    if (x + w > W - M.right && x > M.left) {
      x = M.left;
      y += 16;
    }
    parts.push(
      `<g transform="translate(${x.toFixed(1)},${y})"><line x1="0" y1="-4" x2="18" y2="-4" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="2.5"${dashAttr(i)}/><text x="23" y="0">${esc(name)}</text></g>`,
    );
    x += w + 10;
  });
  return { svg: parts.join(''), height: y - top + 16 };
}

function dashAttr(i: number): string {
  const d = DASHES[Math.floor(i / PALETTE.length) % DASHES.length];
  return d ? ` stroke-dasharray="${d}"` : '';
}

export function renderChart(c: ChartView): string {
  const xs = c.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = c.series.flatMap((s) => s.points.map((p) => p[1]));
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  if (x1 === x0) {
    x0 -= 1;
    x1 += 1;
  }
  const plotW = W - M.left - M.right;
  const sx = (x: number): number => M.left + ((x - x0) / (x1 - x0)) * plotW;

  let yTicks: number[];
  let sy: (y: number) => number;
  if (c.logY) {
    const l0 = Math.floor(Math.log10(Math.min(...ys)));
    const l1 = Math.ceil(Math.log10(Math.max(...ys)));
    const hi = l1 === l0 ? l0 + 1 : l1;
    yTicks = [];
    for (let k = l0; k <= hi; k++) yTicks.push(10 ** k);
    sy = (y) => M.top + PLOT_H - ((Math.log10(y) - l0) / (hi - l0)) * PLOT_H;
  } else {
    let lo = Math.min(...ys);
    let hi = Math.max(...ys);
    const pad = hi > lo ? (hi - lo) * 0.05 : Math.abs(hi) * 0.05 || 1;
    lo -= pad;
    hi += pad;
    yTicks = niceTicks(lo, hi);
    lo = Math.min(lo, yTicks[0]!);
    hi = Math.max(hi, yTicks[yTicks.length - 1]!);
    sy = (y) => M.top + PLOT_H - ((y - lo) / (hi - lo)) * PLOT_H;
  }

  const bottom = M.top + PLOT_H;
  const parts: string[] = [];
  for (const t of yTicks) {
    const y = sy(t).toFixed(1);
    parts.push(`<line class="grid" x1="${M.left}" y1="${y}" x2="${W - M.right}" y2="${y}"/>`);
    parts.push(
      `<text class="tick" x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(formatTick(t))}</text>`,
    );
  }
  // Iterations are whole numbers: a single-point chart spans x±1 and must not label 19.5.
  for (const t of niceTicks(x0, x1, 6).filter((t) => t >= x0 && t <= x1 && Number.isInteger(t))) {
    const x = sx(t).toFixed(1);
    parts.push(`<line class="axis" x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${bottom + 16}" text-anchor="middle">${esc(formatTick(t))}</text>`);
  }
  parts.push(`<line class="axis" x1="${M.left}" y1="${bottom}" x2="${W - M.right}" y2="${bottom}"/>`);
  parts.push(`<line class="axis" x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${bottom}"/>`);
  for (const m of c.marks.filter((m) => m >= x0 && m <= x1)) {
    const x = sx(m).toFixed(1);
    parts.push(
      `<line class="mark" x1="${x}" y1="${M.top}" x2="${x}" y2="${bottom}"><title>resumed at iteration ${m}</title></line>`,
    );
  }

  c.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const pts = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    const title = `<title>${esc(s.name)}</title>`;
    if (s.points.length > 1) {
      parts.push(
        `<polyline class="series" fill="none" stroke="${color}" stroke-width="1.8"${dashAttr(i)} points="${pts.join(' ')}">${title}</polyline>`,
      );
    }
    // Sparse series (validation every N iterations) get markers so single evaluations are visible.
    if (s.points.length <= 40) {
      for (const p of pts) {
        const [cx, cy] = p.split(',');
        parts.push(`<circle cx="${cx}" cy="${cy}" r="2.8" fill="${color}">${title}</circle>`);
      }
    }
  });

  const leg = legend(
    c.series.map((s) => s.name),
    bottom + M.bottom + 8,
  );
  const height = bottom + M.bottom + leg.height;
  const label = `${c.title}: ${c.series.map((s) => s.name).join(', ')} over iterations ${x0}–${x1}`;
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${esc(c.title)}</title>${parts.join('')}` +
    `<text class="tick" x="${W - M.right}" y="${bottom + 28}" text-anchor="end">iteration</text>` +
    `<g class="legend">${leg.svg}</g></svg>`
  );
}
