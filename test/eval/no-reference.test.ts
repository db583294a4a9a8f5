/** No-reference suites: PIQE/NIQE/BRISQUE of the input and of the output, over the real sets or any folder. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { evaluate, identityRestorer, noReferenceSuite, type Restorer } from '../../src/eval/index.js';
import { readImage, writeImage } from '../../src/io/image.js';
import { createRaster, cropRaster, type Raster } from '../../src/io/raster.js';
import { brisque, niqe, piqe } from '../../src/metrics/index.js';

const dataRoot = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

/** 3x3 box blur (edges replicated): a restorer that visibly changes the image. */
const boxBlur: Restorer = (lq) => {
  const { width: w, height: h, channels: c } = lq;
  const out = createRaster(w, h, c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        let s = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = Math.min(h - 1, Math.max(0, y + dy));
            const xx = Math.min(w - 1, Math.max(0, x + dx));
            s += lq.data[(yy * w + xx) * c + k] as number;
          }
        }
        out.data[(y * w + x) * c + k] = s / 9;
      }
    }
  }
  return out;
};

test('real-nr: the identity scores the same before and after, with the metrics’ own conventions', async () => {
  const r = await evaluate('real-nr', identityRestorer, { dataRoot, limit: 1 });
  assert.deepEqual(
    r.tasks.map((t) => t.label),
    ['DICM', 'RNI15'],
  );
  assert.deepEqual(r.metrics, ['piqe_in', 'piqe_out', 'niqe_in', 'niqe_out', 'brisque_in', 'brisque_out']);
  for (const row of r.rows) {
    for (const m of ['piqe', 'niqe', 'brisque']) {
      assert.ok(Number.isFinite(row.metrics[`${m}_in`]), `${row.image} ${m}`);
      assert.equal(row.metrics[`${m}_in`], row.metrics[`${m}_out`]);
    }
  }
  assert.deepEqual(r.tasks[0]?.conventions, { piqe: 'matlab', niqe: 'basicsr, Y', brisque: 'opencv, LIVE model' });
  const first = (await readImage(join(dataRoot, 'real/dicm-lowlight/01.jpg'))).raster;
  assert.equal(r.rows[0]?.metrics.piqe_in, piqe(first));
});

test('no-reference over any folder (colour and grey files): input and restored output are both measured', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-nr-'));
  try {
    const kodim = (await readImage(join(dataRoot, 'kodak24/kodim05.png'))).raster;
    const colour = cropRaster(kodim, 0, 0, 224, 256);
    const set12 = (await readImage(join(dataRoot, 'set12/05.png'))).raster;
    await writeImage(join(dir, 'b-colour.png'), colour);
    await writeImage(join(dir, 'a-grey.png'), set12);
    const r = await evaluate(noReferenceSuite(dir), boxBlur, { dataRoot: '/unused' });
    assert.deepEqual(
      r.rows.map((x) => [x.image, x.channels]),
      [
        ['a-grey.png', 1],
        ['b-colour.png', 3],
      ],
    );
    const row = r.rows[1] as (typeof r.rows)[number];
    const blurred = boxBlur(colour, { suite: '', taskId: '', task: '', image: '' }) as Raster;
    assert.equal(row.metrics.niqe_in, niqe(colour));
    assert.equal(row.metrics.niqe_out, niqe(blurred));
    assert.equal(row.metrics.brisque_out, brisque(blurred));
    assert.notEqual(row.metrics.piqe_in, row.metrics.piqe_out);
    assert.equal(r.tasks[0]?.images, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a folder without images, or an image too small for NIQE, is an error naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-nr-'));
  try {
    await assert.rejects(evaluate(noReferenceSuite(dir), identityRestorer, { dataRoot: '/' }), /no images .* in /);
    const kodim = (await readImage(join(dataRoot, 'kodak24/kodim05.png'))).raster;
    await writeImage(join(dir, 'tiny.png'), cropRaster(kodim, 0, 0, 64, 64));
    await assert.rejects(
      evaluate(noReferenceSuite(dir), identityRestorer, { dataRoot: '/' }),
      /no-reference\/folder tiny\.png: niqe: image is 64x64; NIQE needs at least two 96x96 blocks/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
