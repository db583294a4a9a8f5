/** PairedFolder on real pairs (Rain100H): aligned crops, shared augmentation, loader determinism, clear errors. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { crop, dihedral } from '../../src/data/augment.js';
import { BatchLoader, type PairedOptions, PairedFolder } from '../../src/data/index.js';
import { readImage } from '../../src/io/image.js';
import { runSynth } from '../../src/synth/run.js';

const rain = fileURLToPath(new URL('../../../shared/data/rain100h/', import.meta.url));
const spec: PairedOptions = {
  type: 'paired',
  sources: [{ lq: join(rain, 'input'), gt: join(rain, 'target'), type: 'rain_streak' }],
  patchSize: 64,
  seed: 11,
};
const tmp = mkdtempSync(join(tmpdir(), 'mdt-paired-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i]);

test('items are aligned crops of a matched pair, with the same dihedral transform, labelled by the source type', async () => {
  const ds = await PairedFolder.open(spec);
  assert.equal(ds.length, 100);
  const codes = new Set<number>();
  for (let i = 0; i < 6; i++) {
    const p = await ds.item(i);
    const {
      lq,
      gt,
      crop: box,
      dihedral: code,
    } = p.params as { lq: string; gt: string; crop: { top: number; left: number; size: number }; dihedral: number };
    assert.equal(lq.replace('/input/', '/'), gt.replace('/target/', '/'), 'lq and gt are the same scene');
    assert.deepEqual(
      [p.label, p.type, p.level, p.gt.width, p.lq.height],
      [7, 'rain_streak', 'rain_streak.real', 64, 64],
    );
    const full = await Promise.all([readImage(lq, { channels: 3 }), readImage(gt, { channels: 3 })]);
    assert.ok(
      same(dihedral(crop(full[0].raster, box), code).data, p.lq.data),
      `item ${i}: lq is not the recorded crop`,
    );
    assert.ok(
      same(dihedral(crop(full[1].raster, box), code).data, p.gt.data),
      `item ${i}: gt is not the recorded crop`,
    );
    codes.add(code);
  }
  assert.ok(codes.size > 1, 'augmentation never varied');
  const again = await PairedFolder.open({ ...spec, validate: false });
  assert.ok(
    same((await again.item(4)).lq.data, (await ds.item(4)).lq.data),
    'item 4 is not a pure function of (seed, 4)',
  );
  assert.ok(
    !same((await PairedFolder.open({ ...spec, seed: 12 }).then((d) => d.item(4))).gt.data, (await ds.item(4)).gt.data),
  );
});

test('the batch loader serves paired data identically in-process and with 2 workers', async () => {
  const a = new BatchLoader(spec, { batchSize: 3, workers: 0 });
  const b = new BatchLoader(spec, { batchSize: 3, workers: 2 });
  try {
    for (let i = 0; i < 2; i++) {
      const [x, y] = [await a.next(), await b.next()];
      assert.ok(same(x.lq, y.lq) && same(x.gt, y.gt), `batch ${i} differs between 0 and 2 workers`);
      assert.deepEqual(Array.from(x.labels), [7, 7, 7]);
      assert.equal(x.lq.length, 3 * 3 * 64 * 64);
    }
  } finally {
    await b.close();
  }
});

test('a synth manifest is a paired source: labels per line, stem matching across extensions', async () => {
  const src = join(tmp, 'clean');
  mkdirSync(src);
  for (const n of [1, 2]) copyFileSync(join(rain, 'target', `${n}.png`), join(src, `${n}.png`));
  const out = join(tmp, 'synth');
  await runSynth({ input: src, output: out, types: ['noise', 'jpeg'], perImage: 3, seed: 1, workers: 0 });
  const ds = await PairedFolder.open({
    type: 'paired',
    sources: [{ manifest: join(out, 'manifest.jsonl') }],
    patchSize: 48,
    seed: 0,
  });
  assert.equal(ds.length, 6);
  for (let i = 0; i < 6; i++) {
    const e = ds.entry(i);
    assert.ok(e.type === 'noise' || e.type === 'jpeg');
    assert.equal(e.label, e.type === 'noise' ? 0 : 5);
  }
  // lq as JPEG, gt as PNG: matched by stem (default), not by name.
  const lq = join(tmp, 'stem-lq');
  const gt = join(tmp, 'stem-gt');
  mkdirSync(lq);
  mkdirSync(gt);
  for (const n of [1, 2]) {
    await sharp(join(rain, 'input', `${n}.png`))
      .jpeg()
      .toFile(join(lq, `${n}.jpg`));
    copyFileSync(join(rain, 'target', `${n}.png`), join(gt, `${n}.png`));
  }
  const stem = await PairedFolder.open({
    type: 'paired',
    sources: [{ lq, gt, type: 'blur_jpeg', level: 'mine' }],
    patchSize: 32,
    seed: 0,
  });
  assert.equal((await stem.item(0)).level, 'mine');
  await assert.rejects(
    PairedFolder.open({ type: 'paired', sources: [{ lq, gt, type: 'jpeg', match: 'name' }], patchSize: 32, seed: 0 }),
    /4 problems:\n {2}.*1\.jpg has no match in .*stem-gt/,
  );
});

test('bad paired data: unmatched files, size mismatch, too small, unknown or missing type, bad manifest line', async () => {
  const mk = (name: string) => {
    const d = join(tmp, name);
    mkdirSync(join(d, 'lq'), { recursive: true });
    mkdirSync(join(d, 'gt'), { recursive: true });
    return d;
  };
  const d = mk('bad');
  for (const n of [1, 2, 3]) copyFileSync(join(rain, 'input', `${n}.png`), join(d, 'lq', `${n}.png`));
  for (const n of [1, 2]) copyFileSync(join(rain, 'target', `${n}.png`), join(d, 'gt', `${n}.png`));
  await sharp(join(rain, 'target', '3.png'))
    .resize(240, 160)
    .toFile(join(d, 'gt', '4.png'));
  const open = (o: Partial<PairedOptions['sources'][number]>, patchSize = 64) =>
    PairedFolder.open({
      type: 'paired',
      sources: [{ lq: join(d, 'lq'), gt: join(d, 'gt'), type: 'rain_streak', ...o }],
      patchSize,
      seed: 0,
    });
  await assert.rejects(
    open({}),
    (e: Error) =>
      /2 problems/.test(e.message) &&
      /lq\/3\.png has no match in .*gt/.test(e.message) &&
      /gt\/4\.png has no match/.test(e.message),
  );
  await sharp(join(rain, 'target', '3.png'))
    .resize(240, 160)
    .toFile(join(d, 'gt', '3.png'));
  rmSync(join(d, 'gt', '4.png'));
  await assert.rejects(
    open({}),
    /lq\/3\.png is 480x320 but .*gt\/3\.png is 240x160 \(pairs must be aligned, same size\)/,
  );
  rmSync(join(d, 'lq', '3.png'));
  rmSync(join(d, 'gt', '3.png'));
  await assert.rejects(open({}, 400), /gt\/1\.png is 480x320, smaller than the 400x400 patch/);
  await assert.rejects(open({ type: 'fog' }), /unknown degradation 'fog'/);
  await assert.rejects(
    PairedFolder.open({ type: 'paired', sources: [{ lq: join(d, 'lq'), gt: join(d, 'gt') }], patchSize: 64, seed: 0 }),
    /no degradation type; give the source a 'type'/,
  );
  writeFileSync(join(d, 'gt', '2.png'), 'not a png');
  await assert.rejects(open({}), /gt\/2\.png: unreadable/);
  const m = join(d, 'm.jsonl');
  writeFileSync(m, `{"lq": "lq/1.png", "gt": "gt/1.png", "type": "haze"}\n{"lq": "lq/9.png"}\nnot json\n`);
  await assert.rejects(
    PairedFolder.open({ type: 'paired', sources: [{ manifest: m }], patchSize: 64, seed: 0 }),
    (e: Error) =>
      /m\.jsonl:2: needs string fields "lq" and "gt"/.test(e.message) &&
      /m\.jsonl:3: not a JSON object/.test(e.message),
  );
});
