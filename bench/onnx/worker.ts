/**
 * bench/onnx worker: restore one image with src/restore's tiled path on one backend, one JSON line on stdout.
 *
 *   node --import tsx bench/onnx/worker.ts time  <onnx|libtorch> <model> <threads> <image> <tile> <pad> <runs> <warmup>
 *   node --import tsx bench/onnx/worker.ts check <onnx|libtorch> <model> <threads> <image> <tile> <pad> <out.f32>
 *
 * <model> is the .onnx file (onnx) or our .safetensors weights (libtorch). The timed span is `restoreDecoded`
 * from the decoded image (what the CLI runs per file, without decoding/encoding). `check` writes the restored
 * float pixels for run.ts to compare across backends.
 */
import { writeFileSync } from 'node:fs';
import { readImage } from '../../src/io/image.js';
import { loadRestorationModel, restoreDecoded } from '../../src/restore/restore.js';

const [
  mode = 'time',
  backend = 'onnx',
  model = '',
  threadsArg = '2',
  image = '',
  tileArg = '256',
  padArg = '16',
  a8 = '3',
  a9 = '1',
] = process.argv.slice(2);
if (backend !== 'onnx' && backend !== 'libtorch') throw new Error(`unknown backend ${backend}`);
const threads = Number(threadsArg);
if (backend === 'libtorch') (await import('../../src/tensor/index.js')).setNumThreads(threads);
const loaded = await loadRestorationModel(model, { backend, threads });
const img = await readImage(image, { channels: 3 });
const { width: W, height: H } = img.raster;
const [tile, pad] = [Number(tileArg), Number(padArg)];

if (mode === 'time') {
  const [runs, warmup] = [Number(a8), Number(a9)];
  const times: number[] = [];
  const cpu: number[] = [];
  let tiles = 0;
  for (let i = 0; i < warmup + runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await restoreDecoded(img, loaded.restorer, { tile, tilePad: pad });
    const dt = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    tiles = r.tiles;
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
      tiles,
      height: H,
      width: W,
      rss_mb: process.resourceUsage().maxRSS / 1024,
    }),
  );
} else if (mode === 'check') {
  const r = await restoreDecoded(img, loaded.restorer, { tile, tilePad: pad });
  writeFileSync(a8, Buffer.from(r.raster.data.buffer, r.raster.data.byteOffset, r.raster.data.byteLength));
  console.log(JSON.stringify({ ok: true, height: H, width: W }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
loaded.dispose();
