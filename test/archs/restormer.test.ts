/**
 * Restormer against the official-code fixtures (plain and MaskRestormer), parameter names and counts,
 * padding, and a timm-style forward/backward sweep in plain and masked mode.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESTORMER_PAPER, Restormer, type RestormerOptions } from '../../src/archs/restormer.js';
import { reflectPadTo } from '../../src/archs/restormer-family.js';
import {
  allocatorStats,
  dispose,
  F,
  fromTypedArray,
  manualSeed,
  noGrad,
  ones,
  rand,
  randn,
  type Tensor,
  tidy,
} from '../../src/tensor/index.js';
import { assertClose } from '../helpers/engine.js';
import { loadArchFixture } from '../helpers/fixtures.js';

/** MaskDCPT constructor arguments as the fixture JSON records them. */
interface OfficialKwargs {
  inp_channels: number;
  out_channels: number;
  dim: number;
  num_blocks: number[];
  num_refinement_blocks: number;
  heads: number[];
  ffn_expansion_factor: number;
  bias: boolean;
  window_size: number;
}

/** The official snake_case kwargs as our options. */
function optionsFrom(kwargs: Record<string, unknown>): RestormerOptions {
  const k = kwargs as unknown as OfficialKwargs;
  return {
    inpChannels: k.inp_channels,
    outChannels: k.out_channels,
    dim: k.dim,
    numBlocks: k.num_blocks,
    numRefinementBlocks: k.num_refinement_blocks,
    heads: k.heads,
    ffnExpansionFactor: k.ffn_expansion_factor,
    bias: k.bias,
    windowSize: k.window_size,
  };
}

const close = (actual: Tensor, expected: Tensor, atol: number, what: string) => {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assertClose(actual.toFloat32Array(), expected.toFloat32Array(), { atol, rtol: 0, what });
};

test('restormer fixture: params_ema output, taps, and params output (strict load, no renaming)', async () => {
  const fx = await loadArchFixture('restormer');
  const atol = fx.meta.tolerance.suggested_atol;
  const model = new Restormer(optionsFrom(fx.meta.kwargs));
  assert.equal(model.numParameters(), (fx.meta.weights as { param_count: number }).param_count);
  const input = fx.io.get('input')!;
  for (const key of ['params_ema', 'params'] as const) {
    const sd = await fx.weights(key);
    assert.deepEqual(model.loadStateDict(sd), { missing: [], unexpected: [] });
    dispose(sd);
    noGrad(() =>
      tidy(() => {
        close(
          model.forward(input),
          fx.io.get(key === 'params_ema' ? 'output' : 'output_params')!,
          atol,
          `output (${key})`,
        );
        if (key !== 'params_ema') return;
        const f = model.forwardFeatures(input, null, { taps: true });
        for (const [name, want] of fx.io)
          if (name.startsWith('tap.')) close(f.named.get(name.slice(4))!, want, atol, name);
      }),
    );
  }
  model.dispose();
  dispose(fx.io);
});

test('mask_restormer fixture: masked features, taps, head, exact zeros at masked pixels', async () => {
  const fx = await loadArchFixture('mask_restormer');
  const atol = fx.meta.tolerance.suggested_atol;
  const model = new Restormer(optionsFrom(fx.meta.kwargs));
  const sd = await fx.weights('params_ema');
  model.loadStateDict(sd);
  dispose(sd);
  const input = fx.io.get('input')!;
  const mask = fx.io.get('mask')!;
  noGrad(() =>
    tidy(() => {
      const f = model.forwardFeatures(input, mask, { taps: true });
      close(f.last, fx.io.get('features')!, atol, 'features');
      for (const [name, want] of fx.io)
        if (name.startsWith('tap.')) close(f.named.get(name.slice(4))!, want, atol, name);
      // head_output is the output conv on the features without the residual.
      close(model.forwardHead(f, input).sub(input), fx.io.get('head_output')!, atol, 'head_output');
      // No conv bias inside Restormer's blocks: the masked positions of the features are exactly zero.
      const atMasked = f.last.mul(fx.io.get('mask_pixel')!.rsub(1)).abs().max().item();
      assert.equal(atMasked, 0);
      assert.deepEqual(
        f.pyramid.map((t) => t.shape),
        [
          [1, 16, 32, 32],
          [1, 16, 16, 16],
          [1, 32, 8, 8],
        ],
      );
    }),
  );
  model.dispose();
  dispose(fx.io);
});

