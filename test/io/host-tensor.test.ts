import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  bfloat16ToFloat,
  elementSize,
  floatToBfloat16,
  floatToHalf,
  fromBytes,
  fromFloat32,
  halfToFloat,
  hostTensor,
  numel,
  toFloat32,
} from '../../src/io/host-tensor.js';
import { readSafetensors } from '../../src/io/safetensors.js';

const fixture = fileURLToPath(new URL('../fixtures/io/all-dtypes.safetensors', import.meta.url));

test('float32 → float16 / bfloat16 rounding matches torch .half() / .bfloat16() bit for bit', async () => {
  const { tensors } = await readSafetensors(fixture);
  const input = tensors.get('rounding.f32')!;
  assert.equal(input.dtype, 'float32');
  for (const dtype of ['float16', 'bfloat16'] as const) {
    const torch = tensors.get(`rounding.f32.from_f32.${dtype === 'float16' ? 'f16' : 'bf16'}`)!;
    assert.equal(torch.dtype, dtype);
    const ours = fromFloat32(dtype, input.shape, input.data as Float32Array);
    const mismatches = [...ours.data.keys()].filter((i) => {
      const a = ours.data[i] as number;
      const b = torch.data[i] as number;
      // Any NaN bit pattern is fine; torch and we may choose different payloads.
      const nan = dtype === 'float16' ? (x: number) => (x & 0x7fff) > 0x7c00 : (x: number) => (x & 0x7fff) > 0x7f80;
      return a !== b && !(nan(a) && nan(b));
    });
    assert.deepEqual(mismatches, [], `${dtype} differs at ${mismatches.slice(0, 5)}`);
  }
});

test('every float16 value survives half → float → half; bfloat16 likewise', () => {
  for (let h = 0; h < 0x10000; h++) {
    const f = halfToFloat(h);
    if (Number.isNaN(f)) continue;
    assert.equal(Math.fround(f), f, 'halves are exact float32 values');
    assert.equal(floatToHalf(f), h, `half 0x${h.toString(16)}`);
  }
  for (let b = 0; b < 0x10000; b++) {
    const f = bfloat16ToFloat(b);
    if (!Number.isNaN(f)) assert.equal(floatToBfloat16(f), b);
  }
  // Known anchors (IEEE 754): max half, smallest subnormal, infinities.
  assert.equal(halfToFloat(0x7bff), 65504);
  assert.equal(halfToFloat(0x0001), 2 ** -24);
  assert.equal(halfToFloat(0xfc00), Number.NEGATIVE_INFINITY);
  assert.equal(bfloat16ToFloat(0x3f80), 1);
});

test('shape helpers, checked construction, and aligned views vs copies', () => {
  assert.equal(numel([]), 1);
  assert.equal(numel([2, 0, 5]), 0);
  assert.throws(() => numel([2, -1]), /invalid dimension -1/);
  assert.equal(elementSize('bfloat16'), 2);
  assert.equal(elementSize('int64'), 8);
  assert.throws(() => hostTensor('float32', [2, 2], new Float64Array(4)), /needs a Float32Array/);
  assert.throws(() => hostTensor('float32', [2, 2], new Float32Array(3)), /3 elements for shape \[2, 2\]/);

  const buf = new Uint8Array(16);
  new DataView(buf.buffer).setFloat32(4, 1.5, true);
  const aligned = fromBytes('float32', [2], buf.subarray(4, 12));
  assert.equal(aligned.data.buffer, buf.buffer, 'aligned bytes are viewed in place');
  assert.deepEqual(Array.from(aligned.data as Float32Array), [1.5, 0]);
  new DataView(buf.buffer).setFloat32(5, -2, true);
  const misaligned = fromBytes('float32', [2], buf.subarray(5, 13));
  assert.notEqual(misaligned.data.buffer, buf.buffer, 'misaligned bytes are copied');
  assert.equal(misaligned.data[0], -2);
  assert.deepEqual(toFloat32(hostTensor('int64', [2], new BigInt64Array([3n, -4n]))), new Float32Array([3, -4]));
});
