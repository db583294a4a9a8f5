/** `convert` and `forward` through the command tree, on the official fixtures. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { readPth, pickStateDict } from '../../src/io/pth.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { assertClose } from '../helpers/engine.js';
import { archsDir } from '../helpers/fixtures.js';

const cli = async (...args: string[]): Promise<void> => {
  await runCli(...args);
};

test('official .pth → safetensors → forward reproduces the official output; → .pth round-trips', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-cli-'));
  try {
    const fixture = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(archsDir, 'nafnet.json'), 'utf8'))) as {
      kwargs: Record<string, unknown>;
    };
    const k = fixture.kwargs;
    const options = JSON.stringify({
      width: k.width,
      encBlkNums: k.enc_blk_nums,
      middleBlkNum: k.middle_blk_num,
      decBlkNums: k.dec_blk_nums,
      imgChannel: k.img_channel ?? 3,
      windowSize: k.window_size,
    });
    const st = join(dir, 'nafnet.safetensors');
    await cli('convert', join(archsDir, 'nafnet.pth'), '-o', st, '--arch', 'nafnet', '--arch-options', options);
    const meta = (await readSafetensors(st)).metadata;
    assert.equal(meta.arch, 'nafnet');
    const io = (await readSafetensors(join(archsDir, 'nafnet.io.safetensors'))).tensors;
    const input = join(dir, 'in.safetensors');
    await writeSafetensors(input, [['input', io.get('input')!]]);
    const out = join(dir, 'out.safetensors');
    await cli('forward', '--weights', st, '-i', input, '-o', out);
    const got = (await readSafetensors(out)).tensors.get('output')!;
    assertClose(got.data as Float32Array, io.get('output')!.data as Float32Array, { atol: 1e-5, what: 'forward output' });

    const pth = join(dir, 'back.pth');
    await cli('convert', st, '-o', pth);
    const back = pickStateDict(await readPth(pth), 'params_ema');
    const orig = pickStateDict(await readPth(join(archsDir, 'nafnet.pth')), 'params_ema');
    assert.deepEqual([...back.keys()], [...orig.keys()]);
    for (const [name, t] of orig) assert.deepEqual(back.get(name)!.data, t.data, name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('weights for another architecture, or a .pth without --arch, are clear errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-cli-'));
  try {
    await assert.rejects(
      cli('convert', join(archsDir, 'restormer.pth'), '-o', join(dir, 'x.safetensors'), '--arch', 'nafnet-tiny'),
      /does not fit nafnet: .*missing keys: intro\.weight.*unexpected keys: patch_embed\.proj\.weight/,
    );
    await assert.rejects(cli('convert', join(archsDir, 'nafnet.pth'), '-o', join(dir, 'x.safetensors')), /pass an architecture/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
