/**
 * The study's training photos: McMaster and LIVE1 from ../shared/data, minus every photo that is (a rotation of)
 * an evaluation image. LIVE1 reuses 20 Kodak24 photos and the bundled assets/photos are Kodak24 crops, while
 * Kodak24 and CBSD68 are evaluation sets here, so training on either would leak test images into training.
 * Duplicates are found by comparing 48×32 grey thumbnails (mean absolute difference in 8-bit levels).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';

/** Thumbnails of distinct photos differ by 15 levels or more here; resaved copies by under 2. */
const DUPLICATE_MAD = 5;
const TRAIN_SETS = ['mcmaster', 'live1'];
const EVAL_SETS = ['kodak24', 'cbsd68'];

async function thumb(path: string, rotate: boolean): Promise<Uint8Array> {
  let img = sharp(path);
  if (rotate) img = img.rotate(90);
  return new Uint8Array(await img.resize(48, 32, { fit: 'fill' }).greyscale().raw().toBuffer());
}

function mad(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s / a.length;
}

const images = (dir: string) => readdirSync(dir).filter((f) => /\.(png|jpe?g|bmp)$/i.test(f)).sort();

export interface PhotoSet {
  dir: string;
  used: string[];
  excluded: { file: string; duplicateOf: string; mad: number }[];
}

/** (Re)builds `dir` as a folder of links to the training photos; returns what was kept and what was dropped. */
export async function preparePhotos(dataRoot: string, dir: string): Promise<PhotoSet> {
  for (const s of [...TRAIN_SETS, ...EVAL_SETS]) {
    if (!existsSync(join(dataRoot, s))) throw new Error(`training photos: ${join(dataRoot, s)} is missing (see ${dataRoot}/README.md)`);
  }
  const evalThumbs: { name: string; t: Uint8Array }[] = [];
  for (const s of EVAL_SETS) {
    for (const f of images(join(dataRoot, s))) {
      const p = join(dataRoot, s, f);
      evalThumbs.push({ name: `${s}/${f}`, t: await thumb(p, false) }, { name: `${s}/${f} (rotated)`, t: await thumb(p, true) });
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const used: string[] = [];
  const excluded: PhotoSet['excluded'] = [];
  for (const s of TRAIN_SETS) {
    for (const f of images(join(dataRoot, s))) {
      const p = join(dataRoot, s, f);
      const t = await thumb(p, false);
      let best = { name: '', d: Number.POSITIVE_INFINITY };
      for (const e of evalThumbs) {
        const d = mad(t, e.t);
        if (d < best.d) best = { name: e.name, d };
      }
      if (best.d < DUPLICATE_MAD) {
        excluded.push({ file: `${s}/${f}`, duplicateOf: best.name, mad: Number(best.d.toFixed(2)) });
        continue;
      }
      symlinkSync(resolve(p), join(dir, `${s}-${f}`));
      used.push(`${s}/${f}`);
    }
  }
  return { dir, used, excluded };
}
