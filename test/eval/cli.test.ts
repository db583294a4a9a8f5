/** `maskdcpt eval` through the command tree, and a real loaded model (the official NAFNet fixture) evaluated once. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../src/archs/load.js';
import { denoiseTask, evaluate, modelRestorer, testPadMultiple } from '../../src/eval/index.js';
import { archsDir } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';

const dataRoot = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

const cli = (...args: string[]) => runCli(...args);

/** The fixture's kwargs as our NAFNet options. */
function fixtureOptions(): Record<string, unknown> {
  const k = (JSON.parse(readFileSync(join(archsDir, 'nafnet.json'), 'utf8')) as { kwargs: Record<string, unknown> })
    .kwargs;
  return {
    width: k.width,
    encBlkNums: k.enc_blk_nums,
    middleBlkNum: k.middle_blk_num,
    decBlkNums: k.dec_blk_nums,
    imgChannel: k.img_channel ?? 3,
    windowSize: k.window_size,
  };
}

test('eval --identity prints the per-task table with the convention, and writes per-image CSV', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-eval-'));
  try {
    const csv = join(dir, 'rows.csv');
    const out = await cli(
      'eval',
      '--suite',
      '5d-proxy',
      '--identity',
      '--data-root',
      dataRoot,
      '--limit',
      '1',
      '--csv',
      csv,
    );
    assert.match(out, /^suite 5d-proxy: /);
    assert.match(out, /model: identity \(output = input\)/);
    assert.match(out, /PSNR: maskdcpt, RGB, crop 0/);
    assert.match(out, /\ndenoise +CBSD68 σ25 +1 +20\.24 +0\.1378\n/);
    assert.match(out, /\naverage +5 tasks +5 +\d+\.\d\d +0\.\d{4}\n/);
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'suite,task_id,task,label,dataset,image,width,height,channels,psnr,ssim,seconds');
    assert.equal(lines.length, 6);
    assert.match(
      lines[3] as string,
      /^5d-proxy,denoise\/cbsd68\/s25,denoise,CBSD68 σ25,CBSD68,3096\.png,481,321,3,20\.237/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('eval --json under another convention; Classic5 stays grey', async () => {
  const out = await cli('eval', '--suite', 'jpeg', '--identity', '--data-root', dataRoot, '--limit', '1', '--json');
  const r = JSON.parse(out) as {
    model: string;
    tasks: { label: string; conventions: Record<string, string>; means: Record<string, number> }[];
    rows: { channels: number; dataset: string }[];
    average: Record<string, number>;
  };
  assert.equal(r.model, 'identity (output = input)');
  assert.equal(r.tasks.length, 8);
  assert.equal(r.tasks[4]?.label, 'Classic5 q10');
  assert.equal(r.tasks[4]?.conventions.psnr, 'maskdcpt, grey, crop 0');
  assert.ok(r.rows.filter((x) => x.dataset === 'Classic5').every((x) => x.channels === 1));
  const y = JSON.parse(
    await cli(
      'eval',
      '--suite',
      'derain',
      '--identity',
      '--data-root',
      dataRoot,
      '--limit',
      '1',
      '--json',
      '--convention',
      'basicsr',
      '--channel',
      'y',
      '--crop-border',
      '4',
    ),
  ) as typeof r;
  assert.equal(y.tasks[0]?.conventions.ssim, 'basicsr, Y, crop 4');
});

test('eval refuses bad flags with one clear message', async () => {
  const base = ['eval', '--data-root', dataRoot];
  await assert.rejects(cli(...base, '--suite', 'denoise'), /exactly one of --weights <file> .* or --identity/);
  await assert.rejects(cli(...base, '--suite', 'denoise', '--identity', '--weights', 'x.pth'), /exactly one of/);
  await assert.rejects(
    cli(...base, '--suite', 'nope', '--identity'),
    /unknown evaluation suite 'nope'; valid: 5d-proxy/,
  );
  await assert.rejects(
    cli(...base, '--suite', 'denoise', '--identity', '--limit', '0'),
    /--limit must be a positive integer/,
  );
  await assert.rejects(
    cli(...base, '--suite', 'denoise', '--identity', '--convention', 'matlab'),
    /unknown convention 'matlab'/,
  );
  await assert.rejects(
    cli(...base, '--suite', 'no-reference', '--identity'),
    /needs a folder of images \(--folder <dir>\)/,
  );
  await assert.rejects(
    cli(...base, '--suite', 'derain', '--identity', '--folder', '.'),
    /--folder applies to the no-reference suite/,
  );
  await assert.rejects(
    cli('eval', '--suite', 'derain', '--identity', '--data-root', '/nonexistent'),
    /Rain100H: folder \/nonexistent\/rain100h not found/,
  );
});

test('a real loaded model: the official NAFNet fixture checkpoint runs on two Rain100H images and one grey image', async () => {
  const out = await cli(
    'eval',
    '--suite',
    'derain',
    '--weights',
    join(archsDir, 'nafnet.pth'),
    '--arch',
    'nafnet',
    '--arch-options',
    JSON.stringify(fixtureOptions()),
    '--data-root',
    dataRoot,
    '--limit',
    '2',
    '--json',
  );
  const r = JSON.parse(out) as { model: string; rows: { metrics: Record<string, number>; seconds: number }[] };
  assert.match(r.model, /^nafnet from .*nafnet\.pth$/);
  assert.equal(r.rows.length, 2);
  for (const row of r.rows) {
    assert.ok(Number.isFinite(row.metrics.psnr) && Number.isFinite(row.metrics.ssim), JSON.stringify(row));
    assert.ok(row.seconds > 0);
  }

  // Grey input to a colour network: replicated to RGB, restored, averaged back to one channel.
  const model = await loadModel(join(archsDir, 'nafnet.pth'), { arch: 'nafnet', archOptions: fixtureOptions() });
  try {
    // The official test code pads to window_size (8 here), not only to the U-Net's 2^levels (4).
    assert.equal(model.sizeMultiple, 4);
    assert.equal(testPadMultiple(model), 8);
    const set12 = { name: 'Set12', dir: 'set12', channels: 1 as const };
    const suite = {
      name: 'grey',
      description: '',
      kind: 'full-reference' as const,
      tasks: [denoiseTask(set12, 'set12', 25)],
    };
    const g = await evaluate(suite, modelRestorer(model), { dataRoot, limit: 1 });
    assert.equal(g.rows[0]?.channels, 1);
    assert.ok(Number.isFinite(g.rows[0]?.metrics.psnr) && Number.isFinite(g.rows[0]?.metrics.ssim));
  } finally {
    model.dispose();
  }
});
