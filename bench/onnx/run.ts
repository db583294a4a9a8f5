/**
 * bench/onnx: restore throughput of one model on three engines in the same run: onnxruntime-node (our ONNX
 * backend), our libtorch path, and PyTorch (bench/restore/torch_ref.py, the same tiling re-implemented). The
 * model is nafnet-small with perturbed weights, handed to every side: safetensors to libtorch and PyTorch, an
 * .onnx export to onnxruntime (`maskdcpt export --dynamic-size`, or PyTorch's exporter with --exporter pytorch;
 * the header says which). Rounds rotate the order of the three sides. Each side reports wall time and the
 * process's CPU time per image: on a shared machine the CPU time is the steadier of the two.
 *
 *   node --import tsx bench/onnx/run.ts [--image /work/shared/data/kodak24/kodim01.png] [--size 512] [--tile 256]
 *        [--pad 16] [--rounds 3] [--runs 3] [--warmup 1] [--threads 2] [--exporter maskdcpt|pytorch]
 *
 * The image is the top-left size×size crop of --image. Ratios are time / time (< 1: the first is faster).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchEnv, describeEnv, load, median, runJson, runTs, type Sample } from '../archs/harness.js';
import { setupModel } from './setup.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values } = parseArgs({
  options: {
    image: { type: 'string', default: '/work/shared/data/kodak24/kodim01.png' },
    size: { type: 'string', default: '512' },
    tile: { type: 'string', default: '256' },
    pad: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    python: { type: 'string', default: '/usr/bin/python3' },
    exporter: { type: 'string', default: 'maskdcpt' },
  },
});
const { threads, tile, pad } = values;
const env = { ...benchEnv(threads), MASKDCPT_THREADS: threads };
const dir = mkdtempSync(join(tmpdir(), 'bench-onnx-'));
try {
  if (values.exporter !== 'maskdcpt' && values.exporter !== 'pytorch')
    throw new Error(`--exporter must be maskdcpt or pytorch, got '${values.exporter}'`);
  const m = await setupModel(dir, values.image, Number(values.size), values.python, values.exporter);
  console.log(
    `bench/onnx: nafnet-small (perturbed), ${m.image} (${values.size}x${values.size} crop of ${values.image}), tile ${tile} pad ${pad}, ` +
      `threads ${threads}, ${describeEnv(env)}, node ${process.version}, onnx from ${m.exporter}, load ${load()}`,
  );

  // Same pixels first: the three engines must restore the same image before their speed means anything.
  const worker = join(here, 'worker.ts');
  const common = (backend: string, model: string) => [backend, model, threads, m.image, tile, pad];
  runTs(worker, ['check', ...common('onnx', m.onnx), join(dir, 'onnx.f32')], env);
  runTs(worker, ['check', ...common('libtorch', m.weights), join(dir, 'torch.f32')], env);
  const a = new Float32Array(readFileSync(join(dir, 'onnx.f32')).buffer.slice(0));
  const b = new Float32Array(readFileSync(join(dir, 'torch.f32')).buffer.slice(0));
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
  console.log(`check: max |onnxruntime - libtorch| over the restored image = ${maxDiff.toExponential(2)}`);

  const sides: Record<string, () => Sample> = {
    onnxruntime: () => runTs(worker, ['time', ...common('onnx', m.onnx), values.runs, values.warmup], env),
    libtorch: () => runTs(worker, ['time', ...common('libtorch', m.weights), values.runs, values.warmup], env),
    pytorch: () =>
      runJson(
        values.python,
        [
          join(root, 'bench/restore/torch_ref.py'),
          'time',
          'library',
          threads,
          m.image,
          '1',
          tile,
          pad,
          values.runs,
          values.warmup,
          m.weights,
        ],
        env,
      ),
  };
  const names = Object.keys(sides);
  const ms: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const tiles: Record<string, number> = {};
  for (let r = 0; r < Number(values.rounds); r++) {
    // Rotate who goes first, so no side always runs right after another's warm caches.
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length] as string;
      const s = (sides[name] as () => Sample)();
      ms[name]?.push(s.median_ms);
      cpu[name]?.push(Number(s.cpu_ms));
      if (s.tiles) tiles[name] = Number(s.tiles);
    }
  }
  const n = tiles.onnxruntime ?? 4;
  console.log(
    `\nrestore ${values.size}x${values.size}, ${n} tiles of ${tile} (+${pad} context), median of ${values.runs} after ${values.warmup} warm-up, ${values.rounds} rounds`,
  );
  console.log('| engine | wall ms per image (rounds) | median wall ms | ms per tile | images/s | median CPU ms |');
  console.log('|---|---|---|---|---|---|');
  const med: Record<string, number> = {};
  const cpuMed: Record<string, number> = {};
  for (const name of names) {
    const xs = ms[name] as number[];
    med[name] = median(xs);
    cpuMed[name] = median(cpu[name] as number[]);
    console.log(
      `| ${name} | ${xs.map((v) => v.toFixed(0)).join(' ')} | ${med[name]!.toFixed(0)} | ${(med[name]! / n).toFixed(0)} | ${(1000 / med[name]!).toFixed(2)} | ${cpuMed[name]!.toFixed(0)} |`,
    );
  }
  const ratios = (t: Record<string, number>) =>
    [
      ['onnxruntime', 'libtorch'],
      ['onnxruntime', 'pytorch'],
      ['libtorch', 'pytorch'],
    ]
      .map(([x, y]) => `${x}/${y} ${(t[x as string]! / t[y as string]!).toFixed(2)}`)
      .join(', ');
  console.log(`\nratios (wall time): ${ratios(med)}`);
  console.log(`ratios (CPU time): ${ratios(cpuMed)}`);
  console.log(`load average at the end: ${load()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
