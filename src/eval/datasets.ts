/**
 * Benchmark folders and how to read them. Layouts follow ../shared/data/README.md: flat folders of clean
 * images, Rain100H as `input/N.png` + `target/N.png`. Images are listed in natural order (2 before 10) so that
 * `limit` always picks the same first images.
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute, join } from 'node:path';
import { readImage } from '../io/image.js';
import type { Raster } from '../io/raster.js';
import type { DatasetSpec } from './types.js';

export const DATASETS = {
  cbsd68: { name: 'CBSD68', dir: 'cbsd68', channels: 3 },
  kodak24: { name: 'Kodak24', dir: 'kodak24', channels: 3 },
  mcmaster: { name: 'McMaster', dir: 'mcmaster', channels: 3 },
  live1: { name: 'LIVE1', dir: 'live1', channels: 3 },
  classic5: { name: 'Classic5', dir: 'classic5', channels: 1 },
  rain100h: { name: 'Rain100H', dir: 'rain100h', channels: 3, pairs: { input: 'input', target: 'target' } },
  dicm: { name: 'DICM', dir: 'real/dicm-lowlight', channels: 'any' },
  rni15: { name: 'RNI15', dir: 'real/rni15-noise', channels: 'any' },
} as const satisfies Record<string, DatasetSpec>;

/** sharp reads these; BMP it does not (the copied BMP sets were converted to PNG). */
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp']);

const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** One image of a dataset: the clean file (`target`) and, for paired sets, the degraded one (`input`). */
export interface DatasetItem {
  name: string;
  target: string;
  input?: string;
}

export function datasetDir(d: DatasetSpec, dataRoot: string): string {
  return isAbsolute(d.dir) ? d.dir : join(dataRoot, d.dir);
}

async function imageFiles(dir: string, what: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `${what}: cannot read folder ${dir}${code === 'ENOENT' ? ' (not found; check --data-root)' : ` (${code})`}`,
    );
  }
  const files = names.filter((n) => !n.startsWith('.') && IMAGE_EXTENSIONS.has(extname(n).toLowerCase()));
  return files.sort(natural.compare);
}

/** Lists a dataset's images under `dataRoot`; missing folders and unmatched pairs are errors naming the path. */
export async function listDataset(d: DatasetSpec, dataRoot: string): Promise<DatasetItem[]> {
  const dir = datasetDir(d, dataRoot);
  if (!(await stat(dir).catch(() => null))?.isDirectory()) {
    throw new Error(`${d.name}: folder ${dir} not found (set --data-root to the folder holding ${d.dir}/)`);
  }
  if (!d.pairs) {
    const files = await imageFiles(dir, d.name);
    if (files.length === 0) throw new Error(`${d.name}: no images (png, jpg, tif, webp) in ${dir}`);
    return files.map((f) => ({ name: f, target: join(dir, f) }));
  }
  const inDir = join(dir, d.pairs.input);
  const gtDir = join(dir, d.pairs.target);
  const inputs = await imageFiles(inDir, d.name);
  const targets = new Set(await imageFiles(gtDir, d.name));
  const missing = inputs.filter((f) => !targets.has(f));
  if (missing.length > 0) {
    throw new Error(
      `${d.name}: no target in ${gtDir} for input ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}`,
    );
  }
  if (inputs.length === 0) throw new Error(`${d.name}: no images in ${inDir}`);
  return inputs.map((f) => ({ name: f, input: join(inDir, f), target: join(gtDir, f) }));
}

/**
 * Reads an image with the dataset's channel rule. Grey sets must be stored grey (a colour file in a grey set
 * is an error rather than a silent conversion whose convention would then be ours); colour sets expand grey
 * files to three equal channels, as `cv2.imread(..., IMREAD_COLOR)` does in the official code.
 */
export async function readDatasetImage(path: string, d: DatasetSpec): Promise<Raster> {
  const { raster } = await readImage(path, d.channels === 3 ? { channels: 3 } : {});
  if (d.channels === 1 && raster.channels !== 1) {
    throw new Error(`${d.name} is a grey set but ${path} has ${raster.channels} channels`);
  }
  return raster;
}
