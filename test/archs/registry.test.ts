/**
 * timm-style sweep over the registry: every architecture builds at a tiny size and runs forward and backward in
 * plain and masked mode without NaN; presets resolve; unknown names list the valid ones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archs, createModel, listModels, presets, resolveModel } from '../../src/archs/registry.js';
import { F, manualSeed, ones, randn, setNumThreads, type Tensor, tidy } from '../../src/tensor/index.js';

setNumThreads(1);

/** The smallest useful options per family (PromptIR's widths are fixed by the fork at dim 48). */
const TINY: Record<string, { name: string; options?: Record<string, unknown>; size: number }> = {
  nafnet: { name: 'nafnet-tiny', size: 32 },
  restormer: { name: 'restormer-tiny', size: 32 },
  promptir: { name: 'promptir-small', size: 16 },
  swinir: { name: 'swinir-tiny', size: 32 },
};

test('every architecture has a tiny sweep entry', () => {
  assert.deepEqual(Object.keys(TINY).sort(), archs.list());
});

for (const [arch, t] of Object.entries(TINY)) {
  test(`${arch}: builds, forward and backward, plain and masked, finite`, () => {
    manualSeed(0);
    const model = createModel(t.name, t.options);
    try {
      assert.equal(model.arch, arch);
      for (const masked of [false, true]) {
        tidy(() => {
          const x = randn([1, 3, t.size, t.size]).mul(0.2).add(0.5);
          const cells = t.size / model.maskPatchSize;
          const mask = masked ? ones([1, 1, cells, cells]).maskedFill(randn([1, 1, cells, cells]).gt(0), 0) : null;
          const feats = model.forwardFeatures(x, mask);
          const out: Tensor = masked ? model.forwardHead(feats, x) : model.forward(x);
          assert.deepEqual([...out.shape], [1, 3, t.size, t.size]);
          F.l1Loss(out, x).backward();
          assert.ok(out.isfinite().all().item() === 1, 'output has NaN/inf');
          const grads = model.parameters().map((p) => p.grad).filter((g) => g !== null) as Tensor[];
          assert.ok(grads.length > 0, 'no gradients');
          for (const g of grads) assert.equal(g.isfinite().all().item(), 1);
          model.zeroGrad();
        });
      }
    } finally {
      model.dispose();
    }
  });
}

test('presets resolve to their architecture; overrides apply; unknown names are listed', () => {
  for (const name of presets.list()) assert.ok(archs.has(resolveModel(name).arch), name);
  assert.equal(resolveModel('nafnet-tiny', { width: 16 }).options.width, 16);
  assert.ok(listModels('nafnet*').includes('nafnet-64-5d'));
  assert.throws(() => createModel('resnet50'), /unknown model 'resnet50'; architectures: nafnet, promptir, restormer, swinir; presets: /);
});
