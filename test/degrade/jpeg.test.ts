import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  decodeJpeg,
  encodeJpeg,
  fromUint8,
  jpegRoundTrip,
  jpegRoundTripTensor,
  roundHalfEven,
  toUint8,
} from '../../src/degrade/jpeg.js';
import { createRaster, fromPlanar, type Raster, toPlanar } from '../../src/io/raster.js';
import { fromTypedArray, stack } from '../../src/tensor/index.js';
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

test('the addon quantises like toUint8 (ties to even, clamping, NaN → 0), also in the scalar tail', async () => {
  // 13 × 7 × 3 = 273 samples: not a multiple of the addon's 4-wide loop. The oracle is ECMAScript's
  // ToUint8Clamp (toUint8): encoding the float raster must give the bytes of encoding its uint8 rounding.
  const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.3, 1.7, 0.5, 1, 0, -0];
  const img = createRaster(13, 7, 3);
  for (let i = 0; i < img.data.length; i++) {
    img.data[i] = i % 5 === 0 ? (specials[(i / 5) % specials.length] as number) : ((i * 37) % 256) / 255 + 0.0019;
  }
  img.data[img.data.length - 1] = Number.NaN; // in the tail
  img.data[img.data.length - 2] = 0.5; // 127.5 → 128
  const pre = fromUint8(toUint8(img), img.width, img.height, img.channels);
  for (const q of [10, 75, 100]) {
    assert.ok((await encodeJpeg(img, q)).equals(await encodeJpeg(pre, q)), `q${q} bytes`);
    assert.deepEqual((await jpegRoundTrip(img, q)).data, (await jpegRoundTrip(pre, q)).data, `q${q} pixels`);
  }
});

test('jpegRoundTripTensor matches the OpenCV-decoded fixtures for CHW, batched and strided inputs', async () => {
  for (const img of meta.jpeg.images) {
    const gt = await readPngRaster(dir(img.gt));
    const chw = fromTypedArray(toPlanar(gt), [3, gt.height, gt.width]);
    // An HWC tensor permuted to CHW: same values, non-contiguous strides.
    const strided = fromTypedArray(gt.data, [gt.height, gt.width, 3]).permute(2, 0, 1);
    assert.equal(strided.isContiguous(), false);
    const batch = stack([chw, strided]);
    for (const q of img.qualities) {
      const ref = (await readPngU8(dir(q.decoded_png))).data;
      const toHwc = (planar: Float32Array): Raster => fromPlanar(planar, gt.width, gt.height, 3);
      const one = jpegRoundTripTensor(chw, q.quality);
      assert.deepEqual(one.shape, [3, gt.height, gt.width]);
      assert.deepEqual(toUint8(toHwc(one.data() as Float32Array)), ref, `${img.image} q${q.quality} CHW`);
      const two = jpegRoundTripTensor(batch, q.quality);
      assert.deepEqual(two.shape, [2, 3, gt.height, gt.width]);
      const n = 3 * gt.height * gt.width;
      const all = two.data() as Float32Array;
      for (const b of [0, 1]) {
        assert.deepEqual(toUint8(toHwc(all.subarray(b * n, (b + 1) * n))), ref, `${img.image} q${q.quality} [${b}]`);
      }
    }
  }
});

test("codec errors become JS errors with libjpeg's message, and bad inputs are refused", async () => {
  const img = createRaster(16, 16, 3);
  const good = await encodeJpeg(img, 50);
  await assert.rejects(decodeJpeg(Buffer.from('not a jpeg at all')), /jpeg: cannot decode: Not a JPEG file/);
  await assert.rejects(decodeJpeg(good.subarray(0, good.length - 40)), /jpeg: cannot decode: Premature end/);
  await assert.rejects(decodeJpeg(new Uint8Array(0)), /empty/);
  await assert.rejects(jpegRoundTrip({ ...img, data: new Float32Array(10) }, 50), /expected 768/);
  await assert.rejects(jpegRoundTrip(img, 101), /quality/);
  // The process is still alive and the codec still works after the errors.
  assert.equal((await decodeJpeg(good)).width, 16);
  assert.equal((await decodeJpeg(good, 1)).channels, 1);
  const t = fromTypedArray(new Float32Array(2 * 8 * 8), [2, 8, 8]);
  assert.throws(() => jpegRoundTripTensor(t, 50), /channels must be 1 or 3/);
  assert.throws(() => jpegRoundTripTensor(fromTypedArray(new Float64Array(3 * 4 * 4), [3, 4, 4]), 50), /float32/);
  assert.throws(() => jpegRoundTripTensor(fromTypedArray(new Float32Array(12), [3, 4]), 50), /dimensions/);
});
