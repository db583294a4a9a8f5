/**
 * Making one pair: source → 8-bit RGB clean image → (crop) → degradation → two PNGs, each written atomically.
 *
 * The clean image is quantised to 8 bits *before* it is degraded, with the exact values `readImage` returns for
 * the written gt PNG, so `regenerate(readImage(gt).raster, entry, entry.applySeed)` reproduces lq from the files
 * and the manifest alone. Grey sources are replicated to RGB, alpha is dropped, 16-bit sources are rounded to
 * 8 bits; the manifest notes each conversion (`from`).
 */
import { join } from 'node:path';
import { crop as cropRaster, randomCropBox } from '../data/augment.js';
import { synthesize } from '../degrade/registry.js';
import { quantize, readImage, writeImage } from '../io/image.js';
import { createRaster, type Raster } from '../io/raster.js';
import { Rng } from '../tensor/rng.js';
import type { ManifestEntry } from './manifest.js';
import type { PairJob, Settings, SourceImage } from './plan.js';

export interface CleanSource {
  raster: Raster;
  /** What was converted, e.g. '16-bit grey+alpha', or '' for 8-bit RGB. */
  from: string;
}

export async function loadSource(path: string): Promise<CleanSource> {
  const read = await readImage(path);
  const { raster: src, bitDepth, alpha } = read;
  const out = createRaster(src.width, src.height, 3);
  const c = src.channels;
  const px = src.width * src.height;
  const inv = 1 / 255; // readImage's own scale, so the values equal a re-read of the 8-bit PNG bit for bit
  for (let i = 0; i < px; i++) {
    for (let k = 0; k < 3; k++)
      out.data[3 * i + k] = quantize(src.data[i * c + (c === 1 ? 0 : k)] as number, 255) * inv;
  }
  const plain = bitDepth === 8 && c === 3 && !alpha;
  return { raster: out, from: plain ? '' : `${bitDepth}-bit ${c === 1 ? 'grey' : 'RGB'}${alpha ? '+alpha' : ''}` };
}

/** The pair's own random stream: depends on the run seed and the pair's identity only. */
export function pairRng(seed: number, source: SourceImage, k: number): Rng {
  return new Rng(seed).fork(source.key).fork(k);
}

/** Draws, degrades and writes one pair (gt first, then lq: lq's presence means the pair's files are complete). */
export async function makePair(
  out: string,
  settings: Settings,
  job: PairJob,
  clean: CleanSource,
): Promise<ManifestEntry> {
  const rng = pairRng(settings.seed, job.source, job.k);
  const img = clean.raster;
  let gt = img;
  let box: ManifestEntry['crop'];
  if (settings.crop !== null) {
    if (img.width < settings.crop || img.height < settings.crop) {
      throw new Error(`${job.source.path} is ${img.width}x${img.height}, smaller than --crop ${settings.crop}`);
    }
    box = randomCropBox(img.width, img.height, settings.crop, rng, job.source.path);
    gt = cropRaster(img, box);
  }
  const { types, levels } = settings.selection;
  const type = rng.choice(types);
  const allowed = levels[type];
  const r = await synthesize(gt, type, rng, allowed ? rng.choice(allowed) : undefined);
  if (r.lq.width !== gt.width || r.lq.height !== gt.height) {
    throw new Error(
      `${r.sample.level} changed the image size (${gt.width}x${gt.height} → ${r.lq.width}x${r.lq.height})`,
    );
  }
  const files = { lq: `lq/${job.name}.png`, gt: `gt/${job.name}.png` };
  await writeImage(join(out, files.gt), gt);
  await writeImage(join(out, files.lq), r.lq);
  return {
    name: job.name,
    ...files,
    source: job.source.rel,
    index: job.k,
    type: r.sample.type,
    id: r.sample.id,
    level: r.sample.level,
    params: r.sample.params,
    applySeed: r.seed,
    seed: settings.seed,
    width: gt.width,
    height: gt.height,
    ...(box ? { crop: box } : {}),
    ...(clean.from ? { from: clean.from } : {}),
  };
}

/** Makes pairs, keeping the last decoded source: a shard's pairs arrive grouped by image. */
export class PairMaker {
  private last: { path: string; clean: Promise<CleanSource> } | null = null;

  constructor(
    readonly out: string,
    readonly settings: Settings,
  ) {}

  async make(job: PairJob): Promise<ManifestEntry> {
    if (this.last?.path !== job.source.path) this.last = { path: job.source.path, clean: loadSource(job.source.path) };
    return makePair(this.out, this.settings, job, await this.last.clean);
  }
}
