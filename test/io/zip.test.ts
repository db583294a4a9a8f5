import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { looksLikeZip, ZipReader } from '../../src/io/zip.js';
import { encodeZip } from '../../src/io/zip-write.js';

const local = (n: string) => fileURLToPath(new URL(`../fixtures/io/${n}`, import.meta.url));

test('torch-written, deflated and ZIP64 archives (same records, per Python zipfile) read identically', () => {
  const base = new ZipReader(readFileSync(local('mixed.pth')), 'mixed.pth');
  const names = [...base.entries.keys()].sort();
  assert.ok(names.includes('mixed/data.pkl') && names.includes('mixed/version'));
  assert.equal(new TextDecoder().decode(base.read('mixed/version')).trim(), '3');
  for (const variant of ['mixed-deflate.pth', 'mixed-zip64.pth']) {
    const z = new ZipReader(readFileSync(local(variant)), variant);
    assert.deepEqual([...z.entries.keys()].sort(), names, variant);
    for (const n of names) assert.deepEqual(z.read(n), base.read(n), `${variant}:${n}`);
  }
  const deflated = new ZipReader(readFileSync(local('mixed-deflate.pth')));
  assert.ok([...deflated.entries.values()].some((e) => e.method === 8));
  // torch aligns stored data to 64 bytes, so reads are views into the file buffer.
  const data = base.read('mixed/data/0');
  assert.equal(data.buffer, base.bytes.buffer);
  assert.equal(data.byteOffset % 64, 0);
});

test('encodeZip output reads back, with CRCs, sizes and 64-byte aligned data', () => {
  const entries = [
    { name: 'a/data.pkl', data: new Uint8Array([1, 2, 3]) },
    { name: 'a/data/0', data: new Uint8Array(1000).map((_, i) => i * 7) },
    { name: 'a/empty', data: new Uint8Array(0) },
    { name: 'a/ünï', data: new TextEncoder().encode('unicode name') },
  ];
  const bytes = Buffer.concat(encodeZip(entries));
  assert.ok(looksLikeZip(bytes));
  const z = new ZipReader(bytes);
  assert.deepEqual(
    [...z.entries.keys()],
    entries.map((e) => e.name),
  );
  for (const e of entries) {
    const info = z.entries.get(e.name)!;
    assert.equal(info.method, 0);
    assert.equal(info.size, e.data.byteLength);
    assert.equal(info.crc32, crc32(e.data) >>> 0);
    assert.equal(z.dataOffset(info) % 64, 0);
    assert.deepEqual(z.read(e.name), e.data);
  }
});

test('corruption and truncation are reported with the archive name', () => {
  const bytes = Buffer.from(readFileSync(local('mixed.pth')));
  const z = new ZipReader(bytes, 'x.pth');
  const off = z.dataOffset(z.entries.get('mixed/data/0')!);
  bytes[off + 3] = (bytes[off + 3]! ^ 0xff) & 0xff;
  assert.throws(
    () => new ZipReader(bytes, 'x.pth').read('mixed/data/0'),
    /invalid zip archive x\.pth: CRC-32 mismatch in entry mixed\/data\/0/,
  );
  assert.throws(
    () => new ZipReader(bytes.subarray(0, 3000), 'cut.pth'),
    /cut\.pth: no end-of-central-directory record/,
  );
  assert.throws(() => z.read('nope'), /no entry named nope/);
});
