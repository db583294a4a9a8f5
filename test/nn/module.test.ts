/** Module: PyTorch-style names, state dicts, strict loading errors, default init equal to PyTorch's. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Conv2d, LayerNorm, LayerNorm2d, Linear, Module, ModuleList, Sequential, GELU } from '../../src/nn/index.js';
import { manualSeed, noGrad, randn, type Tensor, tidy } from '../../src/tensor/index.js';
import { assertClose, readJson } from '../helpers/engine.js';

class Block extends Module {
  readonly conv: Conv2d;
  readonly norm: LayerNorm2d;

  constructor(c: number) {
    super();
    this.norm = this.module('norm', new LayerNorm2d(c));
    this.conv = this.module('conv', new Conv2d(c, c, 3, { padding: 1 }));
  }

  forward(x: Tensor): Tensor {
    return this.conv.forward(this.norm.forward(x));
  }
}

class Net extends Module {
  readonly intro = this.module('intro', new Conv2d(3, 4, 1, { bias: false }));
  readonly blocks = this.module('blocks', new ModuleList([new Block(4), new Block(4)]));
  readonly head = this.module('head', new Sequential([new Linear(4, 2), GELU()]));
}

test('state dict uses dotted PyTorch names in registration order', () => {
  const net = new Net();
  assert.deepEqual(
    [...net.stateDict().keys()],
    [
      'intro.weight',
      'blocks.0.norm.weight',
      'blocks.0.norm.bias',
      'blocks.0.conv.weight',
      'blocks.0.conv.bias',
      'blocks.1.norm.weight',
      'blocks.1.norm.bias',
      'blocks.1.conv.weight',
      'blocks.1.conv.bias',
      'head.0.weight',
      'head.0.bias',
    ],
  );
  assert.equal(net.numParameters(), 12 + 2 * (4 + 4 + 144 + 4) + 8 + 2);
  assert.ok(net.parameters().every((p) => p.requiresGrad));
  net.dispose();
});

test('loadStateDict copies values; strict mode names missing, unexpected and mis-shaped keys', () => {
  const a = new Net();
  const b = new Net();
  b.loadStateDict(a.stateDict());
  for (const [k, t] of a.stateDict()) assertClose(b.stateDict().get(k)!.toFloat32Array(), t.toFloat32Array(), { atol: 0, rtol: 0, what: k });
  const partial = new Map(a.stateDict());
  partial.delete('intro.weight');
  const extra = tidy(() => randn([1]));
  partial.set('blocks.9.conv.weight', extra);
  assert.throws(() => b.loadStateDict(partial), /missing keys: intro\.weight.*unexpected keys: blocks\.9\.conv\.weight/);
  const r = b.loadStateDict(partial, { strict: false });
  assert.deepEqual(r, { missing: ['intro.weight'], unexpected: ['blocks.9.conv.weight'] });
  const wrong = new Map(a.stateDict());
  const bad = tidy(() => randn([2, 2]));
  wrong.set('head.0.weight', bad);
  assert.throws(() => b.loadStateDict(wrong), /shape mismatch: head\.0\.weight: expected \[2,4\] got \[2,2\]/);
  a.dispose();
  b.dispose();
  extra.dispose();
  bad.dispose();
});

test('train/eval propagate; zeroGrad clears gradients', () => {
  const net = new Block(2);
  net.eval();
  assert.equal(net.conv.training, false);
  net.train();
  assert.equal(net.norm.training, true);
  tidy(() => net.forward(randn([1, 2, 4, 4])).sum().backward());
  assert.ok(net.conv.weight.grad !== null);
  net.zeroGrad();
  assert.equal(net.conv.weight.grad, null);
  net.dispose();
});

test('LayerNorm2d normalises over channels at every pixel', () => {
  tidy(() => {
    const ln = new LayerNorm2d(3);
    const x = randn([2, 3, 4, 5]);
    const y = noGrad(() => ln.forward(x));
    assertClose(y.mean(1).toFloat32Array(), new Float32Array(40), { atol: 1e-6 });
    // Normalised variance is v / (v + eps) for the input's per-pixel population variance v.
    const v = x.var(1, { correction: 0 });
    assertClose(y.var(1, { correction: 0 }).toFloat32Array(), v.div(v.add(1e-5)).toFloat32Array(), { atol: 1e-5 });
    ln.dispose();
  });
});

test('default initialisation equals PyTorch after the same manualSeed', () => {
  const init = readJson<Record<string, number[]> & { seed: number }>('test/fixtures/engine/ops.json').init as unknown as {
    seed: number;
    conv_weight: number[];
    conv_bias: number[];
    linear_weight: number[];
    linear_bias: number[];
  };
  manualSeed(init.seed);
  const conv = new Conv2d(3, 8, 3);
  const lin = new Linear(5, 2);
  const ln = new LayerNorm(4);
  assertClose(conv.weight.toFloat32Array(), init.conv_weight, { atol: 0, rtol: 0, what: 'conv weight' });
  assertClose(conv.bias!.toFloat32Array(), init.conv_bias, { atol: 0, rtol: 0, what: 'conv bias' });
  assertClose(lin.weight.toFloat32Array(), init.linear_weight, { atol: 0, rtol: 0, what: 'linear weight' });
  assertClose(lin.bias!.toFloat32Array(), init.linear_bias, { atol: 0, rtol: 0, what: 'linear bias' });
  conv.dispose();
  lin.dispose();
  ln.dispose();
});
