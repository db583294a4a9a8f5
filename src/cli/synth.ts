/**
 * `maskdcpt synth`: a folder of clean photos → PNG pairs + manifest.jsonl (resumable, shardable), `--merge` to
 * join shards, `--gallery` to draw one photo under every type for a realism check. See docs/synth.md.
 */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { writeGallery } from '../synth/gallery.js';
import { mergeShards } from '../synth/manifest.js';
import { listSources, parseShard, type SynthOptions } from '../synth/plan.js';
import { runSynth, type SynthEvent } from '../synth/run.js';

interface SynthFlags {
  input?: string;
  output?: string;
  types?: string;
  levels?: string;
  perImage?: string;
  seed?: string;
  shard?: string;
  crop?: string;
  workers?: string;
  recursive?: boolean;
  keepGoing?: boolean;
  merge?: boolean;
  gallery?: string;
  galleryImage?: string;
  galleryLevels?: string;
  galleryTile?: string;
  json?: boolean;
}

function int(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim()) || Number(v) < min) throw new Error(`${flag} must be an integer ≥ ${min}, got '${v}'`);
  return Number(v);
}

const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function printer(flags: SynthFlags): (e: SynthEvent) => void {
  const tty = process.stdout.isTTY && !flags.json;
  let last = 0;
  return (e) => {
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify(e.type === 'pair' ? { type: 'pair', name: e.entry.name, level: e.entry.level, made: e.made, todo: e.todo } : e)}\n`,
      );
    } else if (e.type === 'plan') {
      const resumed = e.complete > 0 ? `, ${e.complete} already complete` : '';
      const dropped =
        e.dropped > 0 ? ` (${e.dropped} manifest entries outside this plan dropped; their files are left)` : '';
      console.log(
        `synth: ${e.total} pairs${resumed}, ${e.todo} to make on ${e.workers || 'no'} worker thread${e.workers === 1 ? '' : 's'}${dropped}`,
      );
    } else if (tty) {
      process.stdout.write(`\r\x1b[2K  ${e.made}/${e.todo}  ${e.entry.name}  ${e.entry.level}`);
    } else if (e.made === e.todo || Date.now() - last > 5000) {
      last = Date.now();
      console.log(`  ${e.made}/${e.todo}  ${e.entry.name}  ${e.entry.level}`);
    }
  };
}

function galleryImage(flags: SynthFlags): string {
  if (flags.galleryImage) return flags.galleryImage;
  if (!flags.input) throw new Error('--gallery needs a photo: -i <image or folder> or --gallery-image <file>');
  if (statSync(flags.input, { throwIfNoEntry: false })?.isFile()) return flags.input;
  return (listSources(flags.input, flags.recursive ?? false)[0] as { path: string }).path;
}

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('build a paired dataset from clean photos: lq/ + gt/ PNGs and manifest.jsonl (resumable, shardable)')
    .option('-i, --input <dir>', 'folder of clean images (or one image, for --gallery)')
    .option('-o, --output <dir>', 'output folder: lq/, gt/, manifest.jsonl, synth.json')
    .option('--types <names>', 'comma-separated degradation types (default: all 19)')
    .option('--levels <names>', 'comma-separated level names, e.g. noise.gaussian.s25,jpeg.q.30')
    .option('--per-image <n>', 'pairs per source image', '1')
    .option('--seed <s>', 'random seed: same seed, same bytes', '0')
    .option('--shard <i/n>', 'make only shard i of n (0-based); merge the shards with --merge')
    .option('--crop <n>', 'random n×n crop per pair (default: whole images)')
    .option('--workers <n>', 'worker threads (default: cores, at most 8; 0 = none)')
    .option('--recursive', 'also read images in subfolders of the input')
    .option('--keep-going', 'skip images that fail and finish the others (still exits 1)')
    .option('--merge', 'join finished shard manifests in -o into manifest.jsonl')
    .option('--gallery <file>', 'draw one photo under every type at a few levels (.png or .html)')
    .option('--gallery-image <file>', 'photo for --gallery (default: -i, or its first image)')
    .option('--gallery-levels <k>', 'levels per type in the gallery', '3')
    .option('--gallery-tile <px>', 'gallery tile size (a centre crop at native resolution)', '128')
    .option('--json', 'one JSON event per line')
    .action(async (flags: SynthFlags) => {
      const seed = int('--seed', flags.seed, 0) ?? 0;
      const types = list(flags.types);
      const levels = list(flags.levels);
      if (flags.merge) {
        if (!flags.output) throw new Error('--merge needs -o <folder holding the shards>');
        const r = await mergeShards(flags.output);
        console.log(`synth: merged ${r.shards} shards, ${r.pairs} pairs → ${r.file}`);
        return;
      }
      if (!flags.gallery && !flags.output) throw new Error('give -o <output folder> (or --gallery <file>, or --merge)');
      if (flags.gallery) {
        const g = await writeGallery({
          image: galleryImage(flags),
          output: flags.gallery,
          seed,
          perType: int('--gallery-levels', flags.galleryLevels, 1) ?? 3,
          tile: int('--gallery-tile', flags.galleryTile, 16) ?? 128,
          ...(types ? { types } : {}),
          ...(levels ? { levels } : {}),
        });
        console.log(
          `synth: gallery ${g.file}: ${g.rows} types, ${g.tiles} degraded tiles${g.width ? ` (${g.width}x${g.height})` : ''}`,
        );
      }
      if (!flags.output) return;
      if (!flags.input) throw new Error('give -i <folder of clean images>');
      const crop = int('--crop', flags.crop, 1);
      const workers = int('--workers', flags.workers, 0);
      const o: SynthOptions = {
        input: flags.input,
        output: flags.output,
        seed,
        perImage: int('--per-image', flags.perImage, 1) ?? 1,
        recursive: flags.recursive ?? false,
        ...(types ? { types } : {}),
        ...(levels ? { levels } : {}),
        ...(flags.shard ? { shard: parseShard(flags.shard) } : {}),
        ...(crop !== undefined ? { crop } : {}),
        ...(workers !== undefined ? { workers } : {}),
      };
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const r = await runSynth(o, {
          onEvent: printer(flags),
          signal: controller.signal,
          keepGoing: flags.keepGoing ?? false,
        });
        if (process.stdout.isTTY && !flags.json) process.stdout.write('\r\x1b[2K');
        const conv = Object.entries(r.conversions).map(([k, n]) => `${k} ×${n}`);
        if (conv.length > 0)
          console.log(`note: sources converted to 8-bit RGB (grey replicated, alpha dropped): ${conv.join(', ')}`);
        const note =
          flags.shard && o.shard && o.shard.count > 1
            ? '; when all shards are done: maskdcpt synth --merge -o <folder>'
            : '';
        console.log(
          `synth: made ${r.made} pairs (${r.skipped} already complete) in ${r.seconds.toFixed(1)} s → ${r.manifest}${note}`,
        );
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
