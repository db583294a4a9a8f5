import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeJpeg, encodeJpeg, jpegRoundTrip, roundHalfEven, toUint8 } from '../../src/degrade/jpeg.js';
import { createRaster } from '../../src/io/raster.js';
import { psnr, readPngRaster, readPngU8, sharedPath } from './helpers.js';

interface JpegMeta {
  jpeg: {
    images: {
      image: string;
      gt: string;
      qualities: {
        quality: number;
        jpg: string;
        jpg_sha256: string;
        decoded_png: string;
        psnr_decoded_vs_gt: number;
      }[];
    }[];
  };
}
const meta = JSON.parse(readFileSync(sharedPath('fixtures/degradations/degradations.json'), 'utf8')) as JpegMeta;
const dir = (rel: string) => sharedPath(`fixtures/degradations/${rel}`);

test('encodeJpeg reproduces OpenCV 4.6 imencode bytes exactly (Q 10, 30, 50)', async () => {
  let n = 0;
  for (const img of meta.jpeg.images) {
    const gt = await readPngRaster(dir(img.gt));
    for (const q of img.qualities) {
      const ours = await encodeJpeg(gt, q.quality);
      const ref = readFileSync(dir(q.jpg));
      assert.equal(createHash('sha256').update(ref).digest('hex'), q.jpg_sha256);
      assert.equal(ours.length, ref.length, `${img.image} q${q.quality} size`);
      assert.ok(ours.equals(ref), `${img.image} q${q.quality} bytes differ`);
      n++;
    }
  }
  assert.equal(n, 6);
});

test('jpegRoundTrip decodes to the OpenCV-decoded pixels exactly, with the recorded PSNR', async () => {
  for (const img of meta.jpeg.images) {
    const gt = await readPngRaster(dir(img.gt));
    for (const q of img.qualities) {
      const out = await jpegRoundTrip(gt, q.quality);
      const ref = await readPngU8(dir(q.decoded_png));
      assert.deepEqual(toUint8(out), ref.data, `${img.image} q${q.quality}`);
      // float32 samples vs the fixture's float64 uint8/255: agree to ~1e-6 relative, as the README suggests.
      assert.ok(Math.abs(psnr(out, gt) - q.psnr_decoded_vs_gt) < 1e-5 * q.psnr_decoded_vs_gt);
    }
  }
});

test('grey images encode as single-channel JPEG; quality is validated; rounding is half-to-even', async () => {
  const g = createRaster(16, 8, 1);
  for (let i = 0; i < g.data.length; i++) g.data[i] = (i % 16) / 15;
  const buf = await encodeJpeg(g, 80);
  const back = await decodeJpeg(buf);
  assert.equal(back.channels, 1);
  assert.ok(psnr(back, g) > 30);
  await assert.rejects(encodeJpeg(g, 0), /quality/);
  await assert.rejects(encodeJpeg(g, 50.5), /quality/);
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, 2, 3]);
});
