/**
 * Mosaic degradation as MaskDCPT's `PairedImageMosaicDataset` synthesises it: sample the 8-bit RGB image on an
 * RGGB Bayer grid (`mosaic_CFA_Bayer`), then demosaic with OpenCV's edge-aware algorithm
 * (`cv2.cvtColor(cfa, COLOR_BAYER_BG2BGR_EA)`), re-implemented here from the behaviour of OpenCV's
 * demosaicing.cpp (`Bayer2RGB_EdgeAware_T`), integer arithmetic included.
 *
 * Channel-order quirk: OpenCV returns BGR, and MaskDCPT never converts it back, so its network input has red
 * and blue swapped relative to the RGB target. `channelOrder: 'maskdcpt-bgr'` reproduces that; the default
 * `'rgb'` returns correct colours.
 */
import type { Raster } from '../io/raster.js';
import type { Rng } from '../tensor/rng.js';
import { normals } from './fastrand.js';
import { fromUint8, roundHalfEven } from './jpeg.js';

/** RGGB CFA of an 8-bit RGB image (HWC): R at (even, even), G at (even, odd) and (odd, even), B at (odd, odd). */
export function mosaicRggb(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const cfa = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const ch = (y & 1) === 0 ? ((x & 1) === 0 ? 0 : 1) : (x & 1) === 0 ? 1 : 2;
      cfa[y * width + x] = rgb[(y * width + x) * 3 + ch] as number;
    }
  }
  return cfa;
}

/**
 * `mosaicRggb(toUint8(img))` without quantising the two unsampled channels of each pixel: a Uint8ClampedArray
 * store is toUint8's rule (clamp, ties to even, NaN → 0).
 */
function mosaicRggbFloat(img: Raster): Uint8Array {
  const { width, height, data } = img;
  const cfa = new Uint8ClampedArray(width * height);
  for (let y = 0; y < height; y++) {
    const odd = y & 1;
    for (let x = 0; x < width; x++) {
      const ch = odd + (x & 1); // 0 R, 1 G, 2 B
      cfa[y * width + x] = (data[(y * width + x) * 3 + ch] as number) * 255;
    }
  }
  return new Uint8Array(cfa.buffer);
}

/**
 * `cv2.cvtColor(cfa, COLOR_BAYER_BG2BGR_EA)` on 8-bit data: returns interleaved BGR uint8.
 * Interior: sampled values are kept; the missing green is the average along the direction with the smaller
 * gradient; red/blue come from 2- or 4-neighbour averages with OpenCV's exact rounding. Borders: the outer
 * columns/rows copy their neighbours, as OpenCV does.
 */
export function demosaicEdgeAwareBG(cfa: Uint8Array, width: number, height: number): Uint8Array {
  const dst = new Uint8Array(width * height * 3);
  if (width <= 2 || height <= 2) return dst;
  const sw = width - 2;
  const sh = height - 2;
  const st = width;
  // BG: the first processed row (source row 1) starts with a non-green site and has `blue` set.
  let startWithGreen = 0;
  let blue = 1;
  for (let y = 0; y < sh; y++) {
    let s = (y + 1) * st + 1;
    let d = ((y + 1) * width + 1) * 3;
    let x = 1;
    if (startWithGreen) {
      dst[d + (blue << 1)] = ((cfa[s - st] as number) + (cfa[s + st] as number) + 1) >> 1;
      dst[d + 1] = cfa[s] as number;
      dst[d + 2 - (blue << 1)] = ((cfa[s - 1] as number) + (cfa[s + 1] as number) + 1) >> 1;
      d += 3;
      s++;
      x++;
    }
    for (; x < sw; x += 2, s += 2, d += 6) {
      const c = cfa[s] as number;
      const l = cfa[s - 1] as number;
      const r = cfa[s + 1] as number;
      const u = cfa[s - st] as number;
      const dn = cfa[s + st] as number;
      const diag =
        (cfa[s - st - 1] as number) +
        (cfa[s - st + 1] as number) +
        (cfa[s + st - 1] as number) +
        (cfa[s + st + 1] as number);
      const g = (Math.abs(l - r) > Math.abs(dn - u) ? dn + u + 1 : l + r + 1) >> 1;
      if (blue) {
        dst[d] = c;
        dst[d + 1] = g;
        dst[d + 2] = (diag + 2) >> 2;
        dst[d + 3] = (c + (cfa[s + 2] as number) + 1) >> 1;
        dst[d + 4] = r;
        dst[d + 5] = ((cfa[s - st + 1] as number) + (cfa[s + st + 1] as number) + 1) >> 1;
      } else {
        dst[d] = (diag + 2) >> 2;
        dst[d + 1] = g;
        dst[d + 2] = c;
        dst[d + 3] = ((cfa[s - st + 1] as number) + (cfa[s + st + 1] as number) + 1) >> 1;
        dst[d + 4] = r;
        dst[d + 5] = (c + (cfa[s + 2] as number) + 1) >> 1;
      }
    }
    if (x <= sw) {
      const l = cfa[s - 1] as number;
      const r = cfa[s + 1] as number;
      const u = cfa[s - st] as number;
      const dn = cfa[s + st] as number;
      const diag =
        (cfa[s - st - 1] as number) +
        (cfa[s - st + 1] as number) +
        (cfa[s + st - 1] as number) +
        (cfa[s + st + 1] as number);
      dst[d + (blue << 1)] = (diag + 2) >> 2;
      dst[d + 1] = (Math.abs(l - r) > Math.abs(dn - u) ? dn + u + 1 : l + r + 1) >> 1;
      dst[d + 2 - (blue << 1)] = cfa[s] as number;
    }
    // Outer columns copy their inner neighbours.
    const row = (y + 1) * width * 3;
    for (let i = 0; i < 3; i++) {
      dst[row + (width - 1) * 3 + i] = dst[row + (width - 2) * 3 + i] as number;
      dst[row + i] = dst[row + 3 + i] as number;
    }
    startWithGreen ^= 1;
    blue ^= 1;
  }
  // First and last rows copy their neighbours.
  const rowLen = width * 3;
  dst.copyWithin(0, rowLen, 2 * rowLen);
  dst.copyWithin((height - 1) * rowLen, (height - 2) * rowLen, (height - 1) * rowLen);
  return dst;
}

export type MosaicChannelOrder = 'rgb' | 'maskdcpt-bgr';

/**
 * Mosaic degradation of an RGB raster: 8-bit quantisation (round half to even), RGGB sampling, optional sensor
 * noise on the CFA (σ in 8-bit units, rounded and clipped back to uint8), OpenCV EA demosaic, /255.
 * `channelOrder` 'rgb' (default) fixes OpenCV's BGR output; 'maskdcpt-bgr' keeps it as MaskDCPT feeds its
 * network.
 */
export function mosaicDegrade(
  img: Raster,
  channelOrder: MosaicChannelOrder = 'rgb',
  cfaNoise?: { sigma: number; rng: Rng },
): Raster {
  if (img.channels !== 3) throw new RangeError('mosaic: needs an RGB raster');
  const cfa = mosaicRggbFloat(img);
  if (cfaNoise && cfaNoise.sigma > 0) {
    const z = normals(cfaNoise.rng, cfa.length);
    for (let i = 0; i < cfa.length; i++) {
      const v = roundHalfEven((cfa[i] as number) + cfaNoise.sigma * (z[i] as number));
      cfa[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  const bgr = demosaicEdgeAwareBG(cfa, img.width, img.height);
  return fromUint8(bgr, img.width, img.height, 3, channelOrder === 'rgb');
}
