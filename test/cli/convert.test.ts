/** `convert` and `forward` through the command tree, on the official fixtures. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModel } from '../../src/archs/load.js';
import { readImage } from '../../src/io/image.js';
import { pickStateDict, readPth } from '../../src/io/pth.js';
import { toPlanar } from '../../src/io/raster.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { fromTypedArray, noGrad } from '../../src/tensor/index.js';
import { runCli } from '../helpers/cli.js';
import { assertClose, repoRoot } from '../helpers/engine.js';
import { archsDir } from '../helpers/fixtures.js';

const cli = async (...args: string[]): Promise<void> => {
  await runCli(...args);
};

test('official .pth → safetensors → forward reproduces the official output; → .pth round-trips', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-cli-'));
  try {
    const fixture = JSON.parse(
      await import('node:fs').then((fs) => fs.readFileSync(join(archsDir, 'nafnet.json'), 'utf8')),
    ) as {
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
    assertClose(got.data as Float32Array, io.get('output')!.data as Float32Array, {
      atol: 1e-5,
      what: 'forward output',
    });

    // The converted official checkpoint restores a real photo through the CLI: the PNG it writes is the model's
    // forward on the decoded photo, rounded to 8 bits.
    const photo = join(repoRoot, 'assets', 'photos', 'kodim03.png');
    const restored = join(dir, 'restored.png');
    await cli('restore', '-i', photo, '-o', restored, '--weights', st, '-t', '0');
    const src = (await readImage(photo, { channels: 3 })).raster;
    const [h, w] = [src.height, src.width];
    const model = await loadModel(st);
    const expected = noGrad(() =>
      model
        .forward(fromTypedArray(toPlanar(src), [1, 3, h, w]))
        .clamp(0, 1)
        .toFloat32Array(),
    );
    const got8 = toPlanar((await readImage(restored, { channels: 3 })).raster);
    let worst = 0;
    for (let i = 0; i < got8.length; i++)
      worst = Math.max(worst, Math.abs((got8[i] as number) - (expected[i] as number)));
    const pixels = toPlanar(src);
    let moved = 0;
    for (let i = 0; i < pixels.length; i++) moved += Math.abs((expected[i] as number) - (pixels[i] as number));
    assert.ok(moved / pixels.length > 2 / 255, 'the official weights should change the photo (not an identity)');
    assert.ok(worst <= 0.5 / 255 + 1e-6, `restored PNG differs from the forward by ${worst * 255} levels`);

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
    await assert.rejects(
      cli('convert', join(archsDir, 'nafnet.pth'), '-o', join(dir, 'x.safetensors')),
      /pass an architecture/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
