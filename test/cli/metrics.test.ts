/** `maskdcpt metrics`: one value with its convention; bad input is one clear line naming the files. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readImage, writeImage } from '../../src/io/image.js';
import { cropRaster } from '../../src/io/raster.js';
import { brisque, niqe, piqe, psnr, ssim } from '../../src/metrics/index.js';
import { runCli } from '../helpers/cli.js';

const data = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const rainIn = join(data, 'rain100h/input/1.png');
const rainGt = join(data, 'rain100h/target/1.png');
const grey = join(data, 'set12/01.png'); // 256x256 grey
let dir = '';

const cli = (...args: string[]) => runCli('metrics', ...args);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mdt-metrics-'));
  const kodim = (await readImage(join(data, 'kodak24/kodim01.png'))).raster;
  await writeImage(join(dir, 'colour256.png'), cropRaster(kodim, 0, 0, 256, 256));
  await writeImage(join(dir, 'tiny-a.png'), cropRaster(kodim, 0, 0, 8, 8));
  await writeImage(join(dir, 'tiny-b.png'), cropRaster(kodim, 8, 8, 8, 8));
  await writeImage(join(dir, 'small.png'), cropRaster(kodim, 0, 0, 100, 100));
  writeFileSync(join(dir, 'empty.png'), new Uint8Array(0));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('psnr and ssim print the value with its convention; options reach the metric', async () => {
  const a = (await readImage(rainIn)).raster;
  const b = (await readImage(rainGt)).raster;
  assert.equal(await cli('psnr', rainIn, rainGt), `psnr ${psnr(a, b).toFixed(2)} dB (maskdcpt, RGB, crop 0)`);
  assert.equal(await cli('ssim', rainIn, rainGt), `ssim ${ssim(a, b).toFixed(4)} (maskdcpt, RGB, crop 0)`);
  const opts = { convention: 'basicsr', channel: 'y', cropBorder: 4 } as const;
  const line = await cli('psnr', rainIn, rainGt, '--convention', 'basicsr', '--channel', 'y', '--crop-border', '4');
  assert.equal(line, `psnr ${psnr(a, b, opts).toFixed(2)} dB (basicsr, Y, crop 4)`);
  const j = JSON.parse(await cli('ssim', rainIn, rainGt, '--convention', 'skimage', '--json')) as Record<
    string,
    unknown
  >;
  assert.equal(j.name, 'ssim');
  assert.equal(j.value, ssim(a, b, { convention: 'skimage' }));
  assert.equal(j.convention, 'skimage, RGB, crop 0, data_range 1, uniform 7x7');
  assert.equal(j.image, rainIn);
  assert.equal(j.reference, rainGt);
  const same = JSON.parse(await cli('psnr', rainGt, rainGt, '--json')) as Record<string, unknown>;
  assert.equal(same.value, 'inf');
  assert.equal(await cli('psnr', rainGt, rainGt), 'psnr inf dB (maskdcpt, RGB, crop 0)');
});

test('piqe, niqe and brisque take one image', async () => {
  const a = (await readImage(rainIn)).raster;
  assert.equal(await cli('piqe', rainIn), `piqe ${piqe(a).toFixed(2)} (matlab)`);
  assert.equal(await cli('niqe', rainIn), `niqe ${niqe(a).toFixed(4)} (basicsr, Y)`);
  assert.equal(
    await cli('niqe', rainIn, '--channel', 'rgb', '--crop-border', '2'),
    `niqe ${niqe(a, { convertTo: 'rgb-mean', cropBorder: 2 }).toFixed(4)} (maskdcpt fork, RGB mean, crop 2)`,
  );
  assert.equal(await cli('brisque', rainIn), `brisque ${brisque(a).toFixed(3)} (opencv, LIVE model)`);
  const j = JSON.parse(await cli('piqe', grey, '--json')) as Record<string, unknown>;
  assert.equal(j.value, piqe((await readImage(grey)).raster));
  assert.equal(j.reference, undefined);
});

test('bad input: one clear line naming the problem and the files', async () => {
  const cbsd = join(data, 'cbsd68/3096.png');
  await assert.rejects(cli('psnr', cbsd, rainGt), (e: Error) => {
    assert.equal(e.message, `psnr of ${cbsd} against ${rainGt}: image sizes differ: 481x321 vs 480x320`);
    return true;
  });
  const colour = join(dir, 'colour256.png');
  await assert.rejects(
    cli('ssim', grey, colour),
    new RegExp(
      `^Error: ssim of ${grey} against ${colour}: cannot compare a 256x256 grey image with a 256x256 RGB image \\(grey vs colour\\)$`,
    ),
  );
  await assert.rejects(
    cli('psnr', join(dir, 'empty.png'), rainGt),
    /^Error: cannot read image .*empty\.png: the file is empty$/,
  );
  await assert.rejects(
    cli('ssim', join(dir, 'tiny-a.png'), join(dir, 'tiny-b.png')),
    /^Error: ssim of .*tiny-a\.png against .*tiny-b\.png: image is 8x8, smaller than the 11x11 window$/,
  );
  await assert.rejects(
    cli('niqe', join(dir, 'small.png')),
    /^Error: niqe of .*small\.png: image is 100x100; NIQE needs at least two 96x96 blocks$/,
  );
  await assert.rejects(cli('psnr', rainIn), /psnr compares two images: give the reference \(ground truth\) after/);
  await assert.rejects(cli('niqe', rainIn, rainGt), /niqe is a no-reference metric: it takes one image, got a second/);
  await assert.rejects(cli('lpips', rainIn, rainGt), /unknown metric 'lpips'; valid: psnr, ssim, piqe, niqe, brisque/);
  await assert.rejects(
    cli('psnr', rainIn, rainGt, '--convention', 'matlab'),
    /unknown convention 'matlab'; valid: maskdcpt/,
  );
  await assert.rejects(cli('psnr', rainIn, rainGt, '--channel', 'yuv'), /--channel must be 'y' or 'rgb'/);
  await assert.rejects(
    cli('psnr', rainIn, rainGt, '--crop-border', '-1'),
    /--crop-border must be a non-negative integer/,
  );
  await assert.rejects(
    cli('psnr', rainIn, rainGt, '--crop-border', '300'),
    /cropBorder 300 leaves nothing of a 480x320 image/,
  );
  await assert.rejects(cli('piqe', rainIn, '--crop-border', '2'), /piqe takes no --channel or --crop-border/);
  await assert.rejects(cli('brisque', rainIn, '--convention', 'basicsr'), /--convention applies to psnr and ssim/);
  await assert.rejects(cli('piqe', join(dir, 'missing.png')), /cannot read image .*missing\.png: file not found/);
});
