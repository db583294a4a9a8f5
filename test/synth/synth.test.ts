/**
 * `maskdcpt synth` through the command tree on small crops of real photos: determinism across runs, worker
 * counts and shardings; resume after a crash; regeneration from the manifest; grey/alpha/16-bit sources; bad
 * input; the gallery.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { buildProgram } from '../../src/cli/program.js';
import { regenerate } from '../../src/degrade/registry.js';
import { quantize, readImage, writeImage } from '../../src/io/image.js';
import { cropRaster } from '../../src/io/raster.js';
import type { ManifestEntry } from '../../src/synth/manifest.js';
import { listSources, parseShard, planJobs, resolveSelection } from '../../src/synth/plan.js';
import { runSynth } from '../../src/synth/run.js';
import { encodePng } from '../io/png.js';

const kodak = (n: number) =>
  fileURLToPath(new URL(`../../../shared/data/kodak24/kodim${String(n).padStart(2, '0')}.png`, import.meta.url));
let tmp = '';
let input = '';

async function cli(...args: string[]): Promise<string> {
  const p = buildProgram();
  p.exitOverride();
  p.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    await p.parseAsync(['node', 'maskdcpt', ...args]);
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

const manifest = (dir: string, file = 'manifest.jsonl') =>
  readFileSync(join(dir, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ManifestEntry);

/** Every file under lq/ and gt/, by name → bytes. */
function files(dir: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const sub of ['lq', 'gt'])
    for (const f of readdirSync(join(dir, sub))) m.set(`${sub}/${f}`, readFileSync(join(dir, sub, f)));
  return m;
}

function assertSameFiles(a: string, b: string): void {
  const fa = files(a);
  const fb = files(b);
  assert.deepEqual([...fa.keys()].sort(), [...fb.keys()].sort());
  for (const [k, v] of fa) assert.ok(v.equals(fb.get(k) as Buffer), `${k} differs between ${a} and ${b}`);
  assert.ok(
    readFileSync(join(a, 'manifest.jsonl')).equals(readFileSync(join(b, 'manifest.jsonl'))),
    'manifests differ',
  );
}

const common = ['--types', 'noise,jpeg,haze', '--per-image', '2', '--seed', '5'];

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mdt-synth-'));
  input = join(tmp, 'in');
  mkdirSync(input);
  // Small crops of real photos keep this fast; plus a 16-bit grey and an 8-bit RGBA source.
  for (const [n, top] of [
    [3, 200],
    [13, 120],
  ] as const) {
    const { raster } = await readImage(kodak(n));
    await writeImage(join(input, `kodim${n}.png`), cropRaster(raster, top, 300, 48, 64));
  }
  const { raster: grey } = await readImage(kodak(20));
  const g16 = Uint16Array.from({ length: 64 * 48 }, (_, i) =>
    Math.round(grey.data[3 * ((200 + Math.floor(i / 64)) * grey.width + 100 + (i % 64)) + 1]! * 65535),
  );
  writeFileSync(
    join(input, 'grey16.png'),
    encodePng({ width: 64, height: 48, bitDepth: 16, colorType: 0, samples: g16 }),
  );
  const rgba = Uint8Array.from({ length: 40 * 40 * 4 }, (_, i) => (i % 4 === 3 ? 128 : (i * 7) % 256));
  writeFileSync(
    join(input, 'rgba.png'),
    encodePng({ width: 40, height: 40, bitDepth: 8, colorType: 6, samples: rgba }),
  );
});

after(() => rmSync(tmp, { recursive: true, force: true }));

