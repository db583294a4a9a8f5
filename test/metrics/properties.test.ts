/**
 * No-reference metrics on real photos (Kodak24): a clean photo scores better than a noisy one, which
 * scores better than a heavily degraded one, for PIQE, NIQE and BRISQUE (all lower-is-better).
 * Degradations are made here with the seeded host generator.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Raster } from '../../src/io/raster.js';
import { brisque } from '../../src/metrics/brisque.js';
import { niqe } from '../../src/metrics/niqe.js';
import { piqe } from '../../src/metrics/piqe.js';
import { Rng } from '../../src/tensor/rng.js';
import { hasShared, jpegRoundTrip, loadImage, sharedPath } from './helpers.js';

function awgn(r: Raster, sigma: number, rng: Rng): Raster {
  const data = r.data.map((v) => Math.round(Math.min(1, Math.max(0, v + rng.normal(0, sigma / 255))) * 255) / 255);
  return { ...r, data };
}

const METRICS: [string, (r: Raster) => number][] = [
  ['piqe', piqe],
  ['niqe', (r) => niqe(r)],
  ['brisque', brisque],
];

describe('no-reference ordering on Kodak photos', { skip: !hasShared && 'needs ../shared' }, () => {
  for (const id of ['03', '15', '23']) {
    it(`kodim${id}: clean < AWGN 15 < AWGN 50, and clean < JPEG q5`, async () => {
      const clean = await loadImage(sharedPath(`data/kodak24/kodim${id}.png`));
      const rng = new Rng(`metrics-properties-${id}`);
      const noisy = awgn(clean, 15, rng);
      const heavy = awgn(clean, 50, rng);
      const jpeg = await jpegRoundTrip(clean, 5);
      for (const [name, f] of METRICS) {
        const [c, n, h, j] = [f(clean), f(noisy), f(heavy), f(jpeg)];
        assert.ok(c < n && n < h, `${name}: clean ${c}, noisy ${n}, heavy ${h}`);
        assert.ok(c < j, `${name}: clean ${c}, jpeg q5 ${j}`);
      }
    });
  }
});
