import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Raster } from '../../src/io/raster.js';
import { psnr } from '../../src/metrics/psnr.js';
import { formatMetricValue, getMetric, METRIC_NAMES, type MetricName } from '../../src/metrics/registry.js';
import { ssim } from '../../src/metrics/ssim.js';

function image(w: number, h: number, seed: number): Raster {
  const data = new Float32Array(w * h * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    data[i] = Math.fround(0.25 + 0.5 * Math.sin(i / 50) ** 2 + (s / 2 ** 32) * 0.1);
  }
  return { data, width: w, height: h, channels: 3 };
}

describe('metric registry', () => {
  it('lists the metrics with their kind and direction', () => {
    const expected: Record<MetricName, [string, string]> = {
      psnr: ['full-reference', 'higher'],
      ssim: ['full-reference', 'higher'],
      nrmse: ['full-reference', 'lower'],
      niqe: ['no-reference', 'lower'],
      piqe: ['no-reference', 'lower'],
      brisque: ['no-reference', 'lower'],
    };
    assert.deepEqual([...METRIC_NAMES].sort(), Object.keys(expected).sort());
    for (const name of METRIC_NAMES) {
      const m = getMetric(name);
      assert.equal(m.name, name);
      assert.deepEqual([m.kind, m.better], expected[name]);
    }
  });

  it('unknown names throw and list the valid ones', () => {
    assert.throws(
      () => getMetric('lpips'),
      /unknown metric 'lpips'; valid metrics: psnr, ssim, nrmse, niqe, piqe, brisque/,
    );
    assert.throws(() => getMetric('toString'), /unknown metric/);
  });

  it('computes the same numbers as the functions, with the convention attached', () => {
    const a = image(64, 48, 1);
    const b = image(64, 48, 2);
    const v = getMetric('psnr').compute(a, b, { convention: 'basicsr', channel: 'y', cropBorder: 4 });
    assert.equal(v.value, psnr(a, b, { convention: 'basicsr', channel: 'y', cropBorder: 4 }));
    assert.equal(v.convention, 'basicsr, Y, crop 4');
    assert.equal(formatMetricValue(v), `psnr ${v.value.toFixed(2)} dB (basicsr, Y, crop 4)`);
    const s = getMetric('ssim').compute(a, b, { convention: 'skimage' });
    assert.equal(s.value, ssim(a, b, { convention: 'skimage' }));
    assert.equal(formatMetricValue(s), `ssim ${s.value.toFixed(4)} (skimage, RGB, crop 0, data_range 1, uniform 7x7)`);
    assert.equal(getMetric('ssim').compute(a, b).convention, 'maskdcpt, RGB, crop 0');
    assert.equal(formatMetricValue(getMetric('psnr').compute(a, a)), 'psnr inf dB (maskdcpt, RGB, crop 0)');
    assert.equal(getMetric('piqe').compute(a).convention, 'matlab');
    assert.match(formatMetricValue(getMetric('brisque').compute(a), 1), /^brisque \d+\.\d \(opencv, LIVE model\)$/);
  });

  it('no-reference entries label their conversion', () => {
    const big = image(200, 100, 3);
    assert.equal(getMetric('niqe').compute(big).convention, 'basicsr, Y');
    assert.equal(
      getMetric('niqe').compute(big, { convertTo: 'rgb-mean', cropBorder: 2 }).convention,
      'maskdcpt fork, RGB mean, crop 2',
    );
  });

  it('full-reference entries validate like the functions', () => {
    assert.throws(() => getMetric('psnr').compute(image(8, 8, 1), image(9, 8, 1)), /sizes differ/);
  });
});
