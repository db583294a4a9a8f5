import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { unpickle } from '../../src/io/pickle.js';
import { Pickler } from '../../src/io/pickle-write.js';
import { readPth } from '../../src/io/pth.js';
import { PyDict, PyTuple, type PyValue } from '../../src/io/pytypes.js';
import { torchGlobals } from '../../src/io/torch-globals.js';
import { encodeZip } from '../../src/io/zip-write.js';

const local = fileURLToPath(new URL('../fixtures/io/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'pickle-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const globals = torchGlobals();
const te = new TextEncoder();
const ascii = (s: string) => [...te.encode(s)];
const binunicode = (s: string) => {
  const b = te.encode(s);
  return [0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b];
};
const shortBinunicode = (s: string) => [0x8c, te.encode(s).length, ...te.encode(s)];

/** The value plain_pickles() in tools/make-io-fixtures.py pickles, as the unpickler should rebuild it. */
function expectedPlain(): PyDict {
  const od = new PyDict('collections.OrderedDict', [
    ['b', 1],
    ['a', [2, 3]],
  ]);
  od.attrs.set('extra', 'attr');
  return new PyDict('dict', [
    ['ints', [0, 1, -1, 255, 256, 65535, 65536, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2n ** 63n, -(2n ** 70n)]],
    ['floats', [0.5, -0, 1e300, Number.POSITIVE_INFINITY, -1.25e-310]],
    ['text', ['', 'ascii', 'ünï ✓', 'x'.repeat(300)]],
    ['flags', new PyTuple([true, false, null])],
    [
      'nested',
      new PyDict('dict', [
        ['t', new PyTuple([1, new PyTuple([2, [3, new PyDict('dict', [['k', new PyTuple([])]])]])])],
        ['empty', new PyDict()],
      ]),
    ],
    ['od', od],
    ['same', [od, od]],
    [7, 'int key'],
    [2.5, 'float key'],
  ]);
}

test("Python's pickles of plain values (protocols 2-5) unpickle to the same values", () => {
  for (const proto of [2, 3, 4, 5]) {
    const v = unpickle(readFileSync(join(local, `plain-p${proto}.pkl`)), { globals }) as PyDict;
    assert.deepEqual(v, expectedPlain(), `protocol ${proto}`);
    // The memo makes repeated objects the same object, as in Python.
    const same = v.get('same') as PyValue[];
    assert.equal(same[0], same[1]);
    assert.ok(Object.is((v.get('floats') as number[])[1], -0));
  }
});

test('our pickler round-trips plain values through the unpickler', () => {
  const value = expectedPlain();
  const bytes = new Pickler(() => assert.fail('no tensors here')).dump(value);
  assert.deepEqual(bytes.subarray(0, 2), new Uint8Array([0x80, 2]));
  assert.deepEqual(unpickle(bytes, { globals }), value);
});

test('GLOBAL os.system is refused before anything could run, naming it and the file', () => {
  const marker = join(tmp, 'pwned-global');
  const evil = new Uint8Array([
    0x80, // PROTO
    0x02,
    0x63, // GLOBAL 'os\nsystem\n'
    ...ascii('os\nsystem\n'),
    ...binunicode(`touch ${marker}`),
    0x85, // TUPLE1
    0x52, // REDUCE
    0x2e, // STOP
  ]);
  assert.throws(
    () => unpickle(evil, { globals, label: 'evil.pkl' }),
    (err: Error) => /^cannot unpickle evil\.pkl: refusing global 'os\.system'/.test(err.message),
  );
  assert.equal(existsSync(marker), false);
});

test('STACK_GLOBAL posix.system inside a checkpoint zip is refused with the file named', async () => {
  const marker = join(tmp, 'pwned-stack');
  const pkl = new Uint8Array([
    0x80, // PROTO
    0x04,
    ...shortBinunicode('posix'),
    ...shortBinunicode('system'),
    0x93, // STACK_GLOBAL
    ...shortBinunicode(`touch ${marker}`),
    0x85,
    0x52,
    0x2e, // TUPLE1 REDUCE STOP
  ]);
  const path = join(tmp, 'evil.pth');
  const chunks = encodeZip([
    { name: 'evil/data.pkl', data: pkl },
    { name: 'evil/version', data: te.encode('3\n') },
  ]);
  writeFileSync(path, Buffer.concat(chunks));
  await assert.rejects(readPth(path), (err: Error) => {
    assert.match(err.message, /refusing global 'posix\.system'/);
    assert.ok(err.message.includes(path), err.message);
    return true;
  });
  assert.equal(existsSync(marker), false);
});

test('other ways to reach a global are refused too (INST, builtins.eval, a global hidden in a dict)', () => {
  const inst = new Uint8Array([0x80, 0x02, 0x28, ...binunicode('1+1'), 0x69, ...ascii('builtins\neval\n'), 0x2e]);
  assert.throws(() => unpickle(inst, { globals }), /refusing global 'builtins\.eval'/);
  const nested = new Uint8Array([
    0x80,
    0x02,
    0x7d, // EMPTY_DICT
    ...binunicode('params'),
    0x63,
    ...ascii('subprocess\nPopen\n'),
    0x73,
    0x2e, // SETITEM STOP
  ]);
  assert.throws(() => unpickle(nested, { globals }), /refusing global 'subprocess\.Popen'/);
  // An allowed marker global (a dtype) cannot be called.
  const call = new Uint8Array([0x80, 0x02, 0x63, ...ascii('torch\nfloat32\n'), 0x29, 0x52, 0x2e]);
  assert.throws(() => unpickle(call, { globals }), /cannot call global torch\.float32/);
});

test('malformed pickles fail cleanly', () => {
  assert.throws(() => unpickle(new Uint8Array([0x80, 0x02, 0x58, 0xff, 0, 0, 0]), { globals }), /truncated pickle/);
  assert.throws(() => unpickle(new Uint8Array([0x80, 0x02, 0x7d]), { globals }), /truncated pickle/);
  assert.throws(
    () => unpickle(new Uint8Array([0x80, 0x02, 0x82, 0x01, 0x2e]), { globals }),
    /unsupported pickle opcode 0x82/,
  );
  assert.throws(() => unpickle(new Uint8Array([0x80, 0x02, 0x68, 0x05, 0x2e]), { globals }), /memo key 5 missing/);
  assert.throws(() => unpickle(new Uint8Array([0x80, 0x02, 0x51, 0x2e]), { globals }), /stack underflow/);
});
