/** The report's reading and rendering, without a browser (see browser.test.ts for the page in Chromium). */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Command } from 'commander';
import { registerReport } from '../../src/cli/report.js';
import { renderReport, writeReport } from '../../src/report/index.js';
import { downsample, parseMetrics, readRun } from '../../src/report/run.js';
import { formatTick, niceTicks } from '../../src/report/svg.js';
import { type Fixture, makeFixture } from './fixture.js';

/** assert.match on a megabyte page would print all of it; this names the pattern only. */
function has(html: string, re: RegExp, yes = true): void {
  assert.equal(re.test(html), yes, `${yes ? 'missing' : 'unexpected'}: ${re}`);
}

let dir: string;
let fx: Fixture;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mdt-report-'));
  fx = await makeFixture(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a run directory: resumed history wins, bad lines are counted, facts and summary come from the files', async () => {
  const run = await readRun(fx.runDir);
  assert.equal(run.name, 'tiny');
  assert.deepEqual(run.warnings, ['1 unreadable line in metrics.jsonl skipped']);
  const facts = Object.fromEntries(run.facts);
  assert.equal(facts.mode, 'pretrain');
  assert.equal(facts.backbone, 'nafnet');
  assert.equal(facts.iterations, '400 of 400');
  assert.equal(facts.resumed, '1');
  assert.equal(facts.status, 'done in 93.5 s');
  assert.match(facts.checkpoints ?? '', /ckpt_00000400/);
  const titles = run.charts.map((c) => c.title);
  assert.deepEqual(titles, [
    'Training loss',
    'Learning rate',
    'Validation PSNR (dB)',
    'Degradation classification accuracy',
    'Throughput (it/s)',
  ]);
  const loss = run.charts[0]!;
  assert.ok(loss.logY, 'loss spans more than a decade');
  assert.deepEqual(loss.marks, [200]);
  assert.deepEqual(
    loss.series.map((s) => s.name),
    ['loss', 'l1', 'focal'],
  );
  // 10..400 every 10, with 210..250 logged twice: 40 distinct iterations.
  assert.equal(loss.series[0]!.points.length, 40);
  assert.deepEqual(
    run.charts[2]!.series.map((s) => s.name),
    ['psnr', 'psnr_blur', 'psnr_noise'],
  );
  const summary = run.summary!;
  assert.deepEqual(summary.rows[0], ['psnr', 30, 400, 30, 400]);
});

test('parseMetrics tolerates blank and foreign lines; downsample keeps long curves under the cap', () => {
  const p = parseMetrics(
    '\n{"type":"iter","iter":1,"loss":0.5,"lr":1}\n[1,2]\nnot json\n{"type":"iter","iter":1,"loss":0.25,"lr":1}\n',
  );
  assert.equal(p.bad, 2);
  assert.deepEqual([...p.train.get('loss')!], [[1, 0.25]]);
  const long = { name: 'x', points: Array.from({ length: 5000 }, (_, i): [number, number] => [i, i % 2]) };
  const d = downsample(long, 600);
  assert.equal(d.factor, 9);
  assert.ok(d.series.points.length <= 600);
  assert.ok(
    d.series.points.every(([, y]) => y > 0.3 && y < 0.7),
    'bucket means',
  );
});

test('axis ticks are nice numbers with short labels', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(18.3, 31.7, 5), [20, 25, 30]);
  assert.equal(formatTick(1e-4), '1e-4');
  assert.equal(formatTick(0.25), '0.25');
  assert.equal(formatTick(12000), '12000');
});

