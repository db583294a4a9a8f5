/**
 * SwinIR (MaskDCPT fork) and its masked mode against the official-code fixtures `swinir` and `mask_swinir`,
 * plus window mechanics, padding, the paper configuration's size, memory release and a timm-style
 * forward/backward sweep.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { windowPartition, windowReverse } from '../../src/archs/swin-blocks.js';
import { SwinIR, type SwinIROptions } from '../../src/archs/swinir.js';
import { expandMask } from '../../src/nn/masked.js';
import {
  allocatorStats,
  arange,
  F,
  manualSeed,
  noGrad,
  rand,
  randn,
  type Tensor,
  tensor,
  tidy,
} from '../../src/tensor/index.js';
import { assertClose } from '../helpers/engine.js';
import { type ArchFixture, loadArchFixture } from '../helpers/fixtures.js';

interface PyKwargs {
  img_size: number;
  patch_size: number;
  in_chans: number;
  embed_dim: number;
  depths: number[];
  num_heads: number[];
  window_size: number;
  mlp_ratio: number;
  img_range: number;
  resi_connection: '1conv' | '3conv';
  qkv_bias: boolean;
  qk_scale: number | null;
  upscale: number;
  upsampler: string;
  ape: boolean;
  patch_norm: boolean;
}

/** The fixture's Python kwargs as SwinIROptions. */
function optionsOf(meta: ArchFixture['meta']): SwinIROptions {
  const k = meta.kwargs as unknown as PyKwargs;
  assert.equal(k.upscale, 1);
  assert.equal(k.upsampler, '');
  assert.equal(k.ape, false);
  assert.equal(k.patch_norm, true);
  return {
    imgSize: k.img_size,
    patchSize: k.patch_size,
    inChans: k.in_chans,
    embedDim: k.embed_dim,
    depths: k.depths,
    numHeads: k.num_heads,
    windowSize: k.window_size,
    mlpRatio: k.mlp_ratio,
    imgRange: k.img_range,
    resiConnection: k.resi_connection,
    qkvBias: k.qkv_bias,
    qkScale: k.qk_scale,
  };
}

function io(fx: ArchFixture, key: string): Tensor {
  const t = fx.io.get(key);
  assert.ok(t, `fixture tensor ${key}`);
  return t;
}

function close(actual: Tensor, expected: Tensor, atol: number, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assertClose(actual.toFloat32Array(), expected.toFloat32Array(), { atol, rtol: 0, what });
}

/** Records every tap as a host copy while `fn` runs. */
function withTaps<T>(model: SwinIR, fn: () => T): [T, Map<string, Tensor>] {
  const taps = new Map<string, Tensor>();
  model.onTap = (name, t) => taps.set(name, t.clone());
  try {
    return [fn(), taps];
  } finally {
    model.onTap = null;
  }
}

async function loaded(fx: ArchFixture, key: 'params' | 'params_ema'): Promise<SwinIR> {
  const model = new SwinIR(optionsOf(fx.meta)).eval();
  const sd = await fx.weights(key);
  model.loadStateDict(sd); // strict: the official keys, no renaming
  for (const t of sd.values()) t.dispose();
  return model;
}

test('swinir fixture: params_ema output, taps and params output', async () => {
  const fx = await loadArchFixture('swinir');
  const atol = fx.meta.tolerance.suggested_atol;
  const input = io(fx, 'input');
  const model = await loaded(fx, 'params_ema');
  assert.equal(model.numParameters(), (fx.meta.weights as { param_count: number }).param_count);
  const [out, taps] = withTaps(model, () => noGrad(() => model.forward(input)));
  close(out, io(fx, 'output'), atol, 'output');
  for (const name of ['conv_first', 'patch_embed', 'encode_layers.0', 'decode_layers2', 'conv_after_body']) {
    const got = taps.get(name);
    assert.ok(got, `tap ${name}`);
    close(got, io(fx, `tap.${name}`), atol, `tap.${name}`);
  }
  const model2 = await loaded(fx, 'params');
  const out2 = noGrad(() => model2.forward(input));
  close(out2, io(fx, 'output_params'), atol, 'output_params');
  for (const t of [out, out2, ...taps.values()]) t.dispose();
  model.dispose();
  model2.dispose();
});

