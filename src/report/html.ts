/**
 * The page: one HTML string with inline CSS, inline SVG charts, images as data URIs and a few lines of inline
 * script for the before/after sliders. A Content-Security-Policy forbids every external fetch, so the page works
 * offline and a reference to an outside resource would fail visibly rather than leak a request.
 * Every string from a file goes through esc(); nothing from the data is ever placed inside the script.
 */
import { esc, renderChart } from './svg.js';
import type {
  Cell,
  ConfusionView,
  ExampleView,
  ImageView,
  PageView,
  RunView,
  SectionView,
  TableView,
} from './types.js';

/**
 * 28.3456 → 28.35, 7.9075 → 7.91, 0.81234 → 0.8123, 12 → 12, 3e-5 → 3.00e-5: enough digits to compare methods
 * (PSNR to 0.01 dB, SSIM and accuracies to 1e-4), no more.
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a >= 1e-3) return v.toFixed(4);
  return v.toExponential(2);
}

/** Numbers already formatted upstream (eval's per-metric digits, "inf") still align as numbers. */
const NUMERIC = /^[-+]?(\d+(\.\d*)?([eE][-+]?\d+)?|inf)%?$/;

function cell(v: Cell): string {
  if (v === null) return '<td class="missing">—</td>';
  if (typeof v === 'number') return `<td class="num">${esc(formatNumber(v))}</td>`;
  return `<td${NUMERIC.test(v) ? ' class="num"' : ''}>${esc(v)}</td>`;
}

function table(t: TableView): string {
  const head = `<thead><tr>${t.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`;
  const body = `<tbody>${t.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody>`;
  const conv = t.convention ? `<p class="convention">${esc(t.convention)}</p>` : '';
  const tbl = `<div class="scroll"><table class="data">${head}${body}</table></div>`;
  if (t.collapsed) return `<details class="table"><summary>${esc(t.title)}</summary>${conv}${tbl}</details>`;
  return `<div class="table"><h3>${esc(t.title)}</h3>${conv}${tbl}</div>`;
}

/** `bare`: the section is this run alone, whose heading already names it. */
function run(r: RunView, bare: boolean): string {
  const facts = r.facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('');
  const warnings = r.warnings.length
    ? `<ul class="warnings">${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`
    : '';
  const charts = r.charts
    .map(
      (c) =>
        `<figure class="chart-box"><figcaption>${esc(c.title)}${c.logY ? ' <span class="muted">(log scale)</span>' : ''}</figcaption>${renderChart(c)}${c.note ? `<p class="muted">${esc(c.note)}</p>` : ''}</figure>`,
    )
    .join('');
  return (
    `<article class="run">${bare ? '' : `<h3>${esc(r.name)}</h3><p class="source">${esc(r.dir)}</p>`}` +
    `<dl class="facts">${facts}</dl>${warnings}<div class="charts">${charts}</div>` +
    `${r.summary ? table(r.summary) : ''}</article>`
  );
}

/** Small crops are shown larger with crisp pixels: at 64 px nobody can judge a restoration. */
const MIN_DISPLAY_WIDTH = 384;

function imgTag(im: ImageView, cls: string, extra = ''): string {
  return `<img class="${cls}" src="${im.src}" alt="${esc(im.label)}" width="${im.width}" height="${im.height}"${extra}>`;
}

