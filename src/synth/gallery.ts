/**
 * The realism gallery: one photo under every selected type at a few levels (weakest, middle, strongest of the
 * type's first series unless levels are given), as a PNG contact sheet or a self-contained HTML page. Tiles are
 * crops at the photo's native resolution, so noise, blur and JPEG blocks look as a training patch sees them.
 */
import { basename, extname } from 'node:path';
import sharp from 'sharp';
import { getDegradation, synthesize } from '../degrade/registry.js';
import { writeFileAtomic } from '../io/atomic.js';
import { quantize } from '../io/image.js';
import { createRaster, cropRaster, type Raster } from '../io/raster.js';
import { Rng } from '../tensor/rng.js';
import { drawText, GLYPH_H, textWidth } from './font.js';
import { loadSource } from './pair.js';
import { resolveSelection } from './plan.js';

export interface GalleryOptions {
  image: string;
  /** .png or .html */
  output: string;
  types?: string[];
  levels?: string[];
  /** Levels per type when a type has no levels given (default 3). */
  perType?: number;
  /** Tile size in pixels (default 128). */
  tile?: number;
  seed?: number;
  /** Blocks of rows placed side by side in the PNG (default 2 for more than 6 types). */
  groups?: number;
}

export interface GalleryCell {
  level: string;
  params: unknown;
  applySeed: number;
  raster: Raster;
}

export interface GalleryRow {
  type: string;
  id: number;
  cells: GalleryCell[];
}

/** `count` levels spread over the type's first series, weakest to strongest. */
export function spreadLevels(type: string, count: number): string[] {
  const d = getDegradation(type);
  const first = (d.levels[0] as { series: string }).series;
  const series = d.levels
    .filter((l: { series: string }) => l.series === first)
    .sort((a: { rank: number }, b: { rank: number }) => a.rank - b.rank);
  if (count >= series.length) return series.map((l: { name: string }) => l.name);
  if (count === 1) return [(series[series.length - 1] as { name: string }).name];
  const picks = Array.from({ length: count }, (_, i) => Math.round((i * (series.length - 1)) / (count - 1)));
  return [...new Set(picks)].map((i) => (series[i] as { name: string }).name);
}

export async function buildGallery(o: GalleryOptions): Promise<{ clean: Raster; rows: GalleryRow[] }> {
  const tile = o.tile ?? 128;
  const perType = o.perType ?? 3;
  if (!Number.isInteger(tile) || tile < 16) throw new RangeError(`gallery tile must be an integer ≥ 16, got ${tile}`);
  if (!Number.isInteger(perType) || perType < 1)
    throw new RangeError(`levels per type must be a positive integer, got ${perType}`);
  const sel = resolveSelection(o.types, o.levels);
  const { raster: img } = await loadSource(o.image);
  if (img.width < tile || img.height < tile) {
    throw new Error(`${o.image} is ${img.width}x${img.height}, smaller than the ${tile}x${tile} gallery tile`);
  }
  const clean = cropRaster(img, (img.height - tile) >> 1, (img.width - tile) >> 1, tile, tile);
  const base = new Rng(o.seed ?? 0).fork('gallery');
  const rows: GalleryRow[] = [];
  for (const type of sel.types) {
    const cells: GalleryCell[] = [];
    for (const level of sel.levels[type] ?? spreadLevels(type, perType)) {
      const r = await synthesize(clean, type, base.fork(level), level);
      cells.push({ level, params: r.sample.params, applySeed: r.seed, raster: r.lq });
    }
    rows.push({ type, id: getDegradation(type).id, cells });
  }
  return { clean, rows };
}

function toU8(r: Raster): Uint8Array {
  const out = new Uint8Array(r.data.length);
  for (let i = 0; i < out.length; i++) out[i] = quantize(r.data[i] as number, 255);
  return out;
}

/** Max zlib effort: the sheet is committed to docs, and the bytes stay deterministic for a given sharp. */
async function png(r: Raster): Promise<Buffer> {
  return sharp(toU8(r), { raw: { width: r.width, height: r.height, channels: r.channels as 3 } })
    .png({ compressionLevel: 9, adaptiveFiltering: true })
    .toBuffer();
}

function paste(dst: Raster, src: Raster, x: number, y: number): void {
  for (let row = 0; row < src.height; row++) {
    dst.data.set(src.data.subarray(row * src.width * 3, (row + 1) * src.width * 3), ((y + row) * dst.width + x) * 3);
  }
}

const WHITE = [0.95, 0.95, 0.95] as const;
const GREY = [0.7, 0.7, 0.7] as const;

