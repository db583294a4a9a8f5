import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { DTYPES, type HostTensor, hostTensor, toFloat32 } from '../../src/io/host-tensor.js';
import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';

const shared = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));
const local = fileURLToPath(new URL('../fixtures/io/', import.meta.url));
const dataDir = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'st-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
const get = (m: Map<string, HostTensor>, k: string) => {
  const t = m.get(k);
  assert.ok(t, `missing tensor ${k}`);
  return t;
};

/** The crop as float32 uint8/255, decoded by sharp directly (the oracle for stored image inputs). */
async function crop(file: string, y0: number, x0: number, h: number, w: number): Promise<Float32Array> {
  const { data, info } = await sharp(join(dataDir, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const out = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w * 3; x++) out[y * w * 3 + x] = data[((y0 + y) * info.width + x0) * 3 + x]! / 255;
  }
  return out;
}

const hwcToChw = (hwc: Float32Array, h: number, w: number) => {
  const out = new Float32Array(hwc.length);
  for (let i = 0; i < h * w; i++) for (let c = 0; c < 3; c++) out[c * h * w + i] = hwc[i * 3 + c]!;
  return out;
};

test('arch fixture tensors match their side files, and inputs equal the source crops', async () => {
  const files = readdirSync(join(shared, 'archs')).filter((f) => f.endsWith('.io.safetensors'));
  assert.equal(files.length, 10);
  for (const f of files) {
    const path = join(shared, 'archs', f);
    const side = json(path.replace('.io.safetensors', '.json'));
    assert.equal(createHash('sha256').update(readFileSync(path)).digest('hex'), side.io.sha256, f);
    const { tensors, metadata } = await readSafetensors(path);
    assert.equal(metadata.fixture, side.fixture);
    assert.deepEqual([...tensors.keys()].sort(), Object.keys(side.io.tensors).sort(), f);
    for (const [name, info] of Object.entries<{ shape: number[]; dtype: string }>(side.io.tensors)) {
      assert.deepEqual(get(tensors, name).shape, info.shape, `${f}:${name}`);
      assert.equal(get(tensors, name).dtype, info.dtype, `${f}:${name}`);
    }
    const input = tensors.get('input');
    if (input) {
      const { file, y0, x0, h, w } = side.input.source[0];
      const expected = hwcToChw(await crop(file.replace('shared/data/', ''), y0, x0, h, w), h, w);
      assert.deepEqual(input.data, expected, `${f}: input is not the ${file} crop`);
    }
    const mask = tensors.get('mask');
    if (mask) {
      // mask_pixel is mask repeated P times along H and W.
      const P = side.mask.patch_size as number;
      const mp = get(tensors, 'mask_pixel');
      const [, , H, W] = mp.shape as [number, number, number, number];
      const gw = W / P;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          assert.equal(mp.data[y * W + x], mask.data[Math.floor(y / P) * gw + Math.floor(x / P)]);
        }
      }
    }
  }
});

test('classifier fixtures: int64 labels and logits reproduce the stored focal losses', async () => {
  for (const f of ['degrad_classify', 'degrad_classify_tokens']) {
    const { tensors } = await readSafetensors(join(shared, 'archs', `${f}.io.safetensors`));
    const labels = get(tensors, 'labels');
    const logits = get(tensors, 'logits');
    assert.equal(labels.dtype, 'int64');
    const [B, C] = logits.shape as [number, number];
    for (const gamma of [0, 2]) {
      let loss = 0;
      for (let b = 0; b < B; b++) {
        const row = Array.from(logits.data.subarray(b * C, (b + 1) * C) as Float32Array);
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
        const y = Number(labels.data[b]);
        assert.ok(y >= 0 && y < C);
        const logp = row[y]! - lse;
        loss += -((1 - Math.exp(logp)) ** gamma) * logp;
      }
      const stored = get(tensors, `focal_loss_gamma${gamma}`).data[0] as number;
      assert.ok(Math.abs(loss / B - stored) < 1e-5, `${f} gamma ${gamma}: ${loss / B} vs ${stored}`);
    }
  }
});

test('kernel and blur fixtures: shapes and sums from kernels.json, blur inputs are the crop', async () => {
  const meta = json(join(shared, 'degradations', 'kernels.json'));
  const { tensors } = await readSafetensors(join(shared, 'degradations', 'kernels.safetensors'));
  assert.equal(tensors.size, meta.entries.length);
  for (const e of meta.entries as { name: string; shape: number[]; sum: number }[]) {
    const k = get(tensors, e.name);
    assert.equal(k.dtype, 'float64');
    assert.deepEqual(k.shape, e.shape);
    const sum = (k.data as Float64Array).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - e.sum) < 1e-12, e.name);
  }
  const blur = await readSafetensors(join(shared, 'degradations', 'blur.safetensors'));
  const src = json(join(shared, 'degradations', 'degradations.json')).blur.input;
  const { y0, x0, h, w } = src.crop;
  assert.deepEqual(get(blur.tensors, 'input').data, await crop('kodak24/kodim15.png', y0, x0, h, w));
  for (const [name, t] of blur.tensors) {
    if (name.startsWith('kernel.')) assert.deepEqual(t.data, get(tensors, name.slice(7)).data, name);
  }
});

