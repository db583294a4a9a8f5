/** The synthetic dataset and loader: determinism across workers, seeds, labels, augmentation, clear errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { regenerate } from '../../src/degrade/registry.js';
import { BatchLoader, dihedral, listImages, SyntheticPairs, type SyntheticOptions } from '../../src/data/index.js';
import { createRaster } from '../../src/io/raster.js';
import { sharedDir } from '../helpers/engine.js';

const kodak = (n: number) => join(sharedDir, 'data', 'kodak24', `kodim${String(n).padStart(2, '0')}.png`);
const base: SyntheticOptions = { source: [kodak(1), kodak(5)], patchSize: 48, seed: 7, types: ['noise', 'jpeg', 'haze', 'gaussian_blur'] };

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i]);

test('batches are identical in-process and with 2 workers; other seeds differ', async () => {
  const a = new BatchLoader(base, { batchSize: 3, workers: 0 });
  const b = new BatchLoader(base, { batchSize: 3, workers: 2 });
  const c = new BatchLoader({ ...base, seed: 8 }, { batchSize: 3, workers: 0 });
  try {
    for (let i = 0; i < 2; i++) {
      const [x, y, z] = [await a.next(), await b.next(), await c.next()];
      assert.ok(same(x.lq, y.lq) && same(x.gt, y.gt), `batch ${i} differs between 0 and 2 workers`);
      assert.deepEqual(Array.from(x.labels), Array.from(y.labels));
      assert.ok(!same(x.lq, z.lq), 'different seeds gave the same batch');
      assert.equal(x.lq.length, 3 * 3 * 48 * 48);
    }
    assert.equal(a.position, 2);
  } finally {
    await b.close();
  }
});

test('a resumed loader continues the same sample stream', async () => {
  const full = new BatchLoader(base, { batchSize: 2, workers: 0 });
  await full.next();
  const second = await full.next();
  const resumed = new BatchLoader(base, { batchSize: 2, workers: 0, startBatch: 1 });
  assert.ok(same((await resumed.next()).lq, second.lq));
});

test('items record what regenerates them, and labels are type ids − 1', async () => {
  const ds = await SyntheticPairs.open(base);
  for (let i = 0; i < 4; i++) {
    const p = await ds.item(i);
    const again = await regenerate(p.gt, { type: p.type, id: p.label + 1, level: p.level, params: JSON.parse(JSON.stringify(p.params)) }, p.applySeed);
    assert.ok(same(again.data, p.lq.data), `item ${i} (${p.level}) does not regenerate`);
    assert.ok(base.types!.includes(p.type));
  }
  const only = await SyntheticPairs.open({ ...base, types: ['jpeg'], levels: ['jpeg.q.30'] });
  assert.equal((await only.item(3)).level, 'jpeg.q.30');
});

test('dihedral transforms are the 8 flips/rotations and invert correctly', () => {
  const r = createRaster(3, 2, 1, Float32Array.from([1, 2, 3, 4, 5, 6]));
  assert.deepEqual(Array.from(dihedral(r, 1).data), [3, 2, 1, 6, 5, 4]); // h-flip
  assert.deepEqual(Array.from(dihedral(r, 4).data), [1, 4, 2, 5, 3, 6]); // transpose
  const seen = new Set([0, 1, 2, 3, 4, 5, 6, 7].map((c) => Array.from(dihedral(r, c).data).join()));
  assert.equal(seen.size, 8);
});

test('bad input: empty or missing folder, image smaller than the patch, unknown type or level', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-data-'));
  try {
    assert.throws(() => listImages(dir), /has no images/);
    assert.throws(() => listImages(join(dir, 'nope')), /does not exist/);
    const small = join(dir, 'small.png');
    await sharp({ create: { width: 20, height: 30, channels: 3, background: 'red' } }).png().toFile(small);
    await assert.rejects(SyntheticPairs.open({ ...base, source: dir }), /small\.png is 20x30, smaller than the 48x48 patch/);
    writeFileSync(join(dir, 'broken.png'), 'not a png');
    await assert.rejects(SyntheticPairs.open({ ...base, source: [join(dir, 'broken.png')] }), /broken\.png/);
    await assert.rejects(SyntheticPairs.open({ ...base, types: ['fog'] }), /unknown degradation 'fog'/);
    await assert.rejects(SyntheticPairs.open({ ...base, levels: ['jpeg.q.31'] }), /unknown level 'jpeg\.q\.31'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
