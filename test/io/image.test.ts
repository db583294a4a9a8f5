import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { readImage, writeImage } from '../../src/io/image.js';
import { createRaster } from '../../src/io/raster.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { decodePng, encodePng } from './png.js';

const data = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const archs = fileURLToPath(new URL('../../../shared/fixtures/archs/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'image-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Deterministic pseudo-random integers in [0, max]. */
function levels(n: number, max: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % (max + 1);
  });
}

test('Kodak PNG decodes to the same floats PyTorch/Pillow stored for the fixture crop', async () => {
  const img = await readImage(join(data, 'kodak24/kodim03.png'));
  assert.equal(img.raster.width, 768);
  assert.equal(img.raster.height, 512);
  assert.equal(img.raster.channels, 3);
  assert.deepEqual(
    [img.bitDepth, img.format, img.hasIcc, img.orientationApplied, img.alpha],
    [8, 'png', false, false, undefined],
  );
  // nafnet.io.safetensors 'input' is kodim03.png rows 180.., cols 300.. as uint8/255, NCHW.
  const input = (await readSafetensors(join(archs, 'nafnet.io.safetensors'))).tensors.get('input')!;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const ours = img.raster.data[((180 + y) * 768 + 300 + x) * 3 + c];
        assert.equal(ours, input.data[c * 1024 + y * 32 + x], `c${c} y${y} x${x}`);
      }
    }
  }
});

test('grey images stay grey (or become equal RGB on request)', async () => {
  const path = join(data, 'set12/01.png');
  const png = decodePng(readFileSync(path));
  assert.equal(png.colorType, 0);
  const grey = await readImage(path);
  assert.equal(grey.raster.channels, 1);
  assert.deepEqual(
    grey.raster.data,
    Float32Array.from(png.samples, (v) => v / 255),
  );
  const rgb = await readImage(path, { channels: 3 });
  assert.equal(rgb.raster.channels, 3);
  for (let i = 0; i < png.samples.length; i += 97) {
    for (let c = 0; c < 3; c++) assert.equal(rgb.raster.data[i * 3 + c], grey.raster.data[i]);
  }
});

test('8-bit round trip is exact for RGB and grey, alpha included', async () => {
  const w = 37;
  const h = 23;
  for (const [channels, alpha] of [
    [3, false],
    [3, true],
    [1, false],
    [1, true],
  ] as const) {
    const q = levels(w * h * channels, 255, channels * 10 + Number(alpha));
    const r = createRaster(
      w,
      h,
      channels,
      Float32Array.from(q, (v) => v / 255),
    );
    const a = alpha ? Float32Array.from(levels(w * h, 255, 99), (v) => v / 255) : undefined;
    const path = join(tmp, `rt8-${channels}-${alpha}.png`);
    await writeImage(path, r, a ? { alpha: a } : {});
    const png = decodePng(readFileSync(path));
    assert.equal(png.colorType, channels === 1 ? (alpha ? 4 : 0) : alpha ? 6 : 2, 'PNG colour type');
    assert.equal(png.bitDepth, 8);
    const back = await readImage(path);
    assert.equal(back.raster.channels, channels);
    assert.deepEqual(back.raster.data, r.data);
    assert.deepEqual(back.alpha, a);
  }
});

test('16-bit PNGs are read at full precision and written back exactly', async () => {
  const w = 19;
  const h = 11;
  for (const colorType of [2, 0, 6, 4] as const) {
    const ch = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType];
    const samples = Uint16Array.from(levels(w * h * ch, 65535, colorType + 5));
    const src = join(tmp, `in16-${colorType}.png`);
    writeFileSync(src, encodePng({ width: w, height: h, bitDepth: 16, colorType, samples }));
    const img = await readImage(src);
    assert.equal(img.bitDepth, 16);
    const colour = colorType === 0 || colorType === 4 ? 1 : 3;
    assert.equal(img.raster.channels, colour);
    for (let i = 0; i < w * h; i++) {
      for (let c = 0; c < colour; c++)
        assert.equal(img.raster.data[i * colour + c], Math.fround(samples[i * ch + c]! / 65535));
      if (ch === 2 || ch === 4) assert.equal(img.alpha![i], Math.fround(samples[i * ch + ch - 1]! / 65535));
    }
    const out = join(tmp, `out16-${colorType}.png`);
    await writeImage(out, img.raster, { bitDepth: 16, ...(img.alpha ? { alpha: img.alpha } : {}) });
    const png = decodePng(readFileSync(out));
    assert.deepEqual([png.bitDepth, png.colorType], [16, colorType]);
    assert.deepEqual(png.samples, samples);
  }
});

