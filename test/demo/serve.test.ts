/** `serveDemo`: the demo folder and the model, COOP/COEP, onnxruntime-web's wasm fallback, nothing outside. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveDemo } from '../../src/demo/serve.js';

/** A raw request (fetch would normalise `..` away before sending). */
function get(url: string, path: string, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((ok, fail) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('serves the folder and the model with COOP/COEP; wasm from onnxruntime-web; refuses the rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'serve-demo-'));
  const site = join(dir, 'dist');
  mkdirSync(site);
  await assert.rejects(
    serveDemo({ dir: site, port: 0 }),
    /holds no built demo \(index\.html\): run `npm run build:web`/,
  );
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'secret.txt'), 'no');
  writeFileSync(join(dir, 'm.onnx'), Buffer.from([1, 2, 3]));
  await assert.rejects(serveDemo({ dir: site, model: join(dir, 'none.onnx'), port: 0 }), /model file not found/);
  const s = await serveDemo({ dir: site, model: join(dir, 'm.onnx'), port: 0 });
  try {
    const index = await get(s.url, '/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(index.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(index.headers['cross-origin-embedder-policy'], 'require-corp');
    assert.deepEqual([...(await get(s.url, '/model.onnx?x=1')).body], [1, 2, 3]);
    const wasm = await get(s.url, '/ort-wasm-simd-threaded.jsep.wasm', 'HEAD');
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers['content-type'], 'application/wasm');
    const real = createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm');
    assert.equal(Number(wasm.headers['content-length']), statSync(real).size);
    assert.equal((await get(s.url, '/%2e%2e/secret.txt')).status, 404);
    assert.equal((await get(s.url, '/ort-wasm-../../x.wasm')).status, 404);
    assert.equal((await get(s.url, '/', 'POST')).status, 405);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
