/**
 * PromptIR against the official-code fixtures (plain and MaskPromptIR, whose checkpoint shares one storage
 * between its large tensors), parameter names and counts, and a forward/backward sweep. PromptIR cannot be
 * made tiny (dim must be 48), so the sweep uses the fixture's 11.8M-parameter configuration at 16×16.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROMPTIR_PAPER, PromptIR, type PromptIROptions } from '../../src/archs/promptir.js';
import { expandMask } from '../../src/nn/index.js';
import {
  allocatorStats,
  dispose,
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

function optionsFrom(kwargs: Record<string, unknown>): PromptIROptions {
  const k = kwargs as unknown as OfficialKwargs;
  assert.equal(kwargs.decoder, true);
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

// One model for every test: building 11.8M parameters is the expensive part.
const fixture = await loadArchFixture('promptir');
const FIXTURE_OPTIONS = optionsFrom(fixture.meta.kwargs);
const model = new PromptIR(FIXTURE_OPTIONS);

test('promptir fixture: params_ema output, taps, and params output (shared-storage checkpoint, strict load)', async () => {
  const atol = fixture.meta.tolerance.suggested_atol;
  assert.equal(model.numParameters(), 11_819_285);
  const input = fixture.io.get('input')!;
  for (const key of ['params', 'params_ema'] as const) {
    const sd = await fixture.weights(key);
    assert.deepEqual(model.loadStateDict(sd), { missing: [], unexpected: [] });
    dispose(sd);
    noGrad(() =>
      tidy(() => {
        close(
          model.forward(input),
          fixture.io.get(key === 'params_ema' ? 'output' : 'output_params')!,
          atol,
          `output (${key})`,
        );
        if (key !== 'params_ema') return;
        const f = model.forwardFeatures(input, null, { taps: true });
        for (const [name, want] of fixture.io)
          if (name.startsWith('tap.')) close(f.named.get(name.slice(4))!, want, atol, name);
      }),
    );
  }
});

test('mask_promptir fixture: masked features, taps, head, and the official knn output', async () => {
  const fx = await loadArchFixture('mask_promptir');
  assert.deepEqual(optionsFrom(fx.meta.kwargs), FIXTURE_OPTIONS);
  const atol = fx.meta.tolerance.suggested_atol;
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
      close(model.forwardHead(f, input).sub(input), fx.io.get('head_output')!, atol, 'head_output');
      // The official '# for knn' return: visible positions of every channel, (b, c, y, x) order.
      const visible = expandMask(mask, 32, 32).bool();
      close(f.last.maskedSelect(visible), fx.io.get('output')!, atol, 'knn output');
      // PromptIR's biased project_out leaves masked positions non-zero: nothing may zero them "for free".
      assert.ok(f.last.mul(visible.logicalNot()).abs().max().item() > 1e-3);
    }),
  );
  dispose(fx.io);
});

test('paper configuration: 35,539,290 parameters under the official names; dim must be 48', () => {
  const paper = new PromptIR(PROMPTIR_PAPER);
  assert.equal(paper.numParameters(), 35_539_290);
  const sd = paper.stateDict();
  const shapes: [string, number[]][] = [
    ['prompt1.prompt_param', [1, 5, 64, 64, 64]],
    ['prompt2.linear_layer.weight', [5, 192]],
    ['prompt3.conv3x3.weight', [320, 320, 3, 3]],
    ['noise_level3.attn.qkv.weight', [2112, 704, 1, 1]],
    ['noise_level3.attn.temperature', [4, 1, 1]],
    ['noise_level2.norm1.bias', [320]],
    ['reduce_noise_level1.bias', [96]],
    ['up4_3.conv.weight', [384, 192, 3, 3]],
    ['reduce_chan_level3.weight', [192, 288, 1, 1]],
    ['latent.blocks.7.ffn.dwconv.bias', [2042]],
    ['refinement.blocks.3.attn.project_out.bias', [96]],
    ['output.bias', [3]],
  ];
  for (const [k, shape] of shapes) assert.deepEqual(sd.get(k)?.shape, shape, k);
  assert.ok(!sd.has('patch_embed.proj.bias') && !sd.has('down1_2.conv.bias') && !sd.has('prompt1.conv3x3.bias'));
  paper.dispose();
  assert.throws(() => new PromptIR({ dim: 32 }), /dim must be 48/);
});

test('forward pads odd sizes and crops back', () => {
  noGrad(() =>
    tidy(() => {
      const y = model.forward(rand([1, 3, 13, 10]));
      assert.deepEqual(y.shape, [1, 3, 13, 10]);
      assert.equal(y.isfinite().all().item(), 1);
    }),
  );
});

test('sweep: PromptIR forward + backward on 1x3x16x16, plain and masked, finite gradients everywhere', () => {
  manualSeed(7);
  for (const masked of [false, true]) {
    tidy(() => {
      const x = rand([1, 3, 16, 16]);
      const mask = masked ? fromTypedArray(Float32Array.from([1, 0, 0, 1]), [1, 1, 2, 2]) : null;
      const feats = model.forwardFeatures(x, mask);
      assert.deepEqual(
        feats.pyramid.map((t) => t.shape),
        [
          [1, 96, 16, 16],
          [1, 96, 8, 8],
          [1, 192, 4, 4],
        ],
      );
      const y = model.forwardHead(feats, x);
      assert.equal(y.isfinite().all().item(), 1);
      y.sub(randn([1, 3, 16, 16]))
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
});

test('the prompt block releases its intermediates eagerly (plain and masked)', () => {
  const x = rand([1, 384, 4, 4]);
  const mask = fromTypedArray(Float32Array.from([1, 0, 0, 1]), [1, 1, 2, 2]);
  for (const m of [null, mask]) {
    noGrad(() => model.prompt3.forward(x, m)).dispose();
    const before = allocatorStats().inUseBytes;
    noGrad(() => model.prompt3.forward(x, m)).dispose();
    assert.equal(allocatorStats().inUseBytes, before, m ? 'masked' : 'plain');
  }
  dispose([x, mask]);
});

test('an all-visible mask gives the plain features', () => {
  noGrad(() =>
    tidy(() => {
      const x = rand([1, 3, 16, 24]);
      close(model.forwardFeatures(x, ones([1, 1, 2, 3])).last, model.forwardFeatures(x).last, 1e-6, 'last');
    }),
  );
});

test.after(() => {
  model.dispose();
  dispose(fixture.io);
});
