/** Crops and the 8 dihedral augmentations (flips × 90° rotations) on host rasters, as BasicSR's `augment`. */
import { createRaster, cropRaster, type Raster } from '../io/raster.js';
import type { Rng } from '../tensor/rng.js';

export interface CropBox {
  top: number;
  left: number;
  size: number;
}

/** A uniformly placed square crop; throws naming the image size if it is smaller than the patch. */
export function randomCropBox(width: number, height: number, size: number, rng: Rng, what = 'image'): CropBox {
  if (width < size || height < size) {
    throw new RangeError(`${what} is ${width}x${height}, smaller than the ${size}x${size} training patch`);
  }
  return { top: rng.int(0, height - size), left: rng.int(0, width - size), size };
}

export function crop(r: Raster, box: CropBox): Raster {
  return cropRaster(r, box.top, box.left, box.size, box.size);
}

/** One of the 8 dihedral transforms: bit 0 = horizontal flip, bit 1 = vertical flip, bit 2 = transpose. */
export function dihedral(r: Raster, code: number): Raster {
  if (code === 0) return r;
  const hflip = (code & 1) !== 0;
  const vflip = (code & 2) !== 0;
  const transpose = (code & 4) !== 0;
  const { width: w, height: h, channels: c, data } = r;
  const out = createRaster(transpose ? h : w, transpose ? w : h, c);
  const ow = out.width;
  for (let y = 0; y < h; y++) {
    const sy = vflip ? h - 1 - y : y;
    for (let x = 0; x < w; x++) {
      const sx = hflip ? w - 1 - x : x;
      const src = (sy * w + sx) * c;
      const dst = transpose ? (x * ow + y) * c : (y * ow + x) * c;
      for (let k = 0; k < c; k++) out.data[dst + k] = data[src + k] as number;
    }
  }
  return out;
}
