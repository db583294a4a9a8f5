import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { toUint8 } from '../../src/degrade/jpeg.js';
import { demosaicEdgeAwareBG, mosaicDegrade, mosaicRggb } from '../../src/degrade/mosaic.js';
import { createRaster } from '../../src/io/raster.js';
import { psnr, readPngRaster, readPngU8, sharedPath } from './helpers.js';

interface MosaicMeta {
  mosaic: {
    images: {
      image: string;
      gt: string;
      cfa: string;
      lq: string;
      psnr_lq_as_fed_vs_gt: number;
      psnr_lq_channels_reversed_vs_gt: number;
    }[];
  };
}
const meta = JSON.parse(readFileSync(sharedPath('fixtures/degradations/degradations.json'), 'utf8')) as MosaicMeta;
const dir = (rel: string) => sharedPath(`fixtures/degradations/${rel}`);

/** The CFA PNG is single-channel; sharp may hand it back expanded to RGB with equal channels. */
async function readGrey(path: string): Promise<Uint8Array> {
  const p = await readPngU8(path);
  if (p.channels === 1) return p.data;
  const g = new Uint8Array(p.width * p.height);
  for (let i = 0; i < g.length; i++) {
    g[i] = p.data[i * p.channels] as number;
    assert.equal(p.data[i * p.channels + 1], g[i]);
  }
  return g;
}

test('RGGB sampling and the OpenCV EA demosaic reproduce the MaskDCPT fixtures bit for bit', async () => {
  for (const img of meta.mosaic.images) {
    const gt = await readPngU8(dir(img.gt));
    const cfa = mosaicRggb(gt.data, gt.width, gt.height);
    assert.deepEqual(cfa, await readGrey(dir(img.cfa)), `${img.image} CFA`);
    const bgr = demosaicEdgeAwareBG(cfa, gt.width, gt.height);
    const lq = await readPngU8(dir(img.lq));
    assert.deepEqual(bgr, lq.data, `${img.image} LQ`);
  }
});

test('mosaicDegrade: MaskDCPT BGR order vs corrected RGB order, with the recorded PSNRs', async () => {
  for (const img of meta.mosaic.images) {
    const gt = await readPngRaster(dir(img.gt));
    const asFed = mosaicDegrade(gt, 'maskdcpt-bgr');
    const fixed = mosaicDegrade(gt);
    const lq = await readPngU8(dir(img.lq));
    assert.deepEqual(toUint8(asFed), lq.data);
    // float32 storage of /255 values: compare PSNR to ~1e-6 relative.
    assert.ok(Math.abs(psnr(asFed, gt) - img.psnr_lq_as_fed_vs_gt) < 1e-5 * img.psnr_lq_as_fed_vs_gt);
    assert.ok(
      Math.abs(psnr(fixed, gt) - img.psnr_lq_channels_reversed_vs_gt) < 1e-5 * img.psnr_lq_channels_reversed_vs_gt,
    );
    for (let i = 0; i < fixed.data.length; i += 3) {
      assert.equal(fixed.data[i], asFed.data[i + 2]);
      assert.equal(fixed.data[i + 2], asFed.data[i]);
    }
  }
});

test('demosaic keeps sampled values in the interior and handles tiny images like OpenCV', () => {
  const w = 9;
  const h = 7;
  const cfa = Uint8Array.from({ length: w * h }, (_, i) => (i * 37) % 256);
  const out = demosaicEdgeAwareBG(cfa, w, h);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const ch = (y & 1) === 0 ? ((x & 1) === 0 ? 2 : 1) : (x & 1) === 0 ? 1 : 0; // R→2, G→1, B→0
      assert.equal(out[(y * w + x) * 3 + ch], cfa[y * w + x]);
    }
  }
  // OpenCV returns all zeros when either side is ≤ 2.
  assert.ok(demosaicEdgeAwareBG(new Uint8Array(10).fill(200), 5, 2).every((v) => v === 0));
  assert.throws(() => mosaicDegrade(createRaster(4, 4, 1)), /RGB/);
});
