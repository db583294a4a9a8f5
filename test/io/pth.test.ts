import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DTYPES, type HostTensor, hostTensor, toBytes, toFloat32 } from '../../src/io/host-tensor.js';
import { pickStateDict, readPth } from '../../src/io/pth.js';
import { writePth } from '../../src/io/pth-write.js';
import { isHostTensor, PyDict, PyTuple, type PyValue } from '../../src/io/pytypes.js';
import { ZipReader } from '../../src/io/zip.js';

const archs = fileURLToPath(new URL('../../../shared/fixtures/archs/', import.meta.url));
const local = fileURLToPath(new URL('../fixtures/io/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'pth-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const sha = (t: HostTensor) => createHash('sha256').update(toBytes(t)).digest('hex');

interface ManifestTensor {
  shape: number[];
  dtype: string;
  sha256: string;
  samples: [number, number][];
}
interface ManifestEntry {
  type: string;
  metadata_size: number;
  metadata_samples: Record<string, Record<string, number>>;
  tensors: Record<string, ManifestTensor>;
}
const manifest: { files: Record<string, { top_level_keys: string[]; entries: Record<string, ManifestEntry> }> } =
  JSON.parse(readFileSync(join(local, 'pth-manifest.json'), 'utf8'));

test('every shared arch checkpoint loads with the names, shapes, dtypes and bytes torch.load gives', async () => {
  const files = readdirSync(archs).filter((f) => f.endsWith('.pth'));
  assert.deepEqual(files.sort(), Object.keys(manifest.files).sort());
  for (const f of files) {
    const want = manifest.files[f]!;
    const obj = await readPth(join(archs, f));
    assert.ok(obj instanceof PyDict);
    assert.deepEqual([...obj.keys()], want.top_level_keys, f);
    for (const [key, entry] of Object.entries(want.entries)) {
      const sd = obj.get(key);
      assert.ok(sd instanceof PyDict && sd.pyClass === entry.type, `${f}:${key} is an OrderedDict`);
      const meta = sd.attrs.get('_metadata');
      assert.ok(meta instanceof PyDict && meta.size === entry.metadata_size, `${f}:${key} _metadata`);
      for (const [mod, m] of Object.entries(entry.metadata_samples)) {
        assert.deepEqual(meta.get(mod), new PyDict('dict', Object.entries(m)), `${f}:${key} _metadata[${mod}]`);
      }
      const tensors = pickStateDict(obj, key);
      assert.deepEqual([...tensors.keys()], Object.keys(entry.tensors), `${f}:${key} names in order`);
      for (const [name, t] of Object.entries(entry.tensors)) {
        const got = tensors.get(name)!;
        const where = `${f}:${key}:${name}`;
        assert.deepEqual(got.shape, t.shape, where);
        assert.equal(got.dtype, t.dtype, where);
        for (const [i, v] of t.samples) assert.equal(got.data[i], v, `${where}[${i}]`);
        assert.equal(sha(got), t.sha256, where);
      }
    }
  }
});

test('pickStateDict follows BasicSR: the key, else params; clear errors listing keys', async () => {
  const obj = await readPth(join(archs, 'swinir.pth'));
  const ema = pickStateDict(obj, 'params_ema');
  const first = Object.entries(manifest.files['swinir.pth']!.entries.params_ema!.tensors)[0]!;
  assert.equal(sha(ema.get(first[0])!), first[1].sha256);
  const viaRead = await readPth(join(archs, 'swinir.pth'), { key: 'params_ema' });
  assert.deepEqual([...viaRead.keys()], [...ema.keys()]);

  const onlyParams = new PyDict('dict', [['params', (obj as PyDict).get('params')!]]);
  const fallbacks: string[] = [];
  const p = pickStateDict(onlyParams, 'params_ema', { onFallback: (k) => fallbacks.push(k) });
  assert.deepEqual(fallbacks, ['params_ema']);
  assert.equal(p.size, ema.size);

  assert.throws(() => pickStateDict(obj), /is not a bare state dict; choose one of its keys: params, params_ema/);
  const other = new PyDict('dict', [
    ['model', new PyDict()],
    ['optimizer', new PyDict()],
  ]);
  assert.throws(
    () => pickStateDict(other, 'params_ema', { label: 'x.pth' }),
    /checkpoint x\.pth has no key 'params_ema' and no 'params'; available keys: model, optimizer/,
  );
  const bare = (obj as PyDict).get('params') as PyDict;
  assert.equal(pickStateDict(bare).size, bare.size);
  assert.throws(() => pickStateDict(bare, 'params_ema'), /looks like a bare state dict; read it without a key/);
});

/** Compares a loaded value with tools/make-io-fixtures.py's description of what torch.load gave. */
function check(got: PyValue | undefined, want: Record<string, unknown>, where: string): void {
  if ('tensor' in want) {
    const w = want.tensor as { shape: number[]; dtype: string; sha256: string; values: unknown[] };
    assert.ok(isHostTensor(got), `${where} is a tensor`);
    assert.deepEqual(got.shape, w.shape, where);
    assert.equal(got.dtype, w.dtype, where);
    assert.equal(sha(got), w.sha256, where);
    const values =
      got.data instanceof BigInt64Array
        ? Array.from(got.data, String)
        : got.dtype.startsWith('float') || got.dtype === 'bfloat16'
          ? Array.from(toFloat32(got), (v) => (Number.isNaN(v) ? null : v))
          : Array.from(got.data as Uint8Array);
    assert.deepEqual(values, w.values, where);
  } else if ('dict' in want) {
    assert.ok(got instanceof PyDict, `${where} is a dict`);
    assert.equal(got.pyClass, want.ordered ? 'collections.OrderedDict' : 'dict', where);
    const items = want.dict as [string, Record<string, unknown>][];
    assert.deepEqual(
      [...got.keys()],
      items.map(([k]) => k),
      where,
    );
    for (const [k, v] of items) check(got.get(k), v, `${where}.${k}`);
  } else if ('tuple' in want || 'list' in want) {
    const items = (want.tuple ?? want.list) as Record<string, unknown>[];
    const arr = 'tuple' in want ? (got as PyTuple).items : (got as PyValue[]);
    assert.ok('tuple' in want ? got instanceof PyTuple : Array.isArray(got), `${where} kind`);
    assert.equal(arr.length, items.length, where);
    items.forEach((v, i) => {
      check(arr[i], v, `${where}[${i}]`);
    });
  } else if ('bigint' in want) {
    assert.equal(got, BigInt(want.bigint as string), where);
  } else {
    assert.equal(got, want.value, where);
  }
}

test('views, offsets, stride-0 expands, shared storages, all dtypes: as torch.load gives them', async () => {
  const want = JSON.parse(readFileSync(join(local, 'mixed.json'), 'utf8'));
  for (const f of ['mixed.pth', 'mixed-p4.pth', 'mixed-deflate.pth', 'mixed-zip64.pth']) {
    const obj = await readPth(join(local, f));
    check(obj, want.object, f);
    const meta = ((obj as PyDict).get('params') as PyDict).attrs.get('_metadata') as PyDict;
    assert.deepEqual(
      Object.fromEntries([...meta].map(([k, v]) => [k, Object.fromEntries(v as PyDict)])),
      want.metadata,
      f,
    );
  }
});

test('legacy and non-checkpoint files are refused with a clear message', async () => {
  await assert.rejects(readPth(join(local, 'legacy.pth')), (err: Error) => {
    assert.match(err.message, /legacy\.pth: it uses the legacy \(pre-1\.6, non-zip\) torch\.save format/);
    assert.match(err.message, /re-save it with a newer PyTorch/);
    return true;
  });
  const junk = join(tmp, 'junk.pth');
  writeFileSync(junk, 'definitely not a checkpoint');
  await assert.rejects(readPth(junk), /cannot load checkpoint .*junk\.pth: not a zip-format PyTorch checkpoint/);
  await assert.rejects(readPth(join(tmp, 'absent.pth')), /cannot read checkpoint .*absent\.pth/);
});

test('writePth → readPth round trip keeps structure, dtypes, metadata and sharing', async () => {
  const params = new PyDict('collections.OrderedDict');
  for (const [i, dtype] of DTYPES.entries()) {
    const t = hostTensor(dtype, [2, i + 1]);
    for (let j = 0; j < t.data.length; j++) {
      if (t.data instanceof BigInt64Array) t.data[j] = -(2n ** 40n) * BigInt(j + 1);
      else t.data[j] = dtype === 'bool' ? j % 2 : j + i;
    }
    params.set(`w_${dtype}`, t);
  }
  params.set('scalar', hostTensor('float32', [], new Float32Array([7.5])));
  params.set('empty', hostTensor('int32', [0, 3]));
  params.attrs.set('_metadata', new PyDict('collections.OrderedDict', [['', new PyDict('dict', [['version', 1]])]]));
  const shared = params.get('w_float32') as HostTensor;
  const ema = new Map<string, HostTensor>([['w', shared]]);
  const obj = { params, params_ema: ema, meta: { iter: 5, lr: 2e-4, tags: ['a', new PyTuple([1, null])] } };

  const path = join(tmp, 'net_g_5.pth');
  await writePth(path, obj);
  assert.deepEqual(
    readdirSync(tmp).filter((n) => n.startsWith('.')),
    [],
    'no temp files left',
  );
  const zip = new ZipReader(readFileSync(path));
  assert.ok(zip.has('net_g_5/data.pkl') && zip.has('net_g_5/version'), 'torch layout under the file stem');

  const back = (await readPth(path)) as PyDict;
  assert.deepEqual(back.get('params'), params);
  const emaBack = pickStateDict(back, 'params_ema');
  assert.deepEqual(emaBack.get('w'), shared);
  const a = (back.get('params') as PyDict).get('w_float32') as HostTensor;
  const b = emaBack.get('w')!;
  assert.ok(a.data.buffer === b.data.buffer && a.data.byteOffset === b.data.byteOffset, 'one shared storage');
  const meta = back.get('meta') as PyDict;
  assert.equal(meta.get('iter'), 5);
  assert.equal(meta.get('lr'), 2e-4);
  assert.deepEqual(meta.get('tags'), ['a', new PyTuple([1, null])]);
});