test('mask_swinir fixture: masked features + head equal MaskSwinIR, on the same module as plain mode', async () => {
  const fx = await loadArchFixture('mask_swinir');
  const plain = await loadArchFixture('swinir');
  const atol = fx.meta.tolerance.suggested_atol;
  const input = io(fx, 'input');
  const mask = io(fx, 'mask');
  const model = await loaded(fx, 'params_ema');
  assert.equal(model.maskPatchSize, 8);
  const px = expandMask(mask, 32, 32);
  close(px, io(fx, 'mask_pixel'), 0, 'mask_pixel');

  const [out, taps] = withTaps(model, () =>
    noGrad(() => {
      const f = model.forwardFeatures(input, mask);
      assert.equal(f.masked, true);
      assert.deepEqual([...f.named.keys()], ['decode_layers0', 'decode_layers1', 'decode_layers2']);
      assert.equal(f.pyramid.length, 3);
      assert.equal(f.pyramid[0], f.named.get('decode_layers2'));
      for (const [name, t] of f.named) {
        assert.deepEqual(t.shape, [1, 16, 32, 32]);
        // Every stage output is exactly zero at masked positions in MaskSwinIR.
        const hidden = t.mul(px.rsub(1)).abs().max().item();
        assert.equal(hidden, 0, `${name} is non-zero at masked positions`);
      }
      const head = model.forwardHead(f, input);
      for (const t of [f.last, ...f.named.values()]) t.dispose();
      return head;
    }),
  );
  close(out, io(fx, 'output'), atol, 'masked output');
  for (const name of ['conv_first', 'patch_embed', 'encode_layers.0', 'decode_layers2', 'conv_after_body']) {
    const got = taps.get(name);
    assert.ok(got, `tap ${name}`);
    close(got, io(fx, `tap.${name}`), atol, `masked tap.${name}`);
  }
  // The same instance, without a mask, is the plain SwinIR again.
  const plainOut = noGrad(() => model.forward(io(plain, 'input')));
  close(plainOut, io(plain, 'output'), plain.meta.tolerance.suggested_atol, 'plain output after masked run');

  const model2 = await loaded(fx, 'params');
  const out2 = noGrad(() => {
    const f = model2.forwardFeatures(input, mask);
    const head = model2.forwardHead(f, input);
    for (const t of [f.last, ...f.named.values()]) t.dispose();
    return head;
  });
  close(out2, io(fx, 'output_params'), atol, 'masked output_params');
  for (const t of [out, out2, plainOut, px, ...taps.values()]) t.dispose();
  model.dispose();
  model2.dispose();
});

