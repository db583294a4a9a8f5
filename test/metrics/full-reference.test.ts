/**
 * PSNR / SSIM / NRMSE against the golden values of shared/fixtures/metrics/expected.json, produced by
 * BasicSR, the MaskDCPT fork and scikit-image 0.19 on the stored PNG pairs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { Raster } from '../../src/io/raster.js';
import type { FullReferenceOptions } from '../../src/metrics/full-reference.js';
import { nrmse } from '../../src/metrics/nrmse.js';
import { psnr } from '../../src/metrics/psnr.js';
import { type SsimOptions, ssim } from '../../src/metrics/ssim.js';
import { hasShared, loadImage, sharedPath } from './helpers.js';

interface Pair {
  id: string;
  gt: string;
  degraded: string;
  metrics: Record<string, number>;
}

type Fn = 'psnr' | 'ssim' | 'nrmse';
/** expected.json key -> how we compute it. */
const CASES: Record<string, [Fn, SsimOptions]> = {
  basicsr_psnr: ['psnr', { convention: 'basicsr' }],
  basicsr_ssim: ['ssim', { convention: 'basicsr' }],
  basicsr_psnr_y_crop4: ['psnr', { convention: 'basicsr', channel: 'y', cropBorder: 4 }],
  basicsr_ssim_y_crop4: ['ssim', { convention: 'basicsr', channel: 'y', cropBorder: 4 }],
  basicsr_pt_psnr: ['psnr', { convention: 'basicsr-pt' }],
  basicsr_pt_ssim: ['ssim', { convention: 'basicsr-pt' }],
  basicsr_pt_psnr_y_crop4: ['psnr', { convention: 'basicsr-pt', channel: 'y', cropBorder: 4 }],
  basicsr_pt_ssim_y_crop4: ['ssim', { convention: 'basicsr-pt', channel: 'y', cropBorder: 4 }],
  maskdcpt_psnr: ['psnr', {}],
  maskdcpt_ssim: ['ssim', {}],
  maskdcpt_nrmse: ['nrmse', {}],
  maskdcpt_psnr_y_crop4: ['psnr', { channel: 'y', cropBorder: 4 }],
  maskdcpt_ssim_y_crop4: ['ssim', { channel: 'y', cropBorder: 4 }],
  // The fork's default image_range=255 re-quantises to uint8: BasicSR's numpy convention.
  maskdcpt_psnr_range255: ['psnr', { convention: 'basicsr' }],
  skimage_psnr_u8: ['psnr', { convention: 'skimage' }],
  skimage_ssim_u8: ['ssim', { convention: 'skimage' }],
  skimage_psnr_f32: ['psnr', { convention: 'skimage' }],
  skimage_ssim_f32: ['ssim', { convention: 'skimage' }],
  skimage_ssim_f64: ['ssim', { convention: 'skimage' }],
  skimage_ssim_u8_gaussian: ['ssim', { convention: 'skimage', gaussianWeights: true, useSampleCovariance: false }],
};

// Aims: 1e-6 dB and 1e-6 SSIM. The u8/f32 skimage rows differ from our float64 run only by their input
// dtype (integers with data_range 255, or float32 arithmetic): observed <= 1.7e-7 dB and 8.3e-8.
const TOL: Record<Fn, number> = { psnr: 1e-6, ssim: 1e-6, nrmse: 1e-9 };

function compute(fn: Fn, a: Raster, b: Raster, o: SsimOptions): number {
  return fn === 'psnr' ? psnr(a, b, o) : fn === 'ssim' ? ssim(a, b, o) : nrmse(a, b, o);
}

describe('full-reference metrics vs expected.json', { skip: !hasShared && 'needs ../shared' }, () => {
  let pairs: Pair[] = [];
  const images = new Map<string, [Raster, Raster]>();
  before(async () => {
    const exp = JSON.parse(readFileSync(sharedPath('fixtures/metrics/expected.json'), 'utf8'));
    pairs = exp.pairs;
    for (const p of pairs) {
      images.set(p.id, [
        await loadImage(sharedPath(`fixtures/metrics/${p.degraded}`)),
        await loadImage(sharedPath(`fixtures/metrics/${p.gt}`)),
      ]);
    }
  });

  for (const [key, [fn, options]] of Object.entries(CASES)) {
    it(`${key} on all six pairs`, () => {
      assert.equal(pairs.length, 6);
      for (const p of pairs) {
        const [degraded, gt] = images.get(p.id) as [Raster, Raster];
        const want = p.metrics[key];
        assert.equal(typeof want, 'number', `${p.id} has ${key}`);
        const got = compute(fn, degraded, gt, options);
        assert.ok(Math.abs(got - (want as number)) <= TOL[fn], `${p.id} ${key}: got ${got}, want ${want}`);
      }
    });
  }

  it('PSNR and SSIM are symmetric in their arguments', () => {
    const [a, b] = images.get('A3') as [Raster, Raster];
    for (const o of [
      {},
      { convention: 'skimage' },
      { convention: 'basicsr', channel: 'y' },
    ] as FullReferenceOptions[]) {
      assert.equal(psnr(a, b, o), psnr(b, a, o));
      assert.ok(Math.abs(ssim(a, b, o) - ssim(b, a, o)) < 1e-15);
    }
  });
});

function synthetic(width: number, height: number, channels: 1 | 3, seed = 1): Raster {
  const data = new Float32Array(width * height * channels);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = Math.fround((s >>> 8) / 2 ** 24);
  }
  return { data, width, height, channels };
}