function example(ex: ExampleView): string {
  const [before, ...afters] = ex.images;
  if (!before) return '';
  const first = afters[0];
  const shown = first ?? before;
  const width = Math.max(shown.width, Math.min(MIN_DISPLAY_WIDTH, shown.width * 8));
  const small = width > shown.width ? ' pixelated' : '';
  const stageStyle = `width:${width}px;aspect-ratio:${shown.width} / ${shown.height}`;
  if (!first) {
    return `<figure class="example"><figcaption>${esc(ex.title)}</figcaption><div class="stage${small}" style="${stageStyle}">${imgTag(before, 'single')}</div><p class="muted">${esc(before.label)}</p></figure>`;
  }
  const afterImgs = afters.map((im, i) => imgTag(im, 'after', ` data-i="${i}"${i === 0 ? '' : ' hidden'}`)).join('');
  const choices =
    afters.length > 1
      ? `<div class="choices">${esc(before.label)} vs ${afters
          .map((im, i) => `<button type="button" data-i="${i}" aria-pressed="${i === 0}">${esc(im.label)}</button>`)
          .join('')}</div>`
      : '';
  return (
    `<figure class="example compare" style="--pos:50%"><figcaption>${esc(ex.title)}</figcaption>` +
    `<div class="stage${small}" style="${stageStyle}">${afterImgs}${imgTag(before, 'before')}` +
    `<span class="tag left">${esc(before.label)}</span><span class="tag right">${esc(first.label)}</span></div>` +
    `<input type="range" min="0" max="100" value="50" step="0.5" aria-label="split between ${esc(before.label)} and the compared image" style="width:${width}px">` +
    `${choices}</figure>`
  );
}

function confusion(c: ConfusionView): string {
  const n = c.labels.length;
  const rowSums = c.matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const total = rowSums.reduce((a, b) => a + b, 0);
  const correct = c.matrix.reduce((a, r, i) => a + (r[i] ?? 0), 0);
  const head = `<tr><th class="corner">true ↓ / predicted →</th>${c.labels.map((l) => `<th class="pred"><span>${esc(l)}</span></th>`).join('')}<th>recall</th></tr>`;
  const rows = c.matrix
    .map((r, i) => {
      const sum = rowSums[i] ?? 0;
      const cells = r
        .map((v, j) => {
          // Row-normalised shading: each true class is read on its own, whatever its frequency.
          const f = sum > 0 ? v / sum : 0;
          const style = `background:rgba(78,121,167,${f.toFixed(3)});${f > 0.55 ? 'color:#fff;' : ''}`;
          const tip = `${c.labels[i]} → ${c.labels[j]}: ${v} (${(f * 100).toFixed(1)}% of row)`;
          return `<td class="num${i === j ? ' diag' : ''}" style="${style}" title="${esc(tip)}">${esc(formatNumber(v))}</td>`;
        })
        .join('');
      const recall = sum > 0 ? `${(((r[i] ?? 0) / sum) * 100).toFixed(1)}%` : '—';
      return `<tr><th>${esc(c.labels[i] ?? '')}</th>${cells}<td class="num">${recall}</td></tr>`;
    })
    .join('');
  const acc = total > 0 ? `${((correct / total) * 100).toFixed(2)}% overall accuracy, ` : '';
  return (
    `<div class="table"><h3>Degradation classifier: confusion matrix</h3>` +
    `<p class="convention">${acc}${formatNumber(total)} samples, ${n} classes; shading is the fraction of each true class</p>` +
    `<div class="scroll"><table class="confusion">${head}${rows}</table></div></div>`
  );
}