test('window partition is row-major over windows and windowReverse inverts it', () => {
  tidy(() => {
    // (1, 4, 4, 1) grid holding its own token index y*4 + x; windows of 2.
    const grid = arange(16, undefined, 1, { dtype: 'float32' }).view(1, 4, 4, 1);
    const win = windowPartition(grid, 2);
    assert.deepEqual(win.shape, [4, 4, 1]);
    assert.deepEqual(Array.from(win.toFloat32Array()), [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);
    const back = windowReverse(win, 2, 4, 4);
    assert.deepEqual(Array.from(back.toFloat32Array()), Array.from(grid.toFloat32Array()));
  });
});

test('img_size rule: shift on odd blocks; a grid no larger than the window shrinks it and turns the shift off', () => {
  const tiny = { embedDim: 8, depths: [2, 2, 2, 2, 2, 2], numHeads: [2, 2, 2, 2, 2, 2], windowSize: 8 };
  const cases: [number, number, number, number][] = [
    // imgSize, effective window, shift of block 1, sizeMultiple
    [64, 8, 4, 8],
    [9, 8, 4, 8],
    [8, 8, 0, 8],
    [6, 6, 0, 24],
  ];
  for (const [imgSize, ws, shift, multiple] of cases) {
    const m = new SwinIR({ ...tiny, imgSize });
    const blocks = m.decodeLayers[2]?.residualGroup.blocks;
    assert.ok(blocks);
    assert.equal(blocks.at(0).windowSize, ws, `imgSize ${imgSize}`);
    assert.equal(blocks.at(0).shiftSize, 0);
    assert.equal(blocks.at(1).shiftSize, shift, `imgSize ${imgSize}`);
    assert.equal(m.sizeMultiple, multiple);
    m.dispose();
  }
});

test('paper configuration: 11,455,563 parameters under the official names', () => {
  const c = 180;
  const block = 2 * 2 * c + (c * 3 * c + 3 * c) + (c * c + c) + (c * 2 * c + 2 * c) + (2 * c * c + c);
  const conv33 = c * c * 9 + c;
  const expected = 3 * c * 9 + c + 2 * c + 6 * (6 * block + conv33) + 2 * c + conv33 + c * 3 * 9 + 3;
  assert.equal(expected, 11_455_563);
  const m = new SwinIR({ imgSize: 128 });
  assert.equal(m.numParameters(), expected);
  const keys = [...m.stateDict().keys()];
  assert.equal(keys.length, 2 + 2 + 6 * (6 * 12 + 2) + 2 + 2 + 2);
  for (const k of [
    'conv_first.weight',
    'patch_embed.norm.weight',
    'encode_layers.0.residual_group.blocks.0.attn.qkv.weight',
    'encode_layers.2.conv.bias',
    'decode_layers0.residual_group.blocks.5.mlp.fc2.bias',
    'decode_layers2.residual_group.blocks.1.norm2.bias',
    'norm.bias',
    'conv_after_body.weight',
    'conv_last.weight',
  ]) {
    assert.ok(keys.includes(k), k);
  }
  assert.ok(!keys.some((k) => k.includes('relative_position') || k.includes('attn_mask')));
  m.dispose();
});

test('forward reflect-pads bottom/right to the window multiple and crops back', () => {
  manualSeed(3);
  const m = new SwinIR({
    imgSize: 32,
    embedDim: 8,
    depths: [1, 1, 1, 1, 1, 1],
    numHeads: [2, 2, 2, 2, 2, 2],
    windowSize: 4,
  }).eval();
  noGrad(() =>
    tidy(() => {
      const x = rand([1, 3, 13, 10]);
      const y = m.forward(x);
      assert.deepEqual(y.shape, [1, 3, 13, 10]);
      const padded = F.pad(x, [0, 2, 0, 3], 'reflect');
      const full = m.forward(padded);
      assertClose(y.toFloat32Array(), full.narrow(2, 0, 13).narrow(3, 0, 10).contiguous().toFloat32Array(), {
        atol: 0,
        rtol: 0,
        what: 'cropped padded forward',
      });
      assert.throws(() => m.forwardFeatures(x), /not a multiple of 4/);
    }),
  );
  m.dispose();
});

test('forward releases every intermediate', () => {
  manualSeed(4);
  const m = new SwinIR({
    imgSize: 32,
    embedDim: 8,
    depths: [2, 2, 2, 2, 2, 2],
    numHeads: [2, 2, 2, 2, 2, 2],
    windowSize: 8,
  }).eval();
  const x = rand([1, 3, 16, 16]);
  const mask = tensor([
    [
      [
        [1, 0],
        [0, 1],
      ],
    ],
  ]);
  const run = () =>
    noGrad(() => {
      m.forward(x).dispose();
      const f = m.forwardFeatures(x, mask);
      m.forwardHead(f, x).dispose();
      for (const t of [f.last, ...f.named.values()]) t.dispose();
    });
  run();
  const before = allocatorStats().inUseBytes;
  run();
  assert.equal(allocatorStats().inUseBytes, before);
  x.dispose();
  mask.dispose();
  m.dispose();
});

test('sweep: tiny SwinIR forward + backward on 1x3x32x32 without NaN, plain and masked', () => {
  manualSeed(7);
  const m = new SwinIR({
    imgSize: 32,
    embedDim: 16,
    depths: [2, 2, 2, 2, 2, 2],
    numHeads: [2, 2, 2, 2, 2, 2],
    windowSize: 8,
  });
  const finite = (t: Tensor) => t.isfinite().all().item() === 1;
  for (const masked of [false, true]) {
    tidy(() => {
      m.zeroGrad();
      const x = rand([1, 3, 32, 32]);
      const target = randn([1, 3, 32, 32]);
      const mask = masked
        ? tensor([
            [
              [
                [1, 0, 1, 0],
                [0, 1, 0, 1],
                [1, 1, 0, 0],
                [0, 0, 1, 1],
              ],
            ],
          ])
        : null;
      const f = m.forwardFeatures(x, mask);
      assert.equal(f.masked, masked);
      const y = m.forwardHead(f, x);
      assert.deepEqual(y.shape, [1, 3, 32, 32]);
      assert.ok(finite(y), `output finite (masked ${masked})`);
      F.l1Loss(y, target).backward();
      for (const [name, p] of m.namedParameters()) {
        const g = p.grad;
        assert.ok(g, `${name} has a gradient (masked ${masked})`);
        assert.ok(finite(g), `${name} gradient finite (masked ${masked})`);
      }
      assert.ok((m.convFirst.weight.grad?.abs().sum().item() ?? 0) > 0);
    });
  }
  m.zeroGrad();
  m.dispose();
});
