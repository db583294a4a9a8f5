/** The library API: restore() on paths, buffers and raw pixels; alpha, grey, 16-bit, EXIF; pipeline; events. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createModel } from '../../src/archs/registry.js';
import type { Backbone } from '../../src/archs/types.js';
import { readImage } from '../../src/io/image.js';
import { pipeline, type RestoreProgress, restore } from '../../src/restore/index.js';
import { manualSeed, setNumThreads } from '../../src/tensor/index.js';
import { identityModel, makeImages, saveAs } from './helpers.js';

setNumThreads(1); // 2 shared cores on CI: avoid OpenMP spinning against other jobs

let dir: string;
let files: Awaited<ReturnType<typeof makeImages>>;
let identity: Backbone;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mdt-restore-'));
  files = await makeImages(dir);
  identity = identityModel();
});

after(() => {
  identity.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('RGBA: colour restored, alpha passed through untouched (identity model: output = input)', async () => {
  const src = await readImage(files.rgba);
  const { data, info } = await restore(files.rgba, { model: identity, tile: 16, tilePad: 0 });
  assert.deepEqual(
    [info.width, info.height, info.channels, info.hasAlpha, info.bitDepth, info.format],
    [40, 24, 4, true, 8, 'png'],
  );
  assert.equal(info.tiles, 2 * 3);
  for (let i = 0; i < 40 * 24; i++) {
    for (let k = 0; k < 3; k++) assert.equal(data[i * 4 + k], src.raster.data[i * 3 + k]);
    assert.equal(data[i * 4 + 3], src.alpha![i]);
  }
});

test('grey stays grey; 16-bit keeps its precision; EXIF orientation is applied', async () => {
  const grey = await readImage(files.grey);
  const g = await restore(files.grey, { model: identity, tile: 0 });
  assert.equal(g.info.channels, 1);
  // Grey is fed as three equal planes and comes back as luma (0.299 + 0.587 + 0.114 = 1).
  for (let i = 0; i < grey.raster.data.length; i++) assert.ok(Math.abs(g.data[i]! - grey.raster.data[i]!) < 1e-6);

  const deep = await readImage(files.deep);
  const d = await restore(files.deep, { model: identity, tile: 16, tilePad: 0 });
  assert.equal(d.info.bitDepth, 16);
  assert.deepEqual(d.data, deep.raster.data, 'all 16-bit levels survive');

  const r = await restore(files.rotated, { model: identity });
  assert.equal(r.info.orientationApplied, true);
  assert.equal(r.info.hasIcc, true);
  assert.deepEqual([r.info.width, r.info.height], [24, 40], 'upright: 40x24 rotated by 90°');
});

test('a Buffer and raw pixels (sharp-style { data, info }) give the same result as the path', async () => {
  manualSeed(3);
  const model = createModel('nafnet-tiny').eval();
  const fromPath = await restore(files.rgba, { model, tile: 16, tilePad: 8 });
  const fromBuffer = await restore(readFileSync(files.rgba), { model, tile: 16, tilePad: 8 });
  assert.deepEqual(fromBuffer.data, fromPath.data);
  const raw = await sharp(files.rgba).raw().toBuffer({ resolveWithObject: true });
  const fromRaw = await restore(
    { data: new Uint8Array(raw.data), info: { width: raw.info.width, height: raw.info.height, channels: 4 } },
    { model, tile: 16, tilePad: 8 },
  );
  assert.deepEqual(fromRaw.data, fromPath.data);
  assert.equal(fromRaw.info.format, 'raw');
  // Output of one call is valid input of the next (float raw, [0, 1]).
  assert.ok(fromPath.data.every((v) => v >= 0 && v <= 1));
  const again = await restore(fromPath, { model, tile: 0 });
  assert.equal(again.data.length, fromPath.data.length);
  await assert.rejects(
    restore({ data: new Uint8Array(5), info: { width: 2, height: 2, channels: 3 } }, { model }),
    /5 samples for 2x2x3 = 12/,
  );
  model.dispose();
});

test('pipeline: load once by name from the models folder, typed progress events, abort', async () => {
  const models = join(dir, 'models');
  await saveAs(join(models, 'ident.safetensors'), identity);
  const restorer = await pipeline('image-restoration', 'ident', { modelsDir: models });
  assert.equal(restorer.task, 'image-restoration');
  const events: RestoreProgress[] = [];
  const out = await restorer(files.rgba, { tile: 16, tilePad: 0, onProgress: (e) => events.push(e) });
  const tiles = events.filter((e) => e.type === 'tile');
  assert.deepEqual(
    tiles.map((e) => e.type === 'tile' && [e.index, e.total]),
    [1, 2, 3, 4, 5, 6].map((i) => [i, 6]),
  );
  assert.equal(events.at(-1)?.type, 'done');
  assert.equal(out.info.tiles, 6);
  const src = await readImage(files.rgba);
  for (let i = 0; i < 40 * 24; i++) assert.equal(out.data[i * 4], src.raster.data[i * 3]);

  const ac = new AbortController();
  ac.abort();
  await assert.rejects(restorer(files.rgba, { signal: ac.signal }), { name: 'AbortError' });
  restorer.dispose();
  await assert.rejects(
    restore(files.rgba, { model: 'nope', modelsDir: models }),
    /model 'nope' is not installed in .*installed: ident/,
  );
});
