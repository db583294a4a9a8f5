/**
 * `maskdcpt restore`: Real-ESRGAN's flags (-i -o -n -t --tile-pad --ext --suffix) plus --recursive,
 * --skip-existing and --json. Progress comes from typed events: a bar-like line on a TTY, plain lines
 * otherwise, one JSON object per line with --json. A bad file is reported and the batch goes on; the exit
 * code is non-zero when any file failed.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { BatchEvent } from '../restore/events.js';
import { pickBackend } from '../restore/backend.js';
import { restoreFiles } from '../restore/batch.js';
import { DEFAULT_TILE, DEFAULT_TILE_PAD } from '../restore/restore.js';

interface RestoreFlags {
  input: string;
  output: string;
  name?: string;
  weights?: string;
  arch?: string;
  archOptions?: string;
  key?: string;
  tile: string;
  tilePad: string;
  ext: string;
  suffix: string;
  recursive?: boolean;
  skipExisting?: boolean;
  quality?: string;
  threads?: string;
  backend: string;
  json?: boolean;
}

/** `--backend`: auto, libtorch or onnx. */
export function backendFlag(value: string): 'auto' | 'libtorch' | 'onnx' {
  if (value !== 'auto' && value !== 'libtorch' && value !== 'onnx')
    throw new Error(`--backend must be auto, libtorch or onnx, got '${value}'`);
  return value;
}

/** --threads: onnxruntime takes it per session; libtorch's pool is process-wide (loaded only when used). */
export async function applyThreads(
  value: string | undefined,
  backend: 'libtorch' | 'onnx',
): Promise<number | undefined> {
  if (!value) return undefined;
  const n = intFlag(value, '--threads', 1);
  if (backend === 'libtorch') (await import('../tensor/index.js')).setNumThreads(n);
  return n;
}

