/** Placement from the environment, global-batch sharding, and a rank's loader slice of the sample stream. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchItems, BatchLoader } from '../../src/data/loader.js';
import { shardOf } from '../../src/distributed/ddp.js';
import { distEnv } from '../../src/distributed/env.js';
import { photos } from './helpers.js';

test('distEnv reads the torchrun variables, falls back to Slurm, and names bad values', () => {
  assert.equal(distEnv({}), null);
  assert.equal(distEnv({ WORLD_SIZE: '1', RANK: '0' }), null);
  assert.deepEqual(distEnv({ WORLD_SIZE: '4', RANK: '3', LOCAL_RANK: '1', MASTER_ADDR: 'n0', MASTER_PORT: '1234', MASKDCPT_DIST_TIMEOUT: '2.5' }), {
    rank: 3,
    worldSize: 4,
    localRank: 1,
    masterAddr: 'n0',
    masterPort: 1234,
    timeoutMs: 2500,
    backend: 'gloo',
    storeFile: null,
    bucketBytes: 25 * 1024 * 1024,
  });
  assert.equal(distEnv({ WORLD_SIZE: '2', RANK: '0', MASTER_ADDR: 'a', MASKDCPT_DIST_BUCKET_MB: '0.5' })?.bucketBytes, 512 * 1024);
  const slurm = distEnv({ SLURM_NTASKS: '8', SLURM_PROCID: '5', SLURM_LOCALID: '1', MASTER_ADDR: 'n0' });
  assert.deepEqual([slurm?.rank, slurm?.worldSize, slurm?.localRank, slurm?.masterPort], [5, 8, 1, 29500]);
  assert.equal(distEnv({ WORLD_SIZE: '2', RANK: '1', MASKDCPT_DIST_STORE: 'file:/shared/x' })?.storeFile, '/shared/x');
  assert.throws(() => distEnv({ WORLD_SIZE: '2', MASTER_ADDR: 'a' }), /RANK is not set/);
  assert.throws(() => distEnv({ WORLD_SIZE: '2', RANK: '2', MASTER_ADDR: 'a' }), /RANK=2 is outside WORLD_SIZE=2/);
  assert.throws(() => distEnv({ WORLD_SIZE: 'two', RANK: '0' }), /WORLD_SIZE=two: the world size must be a non-negative integer/);
  assert.throws(() => distEnv({ WORLD_SIZE: '2', RANK: '0' }), /MASTER_ADDR is not set/);
  assert.throws(() => distEnv({ WORLD_SIZE: '2', RANK: '0', MASTER_ADDR: 'a', MASKDCPT_DIST_TIMEOUT: '0' }), /MASKDCPT_DIST_TIMEOUT=0/);
  assert.throws(() => distEnv({ WORLD_SIZE: '2', RANK: '0', MASTER_ADDR: 'a', MASKDCPT_DIST_BACKEND: 'mpi' }), /expected gloo or nccl/);
});

test('shardOf splits a global batch into equal consecutive slices, or says why it cannot', () => {
  assert.deepEqual([0, 1, 2, 3].map((r) => shardOf(8, r, 4)), [
    { start: 0, count: 2 },
    { start: 2, count: 2 },
    { start: 4, count: 2 },
    { start: 6, count: 2 },
  ]);
  assert.throws(() => shardOf(6, 0, 4), /global batch size 6 is not divisible by the world size 4/);
  assert.deepEqual(batchItems(3, 4, { start: 2, count: 2 }), [14, 15]);
  assert.throws(() => batchItems(0, 4, { start: 3, count: 2 }), /outside a batch of 4/);
});

test("each rank's loader slice holds exactly its part of the single-process batch (in-process and in a worker)", async () => {
  const spec = { source: photos, patchSize: 16, seed: 5, types: ['noise', 'haze'] };
  const whole = new BatchLoader(spec, { batchSize: 4, workers: 0, startBatch: 2 });
  const parts = [new BatchLoader(spec, { batchSize: 4, workers: 0, startBatch: 2, slice: { start: 0, count: 2 } }), new BatchLoader(spec, { batchSize: 4, workers: 1, startBatch: 2, slice: { start: 2, count: 2 } })];
  try {
    for (let b = 0; b < 2; b++) {
      const w = await whole.next();
      const [p0, p1] = await Promise.all(parts.map((p) => p.next()));
      assert.equal(p0?.n, 2);
      const plane = 3 * 16 * 16;
      assert.deepEqual(p0?.gt, w.gt.slice(0, 2 * plane));
      assert.deepEqual(p1?.gt, w.gt.slice(2 * plane));
      assert.deepEqual(p1?.lq, w.lq.slice(2 * plane));
      assert.deepEqual([...(p0?.labels ?? []), ...(p1?.labels ?? [])], [...w.labels]);
    }
  } finally {
    await Promise.all([whole, ...parts].map((l) => l.close()));
  }
});
