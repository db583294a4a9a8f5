/** Host tensors ↔ engine tensors, and weights files ↔ modules. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readWeights, stateToTensors, toHost, toTensor, writeWeights } from '../../src/io/tensor-bridge.js';
import { Conv2d, Linear, Module } from '../../src/nn/index.js';
import { dispose, randn, tensor, tidy } from '../../src/tensor/index.js';
import { sharedDir } from '../helpers/engine.js';

test('every dtype survives host → tensor → host unchanged', () => {
  tidy(() => {
    for (const dtype of ['float32', 'float64', 'int64', 'int32', 'uint8', 'bool', 'float16', 'bfloat16'] as const) {
      const t = tensor([[0, 1.5], [-2, 3]].map((r) => r.map((v) => (dtype === 'uint8' || dtype === 'bool' ? Math.abs(Math.trunc(v)) : v))), {
        dtype,
      });
      const h = toHost(t);
      assert.equal(h.dtype, dtype);
      assert.deepEqual(h.shape, [2, 2]);
      const back = toTensor(h);
      assert.deepEqual(Array.from(back.data() as ArrayLike<number | bigint>), Array.from(t.data() as ArrayLike<number | bigint>));
    }
  });
});

test('official .pth checkpoints load into engine tensors; params_ema is the default key', async () => {
  const file = join(sharedDir, 'fixtures/archs/nafnet.pth');
  const ema = await readWeights(file);
  const params = await readWeights(file, { key: 'params' });
  assert.ok(ema.tensors.size > 10);
  const sd = stateToTensors(ema.tensors);
  const sdp = stateToTensors(params.tensors);
  const [name, t] = [...sd][0]!;
  assert.deepEqual([...t.shape], ema.tensors.get(name)!.shape);
  // The fixture README: params_ema = params + a small perturbation, so the two differ somewhere.
  const maxDiff = Math.max(...[...sd].map(([k, v]) => tidy(() => v.sub(sdp.get(k)!).abs().max().item())));
  assert.ok(maxDiff > 1e-4 && maxDiff < 1, `params vs params_ema max diff ${maxDiff}`);
  dispose([sd, sdp]);
});

class Small extends Module {
  readonly conv = this.module('conv', new Conv2d(3, 4, 3));
  readonly fc = this.module('fc', new Linear(4, 2));
}

test('a module saved as safetensors loads back exactly, with metadata', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-'));
  try {
    const a = new Small();
    const file = join(dir, 'w.safetensors');
    await writeWeights(file, a.stateDict(), { arch: 'small' });
    const { tensors, metadata } = await readWeights(file);
    assert.equal(metadata.arch, 'small');
    const b = new Small();
    const loaded = stateToTensors(tensors);
    b.loadStateDict(loaded);
    for (const [k, t] of a.stateDict()) {
      assert.deepEqual(Array.from(b.stateDict().get(k)!.toFloat32Array()), Array.from(t.toFloat32Array()), k);
    }
    dispose(loaded);
    a.dispose();
    b.dispose();
    await assert.rejects(readWeights(join(dir, 'w.bin')), /unknown extension '\.bin'/);
    tidy(() => randn([1]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
