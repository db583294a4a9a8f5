/** The addon outside the happy path: build without libtorch, worker threads, info. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { engineInfo } from '../../src/tensor/index.js';
import { repoRoot } from '../helpers/engine.js';

test('a missing libtorch at build time gives a clear message', () => {
  const r = spawnSync(process.execPath, ['native/torch-paths.cjs', 'include'], {
    cwd: repoRoot,
    env: { ...process.env, LIBTORCH: '/nonexistent/libtorch' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /libtorch headers not found \(\/nonexistent\/libtorch\/include\/ATen\/ATen\.h\)/);
  assert.match(r.stderr, /does not hold a libtorch build/);
});

test('the addon loads and computes in a worker thread', async () => {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const n = require(${JSON.stringify(`${repoRoot}build/Release/maskdcpt.node`)});
    const a = n.fromBuffer(new Float32Array([1, 2, 3]), [3], 6);
    const s = n.callOp(n.lookupOp('aten::sum', '').handle, [a]);
    parentPort.postMessage(s.item());
  `;
  const w = new Worker(code, { eval: true });
  const value = await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  assert.equal(value, 6);
  await w.terminate();
});

test('engine info reports version, threads, devices and allocator', () => {
  const info = engineInfo();
  assert.match(info.libtorch.version, /^\d+\.\d+/);
  assert.ok(info.threads.intraOp >= 1);
  assert.equal(info.devices[0], 'cpu');
  assert.equal(info.allocator.name, 'caching');
  assert.match(info.libtorch.config, /PyTorch built with/);
});
