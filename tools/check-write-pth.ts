/**
 * Development check (not part of the test suite, it needs PyTorch): writes checkpoints with writePth and has
 * Debian's PyTorch (/usr/bin/python3) torch.load them.
 *  1. A synthetic BasicSR-style checkpoint covering every dtype, scalars, empty tensors, a shared tensor and
 *     OrderedDict `_metadata`: torch must see the same keys, shapes, dtypes, bytes (sha256) and sharing.
 *  2. Every shared/fixtures/archs/*.pth read by readPth and written back: torch.equal with the original.
 * Usage: node --import tsx tools/check-write-pth.ts
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DType, type HostTensor, hostTensor, toBytes } from '../src/io/host-tensor.js';
import { readPth } from '../src/io/pth.js';
import { writePth } from '../src/io/pth-write.js';
import { PyDict } from '../src/io/pytypes.js';

const PY = '/usr/bin/python3';
const archs = fileURLToPath(new URL('../../shared/fixtures/archs/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'check-pth-'));

function python(script: string, ...args: string[]): string {
  const r = spawnSync(PY, ['-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed:\n${r.stderr}`);
  return r.stdout;
}

function sample(dtype: DType, shape: number[], seed: number): HostTensor {
  const t = hostTensor(dtype, shape);
  for (let i = 0; i < t.data.length; i++) {
    const v = ((i * 7919 + seed * 104729) % 1000) - 500;
    if (t.data instanceof BigInt64Array) t.data[i] = BigInt(v) * 12345678901n;
    else if (dtype === 'bool') t.data[i] = v & 1;
    else if (dtype === 'uint8') t.data[i] = v & 0xff;
    else if (dtype === 'float16' || dtype === 'bfloat16') t.data[i] = (v * 37) & 0x7bff;
    else t.data[i] = dtype.startsWith('float') ? v / 7 : v;
  }
  return t;
}

const sha = (t: HostTensor) => createHash('sha256').update(toBytes(t)).digest('hex');

async function synthetic(): Promise<void> {
  const dtypes: DType[] = [
    'float32',
    'float64',
    'float16',
    'bfloat16',
    'int64',
    'int32',
    'int16',
    'int8',
    'uint8',
    'bool',
  ];
  const params = new PyDict('collections.OrderedDict');
  for (const [i, d] of dtypes.entries()) params.set(`t_${d}`, sample(d, [2, 3, i + 1], i));
  params.set('scalar', sample('float32', [], 99));
  params.set('empty', sample('float32', [0, 4], 1));
  const meta = new PyDict('collections.OrderedDict');
  meta.set('', new PyDict('dict', [['version', 1]]));
  meta.set('conv', new PyDict('dict', [['version', 2]]));
  params.attrs.set('_metadata', meta);
  const ema = new Map<string, HostTensor>([
    ['shared', params.get('t_float32') as HostTensor],
    ['own', sample('float32', [5], 3)],
  ]);
  const path = join(dir, 'synthetic.pth');
  await writePth(path, { params, params_ema: ema, iter: 1234, note: 'hello' });
  const out = python(
    `
import sys, json, hashlib, torch
o = torch.load(sys.argv[1])
res = {'iter': o['iter'], 'note': o['note'], 'types': {k: type(v).__name__ for k, v in o.items()}}
res['meta'] = {k: dict(v) for k, v in o['params']._metadata.items()}
res['tensors'] = {f'{g}/{k}': [list(t.shape), str(t.dtype)[6:], hashlib.sha256(t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()).hexdigest()]
                  for g in ('params', 'params_ema') for k, t in o[g].items()}
res['shared'] = o['params']['t_float32'].data_ptr() == o['params_ema']['shared'].data_ptr()
print(json.dumps(res))
`,
    path,
  );
  const res = JSON.parse(out);
  const problems: string[] = [];
  if (res.iter !== 1234 || res.note !== 'hello') problems.push('scalars differ');
  if (res.types.params !== 'OrderedDict' || res.types.params_ema !== 'OrderedDict') problems.push('types differ');
  if (JSON.stringify(res.meta) !== JSON.stringify({ '': { version: 1 }, conv: { version: 2 } })) {
    problems.push(`metadata differs: ${JSON.stringify(res.meta)}`);
  }
  if (!res.shared) problems.push('shared storage not shared');
  const expected: [string, HostTensor][] = [
    ...[...params].map(([k, t]) => [`params/${k}`, t as HostTensor] as [string, HostTensor]),
    ...[...ema].map(([k, t]) => [`params_ema/${k}`, t] as [string, HostTensor]),
  ];
  for (const [name, t] of expected) {
    const got = res.tensors[name];
    const want = [t.shape, t.dtype, sha(t)];
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(`${name}: torch ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
  }
  if (problems.length) throw new Error(`synthetic checkpoint:\n${problems.join('\n')}`);
  console.log(`ok synthetic checkpoint (${expected.length} tensors, all dtypes) loads in torch with equal bytes`);
}

async function roundTripFixtures(): Promise<void> {
  for (const f of readdirSync(archs).filter((n) => n.endsWith('.pth'))) {
    const obj = await readPth(join(archs, f));
    const path = join(dir, f);
    await writePth(path, obj as never);
    const out = python(
      `
import sys, torch
a = torch.load(sys.argv[1]); b = torch.load(sys.argv[2])
assert list(a) == list(b), (list(a), list(b))
n = 0
for k in a:
    assert list(a[k]) == list(b[k]), k
    assert dict(a[k]._metadata) == dict(b[k]._metadata), k
    for name in a[k]:
        assert torch.equal(a[k][name], b[k][name]), name
        n += 1
print(n)
`,
      join(archs, f),
      path,
    );
    console.log(`ok ${f}: readPth → writePth → torch.load equals torch.load of the original (${out.trim()} tensors)`);
  }
}

try {
  await synthetic();
  await roundTripFixtures();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
