/** Run configs: defaults, strict keys with clear messages, typed --set overrides, the shipped presets parse. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyOverride, configHash, loadConfig, parseConfig } from '../../src/train/config.js';
import { repoRoot } from '../helpers/engine.js';

const minimal = () => ({
  name: 'x',
  mode: 'pretrain',
  network: { arch: 'nafnet-tiny' },
  datasets: { train: { source: 'assets/photos' } },
  train: { totalIter: 10 },
});

test('defaults fill in; the hash is stable', () => {
  const c = parseConfig(minimal());
  assert.equal(c.maskdcpt.maskRatio, 0.5);
  assert.equal(c.maskdcpt.gamma, 2);
  assert.equal(c.train.optim.type, 'adamw');
  assert.equal(c.datasets.train.patchSize, 64);
  assert.equal(configHash(c), configHash(parseConfig(minimal())));
});

test('typos and wrong types are errors naming the key', () => {
  const bad = { ...minimal(), trian: {}, train: { totalIter: 'ten', optim: { lr: 1e-4, weight_decay: 0 } } };
  assert.throws(
    () => parseConfig(bad, 'my.yaml'),
    (err: Error) =>
      /invalid config my\.yaml/.test(err.message) &&
      /unknown key 'trian'/.test(err.message) &&
      /train\.totalIter: .*expected number/.test(err.message) &&
      /train\.optim: unknown key 'weight_decay'/.test(err.message),
  );
});

test('--set keeps the type of the value it replaces', () => {
  const raw = minimal() as Record<string, unknown>;
  applyOverride(raw, 'train.totalIter=200');
  applyOverride(raw, 'datasets.train.types=[noise, jpeg]');
  applyOverride(raw, 'network.arch=nafnet-small');
  const c = parseConfig(raw);
  assert.equal(c.train.totalIter, 200);
  assert.equal(c.datasets.train.type, 'synthetic');
  if (c.datasets.train.type === 'synthetic') assert.deepEqual(c.datasets.train.types, ['noise', 'jpeg']);
  assert.throws(() => applyOverride(raw, 'train.totalIter=lots'), /expected a number \(was 200\)/);
  const preset = minimal() as { datasets: { train: Record<string, unknown> } };
  preset.datasets.train.types = 'all';
  applyOverride(preset as Record<string, unknown>, 'datasets.train.types=[haze, snow]');
  applyOverride(preset as Record<string, unknown>, 'name=123');
  assert.deepEqual(preset.datasets.train.types, ['haze', 'snow'], 'a list replaces a preset name');
  assert.equal((preset as Record<string, unknown>).name, '123', 'a string stays a string');
  assert.throws(() => applyOverride(raw, 'nonsense'), /expects key\.path=value/);
});

test('every shipped config parses, and a bad file is named', () => {
  for (const dir of ['tiny', 'small', 'paper']) {
    let files: string[] = [];
    try {
      files = readdirSync(join(repoRoot, 'configs', dir));
    } catch {
      continue;
    }
    for (const f of files) loadConfig(join(repoRoot, 'configs', dir, f));
  }
  const tmp = mkdtempSync(join(tmpdir(), 'mdt-cfg-'));
  try {
    writeFileSync(join(tmp, 'bad.yaml'), 'name: [unclosed');
    assert.throws(() => loadConfig(join(tmp, 'bad.yaml')), /bad\.yaml is not valid YAML/);
    assert.throws(() => loadConfig(join(tmp, 'missing.yaml')), /cannot read config .*missing\.yaml/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('paired datasets: sources validate strictly; synthetic stays the default type', () => {
  const paired = {
    ...minimal(),
    mode: 'finetune',
    datasets: { train: { type: 'paired', sources: [{ lq: 'a/input', gt: 'a/target', type: 'rain_streak' }] } },
  };
  const c = parseConfig(paired);
  assert.equal(c.datasets.train.type, 'paired');
  assert.equal(parseConfig(minimal()).datasets.train.type, 'synthetic');
  const typo = structuredClone(paired);
  (typo.datasets.train.sources[0] as Record<string, unknown>).lqq = 'x';
  assert.throws(() => parseConfig(typo, 'p.yaml'), /datasets\.train\.sources\.0: unknown key 'lqq'/);
  const none = structuredClone(paired);
  none.datasets.train.sources = [];
  assert.throws(() => parseConfig(none, 'p.yaml'), /datasets\.train\.sources/);
});