describe('full-reference properties and errors', () => {
  const a = synthetic(40, 30, 3, 1);
  const b = synthetic(40, 30, 3, 2);

  it('identical images: PSNR is infinite (80 dB with the torch epsilon), SSIM is 1, NRMSE 0', () => {
    assert.equal(psnr(a, a), Number.POSITIVE_INFINITY);
    assert.equal(psnr(a, a, { convention: 'basicsr' }), Number.POSITIVE_INFINITY);
    assert.ok(Math.abs(psnr(a, a, { convention: 'basicsr-pt' }) - 80) < 1e-12);
    for (const convention of ['maskdcpt', 'basicsr', 'basicsr-pt', 'skimage'] as const) {
      assert.ok(Math.abs(ssim(a, a, { convention }) - 1) < 1e-12, convention);
    }
    assert.equal(nrmse(a, a), 0);
  });

  it('PSNR follows 10 log10(peak^2 / MSE) for a constant offset', () => {
    const flat = { ...a, data: new Float32Array(a.data.length).fill(0.5) };
    const off = { ...a, data: new Float32Array(a.data.length).fill(0.5 + 0.1) };
    const mse = (Math.fround(0.6) - 0.5) ** 2;
    assert.ok(Math.abs(psnr(off, flat) - 10 * Math.log10(1 / mse)) < 1e-9);
    // skimage with data_range 2 adds 20 log10(2).
    assert.ok(
      Math.abs(psnr(off, flat, { convention: 'skimage', dataRange: 2 }) - psnr(off, flat) - 20 * Math.log10(2)) < 1e-9,
    );
    // BasicSR quantises: 0.6 * 255 = 153, 0.5 * 255 = 127.5 -> 128 (half to even), error 25.
    assert.ok(Math.abs(psnr(off, flat, { convention: 'basicsr' }) - 10 * Math.log10(255 ** 2 / 625)) < 1e-9);
  });

  it('a grey image equals an RGB image with three identical channels', () => {
    const g1 = synthetic(32, 24, 1, 3);
    const g2 = synthetic(32, 24, 1, 4);
    const rgb = (g: Raster): Raster => ({
      ...g,
      channels: 3,
      data: Float32Array.from({ length: g.data.length * 3 }, (_, i) => g.data[Math.floor(i / 3)] as number),
    });
    assert.ok(Math.abs(psnr(g1, g2) - psnr(rgb(g1), rgb(g2))) < 1e-9);
    assert.ok(Math.abs(ssim(g1, g2) - ssim(rgb(g1), rgb(g2))) < 1e-12);
    assert.ok(
      Math.abs(ssim(g1, g2, { convention: 'skimage' }) - ssim(rgb(g1), rgb(g2), { convention: 'skimage' })) < 1e-12,
    );
    // Y of a grey image is the image itself.
    assert.equal(psnr(g1, g2, { channel: 'y' }), psnr(g1, g2));
  });

  it('cropBorder equals measuring the cropped images', () => {
    const crop = (r: Raster, c: number): Raster => {
      const w = r.width - 2 * c;
      const h = r.height - 2 * c;
      const data = new Float32Array(w * h * 3);
      for (let y = 0; y < h; y++)
        data.set(r.data.subarray(((y + c) * r.width + c) * 3, ((y + c) * r.width + c + w) * 3), y * w * 3);
      return { data, width: w, height: h, channels: 3 };
    };
    assert.equal(psnr(a, b, { cropBorder: 4 }), psnr(crop(a, 4), crop(b, 4)));
    assert.equal(ssim(a, b, { cropBorder: 3 }), ssim(crop(a, 3), crop(b, 3)));
  });

  it('rejects mismatched sizes, grey vs colour, empty images, tiny images and bad options', () => {
    assert.throws(() => psnr(a, synthetic(41, 30, 3)), /sizes differ: 40x30 vs 41x30/);
    assert.throws(() => ssim(a, synthetic(40, 30, 1)), /grey vs colour/);
    assert.throws(() => psnr({ data: new Float32Array(0), width: 0, height: 0, channels: 3 }, a), /empty image/);
    assert.throws(() => ssim(synthetic(10, 30, 3), synthetic(10, 30, 3)), /10x30, smaller than the 11x11 window/);
    assert.throws(
      () => ssim(synthetic(12, 12, 3), synthetic(12, 12, 3), { cropBorder: 1 }),
      /after cropping 1 px, smaller than the 11x11/,
    );
    assert.ok(Number.isFinite(ssim(synthetic(7, 7, 1), synthetic(7, 7, 1, 9), { convention: 'skimage' })));
    assert.throws(() => ssim(synthetic(6, 9, 1), synthetic(6, 9, 1), { convention: 'skimage' }), /7x7 window/);
    assert.throws(() => psnr(a, b, { cropBorder: 15 }), /leaves nothing/);
    assert.throws(() => psnr(a, b, { cropBorder: -1 }), /non-negative integer/);
    assert.throws(
      () => psnr(a, b, { convention: 'matlab' as never }),
      /unknown convention 'matlab'; valid: maskdcpt, basicsr, basicsr-pt, skimage/,
    );
    assert.throws(() => psnr(a, b, { dataRange: 255 }), /skimage convention only/);
    assert.throws(() => ssim(a, b, { winSize: 9 }), /skimage convention only/);
    assert.throws(() => ssim(a, b, { convention: 'skimage', winSize: 8 }), /odd integer/);
    assert.throws(() => psnr(a, { ...b, channels: 2 }), /grey \(1 channel\) or RGB/);
  });
});
