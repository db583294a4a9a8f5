/** `restore`, `diagnose` and `models` through the command tree. */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createModel, resolveModel } from '../../src/archs/registry.js';
import { buildProgram } from '../../src/cli/program.js';
import { LABELS } from '../../src/degrade/labels.js';
import { writeCheckpoint } from '../../src/io/checkpoint.js';
import { readImage, writeImage } from '../../src/io/image.js';
import { cropRaster } from '../../src/io/raster.js';
import { stateToHost } from '../../src/io/tensor-bridge.js';
import { MaskDCPT } from '../../src/maskdcpt/pretrain.js';
import { manualSeed, setNumThreads } from '../../src/tensor/index.js';
import { archsDir } from '../helpers/fixtures.js';
import { identityModel, kodak, makeImages, saveAs } from '../restore/helpers.js';

setNumThreads(1); // 2 shared cores on CI: avoid OpenMP spinning against other jobs

interface Run {
  out: string;
  err: string;
  events: Record<string, unknown>[];
}

/** Runs the CLI, capturing stdout/stderr; `onLine` sees each stdout line as it is written. */
async function cli(args: string[], onLine: (line: string) => void = () => {}): Promise<Run> {
  const p = buildProgram();
  p.exitOverride();
  p.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  const run: Run = { out: '', err: '', events: [] };
  const outWrite = process.stdout.write;
  const errWrite = process.stderr.write;
  // Only the CLI's text is captured: the test runner's own (binary) protocol writes pass through.
  process.stdout.write = ((s: unknown, ...rest: unknown[]) => {
    if (typeof s !== 'string') return (outWrite as (...a: unknown[]) => boolean).call(process.stdout, s, ...rest);
    run.out += s;
    for (const line of s.split('\n').filter(Boolean)) onLine(line);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((s: unknown, ...rest: unknown[]) => {
    if (typeof s !== 'string') return (errWrite as (...a: unknown[]) => boolean).call(process.stderr, s, ...rest);
    run.err += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    await p.parseAsync(['node', 'maskdcpt', ...args]);
  } finally {
    process.stdout.write = outWrite;
    process.stderr.write = errWrite;
    if (args.includes('--json'))
      run.events = run.out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  return run;
}

/** Rejects with exactly one line that matches `re`. */
async function failsWith(args: string[], re: RegExp): Promise<void> {
  await assert.rejects(cli(args), (err: Error) => {
    assert.match(err.message, re);
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    return true;
  });
}

let dir: string;
let weights: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mdt-cli-restore-'));
  const model = identityModel();
  weights = await saveAs(join(dir, 'identity.safetensors'), model);
  model.dispose();
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function photoFolder(name: string, n: number): Promise<string> {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const { raster } = await readImage(kodak(1));
  for (let i = 0; i < n; i++) await writeImage(join(folder, `p${i}.png`), cropRaster(raster, 40 * i, 60 * i, 48, 72));
  return folder;
}

test('a folder with bad files: good ones restored (tree kept), bad ones reported, non-zero exit', async () => {
  const input = await photoFolder('mixed', 2);
  mkdirSync(join(input, 'sub'));
  await writeImage(join(input, 'sub', 'deep.jpg'), cropRaster((await readImage(kodak(2))).raster, 0, 0, 64, 96), {
    quality: 90,
  });
  writeFileSync(join(input, 'broken.png'), readFileSync(join(input, 'p0.png')).subarray(0, 300));
  writeFileSync(join(input, 'notes.png'), 'not an image');
  writeFileSync(join(input, 'readme.txt'), 'ignored: not an image extension');
  const out = join(dir, 'mixed-out');
  await assert.rejects(
    cli([
      'restore',
      '-i',
      input,
      '-o',
      out,
      '--weights',
      weights,
      '-t',
      '32',
      '--tile-pad',
      '16',
      '--recursive',
      '--json',
    ]),
    /^Error: 2 of 5 images failed: .*broken\.png, .*notes\.png$/,
  );
  const rerun = cli(['restore', '-i', input, '-o', out, '--weights', weights, '--recursive', '--skip-existing']);
  await assert.rejects(rerun, /2 of 5 images failed/, 'still failing on the same files, the good ones skipped');
  assert.deepEqual(readdirSync(out).sort(), ['p0.png', 'p1.png', 'sub']);
  assert.deepEqual(readdirSync(join(out, 'sub')), ['deep.jpg']);
  const a = await readImage(join(input, 'p0.png'));
  const b = await readImage(join(out, 'p0.png'));
  assert.deepEqual(b.raster.data, a.raster.data, 'identity model: PNG round trip is exact');
});

test('bad-file events name the file and the problem', async () => {
  const input = join(dir, 'mixed');
  const events: Record<string, unknown>[] = [];
  await cli(
    ['restore', '-i', input, '-o', join(dir, 'mixed-out2'), '--weights', weights, '--recursive', '--json'],
    (l) => events.push(JSON.parse(l) as Record<string, unknown>),
  ).catch(() => {});
  const errors = events.filter((e) => e.type === 'error').map((e) => String(e.message));
  assert.equal(errors.length, 2);
  assert.match(errors[0]!, /cannot read image .*broken\.png: truncated PNG/);
  assert.match(errors[1]!, /cannot read image .*notes\.png: unsupported or unrecognised image format/);
  const done = events.at(-1)!;
  assert.deepEqual([done.type, done.ok, done.total], ['done', 3, 5]);
});

test('interrupted batch resumed with --skip-existing produces each output once', async () => {
  const input = await photoFolder('resume', 4);
  const out = join(dir, 'resume-out');
  const saved: string[] = [];
  await assert.rejects(
    cli(['restore', '-i', input, '-o', out, '--weights', weights, '-t', '32', '--json'], (line) => {
      const e = JSON.parse(line) as { type: string; output?: string };
      if (e.type === 'saved') {
        saved.push(e.output!);
        if (saved.length === 2) process.emit('SIGINT'); // Ctrl-C after the second image
      }
    }),
    /interrupted; run again with --skip-existing to continue/,
  );
  assert.equal(saved.length, 2);
  // A crash mid-write leaves only a temp file (writes are atomic); it is neither an output nor an input.
  writeFileSync(join(out, '.p2.png.999.dead.tmp'), 'partial');
  const mtimes = saved.map((f) => statSync(f).mtimeMs);
  const second = await cli([
    'restore',
    '-i',
    input,
    '-o',
    out,
    '--weights',
    weights,
    '-t',
    '32',
    '--skip-existing',
    '--json',
  ]);
  const kinds = second.events.filter((e) => e.type === 'saved' || e.type === 'skip').map((e) => [e.type, e.file]);
  assert.deepEqual(kinds, [
    ['skip', join(input, 'p0.png')],
    ['skip', join(input, 'p1.png')],
    ['saved', join(input, 'p2.png')],
    ['saved', join(input, 'p3.png')],
  ]);
  assert.deepEqual(
    saved.map((f) => statSync(f).mtimeMs),
    mtimes,
    'skipped outputs untouched',
  );
  assert.deepEqual(
    readdirSync(out)
      .filter((f) => !f.startsWith('.'))
      .sort(),
    ['p0.png', 'p1.png', 'p2.png', 'p3.png'],
  );
  // Outputs next to the inputs (with a suffix) are not picked up as inputs on the next run.
  await cli(['restore', '-i', input, '-o', input, '--weights', weights, '--suffix', '_out']);
  const again = await cli([
    'restore',
    '-i',
    input,
    '-o',
    input,
    '--weights',
    weights,
    '--suffix',
    '_out',
    '--skip-existing',
    '--json',
  ]);
  assert.deepEqual(again.events.at(-1), { ...again.events.at(-1), total: 4, skipped: 4 });
});

test('single images: grey, 16-bit, EXIF + ICC, alpha into JPEG, explicit output file', async () => {
  const files = await makeImages(join(dir, 'kinds'));
  const out = join(dir, 'kinds-out');
  const run = await cli(['restore', '-i', join(dir, 'kinds'), '-o', out, '--weights', weights, '--suffix', '_r']);
  assert.match(run.out, /done: 4 restored, 0 skipped, 0 failed of 4/);
  assert.equal((await sharp(join(out, 'grey_r.png')).metadata()).channels, 1);
  assert.equal((await sharp(join(out, 'deep_r.png')).metadata()).depth, 'ushort');
  const rgba = await sharp(join(out, 'rgba_r.png')).metadata();
  assert.deepEqual([rgba.channels, rgba.hasAlpha], [4, true]);
  const rot = await sharp(join(out, 'rotated_r.jpg')).metadata();
  assert.deepEqual(
    [rot.width, rot.height, rot.orientation ?? 1, rot.hasProfile],
    [24, 40, 1, true],
    'upright, ICC kept',
  );

  const jpg = await cli(['restore', '-i', files.rgba, '-o', join(out, 'flat.jpg'), '--weights', weights]);
  assert.match(jpg.err, /warning: .*rgba\.png: JPEG cannot store alpha; it was dropped/);
  assert.equal((await sharp(join(out, 'flat.jpg')).metadata()).channels, 3);
});

test('bad input and options: one clear line each, naming the file', async () => {
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'notes.txt'), 'x');
  const blocker = join(dir, 'a-file');
  writeFileSync(blocker, 'x');
  const photo = join(await photoFolder('one', 1), 'p0.png');
  const bmp = join(dir, 'odd.bmp');
  writeFileSync(bmp, Buffer.from('BM this is not a bitmap'));
  const broken = join(dir, 'broken.png');
  writeFileSync(broken, readFileSync(photo).subarray(0, 200));
  const w = ['--weights', weights];
  const o = ['-o', join(dir, 'bad-out')];
  await failsWith(['restore', '-i', join(dir, 'missing.png'), ...o, ...w], /input not found: .*missing\.png/);
  await failsWith(['restore', '-i', empty, ...o, ...w], /no images in .*empty \(looked for \.png .*add --recursive/);
  await failsWith(['restore', '-i', join(dir, 'nothing-*.png'), ...o, ...w], /no images match .*nothing-\*\.png/);
  await failsWith(
    ['restore', '-i', photo, '-o', join(blocker, 'sub'), ...w],
    /cannot write to output folder .*a-file\/sub: a file is in the way/,
  );
  await failsWith(
    ['restore', '-i', bmp, ...o, ...w],
    /cannot read image .*odd\.bmp: unsupported or unrecognised image format/,
  );
  await failsWith(['restore', '-i', broken, ...o, ...w], /cannot read image .*broken\.png: truncated PNG/);
  await failsWith(
    ['restore', '-i', photo, ...o, '--weights', join(archsDir, 'restormer.pth'), '--arch', 'nafnet-tiny'],
    /restormer\.pth does not fit nafnet .*missing keys/,
  );
  await failsWith(
    ['restore', '-i', photo, ...o, ...w, '-t', '8'],
    /tile 8 is smaller than the model's size multiple 16; use -t 16 or more/,
  );
  await failsWith(['restore', '-i', photo, ...o], /pass a model: -n <name> or --weights <file>/);
  await failsWith(
    ['restore', '-i', photo, ...o, '--weights', join(dir, 'nope.safetensors')],
    /weights file not found: .*nope\.safetensors/,
  );
  await failsWith(['restore', '-i', photo, '-o', photo, ...w], /would overwrite its input/);
});

test('diagnose prints the likely degradations; models lists installed weights and the official releases', async () => {
  manualSeed(2);
  const pre = new MaskDCPT(createModel('nafnet-tiny'), { numClasses: LABELS.length, numResBlocks: 1 });
  const home = join(dir, 'home');
  const runDir = join(home, 'models', 'tiny-pretrain');
  mkdirSync(runDir, { recursive: true });
  await writeCheckpoint(join(runDir, 'ckpt_00000005.safetensors'), {
    iter: 5,
    arch: 'maskdcpt:nafnet',
    archOptions: resolveModel('nafnet-tiny').options,
    params: stateToHost(pre.stateDict()),
    paramsEma: null,
    optimizers: new Map(),
    torchRng: null,
    extra: { labels: LABELS.map((l) => l.name) },
  });
  pre.dispose();
  copyFileSync(weights, join(home, 'models', 'ident.safetensors'));
  const photo = join(dir, 'one', 'p0.png');
  const saved = process.env.MASKDCPT_HOME;
  process.env.MASKDCPT_HOME = home;
  try {
    const text = await cli(['diagnose', '-i', photo, '-n', 'tiny-pretrain', '--top', '2']);
    assert.match(text.out, /^.*p0\.png: [a-z ]+ \d\.\d\d(, [a-z ]+ \d\.\d\d)?\n$/);
    const json = await cli(['diagnose', '-i', photo, '-n', 'tiny-pretrain', '--json']);
    const d = json.events[0] as { file: string; predictions: { probability: number }[] };
    assert.equal(d.predictions.length, 19);
    await failsWith(['diagnose', '-i', photo, '-n', 'ident'], /ident\.safetensors has no degradation classifier/);

    const models = await cli(['models']);
    assert.match(models.out, /models folder: .*home\/models/);
    assert.match(models.out, /ident +weights +nafnet/);
    assert.match(models.out, /tiny-pretrain +run +maskdcpt:nafnet/);
    assert.match(models.out, /nafnet-maskdcpt-5d +nafnet_maskdcpt_5d\.pth +nafnet-64-5d/);
    assert.match(
      models.out,
      /maskdcpt convert nafnet_maskdcpt_5d\.pth --arch nafnet-64-5d --key params_ema -o .*nafnet-maskdcpt-5d\.safetensors/,
    );
    assert.match(models.out, /nafnet-small +nafnet/);
    const listed = JSON.parse((await cli(['models', '--json'])).out) as {
      installed: { name: string }[];
      releases: unknown[];
    };
    assert.deepEqual(
      listed.installed.map((m) => m.name),
      ['ident', 'tiny-pretrain'],
    );
    assert.equal(listed.releases.length, 6);
    assert.ok(existsSync(join(home, 'models')));
  } finally {
    if (saved === undefined) delete process.env.MASKDCPT_HOME;
    else process.env.MASKDCPT_HOME = saved;
  }
});
