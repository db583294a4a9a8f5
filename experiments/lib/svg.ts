/**
 * Hand-rolled SVG for docs/results.md: grouped bars with ±1 sd error bars, and a confusion-matrix heat map.
 * Plain strings, no dependencies, deterministic output (so a re-render with the same JSON is byte-identical).
 */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const n2 = (v: number) => Number(v.toFixed(2)).toString();
const FONT = 'font-family="Helvetica,Arial,sans-serif"';
const COLOURS = ['#3b6fb6', '#d9822b', '#6a9f58', '#a05195', '#888888'];

export interface BarGroup {
  label: string;
  /** One value per series; sd draws an error bar (0 or undefined: none). */
  values: { mean: number; sd?: number }[];
}

/** Grouped bar chart. The y axis starts at `yMin` (default: a round number below the smallest bar − sd). */
export function barChart(o: { title: string; yLabel: string; series: string[]; groups: BarGroup[]; yMin?: number; note?: string }): string {
  const W = 760;
  const H = 380;
  const left = 60;
  const right = 20;
  const top = 50;
  const bottom = 80;
  const lows = o.groups.flatMap((g) => g.values.map((v) => v.mean - (v.sd ?? 0)));
  const highs = o.groups.flatMap((g) => g.values.map((v) => v.mean + (v.sd ?? 0)));
  const yMin = o.yMin ?? Math.floor(Math.min(...lows) - 1);
  const yMax = Math.ceil(Math.max(...highs) + 0.5);
  const y = (v: number) => top + (H - top - bottom) * (1 - (v - yMin) / Math.max(1e-9, yMax - yMin));
  const plotW = W - left - right;
  const gw = plotW / o.groups.length;
  const bw = (gw * 0.7) / o.series.length;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="15">${esc(o.title)}</text>`,
  ];
  const step = yMax - yMin > 12 ? 5 : yMax - yMin > 5 ? 2 : 1;
  for (let v = Math.ceil(yMin / step) * step; v <= yMax; v += step) {
    out.push(`<line x1="${left}" x2="${W - right}" y1="${n2(y(v))}" y2="${n2(y(v))}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${n2(y(v) + 4)}" text-anchor="end">${v}</text>`);
  }
  out.push(`<text x="16" y="${(top + H - bottom) / 2}" transform="rotate(-90 16 ${(top + H - bottom) / 2})" text-anchor="middle">${esc(o.yLabel)}</text>`);
  o.groups.forEach((g, gi) => {
    const x0 = left + gi * gw + gw * 0.15;
    g.values.forEach((v, si) => {
      const x = x0 + si * bw;
      const yTop = y(Math.max(v.mean, yMin));
      out.push(`<rect x="${n2(x)}" y="${n2(yTop)}" width="${n2(bw - 2)}" height="${n2(y(yMin) - yTop)}" fill="${COLOURS[si % COLOURS.length]}"/>`);
      if (v.sd) {
        const cx = x + (bw - 2) / 2;
        out.push(`<line x1="${n2(cx)}" x2="${n2(cx)}" y1="${n2(y(v.mean - v.sd))}" y2="${n2(y(v.mean + v.sd))}" stroke="black"/>`);
        for (const e of [v.mean - v.sd, v.mean + v.sd]) out.push(`<line x1="${n2(cx - 4)}" x2="${n2(cx + 4)}" y1="${n2(y(e))}" y2="${n2(y(e))}" stroke="black"/>`);
      }
      out.push(`<text x="${n2(x + (bw - 2) / 2)}" y="${n2(yTop - 4 - (v.sd ? y(v.mean) - y(v.mean + v.sd) : 0))}" text-anchor="middle" font-size="10">${v.mean.toFixed(2)}</text>`);
    });
    const words = g.label.split(' ');
    const lines = words.length > 2 ? [words.slice(0, Math.ceil(words.length / 2)).join(' '), words.slice(Math.ceil(words.length / 2)).join(' ')] : [g.label];
    lines.forEach((l, li) => {
      out.push(`<text x="${n2(left + gi * gw + gw / 2)}" y="${H - bottom + 16 + li * 14}" text-anchor="middle">${esc(l)}</text>`);
    });
  });
  o.series.forEach((s, si) => {
    const x = left + si * Math.min(230, plotW / o.series.length);
    out.push(`<rect x="${x}" y="${H - 30}" width="12" height="12" fill="${COLOURS[si % COLOURS.length]}"/>`);
    out.push(`<text x="${x + 18}" y="${H - 20}">${esc(s)}</text>`);
  });
  if (o.note) out.push(`<text x="${W - right}" y="${H - 8}" text-anchor="end" font-size="10" fill="#555">${esc(o.note)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Confusion matrix (rows = true class, columns = predicted), cells shaded by the row-normalised share. */
export function confusionChart(o: { title: string; labels: string[]; counts: number[][]; note?: string }): string {
  const k = o.labels.length;
  const cell = 26;
  const left = 90;
  const top = 90;
  const W = left + k * cell + 20;
  const H = top + k * cell + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="10">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${esc(o.title)}</text>`,
    `<text x="${left + (k * cell) / 2}" y="36" text-anchor="middle">predicted</text>`,
    `<text x="14" y="${top + (k * cell) / 2}" transform="rotate(-90 14 ${top + (k * cell) / 2})" text-anchor="middle">true type</text>`,
  ];
  o.labels.forEach((l, i) => {
    out.push(`<text x="${left - 4}" y="${top + i * cell + cell / 2 + 3}" text-anchor="end">${esc(l)}</text>`);
    const cx = left + i * cell + cell / 2;
    out.push(`<text x="${cx}" y="${top - 4}" transform="rotate(-60 ${cx} ${top - 4})">${esc(l)}</text>`);
  });
  o.counts.forEach((row, i) => {
    const total = row.reduce((s, v) => s + v, 0) || 1;
    row.forEach((v, j) => {
      const share = v / total;
      // White to dark blue; the diagonal is what a perfect classifier fills.
      const shade = Math.round(255 * (1 - share));
      const fill = `rgb(${shade},${Math.round(255 - share * 150)},255)`;
      out.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="${i === j ? '#000' : '#eee'}"/>`);
      if (v > 0) out.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 3}" text-anchor="middle" fill="${share > 0.5 ? 'white' : 'black'}">${v}</text>`);
    });
  });
  if (o.note) out.push(`<text x="${left}" y="${H - 12}" font-size="10" fill="#555">${esc(o.note)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
