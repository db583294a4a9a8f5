/** Patch masks (official semantics, seeded) and masked LayerNorm equivalence with the gather formulation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskToPixels, randomMaskFor, randomPatchMask, roundHalfEven, visibleCount } from '../../src/maskdcpt/mask.js';
import { MaskLayerNorm2d } from '../../src/nn/masked.js';
import { F, grad, manualSeed, Rng, randn, type Tensor, tensor, tidy, zeros } from '../../src/tensor/index.js';
import { assertClose } from '../helpers/engine.js';
import { loadArchFixture } from '../helpers/fixtures.js';

const counts = (m: Tensor): number[] => {
  const [b, , h, w] = m.shape as [number, number, number, number];
  const d = m.toFloat32Array();
  return Array.from({ length: b }, (_, i) => d.subarray(i * h * w, (i + 1) * h * w).reduce((s, v) => s + v, 0));
};

test('len_keep is Python round(h·w·(1−ratio)), ties to even', () => {
  assert.deepEqual([0.5, 1.5, 2.5, 3.5, 4.4, 4.6].map(roundHalfEven), [0, 2, 2, 4, 4, 5]);
  assert.equal(visibleCount(16, 0.5), 8);
  assert.equal(visibleCount(9, 0.5), 4); // round(4.5) = 4 in Python, not 5
  assert.equal(visibleCount(5, 0.5), 2);
  assert.equal(visibleCount(1, 0.5), 0);
  assert.equal(visibleCount(64, 0.75), 16);
});

test('every image has exactly len_keep visible patches, values are 0/1, shape (B,1,h,w)', () => {
  tidy(() => {
    const rng = new Rng(7);
    for (const [b, h, w, r] of [
      [4, 4, 4, 0.5],
      [3, 3, 3, 0.5],
      [2, 8, 5, 0.3],
      [2, 16, 16, 0.75],
      [1, 1, 7, 0.5],
    ] as const) {
      const m = randomPatchMask(b, h, w, r, rng);
      assert.deepEqual(m.shape, [b, 1, h, w]);
      assert.equal(m.dtype, 'float32');
      assert.ok(m.toFloat32Array().every((v) => v === 0 || v === 1));
      assert.deepEqual(counts(m), new Array(b).fill(visibleCount(h * w, r)), `${b}x${h}x${w} ratio ${r}`);
    }
  });
});

test('same seed gives the same mask; other seeds and later draws differ', () => {
  tidy(() => {
    const a = randomPatchMask(2, 8, 8, 0.5, new Rng(42)).toFloat32Array();
    const b = randomPatchMask(2, 8, 8, 0.5, new Rng(42)).toFloat32Array();
    assert.deepEqual(a, b);
    assert.notDeepEqual(randomPatchMask(2, 8, 8, 0.5, new Rng(43)).toFloat32Array(), a);
    const rng = new Rng(42);
    randomPatchMask(2, 8, 8, 0.5, rng);
    assert.notDeepEqual(randomPatchMask(2, 8, 8, 0.5, rng).toFloat32Array(), a);
    // Images within one batch are independent draws.
    assert.notDeepEqual(a.subarray(0, 64), a.subarray(64));
  });
});

test('ratio 0 keeps everything, ratio 1 masks everything, bad arguments throw', () => {
  tidy(() => {
    assert.ok(
      randomPatchMask(2, 3, 5, 0, new Rng(1))
        .toFloat32Array()
        .every((v) => v === 1),
    );
    assert.ok(
      randomPatchMask(2, 3, 5, 1, new Rng(1))
        .toFloat32Array()
        .every((v) => v === 0),
    );
    assert.throws(() => randomPatchMask(1, 4, 4, 1.5, new Rng(1)), /ratio/);
    assert.throws(() => randomPatchMask(1, 4, 4, Number.NaN, new Rng(1)), /ratio/);
    assert.throws(() => randomPatchMask(0, 4, 4, 0.5, new Rng(1)), /batch/);
    assert.throws(() => randomMaskFor(zeros([1, 3, 30, 32]), 16, 0.5, new Rng(1)), /multiple of the mask patch 16/);
  });
});

test('each patch is visible with probability len_keep/(h·w) (uniform subset)', () => {
  tidy(() => {
    const rng = new Rng(3);
    const draws = 4000;
    const m = randomPatchMask(draws, 3, 3, 0.5, rng).toFloat32Array();
    const freq = new Array(9).fill(0);
    for (let i = 0; i < m.length; i++) freq[i % 9] += m[i] as number;
    const p = 4 / 9;
    const sd = Math.sqrt((p * (1 - p)) / draws);
    for (const f of freq) assert.ok(Math.abs(f / draws - p) < 5 * sd, `frequency ${f / draws} vs ${p}`);
  });
});

test('maskToPixels reproduces the fixture mask_pixel; randomMaskFor uses the image grid', async () => {
  const fx = await loadArchFixture('mask_nafnet');
  tidy(() => {
    const px = maskToPixels(fx.io.get('mask')!, 8);
    assert.deepEqual(px.toFloat32Array(), fx.io.get('mask_pixel')!.toFloat32Array());
    assert.deepEqual(randomMaskFor(zeros([2, 3, 64, 32]), 16, 0.5, new Rng(0)).shape, [2, 1, 4, 2]);
  });
  for (const t of fx.io.values()) t.dispose();
});

test('masked LayerNorm equals a plain LayerNorm on the gathered visible vectors (values and gradients)', () => {
  tidy(() => {
    manualSeed(11);
    const [B, C, H, W, P] = [2, 6, 8, 12, 4];
    const ln = new MaskLayerNorm2d(C);
    // Non-trivial affine parameters so a wrong weight/bias path cannot hide.
    ln.weight!.requiresGrad_(false)
      .copy_(randn([C]).mul(0.3).add(1))
      .requiresGrad_(true);
    ln.bias!.requiresGrad_(false)
      .copy_(randn([C]).mul(0.2))
      .requiresGrad_(true);
    const x = randn([B, C, H, W], { requiresGrad: true });
    const mask = randomPatchMask(B, H / P, W / P, 0.5, new Rng(5));
    const px = maskToPixels(mask, P).toFloat32Array();
    const visible = [...px.keys()].filter((i) => px[i] === 1);
    const hidden = [...px.keys()].filter((i) => px[i] === 0);
    const rows = (t: Tensor, idx: number[]) =>
      t
        .permute(0, 2, 3, 1)
        .reshape(B * H * W, C)
        .indexSelect(0, tensor(idx, { dtype: 'int64' }));

    const out = ln.forward(x, mask);
    // Reference: explicitly gather visible pixel vectors (the official `bhwc[ii]`) and normalise them alone.
    const ref = F.layerNorm(rows(x, visible), [C], ln.weight, ln.bias, 1e-5);
    assertClose(rows(out, visible).toFloat32Array(), ref.toFloat32Array(), { atol: 1e-6, rtol: 0, what: 'visible' });
    assert.ok(
      rows(out, hidden)
        .toFloat32Array()
        .every((v) => v === 0),
      'masked positions are exactly zero',
    );

    const r = randn([B, C, H, W]);
    const g = grad(out.mul(r).sum(), [x, ln.weight!, ln.bias!]);
    const gRef = grad(ref.mul(rows(r, visible)).sum(), [x, ln.weight!, ln.bias!]);
    ['x', 'weight', 'bias'].forEach((name, i) => {
      assertClose(g[i]!.toFloat32Array(), gRef[i]!.toFloat32Array(), { atol: 1e-5, rtol: 0, what: `grad ${name}` });
    });
    assert.ok(
      rows(g[0]!, hidden)
        .toFloat32Array()
        .every((v) => v === 0),
      'no gradient flows into masked inputs',
    );
    ln.dispose();
  });
});