test('plan: shards partition the pairs; names are unique; bad shard, type and level names are clear errors', () => {
  const sources = listSources(input);
  assert.deepEqual(
    sources.map((s) => s.key),
    ['grey16', 'kodim13', 'kodim3', 'rgba'],
  );
  const all = planJobs(sources, 3).map((j) => j.name);
  const parts = [0, 1, 2].map((i) => planJobs(sources, 3, { index: i, count: 3 }).map((j) => j.name));
  assert.deepEqual(parts.flat().sort(), [...all].sort());
  assert.equal(new Set(parts.flat()).size, all.length);
  assert.deepEqual(parseShard('1/4'), { index: 1, count: 4 });
  assert.throws(() => parseShard('4/4'), /0\.\.3 \(0-based\)/);
  assert.throws(() => parseShard('x'), /i\/n/);
  assert.throws(() => resolveSelection(['fog']), /unknown degradation 'fog'; valid: noise, real_noise/);
  assert.throws(() => resolveSelection(['jpeg'], ['jpeg.q.31']), /unknown level 'jpeg\.q\.31'/);
  assert.throws(() => resolveSelection(['noise'], ['jpeg.q.30']), /levels of jpeg given, but not in --types/);
  assert.deepEqual(resolveSelection(undefined, ['jpeg.q.30']), { types: ['jpeg'], levels: { jpeg: ['jpeg.q.30'] } });
});

test('same seed, same bytes across runs and worker counts; other seeds differ; lq regenerates from gt + manifest', async () => {
  const a = join(tmp, 'a');
  const b = join(tmp, 'b');
  const c = join(tmp, 'c');
  await cli('synth', '-i', input, '-o', a, ...common, '--workers', '0');
  await cli('synth', '-i', input, '-o', b, ...common, '--workers', '2');
  assertSameFiles(a, b);
  const entries = manifest(a);
  assert.equal(entries.length, 8);
  assert.deepEqual(entries.map((e) => e.name).slice(0, 3), ['grey16_000', 'grey16_001', 'kodim13_000']);
  assert.equal(entries.find((e) => e.source === 'grey16.png')?.from, '16-bit grey');
  assert.equal(entries.find((e) => e.source === 'rgba.png')?.from, '8-bit RGB+alpha');
  assert.equal(entries.find((e) => e.source === 'kodim3.png')?.from, undefined);
  for (const e of entries) {
    const gt = (await readImage(join(a, e.gt))).raster;
    const lq = (await readImage(join(a, e.lq))).raster;
    assert.deepEqual([gt.channels, lq.channels, gt.width, gt.height], [3, 3, e.width, e.height]);
    const again = await regenerate(gt, { type: e.type, id: e.id, level: e.level, params: e.params }, e.applySeed);
    assert.ok(
      again.data.every((v, i) => quantize(v, 255) === Math.round(lq.data[i]! * 255)),
      `${e.name} (${e.level}) does not regenerate from its gt PNG and manifest entry`,
    );
  }
  await cli('synth', '-i', input, '-o', c, ...common.slice(0, -1), '6', '--workers', '0');
  assert.ok(!readFileSync(join(a, 'lq/kodim3_000.png')).equals(readFileSync(join(c, 'lq/kodim3_000.png'))));
});

test('shards made separately and merged equal one unsharded run, byte for byte', async () => {
  const s = join(tmp, 'shards');
  for (const i of [0, 1]) await cli('synth', '-i', input, '-o', s, ...common, '--shard', `${i}/2`, '--workers', '0');
  assert.ok(existsSync(join(s, 'manifest-0-of-2.jsonl')) && existsSync(join(s, 'manifest-1-of-2.jsonl')));
  assert.match(await cli('synth', '--merge', '-o', s), /merged 2 shards, 8 pairs/);
  assertSameFiles(join(tmp, 'a'), s);
  unlinkSync(join(s, 'manifest-1-of-2.jsonl'));
  await assert.rejects(cli('synth', '--merge', '-o', s), /shard 1\/2 not finished or not copied here/);
});