test('the page from a report JSON is self-contained, escaped, with curves, tables, sliders and a confusion matrix', async () => {
  const html = await renderReport({ sources: [fx.reportJson] });
  has(html, /^<!doctype html>/);
  has(html, /<title>Fixture &#60;report&#62; &#38; friends<\/title>/);
  has(html, /<report>/, false);
  has(html, /(src|href)="(https?:)?\/\//, false);
  has(html, /Content-Security-Policy/);
  assert.equal((html.match(/<svg class="chart"/g) ?? []).length, 5);
  has(html, /<td class="num">28\.57<\/td>/);
  has(html, /<td class="missing">—<\/td>/);
  assert.equal((html.match(/<figure class="example compare"/g) ?? []).length, 2);
  assert.equal((html.match(/<input type="range"/g) ?? []).length, 2);
  has(html, /<table class="confusion">/);
  has(html, /80\.95% overall accuracy, 210 samples, 5 classes/);
  has(html, /a tiny model: the numbers show the pipeline working/);
  // The small crops are embedded as they are; the wide ones are downscaled to 768 px, PNG stays PNG.
  const imgs = [
    ...html.matchAll(
      /<img class="[a-z]+" src="data:image\/(png|jpeg);base64,[^"]+" alt="([^"]*)" width="(\d+)" height="(\d+)"/g,
    ),
  ].map((m) => `${m[2]}:${m[1]}:${m[3]}x${m[4]}`);
  assert.deepEqual(
    imgs.sort(),
    ['input:png:64x64', 'input:png:768x384', 'restored:png:64x64', 'target:jpeg:768x384', 'target:png:64x64'].sort(),
  );
});

test('`maskdcpt eval --json` output renders like the CLI table: per task, average, conventions, per image', async () => {
  const html = await renderReport(fx.evalResult);
  has(html, /<h2>Evaluation: 5d-proxy<\/h2>/);
  has(html, /<h3>5d-proxy: stand-in for the paper&#39;s 5D table<\/h3>/);
  has(html, /<th>task<\/th><th>data<\/th><th>images<\/th><th>PSNR \(dB\)<\/th><th>SSIM<\/th>/);
  has(
    html,
    /<td>derain<\/td><td>Rain100H<\/td><td class="num">1<\/td><td class="num">15\.28<\/td><td class="num">0\.3780<\/td>/,
  );
  has(
    html,
    /<td>denoise<\/td><td>CBSD68 σ25<\/td><td class="num">1<\/td><td class="num">inf<\/td><td class="num">1\.0000<\/td>/,
  );
  has(
    html,
    /<td>average<\/td><td>2 tasks<\/td><td class="num">2<\/td><td class="num">inf<\/td><td class="num">0\.6890<\/td>/,
  );
  has(html, /PSNR: maskdcpt, RGB, crop 0; maskdcpt, Y, crop 0 for CBSD68 σ25 · SSIM: maskdcpt, RGB, crop 0/);
  has(html, /<details class="table"><summary>5d-proxy: per image \(2\)<\/summary>/);
  has(html, /model: identity \(output = input\)/);
});

test('a generic eval JSON renders as a task table, a collapsed per-image table and notes', async () => {
  const html = await renderReport(fx.evalJson);
  has(html, /<h2>Evaluation: 5d<\/h2>/);
  has(html, /<th>task<\/th><th>PSNR \(dB\)<\/th><th>SSIM<\/th><th>NIQE<\/th><th>images<\/th>/);
  has(
    html,
    /<td>denoise-25<\/td><td class="num">30\.12<\/td><td class="num">0\.8512<\/td><td class="num">4\.10<\/td><td class="num">68<\/td>/,
  );
  has(html, /<details class="table"><summary>5d: per image \(2\)<\/summary>/);
  has(html, /model: runs\/tiny\/ckpt_00000400\.safetensors/);
});

test('several sources make one page with a table of contents, in order', async () => {
  const html = await renderReport({ sources: [fx.runDir, fx.evalJson], title: 'all' });
  has(html, /<nav>.*Run: tiny.*Evaluation: 5d.*<\/nav>/s);
});

test('invalid inputs fail with the file and the field named', async () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify({
      title: 'x',
      tables: [{ title: 't', columns: ['a', 'b'], rows: [[1]] }],
      examples: [{ title: 'e', images: [{ label: 'a', fil: 'x.png' }] }],
    }),
  );
  await assert.rejects(renderReport(bad), (err: Error) => {
    assert.match(err.message, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a valid report JSON`));
    assert.match(err.message, /tables\.0\.rows\.0: has 1 cells but the table has 2 columns/);
    assert.match(err.message, /examples\.0\.images\.0/);
    return true;
  });
  const missing = join(dir, 'missing-image.json');
  writeFileSync(
    missing,
    JSON.stringify({ title: 'x', examples: [{ title: 'e', images: [{ label: 'a', file: 'nope.png' }] }] }),
  );
  await assert.rejects(
    renderReport(missing),
    /missing-image\.json: examples\[0\] \(e\): cannot read image .*nope\.png: ENOENT/,
  );
  const badResult = join(dir, 'bad-result.json');
  const nanMean = { suite: 's', metrics: ['psnr'], tasks: [{ task: 't', images: 1, means: { psnr: 'nan' } }] };
  writeFileSync(badResult, JSON.stringify(nanMean));
  await assert.rejects(
    renderReport(badResult),
    /bad-result\.json is not a valid `maskdcpt eval --json` result:\n {2}tasks\.0\.means\.psnr/,
  );
  const notJson = join(dir, 'broken.json');
  writeFileSync(notJson, '{"title":');
  await assert.rejects(renderReport(notJson), /broken\.json is not JSON/);
  await assert.rejects(renderReport(join(dir, 'nowhere')), /nowhere does not exist/);
  await assert.rejects(renderReport(dir), /is not a run directory \(no metrics\.jsonl\)/);
  await assert.rejects(
    renderReport({ eval: { suite: 's', tasks: [{ psnr: 1 }] } as never }),
    /\(eval object\) is not a valid eval JSON:\n {2}tasks\.0\.task/,
  );
});

test('writeReport and `maskdcpt report` write the page atomically', async () => {
  const out = join(dir, 'lib.html');
  const bytes = await writeReport(out, { sources: [fx.reportJson] });
  assert.equal(readFileSync(out).byteLength, bytes);

  const program = new Command().exitOverride();
  registerReport(program);
  const cliOut = join(dir, 'cli.html');
  const logs: string[] = [];
  const log = console.log;
  console.log = (s: string) => logs.push(s);
  try {
    await program.parseAsync(['node', 'maskdcpt', 'report', fx.runDir, fx.evalJson, '-o', cliOut, '--title', 'CLI']);
  } finally {
    console.log = log;
  }
  assert.match(logs.join('\n'), /^wrote .*cli\.html \(\d+ KiB\)$/);
  assert.match(readFileSync(cliOut, 'utf8'), /<title>CLI<\/title>/);
});
