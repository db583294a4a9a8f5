/**
 * Batch restoration of files: a file, a folder (optionally recursive, keeping the folder tree) or a glob in;
 * a file or folder out. Outputs are written atomically, so with `skipExisting` an interrupted run resumes
 * where it stopped and every output is produced once. A bad file is reported and the batch goes on.
 */
import { constants, existsSync, statSync } from 'node:fs';
import { access, mkdir, readdir } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import type { Backbone } from '../archs/types.js';
import type { Restorer } from './backend.js';
import { type ImageFormat, readImage, writeImage } from '../io/image.js';
import type { BatchDoneEvent, BatchEvent } from './events.js';
import { DEFAULT_TILE, DEFAULT_TILE_PAD, loadRestorationModel, type ModelOptions, restoreDecoded } from './restore.js';
import { checkTile } from './tiling.js';

/** Extensions picked up from folders and globs (an explicitly named file is always tried). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.gif', '.avif'];
const WRITABLE = new Set(['.png', '.jpg', '.jpeg', '.webp']);

export interface InputSet {
  files: string[];
  /** Folder the output tree is relative to. */
  base: string;
  /** The input named one file. */
  single: boolean;
}

const isImage = (f: string) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase());

/** Files under `dir` (dotfiles and temp files skipped), depth-first and sorted, so runs are repeatable. */
async function walk(dir: string, recursive: boolean): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...(await walk(p, true)));
    } else if (e.isFile()) {
      out.push(p);
    }
  }
  return out;
}