/** A whole number ≥ min, or a one-line error naming the flag. */
export function intFlag(value: string, flag: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${flag} must be a whole number${min > 0 ? ` ≥ ${min}` : ''}, got '${value}'`);
  return n;
}

export function formatBatchEvent(e: BatchEvent): string | null {
  switch (e.type) {
    case 'start':
      return `restoring ${e.total} image${e.total === 1 ? '' : 's'} with ${e.model} (${e.backend}) → ${e.output} (tile ${e.tile || 'off'}, pad ${e.tilePad})`;
    case 'image':
      return null;
    case 'tile':
      return `  ${e.file ?? ''} tile ${e.index}/${e.total}`;
    case 'retry':
      return `  ${e.file ?? ''}: out of memory, retrying with tile ${e.tile}`;
    case 'saved':
      return `[${e.index}/${e.total}] ${e.file} → ${e.output} (${e.width}x${e.height}, ${e.tiles} tile${e.tiles === 1 ? '' : 's'}, ${e.seconds.toFixed(1)} s)`;
    case 'skip':
      return `[${e.index}/${e.total}] ${e.file}: skipped, ${e.output} exists`;
    case 'warning':
      return `warning: ${e.file}: ${e.message}`;
    case 'error':
      return `[${e.index}/${e.total}] failed: ${e.message}`;
    case 'done': {
      const parts = [`${e.ok} restored`, `${e.skipped} skipped`, `${e.failed.length} failed`];
      const head = `${e.aborted ? 'interrupted' : 'done'}: ${parts.join(', ')} of ${e.total} in ${e.seconds.toFixed(1)} s`;
      return [head, ...(e.total > 1 ? e.failed.map((f) => `  failed: ${f.message}`) : [])].join('\n');
    }
  }
}

/** Renders events: JSON lines, or text with tile progress overwritten in place on a TTY. */
export function batchRenderer(json: boolean, out: NodeJS.WriteStream = process.stdout): (e: BatchEvent) => void {
  const tty = out.isTTY && !json;
  return (e) => {
    if (json) {
      out.write(`${JSON.stringify(e)}\n`);
      return;
    }
    if (e.type === 'tile' && !tty) return; // per-tile lines only where they can be overwritten
    if (e.type === 'error' && e.total === 1) return; // a single image's failure is the command's error line
    const line = formatBatchEvent(e);
    if (line === null) return;
    const stream = e.type === 'error' || e.type === 'warning' ? process.stderr : out;
    if (tty && e.type === 'tile') out.write(`\r\x1b[2K${line}`);
    else stream.write(`${tty ? '\r\x1b[2K' : ''}${line}\n`);
  };
}

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('restore images with a trained model (tiled, so any image size fits in memory)')
    .requiredOption('-i, --input <path>', 'an image, a folder, or a glob (quote it)')
    .requiredOption('-o, --output <path>', 'output folder (or a file name for a single image)')
    .option('-n, --name <model>', 'a model installed in the models folder (see `maskdcpt models`)')
    .option(
      '--weights <file>',
      'weights: our .safetensors, a checkpoint, an official .pth with --arch, or an exported .onnx (no libtorch needed)',
    )
    .option('--backend <name>', 'auto (onnxruntime for .onnx, else libtorch), libtorch or onnx', 'auto')
    .option('--arch <name>', 'architecture preset for an official .pth, e.g. nafnet-64-5d')
    .option('--arch-options <json>', 'architecture options as JSON')
    .option('--key <key>', "'params_ema' (default) or 'params'")
    .option(
      '-t, --tile <px>',
      'tile size; 0 = whole image (halved automatically when memory runs out)',
      String(DEFAULT_TILE),
    )
    .option('--tile-pad <px>', 'context pixels around each tile, blended across neighbours', String(DEFAULT_TILE_PAD))
    .option('--ext <ext>', 'output format: auto (same as input where possible), png, jpg, webp', 'auto')
    .option('--suffix <text>', 'appended to output file names', '')
    .option('--recursive', 'include subfolders (the folder tree is kept in the output)')
    .option('--skip-existing', 'skip images whose output exists (resume an interrupted batch)')
    .option('--quality <q>', 'JPEG/WebP quality 1-100 (default 95)')
    .option('--threads <n>', 'intra-op threads (default: all cores)')
    .option('--json', 'one JSON event per line on stdout')
    .action(async (flags: RestoreFlags) => {
      if (!flags.name === !flags.weights) throw new Error('pass a model: -n <name> or --weights <file> (one of them)');
      if (flags.weights && !existsSync(flags.weights)) throw new Error(`weights file not found: ${flags.weights}`);
      if (!['auto', 'png', 'jpg', 'webp'].includes(flags.ext))
        throw new Error(`--ext must be auto, png, jpg or webp, got '${flags.ext}'`);
      const backend = backendFlag(flags.backend);
      const ref = (flags.weights ?? flags.name) as string;
      const threads = await applyThreads(flags.threads, pickBackend(ref, backend));
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const result = await restoreFiles({
          input: flags.input,
          output: flags.output,
          model: ref,
          backend,
          ...(threads ? { threads } : {}),
          ...(flags.arch ? { arch: flags.arch } : {}),
          ...(flags.archOptions ? { archOptions: JSON.parse(flags.archOptions) as Record<string, unknown> } : {}),
          ...(flags.key ? { key: flags.key } : {}),
          tile: intFlag(flags.tile, '--tile'),
          tilePad: intFlag(flags.tilePad, '--tile-pad'),
          ext: flags.ext as 'auto' | 'png' | 'jpg' | 'webp',
          suffix: flags.suffix,
          recursive: flags.recursive ?? false,
          skipExisting: flags.skipExisting ?? false,
          ...(flags.quality ? { quality: intFlag(flags.quality, '--quality', 1) } : {}),
          signal: controller.signal,
          onEvent: batchRenderer(flags.json ?? false),
        });
        if (result.aborted) throw new Error('interrupted; run again with --skip-existing to continue');
        // One image: its own message is the clearest line; a batch names the files (reasons are above).
        if (result.total === 1 && result.failed[0]) throw new Error(result.failed[0].message);
        if (result.failed.length > 0) {
          throw new Error(
            `${result.failed.length} of ${result.total} images failed: ${result.failed.map((f) => f.file).join(', ')}`,
          );
        }
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}
