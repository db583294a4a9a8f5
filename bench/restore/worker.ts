/**
 * bench/restore worker: restore one photo with the nafnet-small preset, tiled, one JSON line on stdout.
 *
 *   node --import tsx bench/restore/worker.ts time  <library|engine> <threads> <image> <repeat> <tile> <pad> <runs> <warmup>
 *   node --import tsx bench/restore/worker.ts check <library|engine> <threads> <image> <repeat> <tile> <pad> <dir>
 *
 * The photo (8-bit PNG → [0,1] float RGB) is optionally repeated `repeat`×`repeat` times into a larger mosaic.
 * Two implementations of "tile 256, pad 16":
 * - library: src/restore's `restoreDecoded` (what `restore()` and the CLI run): every window is
 *   (tile + 2·pad)² with edge windows shifted inwards, overlaps blended with a linear feather of pad/2 per side,
 *   host raster in and out, clamped to [0, 1].
 * - engine: a plain loop on the engine: core tiles with up to `pad` context per side (clipped at the borders),
 *   the core copied into an output tensor, clamped (written before src/restore existed; kept as the baseline).
 * The timed span starts from the decoded image (file decoding/encoding excluded: the PyTorch side uses PIL).
 */
import { join } from 'node:path';
import { createModel } from '../../src/archs/registry.js';
import type { Backbone } from '../../src/archs/types.js';
import { type ImageRead, readImage } from '../../src/io/image.js';
import { createRaster, type Raster, toPlanar } from '../../src/io/raster.js';
import { writeWeights } from '../../src/io/tensor-bridge.js';
import { restoreDecoded } from '../../src/restore/restore.js';
import {
  fromTypedArray,
  manualSeed,
  noGrad,
  randnLike,
  setNumThreads,
  type Tensor,
  tidy,
  zeros,
} from '../../src/tensor/index.js';

/** The plain engine loop: returns a new (1,C,H,W) tensor clamped to [0,1]. */
export function restoreTiled(model: Backbone, x: Tensor, tile: number, pad: number): Tensor {
  const [, c, H, W] = x.shape as [number, number, number, number];
  const out = zeros([1, c, H, W]);
  noGrad(() => {
    for (let y0 = 0; y0 < H; y0 += tile) {
      for (let x0 = 0; x0 < W; x0 += tile) {
        tidy(() => {
          const y1 = Math.min(y0 + tile, H);
          const x1 = Math.min(x0 + tile, W);
          const ya = Math.max(0, y0 - pad);
          const yb = Math.min(H, y1 + pad);
          const xa = Math.max(0, x0 - pad);
          const xb = Math.min(W, x1 + pad);
          const inp = x
            .narrow(2, ya, yb - ya)
            .narrow(3, xa, xb - xa)
            .contiguous();
          const y = model.forward(inp);
          const core = y.narrow(2, y0 - ya, y1 - y0).narrow(3, x0 - xa, x1 - x0);
          out
            .narrow(2, y0, y1 - y0)
            .narrow(3, x0, x1 - x0)
            .copy_(core);
        });
      }
    }
    out.clamp_(0, 1);
  });
  return out;
}

/** The photo repeated k×k times (HWC). */
function repeatRaster(r: Raster, k: number): Raster {
  if (k === 1) return r;
  const { width: w, height: h, channels: c } = r;
  const out = createRaster(w * k, h * k, c);
  const row = w * c;
  for (let y = 0; y < h * k; y++) {
    const src = r.data.subarray((y % h) * row, ((y % h) + 1) * row);
    for (let i = 0; i < k; i++) out.data.set(src, (y * w * k + i * w) * c);
  }
  return out;
}

const [
  mode = 'time',
  impl = 'library',
  threadsArg = '2',
  image = '',
  repeatArg = '1',
  tileArg = '256',
  padArg = '16',
  a8 = '3',
  a9 = '1',
] = process.argv.slice(2);
if (impl !== 'library' && impl !== 'engine') throw new Error(`unknown implementation ${impl}`);
setNumThreads(Number(threadsArg));
manualSeed(0);
const model = createModel('nafnet-small').eval();
const [repeat, tile, pad] = [repeatArg, tileArg, padArg].map(Number) as [number, number, number];
const read = await readImage(image, { channels: 3 });
const img: ImageRead = { ...read, raster: repeatRaster(read.raster, repeat) };
const { width: W, height: H } = img.raster;
const x = fromTypedArray(toPlanar(img.raster), [1, 3, H, W]);

/** One restore; returns the restored image as a (1,3,H,W) tensor (library output converted, outside timing). */
async function once(): Promise<() => Tensor> {
  if (impl === 'engine') {
    const y = restoreTiled(model, x, tile, pad);
    return () => y;
  }
  const r = await restoreDecoded(img, model, { tile, tilePad: pad });
  return () => fromTypedArray(toPlanar(r.raster), [1, 3, H, W]);
}

if (mode === 'time') {
  const runs = Number(a8);
  const warmup = Number(a9);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await once();
    const dt = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    result().dispose();
    if (i >= warmup) {
      times.push(dt);
      cpu.push((cu.user + cu.system) / 1000);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const m = med(times);
  console.log(
    JSON.stringify({
      median_ms: m,
      times,
      cpu_ms: med(cpu),
      mp_per_s: (H * W) / 1e6 / (m / 1000),
      height: H,
      width: W,
      rss_mb: process.resourceUsage().maxRSS / 1024,
    }),
  );
} else if (mode === 'check') {
  const dir = a8;
  noGrad(() => {
    for (const p of model.parameters()) tidy(() => p.add_(randnLike(p).mul(0.05)));
  });
  const y = (await once())();
  await writeWeights(join(dir, 'weights.safetensors'), model.stateDict());
  await writeWeights(
    join(dir, 'io.safetensors'),
    new Map([
      ['input', x],
      ['output', y],
    ]),
  );
  console.log(JSON.stringify({ ok: true, height: H, width: W }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
