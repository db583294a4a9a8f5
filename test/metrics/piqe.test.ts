/**
 * PIQE with MATLAB semantics. Reference values: shared/data/README.md section 3a (a numpy
 * transcription of MATLAB's piqe.m; JPEG via Pillow/libjpeg 4:2:0, which sharp reproduces bit for bit).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Raster } from '../../src/io/raster.js';
import { piqe, piqeDetailed } from '../../src/metrics/piqe.js';
import { Rng } from '../../src/tensor/rng.js';
import { crop, hasShared, jpegRoundTrip, loadImage, sharedPath } from './helpers.js';

/** AWGN in [0, 1] then 8-bit rounding, with our seeded generator (not numpy's stream). */
function awgn(r: Raster, sigma: number, seed: number): Raster {
  const rng = new Rng(seed);
  const data = r.data.map((v) => Math.round(Math.min(1, Math.max(0, v + rng.normal(0, sigma / 255))) * 255) / 255);
  return { ...r, data };
}

// The README rounds to 0.01; clean and JPEG inputs are identical here, so 0.006 covers the rounding.
const EXACT = 0.006;
// AWGN uses a different noise stream than the README's numpy seed 0: the score is a statistic over
// ~1500 blocks, and 2 points is a generous band for the change of realisation.
const NOISE = 2;

describe('piqe reference values (data README 3a)', { skip: !hasShared && 'needs ../shared' }, () => {
  const rows: [string, number, number, number][] = [
    ['data/kodak24/kodim23.png', 15.12, 67.68, 76.79],
    ['data/cbsd68/101085.png', 43.27, 62.64, 50.7],
  ];
  for (const [file, clean, noisy, jpeg] of rows) {
    it(file, async () => {
      const img = await loadImage(sharedPath(file));
      assert.ok(Math.abs(piqe(img) - clean) < EXACT, `clean ${piqe(img)}`);
      const j = piqe(await jpegRoundTrip(img, 10));
      assert.ok(Math.abs(j - jpeg) < EXACT, `jpeg q10 ${j}`);
      const n = piqe(awgn(img, 25, 0));
      assert.ok(Math.abs(n - noisy) < NOISE, `awgn 25 ${n}`);
      const flat: Raster = { ...img, data: new Float32Array(img.data.length).fill(0.3) };
      assert.equal(piqe(flat), 100);
    });
  }

  const astronaut = '/usr/lib/python3/dist-packages/skimage/data/astronaut.png';
  it('skimage astronaut', { skip: !existsSync(astronaut) && 'python3-skimage not installed' }, async () => {
    const img = await loadImage(astronaut);
    assert.ok(Math.abs(piqe(img) - 33.76) < EXACT, `clean ${piqe(img)}`);
    assert.ok(Math.abs(piqe(await jpegRoundTrip(img, 10)) - 68.24) < EXACT);
  });
});

describe('piqe semantics', () => {
  const textured = (w: number, h: number, c: 1 | 3): Raster => {
    const rng = new Rng(`piqe-${w}x${h}`);
    const data = new Float32Array(w * h * c);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = 0.5 + 0.3 * Math.sin(x / 3) * Math.cos(y / 5) + rng.normal(0, 0.02);
        for (let k = 0; k < c; k++) data[(y * w + x) * c + k] = v;
      }
    }
    return { data, width: w, height: h, channels: c };
  };

  it('a flat image scores exactly 100 with no active block', () => {
    const d = piqeDetailed({ data: new Float32Array(50 * 40).fill(0.7), width: 50, height: 40, channels: 1 });
    assert.equal(d.score, 100);
    assert.deepEqual([d.blocksX, d.blocksY], [4, 3]); // padded to 64 x 48
    assert.equal(
      d.activity.reduce((a, b) => a + b, 0),
      0,
    );
  });

  it('scores lie in [0, 100], masks flag only active blocks', () => {
    const d = piqeDetailed(textured(70, 45, 1));
    assert.ok(d.score >= 0 && d.score <= 100);
    for (let i = 0; i < d.activity.length; i++) {
      if (!d.activity[i]) assert.equal((d.artifact[i] as number) + (d.noise[i] as number), 0);
    }
  });

  it('grey and RGB with equal channels agree (rgb2gray weights sum to 1)', () => {
    assert.ok(Math.abs(piqe(textured(64, 48, 1)) - piqe(textured(64, 48, 3))) < 1e-9);
  });

  it('padding replicates the last row and column', { skip: !hasShared && 'needs ../shared' }, async () => {
    const img = crop(await loadImage(sharedPath('data/kodak24/kodim23.png')), 0, 0, 100, 120);
    // Appending exactly the replicated pixels must not change the score.
    const w = 128;
    const h = 112;
    const padded = new Float32Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const s = (Math.min(y, 99) * 120 + Math.min(x, 119)) * 3;
        padded.set(img.data.subarray(s, s + 3), (y * w + x) * 3);
      }
    }
    assert.equal(piqe(img), piqe({ data: padded, width: w, height: h, channels: 3 }));
  });

  it('rejects empty images', () => {
    assert.throws(() => piqe({ data: new Float32Array(0), width: 0, height: 5, channels: 1 }), /empty image/);
  });
});