/** A caption at scale 2 when it fits the width, else scale 1, vertically centred in a strip of height h. */
function caption(
  r: Raster,
  text: string,
  x: number,
  y: number,
  width: number,
  h: number,
  rgb: readonly [number, number, number],
) {
  const scale = textWidth(text, 2) <= width ? 2 : 1;
  drawText(r, text, x, y + ((h - GLYPH_H * scale) >> 1), scale, rgb);
}

export function renderSheet(title: string, clean: Raster, rows: GalleryRow[], groups: number): Raster {
  const tile = clean.width;
  const gap = 4;
  const margin = 10;
  const head = 20; // type name strip above each row of tiles
  const foot = 18; // level captions below the tiles
  const rowH = head + tile + foot + 6;
  const cols = 1 + Math.max(...rows.map((r) => r.cells.length));
  const groupW = cols * (tile + gap) - gap;
  const perGroup = Math.ceil(rows.length / groups);
  const width = 2 * margin + groups * groupW + (groups - 1) * 3 * margin;
  const height = margin + head + perGroup * rowH + margin;
  const sheet = createRaster(width, height, 3);
  sheet.data.fill(0.12);
  drawText(sheet, title, margin, margin, 2, WHITE);
  rows.forEach((row, i) => {
    const x0 = margin + Math.floor(i / perGroup) * (groupW + 3 * margin);
    const y0 = margin + head + (i % perGroup) * rowH;
    // Level names are <type>.<series>.<value>: a row from one series names it once, and captions keep the value.
    const parts = row.cells.map((c) => {
      const rest = c.level.slice(row.type.length + 1);
      const dot = rest.indexOf('.');
      return { series: rest.slice(0, dot), value: rest.slice(dot + 1), rest };
    });
    const series = new Set(parts.map((p) => p.series));
    const one = series.size === 1 ? [...series][0] : undefined;
    drawText(sheet, `${row.id} ${row.type}${one ? `: ${one}` : ''}`, x0, y0 + 3, 2, WHITE);
    const tiles = [
      { label: 'clean', raster: clean },
      ...row.cells.map((c, j) => ({ label: one ? parts[j]!.value : parts[j]!.rest, raster: c.raster })),
    ];
    tiles.forEach((t, j) => {
      const x = x0 + j * (tile + gap);
      paste(sheet, t.raster, x, y0 + head);
      caption(sheet, t.label, x, y0 + head + tile, tile, foot, GREY);
    });
  });
  return sheet;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

async function renderHtml(title: string, clean: Raster, rows: GalleryRow[]): Promise<string> {
  const img = async (r: Raster, alt: string, tip: string) =>
    `<img src="data:image/png;base64,${(await png(r)).toString('base64')}" alt="${escapeHtml(alt)}" title="${escapeHtml(tip)}">`;
  const cleanImg = await img(clean, 'clean', 'clean');
  const body: string[] = [];
  for (const row of rows) {
    const cells = [`<td>${cleanImg}<br>clean</td>`];
    for (const c of row.cells) {
      const tip = `${c.level}\napplySeed ${c.applySeed}\n${JSON.stringify(c.params).slice(0, 600)}`;
      cells.push(`<td>${await img(c.raster, c.level, tip)}<br>${escapeHtml(c.level)}</td>`);
    }
    body.push(`<tr><th>${row.id}<br>${escapeHtml(row.type)}</th>${cells.join('')}</tr>`);
  }
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{background:#1f1f1f;color:#eee;font:13px sans-serif}td,th{padding:4px;text-align:center;vertical-align:top}
img{image-rendering:pixelated;width:${2 * clean.width}px}th{text-align:left}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>Hover a tile for its parameters. Tiles are shown at 2× (nearest neighbour).</p>
<table>${body.join('\n')}</table></body></html>
`;
}

export interface GalleryResult {
  file: string;
  rows: number;
  tiles: number;
  width?: number;
  height?: number;
}

export async function writeGallery(o: GalleryOptions): Promise<GalleryResult> {
  const ext = extname(o.output).toLowerCase();
  if (ext !== '.png' && ext !== '.html' && ext !== '.htm')
    throw new Error(`--gallery must end in .png or .html, got ${o.output}`);
  const { clean, rows } = await buildGallery(o);
  const title = `maskdcpt synth gallery: ${basename(o.image)}, seed ${o.seed ?? 0}`;
  const tiles = rows.reduce((n, r) => n + r.cells.length, 0);
  if (ext === '.png') {
    const sheet = renderSheet(title, clean, rows, o.groups ?? (rows.length > 6 ? 2 : 1));
    await writeFileAtomic(o.output, [await png(sheet)]);
    return { file: o.output, rows: rows.length, tiles, width: sheet.width, height: sheet.height };
  }
  await writeFileAtomic(o.output, [Buffer.from(await renderHtml(title, clean, rows))]);
  return { file: o.output, rows: rows.length, tiles };
}
