/**
 * Without libtorch: the CLI in a child process with the addon made unavailable (MASKDCPT_ADDON points at a
 * missing file) restores and diagnoses with .onnx models, and the training commands stop with one clear line
 * naming what is missing and how to install it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readImage, writeImage } from '../../src/io/image.js';
import { restore } from '../../src/restore/index.js';
import { repoRoot } from '../helpers/engine.js';
import { perturbedTiny, torchOnnx } from '../helpers/onnx.js';
import { photoCrop } from '../restore/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'no-libtorch-'));
const onnx = join(dir, 'tiny.onnx');
const photo = join(dir, 'photo.png');

before(async () => {
  const weights = join(dir, 'tiny.safetensors');
  (await perturbedTiny(weights)).dispose();
  torchOnnx(onnx, { weights, labels: 3 });
  await writeImage(photo, await photoCrop(70, 90));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** `maskdcpt <args>` as a user without the addon runs it. */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], {
    cwd: repoRoot, // where tsx resolves; every path passed is absolute
    encoding: 'utf8',
    env: { ...process.env, MASKDCPT_ADDON: join(dir, 'no-such-addon.node'), MASKDCPT_THREADS: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('restore and diagnose with an .onnx model need no libtorch', async () => {
  const out = join(dir, 'out.png');
  const r = cli('restore', '-i', photo, '-o', out, '--weights', onnx, '-t', '32', '--tile-pad', '16');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /with .*tiny\.onnx \(onnx\)/);
  // Same pixels as this process's in-library restore (8-bit rounding of the same floats).
  const want = await restore(photo, { model: onnx, tile: 32, tilePad: 16 });
  const got = (await readImage(out)).raster;
  let max = 0;
  for (let i = 0; i < got.data.length; i++) max = Math.max(max, Math.abs(got.data[i]! - want.data[i]!));
  assert.ok(max <= 0.5 / 255 + 1e-6, `max difference ${max * 255}/255`);

  const d = cli('diagnose', '-i', photo, '--weights', onnx, '--json');
  assert.equal(d.code, 0, d.err);
  const line = JSON.parse(d.out) as { predictions: { name: string; probability: number }[] };
  assert.deepEqual(line.predictions.map((p) => p.name).sort(), ['motion_blur', 'noise', 'real_noise']);
});

test('training and other libtorch commands say what is missing and how to install it', () => {
  for (const args of [
    ['pretrain', '-c', join(repoRoot, 'configs/tiny/pretrain.yaml')],
    ['eval', '--help'],
  ]) {
    const r = cli(...args);
    if (args[1] === '--help') {
      assert.equal(r.code, 0, 'help still works');
      continue;
    }
    assert.equal(r.code, 1);
    assert.match(r.err, /`maskdcpt pretrain` needs libtorch/);
    assert.match(r.err, /no-such-addon\.node is missing/);
    assert.match(r.err, /apt-get install libtorch-dev.*npm run build:native/);
    assert.equal(r.err.trim().split('\n').length, 1, 'one line, no stack trace');
  }
  const w = cli('restore', '-i', photo, '-o', join(dir, 'x.png'), '--weights', join(dir, 'tiny.safetensors'));
  assert.equal(w.code, 1);
  assert.match(w.err, /needs libtorch/);
});
