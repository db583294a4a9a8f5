/** Models by name: the models folder, what names resolve to, and what unknown names say. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createModel } from '../../src/archs/registry.js';
import { describeInstalled, maskdcptHome, modelsDir, RELEASES, resolveModelName } from '../../src/restore/models.js';
import { archsDir } from '../helpers/fixtures.js';
import { saveAs } from './helpers.js';

let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mdt-models-'));
  const model = createModel('nafnet-tiny');
  await saveAs(join(dir, 'mine.safetensors'), model);
  // A training run: two checkpoints and a `latest` pointer written relative to another working directory.
  mkdirSync(join(dir, 'tiny-run'));
  writeFileSync(join(dir, 'tiny-run', 'ckpt_00000010.safetensors'), '');
  writeFileSync(join(dir, 'tiny-run', 'ckpt_00000020.safetensors'), '');
  writeFileSync(
    join(dir, 'tiny-run', 'latest'),
    JSON.stringify({ iter: 20, file: 'runs/tiny-run/ckpt_00000020.safetensors' }),
  );
  copyFileSync(join(archsDir, 'nafnet.pth'), join(dir, 'nafnet_maskdcpt_5d.pth'));
  copyFileSync(join(archsDir, 'nafnet.pth'), join(dir, 'something.pth'));
  model.dispose();
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('MASKDCPT_HOME, else the user cache folder', () => {
  assert.equal(maskdcptHome({ MASKDCPT_HOME: '/data/m' }), '/data/m');
  assert.equal(modelsDir({ MASKDCPT_HOME: '/data/m' }), '/data/m/models');
  if (process.platform === 'linux') {
    assert.equal(modelsDir({ XDG_CACHE_HOME: '/c' }), '/c/maskdcpt/models');
    assert.equal(modelsDir({}), join(homedir(), '.cache', 'maskdcpt', 'models'));
  }
});

test('names resolve to our safetensors, a run folder’s newest checkpoint, or an official .pth by its file name', () => {
  assert.deepEqual(resolveModelName('mine', dir), { name: 'mine', path: join(dir, 'mine.safetensors') });
  assert.equal(resolveModelName('tiny-run', dir).path, join(dir, 'tiny-run', 'ckpt_00000020.safetensors'));
  assert.deepEqual(resolveModelName('nafnet-maskdcpt-5d', dir), {
    name: 'nafnet-maskdcpt-5d',
    path: join(dir, 'nafnet_maskdcpt_5d.pth'),
    arch: 'nafnet-64-5d',
    key: 'params_ema',
  });
});

test('unknown names say what to do', () => {
  assert.throws(
    () => resolveModelName('restormer-maskdcpt-5d', dir),
    /not installed in .*download restormer_maskdcpt_5d\.pth from https:\/\/huggingface\.co\/Jiakui\/MaskDCPT and run maskdcpt convert restormer_maskdcpt_5d\.pth --arch restormer-5d --key params_ema -o .*restormer-maskdcpt-5d\.safetensors/,
  );
  assert.throws(
    () => resolveModelName('nafnet-small', dir),
    /'nafnet-small' is an architecture preset, not trained weights/,
  );
  assert.throws(
    () => resolveModelName('something', dir),
    /does not say its architecture; convert it: maskdcpt convert .*something\.pth --arch <preset>/,
  );
  assert.throws(
    () => resolveModelName('typo', dir),
    /model 'typo' is not installed in .* \(installed: mine, nafnet-maskdcpt-5d, something, tiny-run\); see `maskdcpt models`/,
  );
});

test('the installed list reads architectures from the headers only', async () => {
  const list = await describeInstalled(dir);
  assert.deepEqual(
    list.map((m) => [m.name, m.kind, m.arch]),
    [
      ['mine', 'weights', 'nafnet'],
      ['nafnet-maskdcpt-5d', 'official', 'nafnet-64-5d'],
      ['something', 'unconverted', ''],
      ['tiny-run', 'run', ''],
    ],
  );
  assert.equal(RELEASES.length, 6);
  assert.ok(RELEASES.every((r) => r.file.endsWith('.pth')));
});
