/**
 * bench/restore worker: restore one photo with the nafnet-small preset, tiled, one JSON line on stdout.
 *
 *   node --import tsx bench/restore/worker.ts time  <threads> <image> <repeat> <tile> <pad> <runs> <warmup>
 *   node --import tsx bench/restore/worker.ts check <threads> <image> <repeat> <tile> <pad> <dir>
 *
 * The photo (8-bit PNG → [0,1] float RGB) is optionally repeated `repeat`×`repeat` times into a larger mosaic.
 * Tiling: core tiles of `tile`×`tile` in raster order, each run with `pad` pixels of real context on every side
 * that has image there (clipped at the borders), reflect-padded to the model's multiple by NAFNet.forward, the
 * core cropped back into the output; then clamp to [0,1]. The timed span is the tiling loop on the decoded
 * image tensor (decoding and encoding files are not part of it; the PyTorch side uses other image libraries).
 * src/restore's `restore()` did not exist when this was written, so the loop lives here, on the engine directly.
 */
import { join } from 'node:path';
import { createModel } from '../../src/archs/registry.js';
import type { Backbone } from '../../src/archs/types.js';
import { readImage } from '../../src/io/image.js';
import { toPlanar } from '../../src/io/raster.js';
import { writeWeights } from '../../src/io/tensor-bridge.js';
import {
  cat,
  fromTypedArray,
  manualSeed,
  noGrad,
  randnLike,
  setNumThreads,
  type Tensor,
  tidy,
  zeros,
} from '../../src/tensor/index.js';

/** The tiled restore loop (no grad inside): returns a new (1,C,H,W) tensor clamped to [0,1]. */
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

async function loadImage(path: string, repeat: number): Promise<Tensor> {
  const { raster } = await readImage(path, { channels: 3 });
  const img = fromTypedArray(toPlanar(raster), [1, 3, raster.height, raster.width]);
  if (repeat === 1) return img;
  return tidy(() => {
    const row = cat(
      Array.from({ length: repeat }, () => img),
      3,
    );
    return cat(
      Array.from({ length: repeat }, () => row),
      2,
    );
  });
}

const [
  mode = 'time',
  threadsArg = '2',
  image = '',
  repeatArg = '1',
  tileArg = '256',
  padArg = '16',
  a7 = '3',
  a8 = '1',
] = process.argv.slice(2);
setNumThreads(Number(threadsArg));
manualSeed(0);
const model = createModel('nafnet-small').eval();
const [repeat, tile, pad] = [repeatArg, tileArg, padArg].map(Number) as [number, number, number];
const x = await loadImage(image, repeat);
const [, , H, W] = x.shape as [number, number, number, number];

if (mode === 'time') {
  const runs = Number(a7);
  const warmup = Number(a8);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const y = restoreTiled(model, x, tile, pad);
    y.dispose();
    const dt = performance.now() - t0;
    const cu = process.cpuUsage(c0);
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
  const dir = a7;
  noGrad(() => {
    for (const p of model.parameters()) tidy(() => p.add_(randnLike(p).mul(0.05)));
  });
  const y = restoreTiled(model, x, tile, pad);
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
