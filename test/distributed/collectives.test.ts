/**
 * Bucketed in-place collectives between 2 real processes, checked against sums computed here. The ranks meet
 * through a FileStore (the alternative to rank 0's TCPStore, which the training tests use).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ProcessGroup } from '../../src/distributed/process-group.js';
import { cli } from './helpers.js';

const skip = ProcessGroup.backends().gloo ? false : 'the addon was built without Gloo';

// What each rank holds before the collective (r = rank + 1), as the fixture builds it, in contiguous order.
function values(r: number): number[][] {
  const t = Array.from({ length: 12 }, (_, i) => r - i); // [4,3], then transposed to [3,4]
  const transposed = [0, 1, 2].flatMap((j) => [0, 1, 2, 3].map((i) => t[i * 3 + j] as number));
  return [
    Array.from({ length: 15 }, (_, i) => r * i),
    Array.from({ length: 7 }, (_, i) => r * r + i / 8),
    transposed,
    Array.from({ length: 5 }, (_, i) => r * 10 + i),
  ];
}

const zip = (f: (a: number, b: number) => number) => values(1).map((a, k) => a.map((v, i) => f(v, values(2)[k]?.[i] as number)));

test('allReduce (sum, avg, max), broadcast and barrier across 2 processes, over many small buckets', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-store-'));
  const script = join('test', 'distributed', 'fixtures', 'collectives.ts');
  const env = (rank: number) => ({ RANK: String(rank), WORLD_SIZE: '2', MASKDCPT_DIST_STORE: `file:${join(dir, 'store')}`, MASKDCPT_DIST_TIMEOUT: '30' });
  const results = await Promise.all([0, 1].map((rank) => cli([], env(rank), script).done));
  rmSync(dir, { recursive: true, force: true });
  const outs = results.map((r) => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
  });
  for (const out of outs) {
    assert.deepEqual(out.sum, zip((a, b) => a + b));
    const avg = zip((a, b) => (a + b) / 2).slice(0, 3) as number[][];
    for (const [k, got] of (out.avg as number[][]).entries()) {
      for (const [i, v] of got.entries()) assert.ok(Math.abs(v - (avg[k]?.[i] as number)) < 1e-6, `avg ${k}[${i}]`);
    }
    assert.deepEqual(out.max, zip(Math.max));
    assert.deepEqual(out.broadcast, values(2));
    assert.equal(out.error, 'allReduce: avg needs floating-point tensors');
    assert.deepEqual(out.numbers, [1, -2]);
  }
});