test('resume: a crashed run (torn manifest line, lost file, stale temp) is finished to the same bytes', async () => {
  const r = join(tmp, 'resume');
  await cli('synth', '-i', input, '-o', r, ...common, '--workers', '0');
  // Simulate a crash: no final manifest, a partial one with 3 entries and a torn 4th line, one entry's lq lost.
  const lines = readFileSync(join(r, 'manifest.jsonl'), 'utf8').split('\n');
  unlinkSync(join(r, 'manifest.jsonl'));
  writeFileSync(
    join(r, 'manifest.partial.jsonl'),
    `${lines.slice(0, 3).join('\n')}\n${(lines[3] as string).slice(0, 40)}`,
  );
  unlinkSync(join(r, 'lq', 'grey16_001.png'));
  unlinkSync(join(r, 'lq', 'kodim3_001.png')); // not in the partial manifest: simply made again
  writeFileSync(join(r, 'lq', '.kodim3_001.png.999.abcd.tmp'), 'half');
  const out = await cli('synth', '-i', input, '-o', r, ...common, '--workers', '0');
  assert.match(out, /8 pairs, 2 already complete, 6 to make/);
  assert.match(out, /made 6 pairs \(2 already complete\)/);
  assertSameFiles(join(tmp, 'a'), r);
  assert.ok(!existsSync(join(r, 'manifest.partial.jsonl')));
  assert.ok(!readdirSync(join(r, 'lq')).some((f) => f.endsWith('.tmp')));
  // A finished folder: nothing to do, same manifest.
  assert.match(
    await cli('synth', '-i', input, '-o', r, ...common, '--workers', '0'),
    /made 0 pairs \(8 already complete\)/,
  );
  assertSameFiles(join(tmp, 'a'), r);
  await assert.rejects(
    cli('synth', '-i', input, '-o', r, '--types', 'noise,jpeg,haze', '--seed', '6'),
    /was made with --seed 5 \(this command: 6\)/,
  );
});

test('bad input: unreadable image, image smaller than the crop, unknown type; failed runs leave only complete pairs', async () => {
  const bad = join(tmp, 'bad-in');
  mkdirSync(bad);
  writeFileSync(join(bad, 'a_broken.png'), readFileSync(kodak(1)).subarray(0, 5000));
  await sharp(kodak(2)).extract({ left: 0, top: 0, width: 80, height: 80 }).toFile(join(bad, 'b_ok.png'));
  await sharp(kodak(2)).extract({ left: 0, top: 0, width: 20, height: 30 }).toFile(join(bad, 'c_small.png'));
  const o = join(tmp, 'bad-out');
  await assert.rejects(
    cli('synth', '-i', bad, '-o', o, '--types', 'noise', '--workers', '0'),
    /a_broken\.png: .*truncated PNG/,
  );
  await assert.rejects(
    cli(
      'synth',
      '-i',
      bad,
      '-o',
      join(tmp, 'bad-crop'),
      '--types',
      'noise',
      '--crop',
      '32',
      '--workers',
      '0',
      '--keep-going',
    ),
    (err: Error) =>
      /2 images failed/.test(err.message) &&
      /c_small\.png is 20x30, smaller than --crop 32/.test(err.message) &&
      /1 of 3 pairs are complete/.test(err.message),
  );
  // Every PNG there belongs to a manifest line; nothing half-written, no final manifest yet.
  const partial = manifest(join(tmp, 'bad-crop'), 'manifest.partial.jsonl');
  assert.deepEqual(
    partial.map((e) => e.name),
    ['b_ok_000'],
  );
  assert.deepEqual([...files(join(tmp, 'bad-crop')).keys()].sort(), ['gt/b_ok_000.png', 'lq/b_ok_000.png']);
  assert.ok(!existsSync(join(tmp, 'bad-crop', 'manifest.jsonl')));
  // After removing the bad images the same command finishes.
  unlinkSync(join(bad, 'a_broken.png'));
  unlinkSync(join(bad, 'c_small.png'));
  assert.match(
    await cli('synth', '-i', bad, '-o', join(tmp, 'bad-crop'), '--types', 'noise', '--crop', '32', '--workers', '0'),
    /made 0 pairs \(1 already complete\)/,
  );
  await assert.rejects(cli('synth', '-i', bad, '-o', o, '--types', 'fog'), /unknown degradation 'fog'/);
  await assert.rejects(cli('synth', '-i', join(tmp, 'nope'), '-o', o), /does not exist/);
  await assert.rejects(cli('synth', '-i', bad, '-o', o, '--per-image', '0'), /--per-image must be an integer ≥ 1/);
});