test('paper configuration: 26,126,644 parameters under the official names', () => {
  // initWeights: false skips only the trunc-normal re-initialisation (erfinv over 26M weights takes seconds).
  const model = new Restormer({ ...RESTORMER_PAPER, initWeights: false });
  assert.equal(model.numParameters(), 26_126_644);
  const keys = [...model.stateDict().keys()];
  for (const k of [
    'patch_embed.proj.weight',
    'encoder_level1.blocks.3.attn.temperature',
    'encoder_level1.blocks.0.attn.qkv.weight',
    'encoder_level2.blocks.5.attn.qkv_dwconv.weight',
    'latent.blocks.7.ffn.project_out.weight',
    'down1_2.conv.weight',
    'up4_3.conv.weight',
    'reduce_chan_level3.weight',
    'decoder_level1.blocks.3.norm2.bias',
    'refinement.blocks.3.ffn.dwconv.weight',
    'output.weight',
  ]) {
    assert.ok(keys.includes(k), k);
  }
  // bias=false: the fork has no bias anywhere in this configuration.
  assert.ok(!keys.some((k) => k.endsWith('.bias') && !k.includes('norm')));
  // GDFN hidden width is int(384 · 2.66) = 1021, doubled for the gate.
  assert.deepEqual(model.stateDict().get('latent.blocks.0.ffn.project_in.weight')?.shape, [2042, 384, 1, 1]);
  model.dispose();
});

const TINY: RestormerOptions = { dim: 8, numBlocks: [1, 1, 1, 1], numRefinementBlocks: 1, heads: [1, 2, 4, 8] };

test('forward pads to a multiple of 8 with reflection and crops back', () => {
  manualSeed(3);
  const model = new Restormer(TINY);
  noGrad(() =>
    tidy(() => {
      const x = rand([2, 3, 30, 21]);
      const y = model.forward(x);
      assert.deepEqual(y.shape, [2, 3, 30, 21]);
      const padded = F.pad(x, [0, 3, 0, 2], 'reflect');
      const full = model.forward(padded);
      close(y, full.narrow(2, 0, 30).narrow(3, 0, 21), 1e-6, 'cropped output');
      assert.throws(() => model.forwardFeatures(x), /not a multiple of 8/);
      assert.throws(() => reflectPadTo(rand([1, 3, 3, 3]), 8), /reflect padding/);
    }),
  );
  model.dispose();
});

test('masked mode with an all-visible mask equals plain mode (same module, same parameters)', () => {
  manualSeed(4);
  const model = new Restormer(TINY);
  noGrad(() =>
    tidy(() => {
      const x = rand([2, 3, 32, 48]);
      const plain = model.forwardFeatures(x);
      const masked = model.forwardFeatures(x, ones([2, 1, 4, 6]));
      for (const [i, t] of plain.pyramid.entries()) close(masked.pyramid[i]!, t, 1e-6, `pyramid ${i}`);
      close(masked.last, plain.last, 1e-6, 'last');
      // A mask grid coarser than 8 px patches (P = 16) is expanded the same way.
      const coarse = model.forwardFeatures(x, ones([2, 1, 2, 3]));
      close(coarse.last, plain.last, 1e-6, 'P=16');
      assert.throws(() => model.forwardFeatures(x, ones([2, 1, 8, 12])), /does not fit/);
    }),
  );
  model.dispose();
});

test('no tensor outlives a forward: every block releases its intermediates eagerly', () => {
  manualSeed(5);
  const model = new Restormer(TINY);
  const x = rand([1, 3, 32, 32]);
  const f = rand([1, 16, 32, 32]);
  const mask = fromTypedArray(Float32Array.from([1, 0, 0, 1]), [1, 1, 2, 2]);
  const block = model.decoderLevel1.blocks.at(0);
  // Blocks run outside any tidy scope here, so a tensor they forget to release would stay allocated.
  const steps: [string, () => Tensor][] = [
    ['block', () => block.forward(f)],
    ['masked block', () => block.forward(f, mask)],
    ['downsample', () => model.down12.forward(f.narrow(1, 0, 8), mask)],
    ['upsample', () => model.up21.forward(f, mask)],
    ['forward', () => model.forward(x)],
  ];
  for (const [what, run] of steps) {
    noGrad(run).dispose();
    const before = allocatorStats().inUseBytes;
    noGrad(run).dispose();
    assert.equal(allocatorStats().inUseBytes, before, what);
  }
  const before = allocatorStats().inUseBytes;
  dispose(noGrad(() => model.forwardFeatures(x, mask, { taps: true })));
  assert.equal(allocatorStats().inUseBytes, before, 'forwardFeatures');
  dispose([x, f, mask]);
  model.dispose();
});

test('sweep: tiny Restormer forward + backward on 1x3x32x32, plain and masked, finite everywhere', () => {
  manualSeed(6);
  const model = new Restormer(TINY);
  for (const masked of [false, true]) {
    tidy(() => {
      const x = rand([1, 3, 32, 32]);
      const mask = masked
        ? fromTypedArray(Float32Array.from([1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1]), [1, 1, 4, 4])
        : null;
      const feats = model.forwardFeatures(x, mask);
      const y = model.forwardHead(feats, x);
      assert.deepEqual(y.shape, [1, 3, 32, 32]);
      assert.equal(y.isfinite().all().item(), 1);
      y.sub(randn([1, 3, 32, 32]))
        .square()
        .mean()
        .backward();
      for (const [name, p] of model.namedParameters()) {
        const g = p.grad;
        assert.ok(g, `${name}: no gradient (${masked ? 'masked' : 'plain'})`);
        assert.equal(g.isfinite().all().item(), 1, `${name}: non-finite gradient`);
      }
      model.zeroGrad();
    });
  }
  model.dispose();
});
