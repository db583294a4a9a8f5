/**
 * BRISQUE against OpenCV's own implementation (cv2.quality.QualityBRISQUE with the LIVE model, values
 * recorded by tools/metrics-oracle.py in oracle.json): features and scores are reproduced bit for bit.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Raster } from '../../src/io/raster.js';
import { brisque, brisqueFeatures, brisqueScore } from '../../src/metrics/brisque.js';
import { crop, hasShared, loadImage, sharedPath } from './helpers.js';

interface Case {
  image: string;
  crop: [number, number, number, number] | null;
  channels: number;
  features: number[];
  score: number;
}
const oracle: { brisque: Case[] } = JSON.parse(
  readFileSync(fileURLToPath(new URL('./oracle.json', import.meta.url)), 'utf8'),
);

describe('brisque vs OpenCV quality module', { skip: !hasShared && 'needs ../shared' }, () => {
  for (const c of oracle.brisque) {
    it(`${c.image}${c.crop ? ` crop ${c.crop.join(',')}` : ''}`, async () => {
      let img = await loadImage(sharedPath(c.image));
      if (c.crop) img = crop(img, ...c.crop);
      assert.equal(img.channels, c.channels);
      const f = brisqueFeatures(img);
      assert.deepEqual(Array.from(f), c.features.map(Math.fround));
      // Bit-exact in practice; the tolerance only allows for libm differences across machines.
      assert.ok(Math.abs(brisqueScore(f) - c.score) < 1e-4, `score ${brisqueScore(f)} vs ${c.score}`);
    });
  }
});

describe('brisque semantics', () => {
  it('clamps to [0, 100] and is defined for grey and RGB', () => {
    const w = 64;
    const h = 48;
    const data = Float32Array.from({ length: w * h }, (_, i) => ((i * 37) % 101) / 100);
    const grey: Raster = { data, width: w, height: h, channels: 1 };
    const v = brisque(grey);
    assert.ok(v >= 0 && v <= 100);
    const rgb: Raster = {
      ...grey,
      channels: 3,
      data: Float32Array.from({ length: w * h * 3 }, (_, i) => data[Math.floor(i / 3)] as number),
    };
    // OpenCV's 15-bit grey of R = G = B is exact, so both inputs give the same features.
    assert.deepEqual(brisqueFeatures(rgb), brisqueFeatures(grey));
  });

  it('rejects images too small to halve and feature vectors of the wrong length', () => {
    assert.throws(() => brisque({ data: new Float32Array(3), width: 3, height: 1, channels: 1 }), /at least 2x2/);
    assert.throws(() => brisqueScore(new Float32Array(35)), /expected 36 features/);
  });
});
