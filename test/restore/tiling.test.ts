/** Tiled inference: layout invariants, equality with untiled inference, OOM halving, abort, bounded memory. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { padToMultiple } from '../../src/archs/nafnet.js';
import { createModel } from '../../src/archs/registry.js';
import { createRaster } from '../../src/io/raster.js';
import { Conv2d } from '../../src/nn/layers.js';
import { Sequential } from '../../src/nn/module.js';
import { runTiled } from '../../src/restore/torch-backend.js';
import { axisLayout, checkTile } from '../../src/restore/tiling.js';
import { allocatorStats, F, manualSeed, resetPeakMemory, setNumThreads, type Tensor } from '../../src/tensor/index.js';
import { bandMask, compare, photoCrop, untiled } from './helpers.js';

// The CI box has 2 shared cores; one intra-op thread avoids OpenMP spinning against other jobs.
setNumThreads(1);

test('layout: equal windows at aligned origins, covering each output range; weights sum to one', () => {
  for (const [size, tile, pad, m] of [
    [150, 64, 32, 16],
    [230, 64, 16, 16],
    [97, 32, 8, 4],
    [64, 64, 16, 16],
    [1000, 256, 16, 16],
    [17, 0, 32, 16],
  ] as const) {
    const l = axisLayout(size, tile, pad, m);
    const padded = Math.ceil(size / m) * m;
    assert.equal(l.window % m, 0);
    assert.ok(l.window <= padded);
    const sum = new Float64Array(size);
    for (const t of l.tiles) {
      assert.equal(t.win0 % m, 0, `window origin ${t.win0} aligned to ${m}`);
      assert.ok(t.win0 >= 0 && t.win0 + l.window <= padded);
      assert.ok(t.out0 >= t.win0 && t.out1 <= t.win0 + l.window, 'the output range lies inside the window');
      for (let p = t.out0; p < t.out1; p++) sum[p] = (sum[p] as number) + (t.weights[p - t.out0] as number);
    }
    for (let p = 0; p < size; p++)
      assert.ok(Math.abs((sum[p] as number) - 1) < 1e-12, `weights at ${p} sum to ${sum[p]}`);
  }
});

test('a local CNN with random weights: tiled equals untiled everywhere (its receptive field fits the context)', async () => {
  manualSeed(1);
  const net = new Sequential([
    new Conv2d(3, 8, 3, { padding: 1 }),
    new Conv2d(8, 8, 3, { padding: 1 }),
    new Conv2d(8, 3, 3, { padding: 1 }),
  ]);
  // Pads to the multiple and crops back, as the backbones' forward does.
  const forward = (x: Tensor) => {
    const [, , h, w] = x.shape as [number, number, number, number];
    const padded = padToMultiple(x, 4);
    const y = net.forward(padded);
    const rows = y.narrow(2, 0, h);
    const crop = rows.narrow(3, 0, w);
    const out = F.relu(crop);
    for (const t of [y, rows, crop]) t.dispose();
    if (padded !== x) padded.dispose();
    return out;
  };
  const img = await photoCrop(75, 101);
  const ref = untiled(img, forward);
  const res = await runTiled(img, forward, { tile: 24, pad: 8, multiple: 4 });
  assert.equal(res.tiles, 4 * 5);
  const d = compare(res.raster, ref, bandMask(img.height, img.width, 24, 8, 4));
  assert.ok(d.bandPixels > 0);
  assert.ok(d.interior <= 1e-6 && d.border <= 1e-6, `interior ${d.interior}, border ${d.border}`);
  net.dispose();
});

test('nafnet-tiny on a Kodak photo: interior equals untiled, feather bands within 2e-3', async () => {
  manualSeed(0);
  const model = createModel('nafnet-tiny').eval();
  const img = await photoCrop(150, 230);
  const ref = untiled(img, (x) => model.forward(x));
  const whole = await runTiled(img, (x) => model.forward(x), { tile: 0, pad: 0, multiple: model.sizeMultiple });
  assert.deepEqual(
    compare(whole.raster, ref, new Uint8Array(150 * 230)),
    { interior: 0, border: 0, bandPixels: 0 },
    'tile 0 is the untiled forward',
  );
  for (const [tile, pad] of [
    [64, 32],
    [64, 16],
  ] as const) {
    const res = await runTiled(img, (x) => model.forward(x), { tile, pad, multiple: model.sizeMultiple });
    assert.equal(res.tiles, 3 * 4);
    const d = compare(res.raster, ref, bandMask(img.height, img.width, tile, pad, model.sizeMultiple));
    // Interior: one tile with the untiled pixels at the same phase; only libtorch's shape-dependent
    // summation order differs (a few float32 ulps). Bands mix two tiles that saw less context.
    assert.ok(d.interior <= 1e-6, `tile ${tile} pad ${pad}: interior differs by ${d.interior}`);
    assert.ok(d.border <= 2e-3, `tile ${tile} pad ${pad}: border differs by ${d.border}`);
  }
  model.dispose();
});

test('an allocation failure halves the tile and starts the image again', async () => {
  manualSeed(0);
  const model = createModel('nafnet-tiny').eval();
  const img = await photoCrop(90, 120);
  let failures = 0;
  const fragile = (x: Tensor) => {
    if ((x.shape[2] as number) > 64) {
      failures++;
      throw new Error('CPU allocator: out of memory allocating 123456789 bytes');
    }
    return model.forward(x);
  };
  const retries: number[] = [];
  const res = await runTiled(img, fragile, { tile: 96, pad: 16, multiple: 16, onRetry: (t) => retries.push(t) });
  assert.deepEqual(retries, [48, 16]); // 96 → 48 → 24, rounded down to the multiple
  assert.equal(res.tile, 16);
  assert.equal(failures, 2);
  const direct = await runTiled(img, (x) => model.forward(x), { tile: 16, pad: 16, multiple: 16 });
  assert.deepEqual(res.raster.data, direct.raster.data);
  await assert.rejects(
    runTiled(
      img,
      () => {
        throw new Error('CPU allocator: out of memory allocating 1 bytes');
      },
      { tile: 32, pad: 0, multiple: 16 },
    ),
    /out of memory even with a 16px tile/,
  );
  await assert.rejects(
    runTiled(
      img,
      () => {
        throw new Error('shape mismatch');
      },
      { tile: 32, pad: 0, multiple: 16 },
    ),
    /shape mismatch/,
    'other errors are not retried',
  );
  model.dispose();
});

test('abort between tiles; tiles below the size multiple are refused', async () => {
  const model = createModel('nafnet-tiny').eval();
  const img = createRaster(64, 64, 3);
  const ac = new AbortController();
  let seen = 0;
  await assert.rejects(
    runTiled(img, (x) => model.forward(x), {
      tile: 16,
      pad: 0,
      multiple: 16,
      signal: ac.signal,
      onTile: () => {
        seen++;
        ac.abort();
      },
    }),
    { name: 'AbortError' },
  );
  assert.equal(seen, 1);
  assert.throws(() => checkTile(8, 16), /tile 8 is smaller than the model's size multiple 16; use -t 16 or more/);
  assert.equal(checkTile(100, 16), 96);
  model.dispose();
});

test('engine memory is bounded by the tile: peak bytes do not grow with the image', async () => {
  manualSeed(0);
  const model = createModel('nafnet-tiny').eval();
  const peak = async (h: number, w: number) => {
    const img = createRaster(w, h, 3);
    img.data.fill(0.5);
    await runTiled(img, (x) => model.forward(x), { tile: 32, pad: 16, multiple: 16 }); // warm-up: same shapes
    resetPeakMemory();
    const before = allocatorStats().inUseBytes;
    await runTiled(img, (x) => model.forward(x), { tile: 32, pad: 16, multiple: 16 });
    return allocatorStats().peakBytes - before;
  };
  const small = await peak(96, 96);
  const large = await peak(200, 328); // 7x the pixels
  assert.ok(small > 0);
  assert.ok(large <= small * 1.05, `peak ${large} B for 200x328 vs ${small} B for 96x96`);
  model.dispose();
});