test('every dtype from an independent writer decodes; 16-bit floats convert like torch', async () => {
  const path = join(local, 'all-dtypes.safetensors');
  const { tensors, metadata } = await readSafetensors(path);
  assert.deepEqual(metadata, { producer: 'tools/make-io-fixtures.py', note: 'ünïcode ✓' });
  assert.deepEqual(new Set([...tensors.values()].map((t) => t.dtype)), new Set(DTYPES));
  for (const k of ['f16', 'bf16']) {
    assert.deepEqual(toFloat32(get(tensors, k)), get(tensors, `${k}.f32`).data, k);
  }
  assert.deepEqual(Array.from(get(tensors, 'i64').data as BigInt64Array), [
    -(2n ** 63n),
    2n ** 63n - 1n,
    0n,
    -1n,
    123456789012345n,
  ]);
  assert.deepEqual(Array.from(get(tensors, 'bool').data as Uint8Array), [1, 0, 1, 1, 0]);
  assert.deepEqual(get(tensors, 'empty').shape, [0, 3]);
  assert.deepEqual(get(tensors, 'scalar').shape, []);
  assert.equal(get(tensors, 'scalar').data[0], 2.5);
  // Our encoder reproduces the independent writer's file byte for byte.
  const chunks = encodeSafetensors(tensors, metadata);
  assert.deepEqual(Buffer.concat(chunks), readFileSync(path));
});

test('write → read round trip for every dtype, atomically, with zero-copy aligned views', async () => {
  const tensors = new Map<string, HostTensor>();
  for (const [i, dtype] of DTYPES.entries()) {
    const t = hostTensor(dtype, [3, i + 1]);
    for (let j = 0; j < t.data.length; j++) {
      if (t.data instanceof BigInt64Array) t.data[j] = BigInt(j * 1e12) - 7n;
      else t.data[j] = dtype === 'bool' ? j % 2 : (j * 37 + i) % 120;
    }
    tensors.set(`t_${dtype}`, t);
  }
  tensors.set('empty', hostTensor('float32', [2, 0]));
  const path = join(tmp, 'rt.safetensors');
  await writeSafetensors(path, tensors, { a: '1', b: 'two' });
  assert.deepEqual(readdirSync(tmp), ['rt.safetensors'], 'no temp files left');
  const bytes = readFileSync(path);
  assert.equal(Number(bytes.readBigUInt64LE(0)) % 8, 0, 'header padded to 8');
  const back = decodeSafetensors(bytes, path);
  assert.deepEqual(back.metadata, { a: '1', b: 'two' });
  assert.deepEqual([...back.tensors.keys()], [...tensors.keys()]);
  for (const [k, t] of tensors) assert.deepEqual(back.tensors.get(k), t, k);
  // float32 data at an aligned offset is a view on the file buffer, not a copy.
  const f = get(back.tensors, 't_float32');
  assert.equal(f.data.buffer, bytes.buffer);
});

test('damaged files give errors that name the file and the problem', async () => {
  const good = Buffer.concat(
    encodeSafetensors([
      ['a', hostTensor('float32', [2, 2], new Float32Array([1, 2, 3, 4]))],
      ['b', hostTensor('int64', [1])],
    ]),
  );
  const headerLen = Number(good.readBigUInt64LE(0));
  const header = JSON.parse(good.subarray(8, 8 + headerLen).toString());
  const withHeader = (h: unknown) => {
    const text = Buffer.from(JSON.stringify(h));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(text.length));
    return Buffer.concat([len, text, good.subarray(8 + headerLen)]);
  };
  const cases: [string, Buffer, RegExp][] = [
    [
      'truncated',
      good.subarray(0, good.length - 3),
      /ends at data offset 24, beyond the 21 data bytes \(truncated\?\)/,
    ],
    ['tiny', good.subarray(0, 5), /too short/],
    [
      'huge-header',
      Buffer.concat([Buffer.from([0xff, 0xff, 0, 0, 0, 0, 0, 0]), good.subarray(8)]),
      /header length 65535 exceeds/,
    ],
    ['not-json', withHeader('x').fill(0x78, 8, 11), /not valid UTF-8 JSON/],
    ['dtype', withHeader({ ...header, a: { ...header.a, dtype: 'F8_E4M3' } }), /"a" has unsupported dtype "F8_E4M3"/],
    [
      'shape',
      withHeader({ ...header, a: { ...header.a, shape: [2, 3] } }),
      /"a" \(F32 \[2, 3\]\) needs 24 bytes but data_offsets span 16/,
    ],
    [
      'gap',
      withHeader({ ...header, b: { ...header.b, data_offsets: [20, 28] } }),
      /"b" starts at data offset 20, expected 16/,
    ],
    ['metadata', withHeader({ ...header, __metadata__: { n: 3 } }), /__metadata__ value for "n" is not a string/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const path = join(tmp, `${name}.safetensors`);
    writeFileSync(path, bytes);
    await assert.rejects(readSafetensors(path), (err: Error) => {
      assert.ok(err.message.startsWith(`invalid safetensors file ${path}: `), err.message);
      assert.match(err.message, pattern);
      return true;
    });
  }
  await assert.rejects(readSafetensors(join(tmp, 'missing.safetensors')), /cannot read safetensors file .*missing/);
});
