/**
 * NIQE against BasicSR's documented MATLAB value for its baboon test vector and against the values in
 * shared/fixtures/metrics/expected.json (BasicSR calculate_niqe, convert_to y / gray, and the MaskDCPT
 * fork's per-channel mean).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Raster } from '../../src/io/raster.js';
import { type NiqeConversion, niqe } from '../../src/metrics/niqe.js';
import { crop, hasShared, loadImage, sharedPath } from './helpers.js';

describe('niqe', { skip: !hasShared && 'needs ../shared' }, () => {
  it('baboon test vector: 5.7296 (MATLAB R2021a 5.72957338)', async () => {
    const img = await loadImage(sharedPath('data/niqe/baboon_niqe_testvector.png'));
    const v = niqe(img);
    assert.ok(Math.abs(v - 5.72957338) < 1e-3, `got ${v}`);
    assert.equal(v.toFixed(4), '5.7296');
  });

  it('matches every NIQE value of expected.json to 1e-9', async () => {
    const exp = JSON.parse(readFileSync(sharedPath('fixtures/metrics/expected.json'), 'utf8'));
    const keys: [string, NiqeConversion][] = [
      ['niqe_y', 'y'],
      ['niqe_gray', 'gray'],
      ['niqe_maskdcpt_fork_rgb_mean', 'rgb-mean'],
    ];
    assert.equal(exp.niqe.images.length, 3);
    for (const im of exp.niqe.images) {
      const file: string = im.image.file;
      const img = await loadImage(sharedPath(file.startsWith('shared/') ? file.slice(7) : `fixtures/${file}`));
      for (const [key, convertTo] of keys) {
        const got = niqe(img, { convertTo });
        assert.ok(Math.abs(got - im[key]) < 1e-9, `${file} ${key}: got ${got}, want ${im[key]}`);
      }
    }
  });

  it('cropBorder equals measuring the cropped image; crop order is irrelevant to rounding', async () => {
    const img = await loadImage(sharedPath('fixtures/metrics/A3_degraded.png'));
    assert.equal(niqe(img, { cropBorder: 5 }), niqe(crop(img, 5, 5, img.height - 10, img.width - 10)));
  });

  it('a grey image gives the NIQE of its plane under every conversion', async () => {
    const rgb = await loadImage(sharedPath('fixtures/metrics/A4_gt.png'));
    const grey: Raster = { ...rgb, channels: 1, data: rgb.data.filter((_, i) => i % 3 === 1) };
    const v = niqe(grey);
    assert.equal(niqe(grey, { convertTo: 'gray' }), v);
    assert.equal(niqe(grey, { convertTo: 'rgb-mean' }), v);
    // The fork's RGB mean of an image whose three planes are that grey plane is the same number.
    const tripled: Raster = {
      ...grey,
      channels: 3,
      data: Float32Array.from({ length: grey.data.length * 3 }, (_, i) => grey.data[Math.floor(i / 3)] as number),
    };
    assert.ok(Math.abs(niqe(tripled, { convertTo: 'rgb-mean' }) - v) < 1e-12);
  });
});

describe('niqe errors', () => {
  const noise = (w: number, h: number): Raster => ({
    data: Float32Array.from({ length: w * h }, (_, i) => ((i * 2654435761) % 1000) / 1000),
    width: w,
    height: h,
    channels: 1,
  });
  it('needs two 96x96 blocks', () => {
    assert.throws(() => niqe(noise(100, 100)), /100x100; NIQE needs at least two 96x96 blocks/);
    assert.ok(Number.isFinite(niqe(noise(192, 96))));
  });
  it('a flat image has no finite features', () => {
    const flat: Raster = { data: new Float32Array(200 * 200).fill(0.5), width: 200, height: 200, channels: 1 };
    assert.throws(() => niqe(flat), /is the image flat/);
  });
  it('rejects bad options', () => {
    assert.throws(() => niqe(noise(200, 200), { convertTo: 'lab' as never }), /convertTo must be/);
    assert.throws(() => niqe(noise(200, 200), { cropBorder: 100 }), /leaves nothing/);
  });
});
