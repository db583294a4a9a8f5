/**
 * The tracer: parameters are recognised by identity and named, tensors made outside the dispatcher become
 * constants, the observer is restored after a throw and refuses nesting, and nothing is recorded when off.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModel } from '../../src/archs/registry.js';
import { traceForward } from '../../src/export/trace.js';
import { withOpObserver } from '../../src/tensor/dispatch.js';
import { full, ones, setNumThreads } from '../../src/tensor/index.js';

setNumThreads(1);

test('swinir-tiny trace: named parameters, its RGB mean as a constant, the output computed by the last op', () => {
  const model = createModel('swinir-tiny');
  const x = full([1, 3, 16, 16], 0.5);
  try {
    model.eval();
    const tr = traceForward(model, x);
    const params = tr.tensors.filter((t) => t.kind === 'param');
    const names = new Set(model.namedParameters().map(([n]) => n));
    assert.ok(params.length > 0 && params.every((p) => p.name !== undefined && names.has(p.name)));
    assert.ok(params.every((p) => p.data?.byteLength === p.shape.reduce((a, b) => a * b, 1) * 4));
    const consts = tr.tensors.filter((t) => t.kind === 'const');
    assert.ok(
      consts.some((c) => c.shape.join() === '1,3,1,1'),
      'the RGB mean made by fromTypedArray',
    );
    assert.equal(tr.tensors[tr.input]?.kind, 'input');
    assert.deepEqual(tr.nodes.at(-1)?.outputs, [tr.output]);
  } finally {
    x.dispose();
    model.dispose();
  }
});

test('the operator observer: sees calls only while set, restored after a throw, not nestable', () => {
  const seen: string[] = [];
  const obs = { onCall: (o: { name: string }) => seen.push(o.name) };
  const a = ones([2]);
  assert.throws(() =>
    withOpObserver(obs, () => {
      a.add(1).dispose();
      throw new Error('boom');
    }),
  );
  a.mul(3).dispose(); // after the throw: not observed
  assert.deepEqual(seen, ['aten::add']);
  assert.throws(() => withOpObserver(obs, () => withOpObserver(obs, () => 0)), /already active/);
  a.dispose();
});
