/**
 * timm-style smoke sweep: a tiny NAFNet forward/backward in plain and masked mode, and the classification
 * decoder on its pyramid, with finite values and a gradient reaching every parameter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disposeFeatures, NAFNet } from '../../src/archs/nafnet.js';
import { DegradationClassifier } from '../../src/maskdcpt/classifier.js';
import { randomMaskFor } from '../../src/maskdcpt/mask.js';
import { focalLoss, l1Loss } from '../../src/nn/losses.js';
import type { Module } from '../../src/nn/module.js';
import { manualSeed, noGrad, Rng, rand, randn, tensor, tidy } from '../../src/tensor/index.js';

const tiny = { width: 8, encBlkNums: [1, 2, 1], middleBlkNum: 1, decBlkNums: [1, 1, 1], windowSize: 8 };

/** beta/gamma start at zero, which blocks gradient to the block convs; give them values so every parameter counts. */
function wakeLayerScales(net: NAFNet): void {
  noGrad(() => {
    for (const [k, p] of net.namedParameters()) if (/\.(beta|gamma)$/.test(k)) p.copy_(randn(p.shape).mul(0.3));
  });
}

function assertGrads(m: Module, what: string): void {
  for (const [k, p] of m.namedParameters()) {
    const g = p.grad;
    assert.ok(g, `${what}: ${k} has no gradient`);
    assert.ok(g.isfinite().all().item(), `${what}: ${k} gradient is not finite`);
    assert.ok(g.abs().sum().item() > 0, `${what}: ${k} gradient is zero`);
  }
}

test('tiny NAFNet: plain forward/backward on 1x3x32x32', () => {
  manualSeed(0);
  tidy(() => {
    const net = new NAFNet(tiny);
    wakeLayerScales(net);
    const x = rand([1, 3, 32, 32]);
    const y = net.forward(x);
    assert.deepEqual(y.shape, [1, 3, 32, 32]);
    assert.ok(y.isfinite().all().item());
    l1Loss(y, rand([1, 3, 32, 32])).backward();
    assertGrads(net, 'plain');
    net.dispose();
  });
});

test('tiny NAFNet masked + classifier on its pyramid: forward/backward, no NaN, every parameter trained', () => {
  manualSeed(1);
  tidy(() => {
    const net = new NAFNet(tiny);
    wakeLayerScales(net);
    const cls = new DegradationClassifier({ featureDims: [8, 16, 32], numResBlocks: 1, numClasses: 19 });
    const x = rand([2, 3, 32, 32]);
    const mask = randomMaskFor(x, net.maskPatchSize, 0.5, new Rng(9));
    const feats = net.forwardFeatures(x, mask);
    assert.deepEqual(
      feats.pyramid.map((t) => t.shape),
      [
        [2, 8, 32, 32],
        [2, 16, 16, 16],
        [2, 32, 8, 8],
      ],
    );
    const restored = net.forwardHead(feats, x);
    const logits = cls.forward(feats.pyramid);
    assert.deepEqual(logits.shape, [2, 19]);
    assert.ok(restored.isfinite().all().item() && logits.isfinite().all().item());
    const loss = l1Loss(restored, rand([2, 3, 32, 32])).add(focalLoss(logits, tensor([3, 17], { dtype: 'int64' }), 2));
    assert.ok(Number.isFinite(loss.item()));
    loss.backward();
    assertGrads(net, 'masked backbone');
    assertGrads(cls, 'classifier');
    disposeFeatures(feats);
    net.dispose();
    cls.dispose();
  });
});