function section(s: SectionView, id: string): string {
  const parts = [`<section id="${id}"><h2>${esc(s.title)}</h2><p class="source">${esc(s.source)}</p>`];
  for (const r of s.runs) parts.push(run(r, s.runs.length === 1 && s.source === r.dir));
  for (const t of s.tables) parts.push(table(t));
  if (s.examples.length > 0) parts.push(`<div class="examples">${s.examples.map(example).join('')}</div>`);
  if (s.confusion) parts.push(confusion(s.confusion));
  if (s.notes.length > 0) parts.push(`<ul class="notes">${s.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  parts.push('</section>');
  return parts.join('');
}

const CSS = `
:root{color-scheme:light;--fg:#1d2329;--muted:#66707a;--line:#d9dee3;--accent:#4e79a7}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:#f6f7f9}
header,main{max-width:1240px;margin:0 auto;padding:0 20px}
header{padding-top:20px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:0 0 2px}
h3{font-size:15px;margin:18px 0 6px}
nav ul{margin:6px 0 0;padding-left:18px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:16px 0}
.source,.muted,.convention{color:var(--muted);font-size:12px;margin:0 0 6px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
.facts dt{color:var(--muted)}.facts dd{margin:0}
.warnings{color:#9a3412;background:#fff7ed;border:1px solid #fed7aa;border-radius:6px;padding:6px 6px 6px 26px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:12px}
.chart-box{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px}
.chart-box figcaption{font-weight:600;margin-bottom:4px}
svg.chart{width:100%;height:auto;font-size:11px}
svg .grid{stroke:#eceff2}svg .axis{stroke:#8a939b}svg .tick{fill:#5b646d}
svg .mark{stroke:#9a3412;stroke-dasharray:4 3}
svg .legend text{fill:var(--fg)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
table.data th,table.data td{border-bottom:1px solid var(--line);padding:4px 12px;text-align:left}
table.data th{background:#f0f3f6}
table.data td.num{text-align:right}td.missing{color:var(--muted);text-align:center}
table.confusion th,table.confusion td{border:1px solid var(--line);padding:3px 6px;font-size:12px}
table.confusion th.pred{vertical-align:bottom;height:110px}
table.confusion th.pred span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap}
table.confusion td.diag{outline:2px solid #1d2329;outline-offset:-2px}
.examples{display:flex;flex-wrap:wrap;gap:16px}
figure.example{margin:8px 0;max-width:100%}
figure.example figcaption{font-weight:600;margin-bottom:6px}
.stage{position:relative;max-width:100%;overflow:hidden;border-radius:4px;background:#000}
.stage img{position:absolute;inset:0;width:100%;height:100%;display:block}
.stage img[hidden]{display:none}
.stage.pixelated img{image-rendering:pixelated}
.compare .before{clip-path:inset(0 calc(100% - var(--pos)) 0 0)}
.compare .stage::after{content:"";position:absolute;top:0;bottom:0;left:var(--pos);width:2px;margin-left:-1px;background:#fff;box-shadow:0 0 0 1px rgba(0,0,0,.35);pointer-events:none}
.tag{position:absolute;top:6px;padding:1px 6px;border-radius:3px;background:rgba(0,0,0,.6);color:#fff;font-size:12px;pointer-events:none}
.tag.left{left:6px}.tag.right{right:6px}
.compare input[type=range]{display:block;max-width:100%;margin:6px 0}
.choices button{margin-left:6px;font:inherit;border:1px solid var(--line);background:#fff;border-radius:4px;padding:1px 8px;cursor:pointer}
.choices button[aria-pressed=true]{background:var(--accent);border-color:var(--accent);color:#fff}
footer{max-width:1240px;margin:0 auto;padding:0 20px 24px;color:var(--muted);font-size:12px}
`;

/** The only script: moves the split and switches the compared image. Works on any number of sliders. */
const SCRIPT = `
document.querySelectorAll('.compare').forEach(function (c) {
  var range = c.querySelector('input[type=range]');
  var tag = c.querySelector('.tag.right');
  range.addEventListener('input', function () { c.style.setProperty('--pos', range.value + '%'); });
  c.querySelectorAll('button[data-i]').forEach(function (b) {
    b.addEventListener('click', function () {
      c.querySelectorAll('img.after').forEach(function (im) { im.hidden = im.dataset.i !== b.dataset.i; });
      c.querySelectorAll('button[data-i]').forEach(function (o) { o.setAttribute('aria-pressed', String(o === b)); });
      tag.textContent = b.textContent;
    });
  });
});
`;

const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

export function renderPage(page: PageView): string {
  const ids = page.sections.map((_, i) => `section-${i + 1}`);
  const nav =
    page.sections.length > 1
      ? `<nav><ul>${page.sections.map((s, i) => `<li><a href="#${ids[i]}">${esc(s.title)}</a></li>`).join('')}</ul></nav>`
      : '';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    `<meta name="generator" content="maskdcpt report">`,
    `<title>${esc(page.title)}</title><style>${CSS}</style></head><body>`,
    `<header><h1>${esc(page.title)}</h1>${nav}</header>`,
    `<main>${page.sections.map((s, i) => section(s, ids[i]!)).join('')}</main>`,
    '<footer>Made by <code>maskdcpt report</code>: a single file, no network needed.</footer>',
    `<script>${SCRIPT}</script></body></html>`,
    '',
  ].join('\n');
}