test('palette PNGs become RGB with the exact palette colours; CMYK becomes RGB', async () => {
  const palette = Uint8Array.from([255, 0, 0, 0, 128, 255, 10, 20, 30, 250, 250, 5]);
  const idx = Uint8Array.from(levels(8 * 6, 3, 7));
  const path = join(tmp, 'palette.png');
  writeFileSync(path, encodePng({ width: 8, height: 6, bitDepth: 8, colorType: 3, samples: idx, palette }));
  const img = await readImage(path);
  assert.equal(img.raster.channels, 3);
  idx.forEach((k, i) => {
    for (let c = 0; c < 3; c++) assert.equal(img.raster.data[i * 3 + c], Math.fround(palette[k * 3 + c]! / 255));
  });
  // CMYK (no profile) goes through libvips' default CMYK profile both ways, so only approximately equal.
  const kodak = join(data, 'kodak24/kodim03.png');
  const cmyk = await sharp(kodak).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
  assert.equal((await sharp(cmyk).metadata()).channels, 4);
  const fromCmyk = await readImage(cmyk, { name: 'cmyk.jpg' });
  const orig = await readImage(kodak);
  assert.equal(fromCmyk.raster.channels, 3);
  const mse =
    fromCmyk.raster.data.reduce((s, v, i) => s + (v - orig.raster.data[i]!) ** 2, 0) / orig.raster.data.length;
  assert.ok(-10 * Math.log10(mse) > 20, `CMYK round trip PSNR ${-10 * Math.log10(mse)}`);
});

test('quantisation clamps and rounds half up', async () => {
  const values = [-0.1, 0, 0.5, 1, 1.2, Number.NaN, 0.2, 0.002, 0.998];
  const path = join(tmp, 'quant.png');
  await writeImage(path, createRaster(values.length, 1, 1, Float32Array.from(values)));
  // 0.5*255 = 127.5 (exact) → 128; 0.002*255 = 0.51 → 1; 0.998*255 = 254.49 → 254.
  assert.deepEqual(Array.from(decodePng(readFileSync(path)).samples), [0, 0, 128, 255, 255, 0, 51, 1, 254]);
});

