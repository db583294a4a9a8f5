/**
 * The report in a real browser: Debian's chromium, headless, driven by playwright-core (which never downloads a
 * browser of its own). Opens the generated file from disk, checks what a reader would look at (the tables, the
 * SVG curves, the images actually decoded, the slider moving the split), and saves a screenshot.
 * Without chromium this test fails with the install command: CI installs it through scripts/setup.sh.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { writeReport } from '../../src/report/index.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser.js';
import { makeFixture } from './fixture.js';

/**
 * The few DOM members used inside page.evaluate: the project compiles without the DOM lib (adding it would
 * change Node's globals for every file), so callbacks reach them through globalThis with these shapes. The casts
 * are erased before playwright serialises the callbacks.
 */
interface Dom {
  getComputedStyle(e: unknown): { clipPath: string };
  document: { elementFromPoint(x: number, y: number): unknown };
}
interface Img {
  alt: string;
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
}

test('the HTML report in headless Chromium: tables, curves, images, a working slider; screenshot', {
  timeout: 60_000,
}, async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `chromium not found at ${CHROMIUM}: install it (apt-get install chromium, which scripts/setup.sh does) or set MASKDCPT_CHROMIUM`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'mdt-report-browser-'));
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const fx = await makeFixture(dir);
    const file = join(dir, 'report.html');
    await writeReport(file, { sources: [fx.reportJson, fx.evalResult], title: 'maskdcpt report (browser test)' });

    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    // Tables: the report JSON's, the run's validation summary, the eval suite, the confusion matrix.
    const tableTexts = await page.locator('table.data').allInnerTexts();
    assert.ok(
      tableTexts.some((t) => t.includes('28.57') && t.includes('MaskDCPT')),
      'the results table',
    );
    assert.ok(
      tableTexts.some((t) => t.includes('Rain100H') && t.includes('15.28') && t.includes('average')),
      'the eval table',
    );
    assert.ok(await page.locator('table.confusion').isVisible(), 'the confusion matrix');

    // Curves: every chart is an inline SVG with a drawn line and a visible size.
    const charts = page.locator('svg.chart');
    assert.equal(await charts.count(), 5);
    for (const box of await charts.evaluateAll((els) =>
      els.map((e) => e.getBoundingClientRect().toJSON() as { width: number; height: number }),
    )) {
      assert.ok(box.width > 300 && box.height > 150, `chart size ${box.width}×${box.height}`);
    }
    assert.ok((await page.locator('svg.chart polyline').count()) >= 8, 'lines drawn');

    // Images: decoded, not broken (a bad data URI has naturalWidth 0).
    const imgs = await page
      .locator('img')
      .evaluateAll((els) =>
        (els as Img[]).map((i) => ({ alt: i.alt, complete: i.complete, w: i.naturalWidth, h: i.naturalHeight })),
      );
    assert.equal(imgs.length, 5);
    for (const im of imgs) assert.ok(im.complete && im.w > 0 && im.h > 0, `image ${im.alt} decoded (${im.w}×${im.h})`);
    assert.ok(
      imgs.some((i) => i.w === 768),
      'the wide image was downscaled to 768 px',
    );

    // The slider: dragging it moves the split, i.e. the clip of the "before" image.
    const compare = page.locator('figure.compare').first();
    const before = compare.locator('img.before');
    const clipAt50 = await before.evaluate((e) => (globalThis as unknown as Dom).getComputedStyle(e).clipPath);
    await compare.locator('input[type=range]').fill('20');
    assert.equal(
      await compare.evaluate((e) =>
        (e as { style: { getPropertyValue(k: string): string } }).style.getPropertyValue('--pos'),
      ),
      '20%',
    );
    const clipAt20 = await before.evaluate((e) => (globalThis as unknown as Dom).getComputedStyle(e).clipPath);
    assert.notEqual(clipAt20, clipAt50, `clip-path moved (${clipAt50} → ${clipAt20})`);
    await before.scrollIntoViewIfNeeded(); // hit-testing below needs it on screen
    const beforeBox = await before.boundingBox();
    const visibleWidth = await before.evaluate((e) => {
      // The visible part of the clipped image, measured the way a reader sees it: hit-testing along its middle row.
      const r = e.getBoundingClientRect();
      let n = 0;
      for (let x = r.left + 1; x < r.right; x += 2)
        if ((globalThis as unknown as Dom).document.elementFromPoint(x, r.top + r.height / 2) === e) n += 2;
      return n;
    });
    assert.ok(
      beforeBox && Math.abs(visibleWidth - beforeBox.width * 0.2) < beforeBox.width * 0.05,
      `before shows ~20% (${visibleWidth} of ${beforeBox?.width})`,
    );

    // Switching the compared image (input vs target instead of input vs restored).
    await compare.locator('button', { hasText: 'target' }).click();
    assert.equal(await compare.locator('img.after:visible').getAttribute('alt'), 'target');
    assert.equal(await compare.locator('.tag.right').textContent(), 'target');

    assert.deepEqual(problems, [], 'no console errors (a CSP violation would show here)');
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')),
      [],
      'the page fetched nothing from a network',
    );

    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(existsSync(shot));
    const artifacts = process.env.MASKDCPT_ARTIFACTS;
    if (artifacts) {
      mkdirSync(artifacts, { recursive: true });
      copyFileSync(shot, join(artifacts, 'report-screenshot.png'));
      copyFileSync(file, join(artifacts, 'report.html'));
    }
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
