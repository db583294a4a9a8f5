/**
 * The browser demo end to end in Debian's headless chromium (playwright-core, no browser download): build
 * web/dist with esbuild, serve it with `serveDemo` next to a model, pick a noisy crop of a real photo, wait for
 * the tiled restore on onnxruntime-web's wasm backend, and compare the pixels and their PSNR to the clean photo
 * with what onnxruntime-node gives for the same file in this process (|ΔPSNR| ≤ 1e-3 dB). Diagnose is compared
 * the same way. The model is a seeded pre-training checkpoint exported by `maskdcpt export` with its classifier. A screenshot is saved as test-artifacts/web-demo.png (gitignored; CI uploads the folder).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { LABELS } from '../../src/degrade/labels.js';
import { type DemoServer, serveDemo } from '../../src/demo/serve.js';
import { writeImage } from '../../src/io/image.js';
import { createRaster, type Raster } from '../../src/io/raster.js';
import { psnr } from '../../src/metrics/psnr.js';
import { diagnose, restore } from '../../src/restore/index.js';
import { buildWeb } from '../../web/build.js';
import { seededPretrain } from '../export/onnx-helpers.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/engine.js';
import { photoCrop } from '../restore/helpers.js';

const ARTIFACTS = process.env.MASKDCPT_ARTIFACTS ?? join(repoRoot, 'test-artifacts');
const TILE = 64;
const PAD = 16;

/** The page's `window.maskdcptDemo`, as far as the test reads it (the test compiles without the DOM lib). */
interface Demo {
  status: string;
  message: string;
  model?: { backend: string; canDiagnose: boolean; labels: string[] };
  output?: { width: number; height: number; data: Float32Array; tiles: number };
  predictions?: { name: string; probability: number }[];
}
/** Page callbacks are serialised, so they name the global directly (the cast is erased). */
type Win = { maskdcptDemo: Demo };

const dir = mkdtempSync(join(tmpdir(), 'web-demo-'));
const model = join(dir, 'model.onnx');
const noisyFile = join(dir, 'noisy.png');
let clean: Raster;
let server: DemoServer;

