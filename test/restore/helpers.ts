/** Shared pieces of the restore tests: a real photo crop, untiled references, border masks. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { saveModel } from '../../src/archs/load.js';
import { createModel, resolveModel } from '../../src/archs/registry.js';
import type { Backbone } from '../../src/archs/types.js';
import { readImage } from '../../src/io/image.js';
import { cropRaster, type Raster, toPlanar } from '../../src/io/raster.js';
import { axisLayout } from '../../src/restore/tiling.js';
import { fromTypedArray, manualSeed, noGrad, type Tensor } from '../../src/tensor/index.js';
import { sharedDir } from '../helpers/engine.js';

export const kodak = (n: number) => join(sharedDir, 'data', 'kodak24', `kodim${String(n).padStart(2, '0')}.png`);

/** A crop of a Kodak photo (odd sizes on purpose: they exercise the padding to the model's multiple). */
export async function photoCrop(height: number, width: number, top = 100, left = 200): Promise<Raster> {
  const { raster } = await readImage(kodak(1));
  return cropRaster(raster, top, left, height, width);
}

/** The whole image through `forward` in one go (the reference tiling must match), as planar CHW. */
export function untiled(r: Raster, forward: (x: Tensor) => Tensor): Float32Array {
  return noGrad(() => {
    const x = fromTypedArray(toPlanar(r), [1, r.channels, r.height, r.width]);
    const y = forward(x);
    const out = y.toFloat32Array();
    x.dispose();
    y.dispose();
    return out;
  });
}

/**
 * Per pixel: true when it lies in a feather band (within the feather half-width of a boundary between two
 * tile cores), where two tiles' outputs mix; elsewhere exactly one tile wrote it.
 */
export function bandMask(height: number, width: number, tile: number, pad: number, multiple: number): Uint8Array {
  const axis = (size: number) => {
    const band = new Uint8Array(size);
    const layout = axisLayout(size, tile, pad, multiple);
    for (const t of layout.tiles) {
      for (let p = t.out0; p < t.out1; p++) if ((t.weights[p - t.out0] as number) < 1) band[p] = 1;
    }
    return band;
  };
  const ys = axis(height);
  const xs = axis(width);
  const mask = new Uint8Array(height * width);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = ys[y] || xs[x] ? 1 : 0;
  return mask;
}

/** Largest |tiled − reference| inside and outside the bands (tiled is HWC, reference CHW). */
export function compare(
  tiled: Raster,
  reference: Float32Array,
  band: Uint8Array,
): { interior: number; border: number; bandPixels: number } {
  const { width, height, channels: c } = tiled;
  const plane = width * height;
  let interior = 0;
  let border = 0;
  let bandPixels = 0;
  for (let i = 0; i < plane; i++) {
    if (band[i]) bandPixels++;
    for (let k = 0; k < c; k++) {
      const d = Math.abs((tiled.data[i * c + k] as number) - (reference[k * plane + i] as number));
      if (band[i]) border = Math.max(border, d);
      else interior = Math.max(interior, d);
    }
  }
  return { interior, border, bandPixels };
}

/** nafnet-tiny with a zero output conv: restore(x) = x exactly, so round trips can be checked bit for bit. */
export function identityModel(): Backbone {
  manualSeed(0);
  const m = createModel('nafnet-tiny').eval();
  noGrad(() => {
    for (const [k, t] of m.stateDict()) if (k.startsWith('ending.')) t.mul_(0);
  });
  return m;
}

/** Writes `model` as self-describing safetensors (a preset's options), e.g. into a models folder. */
export async function saveAs(path: string, model: Backbone, preset = 'nafnet-tiny'): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  await saveModel(path, model, resolveModel(preset).options);
  return path;
}

/** Small test images made with sharp: RGBA, grey, 16-bit RGB, and an EXIF-rotated JPEG with an ICC profile. */
export async function makeImages(dir: string): Promise<Record<'rgba' | 'grey' | 'deep' | 'rotated', string>> {
  mkdirSync(dir, { recursive: true });
  const w = 40;
  const h = 24;
  const rgba = new Uint8Array(w * h * 4);
  const grey = new Uint8Array(w * h);
  const deep = new Uint16Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      rgba.set([(x * 6) % 256, (y * 10) % 256, (x * y) % 256, (i * 7) % 256], i * 4);
      grey[i] = (x * 5 + y * 3) % 256;
      deep.set([(x * 1601) % 65536, (y * 2711) % 65536, (i * 97) % 65536], i * 3);
    }
  }
  const files = {
    rgba: join(dir, 'rgba.png'),
    grey: join(dir, 'grey.png'),
    deep: join(dir, 'deep.png'),
    rotated: join(dir, 'rotated.jpg'),
  };
  await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
    .png()
    .toFile(files.rgba);
  await sharp(grey, { raw: { width: w, height: h, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(files.grey);
  await sharp(new Uint8Array(deep.buffer), { raw: { width: w, height: h, channels: 3 } })
    .toColourspace('rgb16')
    .png()
    .toFile(files.deep);
  await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
    .removeAlpha()
    .withIccProfile('p3')
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 95 })
    .toFile(files.rotated);
  return files;
}