test('gallery: one tile per type and level, PNG and HTML, deterministic', async () => {
  const png = join(tmp, 'g.png');
  const out = await cli(
    'synth',
    '-i',
    input,
    '--gallery',
    png,
    '--types',
    'noise,jpeg,moire',
    '--gallery-levels',
    '2',
    '--gallery-tile',
    '32',
  );
  assert.match(out, /3 types, 6 degraded tiles/);
  const meta = await sharp(png).metadata();
  assert.deepEqual([meta.format, meta.channels], ['png', 3]);
  const first = readFileSync(png);
  await cli(
    'synth',
    '-i',
    input,
    '--gallery',
    png,
    '--types',
    'noise,jpeg,moire',
    '--gallery-levels',
    '2',
    '--gallery-tile',
    '32',
  );
  assert.ok(first.equals(readFileSync(png)), 'gallery bytes differ between runs');
  const html = join(tmp, 'g.html');
  await cli(
    'synth',
    '--gallery-image',
    kodak(8),
    '--gallery',
    html,
    '--levels',
    'jpeg.q.10,noise.poisson.k3',
    '--gallery-tile',
    '32',
  );
  const text = readFileSync(html, 'utf8');
  assert.equal(text.match(/data:image\/png;base64,/g)?.length, 4); // clean twice + two levels
  assert.match(text, /noise\.poisson\.k3/);
  await assert.rejects(cli('synth', '-i', input, '--gallery', join(tmp, 'g.gif')), /\.png or \.html/);
  await assert.rejects(
    cli('synth', '--gallery-image', join(input, 'rgba.png'), '--gallery', png, '--gallery-tile', '64'),
    /smaller than the 64x64 gallery tile/,
  );
});

test('an interrupted run (abort) keeps its finished pairs and resumes to the same bytes', async () => {
  const dir = join(tmp, 'abort');
  const o = { input, output: dir, types: ['noise', 'jpeg', 'haze'], perImage: 2, seed: 5, workers: 0 };
  const ctl = new AbortController();
  await assert.rejects(
    runSynth(o, { signal: ctl.signal, onEvent: (e) => e.type === 'pair' && e.made === 3 && ctl.abort() }),
    /synth interrupted: 3 of 8 pairs are complete; rerun the same command/,
  );
  assert.equal(manifest(dir, 'manifest.partial.jsonl').length, 3);
  assert.equal(files(dir).size, 6);
  const r = await runSynth(o);
  assert.deepEqual([r.made, r.skipped, r.conversions], [5, 3, { '16-bit grey': 1, '8-bit RGB+alpha': 1 }]);
  assertSameFiles(join(tmp, 'a'), dir);
});

test('a synth process killed with SIGKILL leaves only complete files and resumes to the same bytes', async () => {
  const dir = join(tmp, 'killed');
  const args = ['-i', input, '--types', 'noise,jpeg,haze', '--per-image', '5', '--seed', '5', '--workers', '0'];
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'synth', '-o', dir, ...args], {
    stdio: 'ignore',
  });
  const partial = join(dir, 'manifest.partial.jsonl');
  const t0 = Date.now();
  // Killed after its second pair: 18 more are to come, so it cannot have finished.
  while (!(existsSync(partial) && readFileSync(partial, 'utf8').split('\n').length > 2) && child.exitCode === null) {
    if (Date.now() - t0 > 60_000) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('close', r));
  assert.ok(!existsSync(join(dir, 'manifest.jsonl')), 'the run finished before it could be killed');
  for (const [name, bytes] of files(dir)) {
    if (name.split('/')[1]?.startsWith('.')) continue; // temp files of atomic writes
    await readImage(bytes, { name }); // every visible PNG is complete
  }
  assert.match(await cli('synth', '-o', dir, ...args), /20 pairs, ([2-9]|1\d) already complete/);
  await cli('synth', '-o', join(tmp, 'unkilled'), ...args);
  assertSameFiles(join(tmp, 'unkilled'), dir);
});
