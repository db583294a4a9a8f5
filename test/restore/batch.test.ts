/** Batch inputs and outputs: globs, folders, the output tree and names. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { collectInputs, globToRegExp, planOutputs } from '../../src/restore/batch.js';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mdt-batch-'));
  for (const f of ['a.png', 'b.JPG', 'c.tif', 'notes.txt', '.hidden.png', 'sub/d.webp', 'sub/deeper/e.png']) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), '');
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('glob syntax', () => {
  const m = (p: string, s: string) => globToRegExp(p).test(s);
  assert.ok(m('*.png', 'a.png') && !m('*.png', 'sub/a.png'));
  assert.ok(m('**/*.png', 'a.png') && m('**/*.png', 'x/y/a.png'));
  assert.ok(m('img?.{png,jpg}', 'img1.jpg') && !m('img?.{png,jpg}', 'img10.jpg'));
  assert.ok(m('[ab].png', 'b.png') && !m('[!ab].png', 'b.png') && m('[!ab].png', 'c.png'));
  assert.ok(m('a.b', 'a.b') && !m('a.b', 'axb'), 'dots are literal');
});

test('folders (flat or recursive) and globs; hidden and non-image files are left out', async () => {
  const flat = await collectInputs(dir);
  assert.deepEqual(flat.files.map((f) => f.slice(dir.length + 1)), ['a.png', 'b.JPG', 'c.tif']);
  const deep = await collectInputs(dir, true);
  assert.deepEqual(deep.files.map((f) => f.slice(dir.length + 1)), ['a.png', 'b.JPG', 'c.tif', 'sub/d.webp', 'sub/deeper/e.png']);
  const glob = await collectInputs(`${dir}/**/*.png`);
  assert.deepEqual(glob.files.map((f) => f.slice(dir.length + 1)), ['a.png', 'sub/deeper/e.png']);
  assert.equal(glob.base, dir);
  const one = await collectInputs(join(dir, 'notes.txt'));
  assert.deepEqual([one.files.length, one.single], [1, true], 'a named file is always tried');
});

test('output names: tree kept, suffix, auto extension; a single image may go to a file', async () => {
  const set = await collectInputs(dir, true);
  const plan = planOutputs(set, '/out', 'auto', '_x');
  assert.deepEqual(
    plan.map((p) => p.output),
    ['/out/a_x.png', '/out/b_x.jpg', '/out/c_x.png', '/out/sub/d_x.webp', '/out/sub/deeper/e_x.png'],
  );
  assert.deepEqual(
    planOutputs(set, '/out', 'jpg', '').map((p) => p.output.slice(5)),
    ['a.jpg', 'b.jpg', 'c.jpg', 'sub/d.jpg', 'sub/deeper/e.jpg'],
  );
  const single = await collectInputs(join(dir, 'a.png'));
  assert.deepEqual(planOutputs(single, '/elsewhere/restored.webp', 'auto', ''), [{ input: join(dir, 'a.png'), output: '/elsewhere/restored.webp' }]);
  assert.throws(() => planOutputs(single, dir, 'auto', ''), /would overwrite its input; choose another -o or a --suffix/);
});