test('an EXIF-rotated JPEG comes out upright', async () => {
  // 64 wide x 32 high, four 16x16-aligned colour blocks so JPEG error stays small inside each block.
  const W = 64;
  const H = 32;
  const colours = [
    [230, 20, 20],
    [20, 230, 20],
    [20, 20, 230],
    [230, 230, 20],
  ];
  const block = (y: number, x: number) => colours[(y < 16 ? 0 : 2) + (x < 32 ? 0 : 1)]!;
  const raw = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) raw.set(block(y, x), (y * W + x) * 3);
  const path = join(tmp, 'rotated.jpg');
  const jpg = await sharp(raw, { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  writeFileSync(path, jpg);
  assert.equal((await sharp(jpg).metadata()).orientation, 6);
  const img = await readImage(path);
  assert.equal(img.orientationApplied, true);
  assert.equal(img.format, 'jpeg');
  // Orientation 6 = rotate 90° clockwise to display: out[r][c] = in[H-1-c][r], size W x H becomes H x W.
  assert.deepEqual([img.raster.width, img.raster.height], [H, W]);
  for (const [r, c] of [
    [8, 8],
    [8, 24],
    [56, 8],
    [56, 24],
  ] as const) {
    const want = block(H - 1 - c, r);
    for (let k = 0; k < 3; k++) {
      const got = img.raster.data[(r * H + c) * 3 + k]! * 255;
      assert.ok(Math.abs(got - want[k]!) < 12, `pixel (${r},${c}) ch${k}: ${got} vs ${want[k]}`);
    }
  }
});

test('JPEG and WebP output; metadata carried over from a source image', async () => {
  const w = 48;
  const h = 32;
  const r = createRaster(w, h, 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) r.data.set([x / w, y / h, 0.5], (y * w + x) * 3);
  }
  for (const ext of ['jpg', 'webp'] as const) {
    const path = join(tmp, `smooth.${ext}`);
    await writeImage(path, r, { quality: 95 });
    const back = await readImage(path);
    assert.equal(back.format, ext === 'jpg' ? 'jpeg' : 'webp');
    const mse = back.raster.data.reduce((s, v, i) => s + (v - r.data[i]!) ** 2, 0) / r.data.length;
    assert.ok(-10 * Math.log10(mse) > 35, `${ext} PSNR ${-10 * Math.log10(mse)}`);
  }
  await assert.rejects(
    writeImage(join(tmp, 'a.jpg'), r, { alpha: new Float32Array(w * h) }),
    /JPEG cannot store alpha/,
  );
  await assert.rejects(writeImage(join(tmp, 'a.jpg'), r, { bitDepth: 16 }), /16-bit output needs PNG/);
  await assert.rejects(writeImage(join(tmp, 'a.bmp'), r), /unknown extension '\.bmp'/);

  // Source: Display P3 profile, EXIF text tags and an orientation flag.
  const raw = Buffer.from(Array.from(r.data, (v) => Math.round(v * 255)));
  const source = await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .withIccProfile('p3')
    .withExif({ IFD0: { Copyright: 'Test Owner', Make: 'TestCam' } })
    .withMetadata({ orientation: 3 })
    .jpeg({ quality: 98 })
    .toBuffer();
  const src = await readImage(source, { name: 'source.jpg' });
  assert.equal(src.hasIcc, true);
  const out = join(tmp, 'restored.png');
  await writeImage(out, src.raster, { keepMetadataFrom: source });
  const meta = await sharp(out).metadata();
  const srcIcc = (await sharp(source).metadata()).icc!;
  assert.ok(meta.icc && Buffer.compare(meta.icc.subarray(128), srcIcc.subarray(128)) === 0, 'same ICC tag data');
  assert.match(meta.exif!.toString('latin1'), /Test Owner/);
  assert.match(meta.exif!.toString('latin1'), /TestCam/);
  assert.ok((meta.orientation ?? 1) === 1, 'orientation not copied: pixels are upright');
  const again = await readImage(out);
  const diff = again.raster.data.reduce((m, v, i) => Math.max(m, Math.abs(v - src.raster.data[i]!)), 0);
  assert.ok(diff <= 2.5 / 255, `colours survive the profile round trip (max diff ${diff * 255}/255)`);
  assert.deepEqual(
    readdirSync(tmp).filter((n) => n.startsWith('.')),
    [],
    'no temp or profile files left',
  );
});

test('unreadable files give errors naming the file and the problem', async () => {
  const kodak = readFileSync(join(data, 'kodak24/kodim05.png'));
  const cases: [string, Uint8Array, RegExp][] = [
    ['cut.png', kodak.subarray(0, kodak.length >> 1), /truncated PNG/],
    ['stub.png', kodak.subarray(0, 60), /truncated PNG/],
    ['cut.jpg', (await sharp(kodak).jpeg().toBuffer()).subarray(0, 5000), /truncated JPEG/],
    ['text.png', Buffer.from('this is not an image at all'), /unsupported or unrecognised image format/],
    ['empty.png', new Uint8Array(0), /the file is empty/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const path = join(tmp, name);
    writeFileSync(path, bytes);
    await assert.rejects(readImage(path), (err: Error) => {
      assert.ok(err.message.startsWith(`cannot read image ${path}: `), err.message);
      assert.match(err.message, pattern);
      return true;
    });
  }
  await assert.rejects(readImage(join(tmp, 'nope.png')), /cannot read image .*nope\.png: file not found/);
  await assert.rejects(
    readImage(kodak.subarray(0, 100), { name: 'upload.png' }),
    /cannot read image upload\.png: truncated PNG/,
  );
});
