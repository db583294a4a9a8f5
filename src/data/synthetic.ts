/**
 * The on-the-fly synthetic dataset: clean photos → (degraded, clean, type label) pairs. Item `i` is a pure
 * function of (seed, i): the image, crop, augmentation, degradation type, level, parameters and noise all come
 * from `new Rng(seed).fork(i)`, so the same seed gives the same bytes in any process or worker.
 */
import { getDegradation, listDegradations, synthesize } from '../degrade/registry.js';
import { readImage } from '../io/image.js';
import type { Raster } from '../io/raster.js';
import { Rng } from '../tensor/rng.js';
import { crop, dihedral, randomCropBox } from './augment.js';
import { listImages } from './folder.js';

export interface SyntheticOptions {
  /** A folder of clean images, or explicit image paths. */
  source: string | string[];
  patchSize: number;
  seed: number;
  /** Degradation type names to draw from (default: all 19). */
  types?: string[];
  /** Relative sampling weight per entry of `types` (default uniform). */
  typeWeights?: number[];
  /** Restrict to these level names (each must belong to one of `types`). */
  levels?: string[];
  /** Random flips and 90° rotations (default true). */
  augment?: boolean;
  recursive?: boolean;
}

export interface Pair {
  lq: Raster;
  gt: Raster;
  /** 0-based class index (degradation id − 1). */
  label: number;
  type: string;
  level: string;
  params: unknown;
  /** The seed `apply` ran with: together with type and params it regenerates `lq`. */
  applySeed: number;
  image: string;
}

export class SyntheticPairs {
  private constructor(
    readonly options: SyntheticOptions,
    readonly paths: string[],
    private readonly images: Raster[],
    private readonly types: string[],
    private readonly levelsByType: Map<string, string[] | undefined>,
  ) {}

  static async open(options: SyntheticOptions): Promise<SyntheticPairs> {
    const paths = typeof options.source === 'string' ? listImages(options.source, { recursive: options.recursive ?? false }) : options.source;
    if (paths.length === 0) throw new Error('synthetic dataset: no source images');
    const types = options.types ?? listDegradations();
    for (const t of types) getDegradation(t);
    if (options.typeWeights && options.typeWeights.length !== types.length) {
      throw new Error(`typeWeights has ${options.typeWeights.length} entries for ${types.length} types`);
    }
    const levelsByType = new Map<string, string[] | undefined>(types.map((t) => [t, undefined]));
    for (const level of options.levels ?? []) {
      const t = types.find((name) => level.startsWith(`${name}.`));
      if (!t) throw new Error(`level '${level}' does not belong to any of the selected types (${types.join(', ')})`);
      const d = getDegradation(t);
      if (!d.levels.some((l: { name: string }) => l.name === level)) {
        throw new Error(`unknown level '${level}' of ${t}; valid: ${d.levels.map((l: { name: string }) => l.name).join(', ')}`);
      }
      levelsByType.set(t, [...(levelsByType.get(t) ?? []), level]);
    }
    const images: Raster[] = [];
    for (const p of paths) {
      const { raster } = await readImage(p, { channels: 3 });
      if (raster.width < options.patchSize || raster.height < options.patchSize) {
        throw new Error(`image ${p} is ${raster.width}x${raster.height}, smaller than the ${options.patchSize}x${options.patchSize} patch`);
      }
      images.push(raster);
    }
    return new SyntheticPairs(options, paths, images, types, levelsByType);
  }

  async item(index: number): Promise<Pair> {
    const rng = new Rng(this.options.seed).fork(index);
    const which = rng.int(0, this.images.length - 1);
    const img = this.images[which] as Raster;
    const box = randomCropBox(img.width, img.height, this.options.patchSize, rng, this.paths[which]);
    let gt = crop(img, box);
    if (this.options.augment ?? true) gt = dihedral(gt, rng.int(0, 7));
    const type = rng.choice(this.types, this.options.typeWeights);
    const levels = this.levelsByType.get(type);
    const level = levels ? rng.choice(levels) : undefined;
    const r = await synthesize(gt, type, rng, level);
    return {
      lq: r.lq,
      gt,
      label: r.sample.id - 1,
      type: r.sample.type,
      level: r.sample.level,
      params: r.sample.params,
      applySeed: r.seed,
      image: this.paths[which] as string,
    };
  }
}
