/** The classification decoder (PromptIR_NoImg_DC) against the official fixtures, and DCPT's focal loss. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DegradationClassifier, type DegradationClassifierOptions } from '../../src/maskdcpt/classifier.js';
import { focalLoss } from '../../src/nn/losses.js';
import { allocatorStats, F, manualSeed, noGrad, randn, type Tensor, tensor, tidy } from '../../src/tensor/index.js';
import { assertClose } from '../helpers/engine.js';
import { type ArchFixture, loadArchFixture } from '../helpers/fixtures.js';

interface OfficialKwargs {
  feature_dims: number[];
  num_res_blocks: number;
  num_classes: number;
  downsample: boolean;
}

const optionsOf = (fx: ArchFixture): DegradationClassifierOptions => {
  const k = fx.meta.kwargs as unknown as OfficialKwargs;
  return {
    featureDims: k.feature_dims,
    numResBlocks: k.num_res_blocks,
    numClasses: k.num_classes,
    downsample: k.downsample,
  };
};

const close = (a: Tensor, b: Tensor, atol: number, what: string) => {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  assertClose(a.toFloat32Array(), b.toFloat32Array(), { atol, rtol: 0, what });
};

/** Level-by-level re-run, to compare the official taps (bottleneck_layers.0, downsample_layers.0, last_stage). */
function taps(
  net: DegradationClassifier,
  feats: Tensor[],
  gridOf: (t: Tensor, i: number) => Tensor,
): Map<string, Tensor> {
  const w = F.softmax(net.mixingWeights, 0);
  const out = new Map<string, Tensor>();
  let f: Tensor | null = null;
  feats.forEach((feat, i) => {
    const x = gridOf(feat, i).mul(w.select(0, i));
    const b = net.bottleneckLayers.at(i).forward(f ? f.add(x) : x);
    f = net.downsampleLayers.at(i).forward(b);
    out.set(`bottleneck_layers.${i}`, b);
    out.set(`downsample_layers.${i}`, f);
  });
  out.set('last_stage', net.lastStage.forward(f!));
  return out;
}

async function checkFixture(name: string, gridOf: (t: Tensor, i: number) => Tensor): Promise<void> {
  const fx = await loadArchFixture(name);
  const atol = fx.meta.tolerance.suggested_atol;
  const ema = await fx.weights('params_ema');
  const params = await fx.weights('params');
  const net = new DegradationClassifier(optionsOf(fx)).eval();
  const feats = [...fx.io.keys()]
    .filter((k) => k.startsWith('feat_'))
    .sort()
    .map((k) => fx.io.get(k)!);
  assert.deepEqual([...net.stateDict().keys()], [...ema.keys()], 'official names, official order');
  net.loadStateDict(ema);
  assert.equal(net.numParameters(), (fx.meta.weights as { param_count: number }).param_count);
  noGrad(() =>
    tidy(() => {
      const logits = net.forward(feats);
      close(logits, fx.io.get('logits')!, atol, `${name} logits`);
      const t = taps(net, feats, gridOf);
      for (const tap of ['bottleneck_layers.0', 'downsample_layers.0', 'last_stage']) {
        close(t.get(tap)!, fx.io.get(`tap.${tap}`)!, atol, `${name} tap.${tap}`);
      }
      const labels = fx.io.get('labels')!;
      assert.equal(labels.dtype, 'int64');
      close(focalLoss(logits, labels, 0).reshape(1), fx.io.get('focal_loss_gamma0')!, atol, 'focal gamma 0');
      close(focalLoss(logits, labels, 2).reshape(1), fx.io.get('focal_loss_gamma2')!, atol, 'focal gamma 2');
      // gamma 0 is plain cross-entropy.
      close(focalLoss(logits, labels, 0), F.crossEntropy(logits, labels), 1e-6, 'focal gamma 0 = CE');
      net.loadStateDict(params);
      close(net.forward(feats), fx.io.get('logits_params')!, atol, `${name} logits_params`);
    }),
  );
  // The caller's feature list and tensors are untouched (the official token mode overwrites the list).
  assert.ok(feats.every((f, i) => f === fx.io.get(`feat_${i}`) && !f.isDisposed));
  net.dispose();
  for (const m of [ema, params, fx.io]) for (const v of m.values()) v.dispose();
}

test('NCHW mode (degrad_classify): logits, logits_params, taps, focal losses', async () => {
  await checkFixture('degrad_classify', (t) => t);
});

test('token mode (degrad_classify_tokens): square grids, nearest 1/2^i shrink, logits and taps', async () => {
  // The taps helper rebuilds each level's grid independently: transpose + view, then keep every 2^i-th pixel.
  await checkFixture('degrad_classify_tokens', (t, i) => {
    const [b, n, c] = t.shape as [number, number, number];
    const s = Math.sqrt(n);
    const g = t.transpose(1, 2).reshape(b, c, s, s);
    return i === 0 ? g : g.slice(2, 0, null, 2 ** i).slice(3, 0, null, 2 ** i);
  });
});

test('softmax mixing runs over the levels (dim 0) and carries gradient to every parameter', () => {
  manualSeed(5);
  tidy(() => {
    const net = new DegradationClassifier({ featureDims: [4, 8], numResBlocks: 1, numClasses: 5 });
    const feats = [randn([2, 4, 8, 8]), randn([2, 8, 4, 4])];
    const logits = net.forward(feats);
    assert.deepEqual(logits.shape, [2, 5]);
    focalLoss(logits, tensor([4, 1], { dtype: 'int64' }), 2).backward();
    for (const [k, p] of net.namedParameters()) {
      const g = p.grad;
      assert.ok(g && g.abs().sum().item() > 0, `${k} has a gradient`);
    }
    assert.throws(() => net.forward([feats[0]!]), /expected 2 feature levels/);
    assert.throws(() => net.forward([feats[0]!, randn([2, 8, 8, 8])]), /level 1 is 8x8, expected 4x4/);
    assert.throws(() => net.forward([feats[1]!, feats[0]!]), /level 0 must be \(B,4,H,W\)/);
    net.dispose();
  });
});

test('eager disposal: token-mode forward and backward leave no tensors behind', () => {
  const net = new DegradationClassifier({ featureDims: [4, 4, 4], numResBlocks: 1, numClasses: 3, downsample: true });
  const tokens = [randn([1, 64, 4]), randn([1, 64, 4]), randn([1, 64, 4])];
  const run = () => {
    noGrad(() => net.forward(tokens).dispose());
    const l = net.forward(tokens);
    const s = l.sum();
    s.backward();
    s.dispose();
    l.dispose();
    net.zeroGrad();
  };
  run();
  const before = allocatorStats().inUseBytes;
  run();
  assert.equal(allocatorStats().inUseBytes, before);
  assert.ok(tokens.every((t) => !t.isDisposed));
  for (const t of tokens) t.dispose();
  net.dispose();
});
