/**
 * Report sources → sections of the page: reads run directories, report JSON and eval JSON (see eval.ts),
 * validates them, and embeds images as data URIs (downscaled with sharp when wide, so a page with many examples
 * stays small).
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { evalSection, formatIssues, isEvalShaped } from './eval.js';
import { readRun } from './run.js';
import {
  type ExampleView,
  type ImageView,
  type ReportJson,
  type ReportSource,
  reportJsonSchema,
  type SectionView,
  type TableView,
} from './types.js';

export const DEFAULT_MAX_IMAGE_WIDTH = 768;

export function parseReportJson(value: unknown, file: string): ReportJson {
  const r = reportJsonSchema.safeParse(value);
  if (!r.success) throw new Error(formatIssues(r.error, file, 'report JSON'));
  return r.data;
}

/** Caches by path: a file that several examples use (the same input, say) is read and encoded once. */
export class ImageEmbedder {
  private readonly cache = new Map<string, Promise<ImageView>>();
  constructor(private readonly maxWidth: number) {}

  embed(file: string, label: string, context: string): Promise<ImageView> {
    let p = this.cache.get(file);
    if (!p) {
      p = this.load(file, context);
      this.cache.set(file, p);
    }
    return p.then((v) => ({ ...v, label }));
  }

  private async load(file: string, context: string): Promise<ImageView> {
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch (err) {
      throw new Error(`${context}: cannot read image ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    let meta: Metadata;
    try {
      meta = await sharp(buf).metadata();
    } catch (err) {
      throw new Error(
        `${context}: ${file} is not a readable image: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    // Browsers apply EXIF orientation to <img>, so the displayed size is the rotated one.
    const swap = (meta.orientation ?? 1) >= 5;
    const width = (swap ? meta.height : meta.width) ?? 0;
    const height = (swap ? meta.width : meta.height) ?? 0;
    const native = meta.format === 'png' || meta.format === 'jpeg';
    if (native && width <= this.maxWidth) {
      return { label: '', src: `data:image/${meta.format};base64,${buf.toString('base64')}`, width, height };
    }
    // Restoration results are compared pixel for pixel, so PNG stays lossless; only JPEG sources become JPEG.
    const img = sharp(buf).rotate().resize({ width: this.maxWidth, withoutEnlargement: true, kernel: 'lanczos3' });
    const { data, info } =
      meta.format === 'jpeg'
        ? await img.jpeg({ quality: 90 }).toBuffer({ resolveWithObject: true })
        : await img.png().toBuffer({ resolveWithObject: true });
    const mime = meta.format === 'jpeg' ? 'jpeg' : 'png';
    return {
      label: '',
      src: `data:image/${mime};base64,${data.toString('base64')}`,
      width: info.width,
      height: info.height,
    };
  }
}

function emptySection(title: string, source: string): SectionView {
  return { title, source, runs: [], tables: [], examples: [], confusion: null, notes: [] };
}

async function reportSection(
  r: ReportJson,
  baseDir: string,
  source: string,
  images: ImageEmbedder,
): Promise<SectionView> {
  const s = emptySection(r.title, source);
  for (const run of r.runs ?? []) s.runs.push(await readRun(resolve(baseDir, run.runDir), run.name));
  for (const t of r.tables ?? []) {
    const view: TableView = { title: t.title, columns: t.columns, rows: t.rows };
    if (t.convention !== undefined) view.convention = t.convention;
    s.tables.push(view);
  }
  s.examples = await Promise.all(
    (r.examples ?? []).map(
      async (ex, i): Promise<ExampleView> => ({
        title: ex.title,
        images: await Promise.all(
          ex.images.map((im) =>
            images.embed(resolve(baseDir, im.file), im.label, `${source}: examples[${i}] (${ex.title})`),
          ),
        ),
      }),
    ),
  );
  if (r.confusion) s.confusion = { labels: r.confusion.labels, matrix: r.confusion.matrix };
  s.notes = r.notes ?? [];
  return s;
}

async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function pathSection(path: string, images: ImageEmbedder): Promise<SectionView> {
  if (!existsSync(path))
    throw new Error(`${path} does not exist (expected a run directory, a report JSON or an eval JSON)`);
  if (statSync(path).isDirectory() || basename(path) === 'metrics.jsonl') {
    const dir = statSync(path).isDirectory() ? path : dirname(path);
    const run = await readRun(dir);
    const s = emptySection(`Run: ${run.name}`, dir);
    s.runs.push(run);
    return s;
  }
  const value = await readJsonFile(path);
  if (isEvalShaped(value)) return evalSection(value, path);
  return reportSection(parseReportJson(value, path), dirname(resolve(path)), path, images);
}

export async function loadSection(source: ReportSource, images: ImageEmbedder): Promise<SectionView> {
  if (typeof source === 'string') return pathSection(source, images);
  if ('eval' in source) return evalSection(source.eval, '(eval object)', '(in memory)');
  const r = parseReportJson(source.report, '(report object)');
  return reportSection(r, resolve(source.baseDir ?? '.'), '(in memory)', images);
}