/** A glob over '/'-separated relative paths: `*`, `?`, `**`, `[abc]`, `[!abc]`, `{a,b}`. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
        i = end;
      }
    } else if (ch === '{') {
      const end = pattern.indexOf('}', i + 1);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${pattern
          .slice(i + 1, end)
          .split(',')
          .map(escapeRe)
          .join('|')})`;
        i = end;
      }
    } else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(s: string): string {
  return s.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
}

/** Resolves `-i`: a file, a folder, or a glob (for shells that did not expand it). */
export async function collectInputs(spec: string, recursive = false): Promise<InputSet> {
  if (existsSync(spec)) {
    if (statSync(spec).isFile()) return { files: [spec], base: dirname(spec), single: true };
    const files = (await walk(spec, recursive)).filter(isImage);
    if (files.length === 0) {
      throw new Error(
        `no images in ${spec} (looked for ${IMAGE_EXTENSIONS.join(' ')}${recursive ? '' : '; add --recursive for subfolders'})`,
      );
    }
    return { files, base: spec, single: false };
  }
  if (!/[*?[{]/.test(spec)) throw new Error(`input not found: ${spec}`);
  const parts = spec.split(/[\\/]/);
  const first = parts.findIndex((p) => /[*?[{]/.test(p));
  const base = parts.slice(0, first).join('/') || '.';
  const rest = parts.slice(first).join('/');
  if (!existsSync(base)) throw new Error(`input not found: ${base} (from ${spec})`);
  const re = globToRegExp(rest);
  const deep = recursive || rest.includes('**') || rest.includes('/');
  const files = (await walk(base, deep)).filter((f) => isImage(f) && re.test(relative(base, f).split(sep).join('/')));
  if (files.length === 0) throw new Error(`no images match ${spec}`);
  return { files, base, single: false };
}

export type OutputExt = 'auto' | ImageFormat;

export interface PlannedFile {
  input: string;
  output: string;
}

/** `auto` keeps the input's format where it can be written (PNG, JPEG, WebP) and falls back to PNG. */
function outputExtension(input: string, ext: OutputExt): string {
  if (ext !== 'auto') return `.${ext}`;
  const e = extname(input).toLowerCase();
  return WRITABLE.has(e) ? e : '.png';
}

/** Output paths; inputs that are outputs of other inputs (an earlier run into the same folder) are dropped. */
export function planOutputs(set: InputSet, output: string, ext: OutputExt, suffix: string): PlannedFile[] {
  const toFile =
    set.single &&
    WRITABLE.has(extname(output).toLowerCase()) &&
    !(existsSync(output) && statSync(output).isDirectory());
  const plan = set.files.map((input) => {
    if (toFile) return { input, output };
    const rel = relative(set.base, input);
    const stem = basename(rel, extname(rel));
    return { input, output: join(output, dirname(rel), `${stem}${suffix}${outputExtension(input, ext)}`) };
  });
  const outputs = new Set(plan.map((p) => resolve(p.output)));
  const kept = plan.filter((p) => !outputs.has(resolve(p.input)) || resolve(p.output) === resolve(p.input));
  for (const p of kept) {
    if (resolve(p.output) === resolve(p.input)) {
      throw new Error(`the output ${p.output} would overwrite its input; choose another -o or a --suffix`);
    }
  }
  return kept;
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EACCES' || e.code === 'EPERM'
        ? 'permission denied'
        : e.code === 'ENOTDIR' || e.code === 'EEXIST'
          ? 'a file is in the way'
          : e.message;
    throw new Error(`cannot write to output folder ${dir}: ${why}`);
  }
}

export interface BatchOptions extends ModelOptions {
  /** `-i`: file, folder or glob. */
  input: string;
  /** `-o`: a file (single image input with an image extension) or a folder. */
  output: string;
  model: string | Backbone | Restorer;
  tile?: number;
  tilePad?: number;
  ext?: OutputExt;
  suffix?: string;
  recursive?: boolean;
  skipExisting?: boolean;
  /** JPEG/WebP quality (default 95). */
  quality?: number;
  signal?: AbortSignal;
  onEvent?: (e: BatchEvent) => void;
}

export type BatchResult = Omit<BatchDoneEvent, 'type'>;

/** Restores every input; cheap checks (inputs, output folder, model, tile) fail before any work starts. */
export async function restoreFiles(o: BatchOptions): Promise<BatchResult> {
  const t0 = performance.now();
  const emit = o.onEvent ?? (() => {});
  const set = await collectInputs(o.input, o.recursive ?? false);
  const plan = planOutputs(set, o.output, o.ext ?? 'auto', o.suffix ?? '');
  for (const dir of new Set(plan.map((p) => dirname(p.output)))) await ensureWritableDir(dir);
  const loaded = await loadRestorationModel(o.model, o);
  const tile = o.tile ?? DEFAULT_TILE;
  const tilePad = o.tilePad ?? DEFAULT_TILE_PAD;
  const result: BatchResult = { total: plan.length, ok: 0, skipped: 0, failed: [], seconds: 0, aborted: false };
  try {
    checkTile(tile, loaded.restorer.sizeMultiple);
    emit({
      type: 'start',
      total: plan.length,
      model: loaded.name,
      backend: loaded.restorer.backend,
      output: o.output,
      tile,
      tilePad,
    });
    for (const [i, { input: file, output }] of plan.entries()) {
      const index = i + 1;
      const total = plan.length;
      if (o.signal?.aborted) {
        result.aborted = true;
        break;
      }
      if (o.skipExisting && existsSync(output)) {
        result.skipped++;
        emit({ type: 'skip', index, total, file, output, reason: 'exists' });
        continue;
      }
      emit({ type: 'image', index, total, file });
      const started = performance.now();
      try {
        const img = await readImage(file);
        const out = await restoreDecoded(img, loaded.restorer, {
          tile,
          tilePad,
          file,
          ...(o.signal ? { signal: o.signal } : {}),
          onProgress: (e) => {
            if (e.type !== 'done') emit(e);
          },
        });
        let alpha = out.alpha;
        const jpeg = /\.jpe?g$/i.test(output);
        if (alpha && jpeg) {
          alpha = undefined;
          emit({
            type: 'warning',
            file,
            message: 'JPEG cannot store alpha; it was dropped (use --ext png or webp to keep it)',
          });
        }
        await mkdir(dirname(output), { recursive: true });
        await writeImage(output, out.raster, {
          ...(alpha ? { alpha } : {}),
          bitDepth: img.bitDepth === 16 && /\.png$/i.test(output) ? 16 : 8,
          ...(o.quality ? { quality: o.quality } : {}),
          keepMetadataFrom: file,
        });
        result.ok++;
        const { width, height } = out.raster;
        emit({
          type: 'saved',
          index,
          total,
          file,
          output,
          width,
          height,
          tiles: out.tiles,
          seconds: (performance.now() - started) / 1000,
        });
      } catch (err) {
        if (o.signal?.aborted) {
          result.aborted = true;
          break;
        }
        const msg = err instanceof Error ? err.message : String(err);
        const message = msg.includes(file) ? msg : `${file}: ${msg}`;
        result.failed.push({ file, message });
        emit({ type: 'error', index, total, file, message });
      }
    }
  } finally {
    loaded.dispose();
  }
  result.seconds = (performance.now() - t0) / 1000;
  emit({ type: 'done', ...result });
  return result;
}
