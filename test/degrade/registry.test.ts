import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LABELS } from '../../src/degrade/labels.js';
import {
  DEGRADATIONS,
  degradationForLevel,
  getDegradation,
  listDegradations,
  listLevels,
  regenerate,
  synthesize,
} from '../../src/degrade/registry.js';
import { Rng } from '../../src/tensor/rng.js';
import { kodakCrops } from './helpers.js';

const labelsJson = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../src/degrade/labels.json', import.meta.url)), 'utf8'),
) as unknown;

test('labels.json is frozen: ids 1..19 in paper order, mirrored by LABELS and the registry', () => {
  assert.deepEqual(labelsJson, LABELS);
  assert.deepEqual(
    LABELS.map((l) => l.id),
    Array.from({ length: 19 }, (_, i) => i + 1),
  );
  assert.deepEqual(
    DEGRADATIONS.map((d) => [d.id, d.name]),
    LABELS.map((l) => [l.id, l.name]),
  );
  assert.deepEqual(
    listDegradations(),
    LABELS.map((l) => l.name),
  );
  // The paper's table order: GN, RN, MB, DB, GB, J, H, RS, RD, RSD, S, MS, LL, MR, then the five mixtures.
  assert.deepEqual(LABELS.map((l) => l.abbr).slice(0, 14), [
    'GN',
    'RN',
    'MB',
    'DB',
    'GB',
    'J',
    'H',
    'RS',
    'RD',
    'RSD',
    'S',
    'MS',
    'LL',
    'MR',
  ]);
});

test('at least 200 uniquely named levels; every series has contiguous ranks; lookups by name, id and level', () => {
  const levels = listLevels();
  assert.ok(levels.length >= 200, `${levels.length} levels`);
  assert.equal(new Set(levels.map((l) => l.name)).size, levels.length);
  for (const d of DEGRADATIONS) {
    assert.ok(d.levels.length >= 1, d.name);
    const series = new Map<string, number[]>();
    for (const l of d.levels) series.set(l.series, [...(series.get(l.series) ?? []), l.rank]);
    for (const [s, ranks] of series)
      assert.deepEqual(
        ranks,
        ranks.map((_, i) => i),
        `${d.name}/${s}`,
      );
    assert.equal(getDegradation(d.id), d);
    assert.equal(getDegradation(d.name), d);
    for (const l of d.levels) assert.equal(degradationForLevel(l.name), d);
  }
  for (const name of ['noise.gaussian.s25', 'jpeg.q.30', 'mosaic.maskdcpt_bgr.n0', 'realesrgan.x1.s1']) {
    assert.ok(
      levels.some((l) => l.name === name),
      name,
    );
  }
});

test('unknown names fail with the list of valid ones', () => {
  assert.throws(
    () => getDegradation('blurry'),
    (e: Error) => /unknown degradation 'blurry'.*noise.*realesrgan/s.test(e.message),
  );
  assert.throws(() => getDegradation(20), /unknown degradation '20'/);
  assert.throws(
    () => getDegradation('jpeg').sample(new Rng(1), 'jpeg.q.31'),
    /unknown level of jpeg 'jpeg.q.31'.*jpeg\.q\.30/,
  );
  assert.throws(() => degradationForLevel('jpeg.q31'), /unknown degradation level/);
});

test('every type: same seed → same bytes, JSON params + seed regenerate the pair, different seeds differ, input untouched', async () => {
  const [img] = await kodakCrops(['kodim07'], 48);
  assert.ok(img);
  const before = img.data.slice();
  for (const d of DEGRADATIONS) {
    const a = await synthesize(img, d.name, new Rng('seed-a'));
    const a2 = await synthesize(img, d.name, new Rng('seed-a'));
    assert.deepEqual(a2.sample, a.sample, d.name);
    assert.deepEqual(a2.lq.data, a.lq.data, `${d.name}: same seed, different bytes`);
    const replay = await regenerate(img, JSON.parse(JSON.stringify(a.sample)), a.seed);
    assert.deepEqual(replay.data, a.lq.data, `${d.name}: JSON replay differs`);
    assert.equal(a.lq.width, img.width);
    assert.equal(a.lq.height, img.height);
    assert.equal(a.lq.channels, 3);
    for (const v of a.lq.data) assert.ok(Number.isFinite(v), d.name);
    const b = await synthesize(img, d.name, new Rng('seed-b'));
    assert.notDeepEqual(b.lq.data, a.lq.data, `${d.name}: different seeds gave the same output`);
    const c = await synthesize(img, d.name, new Rng('seed-c'), a.sample.level);
    assert.equal(c.sample.level, a.sample.level);
  }
  assert.deepEqual(img.data, before);
  // Same level and params, different apply seed: per-pixel randomness changes.
  for (const level of ['noise.gaussian.s25', 'real_noise.iso.800', 'rain_streak.density.2', 'snow.density.3']) {
    const d = degradationForLevel(level);
    const s = d.sample(new Rng(1), level);
    const x = await d.apply(img, s.params, new Rng(1));
    const y = await d.apply(img, s.params, new Rng(2));
    assert.notDeepEqual(x.data, y.data, level);
  }
});