before(async () => {
  // A pre-training checkpoint exported by `maskdcpt export` with its classifier: the real diagnose graph.
  const pre = await seededPretrain(dir, 13);
  pre.model.dispose();
  await runCli('export', '--weights', pre.ckpt, '-o', model, '--dynamic-size');
  // A real photo crop (odd size: padded edge windows) with seeded Gaussian noise, stored as 8-bit PNG.
  clean = await photoCrop(90, 120);
  const noisy = createRaster(clean.width, clean.height, 3);
  let s = 12345;
  const uniform = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s + 0.5) / 2147483648;
  };
  for (let i = 0; i < noisy.data.length; i++) {
    const g = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    noisy.data[i] = Math.min(1, Math.max(0, clean.data[i]! + 0.08 * g));
  }
  await writeImage(noisyFile, noisy);
  await buildWeb(join(dir, 'dist'));
  server = await serveDemo({ dir: join(dir, 'dist'), model, port: 0 });
});
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('browser demo: wasm restore matches onnxruntime-node (PSNR within 1e-3 dB), diagnose, slider; screenshot', {
  timeout: 120_000,
}, async (t) => {
  const node = await restore(noisyFile, { model, tile: TILE, tilePad: PAD });
  const nodeDiag = await diagnose(noisyFile, { model, tile: TILE });
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1000, height: 900 },
  });
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url) && !r.url().startsWith('blob:')) foreign.push(r.url());
    });
    await page.goto(`${server.url}?backend=wasm`, { waitUntil: 'load' });
    await page.waitForFunction(() => (globalThis as unknown as Win).maskdcptDemo.status !== 'loading', undefined, {
      timeout: 60_000,
    });
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as Win).maskdcptDemo.status),
      'ready',
      (await page.evaluate(() => (globalThis as unknown as Win).maskdcptDemo.message)) + problems.join('\n'),
    );
    assert.deepEqual(
      await page.evaluate(() => [
        (globalThis as unknown as Win).maskdcptDemo.model?.backend,
        (globalThis as unknown as Win).maskdcptDemo.model?.canDiagnose,
      ]),
      ['wasm', true],
    );

    await page.fill('#tile', String(TILE));
    await page.fill('#pad', String(PAD));
    await page.setInputFiles('#photo', noisyFile);
    await page.waitForFunction(
      () => ['restored', 'error'].includes((globalThis as unknown as Win).maskdcptDemo.status),
      undefined,
      { timeout: 60_000 },
    );
    const web = await page.evaluate(() => {
      const o = (globalThis as unknown as Win).maskdcptDemo.output;
      return o
        ? {
            width: o.width,
            height: o.height,
            tiles: o.tiles,
            data: Array.from(o.data),
            msg: (globalThis as unknown as Win).maskdcptDemo.message,
          }
        : null;
    });
    assert.ok(
      web,
      `no output: ${await page.evaluate(() => (globalThis as unknown as Win).maskdcptDemo.message)} ${problems.join('\n')}`,
    );
    assert.deepEqual([web.width, web.height, web.tiles], [120, 90, node.info.tiles]);
    assert.equal(await page.locator('#progress').evaluate((e) => (e as unknown as { value: number }).value), 1);

    const webRaster = createRaster(120, 90, 3, Float32Array.from(web.data));
    const nodeRaster = createRaster(120, 90, 3, node.data);
    let max = 0;
    for (let i = 0; i < node.data.length; i++) max = Math.max(max, Math.abs(web.data[i]! - node.data[i]!));
    const opts = { convention: 'skimage' as const }; // float pixels, data range 1: no 8-bit rounding
    const pWeb = psnr(webRaster, clean, opts);
    const pNode = psnr(nodeRaster, clean, opts);
    t.diagnostic(`PSNR vs clean: browser ${pWeb.toFixed(6)} dB, node ${pNode.toFixed(6)} dB, max |Δpixel| ${max}`);
    assert.ok(Math.abs(pWeb - pNode) <= 1e-3, `PSNR browser ${pWeb} dB vs node ${pNode} dB`);
    assert.ok(max < 1e-4, `max |browser - node| = ${max}`);
    // The restore did something: the output is not the noisy input.
    assert.ok(
      Math.abs(
        pNode - psnr((await import('../../src/io/image.js').then((m) => m.readImage(noisyFile))).raster, clean, opts),
      ) > 0.01,
    );

    await page.click('#diagnose');
    await page.waitForFunction(
      () => ['diagnosed', 'error'].includes((globalThis as unknown as Win).maskdcptDemo.status),
      undefined,
      { timeout: 30_000 },
    );
    const preds = await page.evaluate(() => (globalThis as unknown as Win).maskdcptDemo.predictions ?? []);
    assert.equal(
      preds.length,
      LABELS.length,
      await page.evaluate(() => (globalThis as unknown as Win).maskdcptDemo.message),
    );
    let worst = 0;
    for (const p of nodeDiag.predictions) {
      const w = preds.find((q) => q.name === p.name);
      worst = Math.max(worst, Math.abs((w?.probability ?? Number.NaN) - p.probability));
      assert.ok(
        w && Math.abs(w.probability - p.probability) < 1e-4,
        `${p.name}: ${w?.probability} vs ${p.probability}`,
      );
    }
    t.diagnostic(`diagnose: browser vs node max |Δp| ${worst.toExponential(2)} over ${nodeDiag.info.tiles} tiles`);
    assert.equal(await page.locator('#predictions tr').count(), LABELS.length);

    await page.locator('#split').fill('20');
    const clip = await page
      .locator('#after')
      .evaluate((e) => (e as unknown as { style: { clipPath: string } }).style.clipPath);
    assert.equal(clip, 'inset(0px 0px 0px 20%)');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-demo.png'), fullPage: true });
    assert.deepEqual(problems, []);
    assert.deepEqual(foreign, [], 'the demo works offline: no request leaves the local server');
  } finally {
    await context.close();
  }
});
