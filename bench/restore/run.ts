/**
 * bench/restore: megapixels per second restoring one real photo with nafnet-small, tiled, against the same
 * model and tiling in PyTorch (bench/restore/torch_ref.py), alternating the two sides.
 *
 *   node --import tsx bench/restore/run.ts [--impl library|engine] [--image /work/shared/data/kodak24/kodim01.png]
 *        [--repeat 1] [--tile 256] [--pad 16] [--rounds 5] [--runs 3] [--warmup 1] [--threads 2] [--check]
 *
 * --impl library (default) times src/restore's tiled restore (equal windows, feathered overlaps; the path
 * `restore()` and the CLI run), engine a plain core-copy tile loop on the engine (see worker.ts); the PyTorch
 * side re-implements the same layout in torch_ref.py.
 * --repeat k restores a k×k mosaic of the photo (a larger image). `ratio` = ours / PyTorch time (< 1: faster).
 * --check restores once on both sides with the same (perturbed) weights and prints the largest difference.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { alternate, benchEnv, describeEnv, fieldMedian, load, report, runJson, runTs } from '../archs/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    impl: { type: 'string', default: 'library' },
    image: { type: 'string', default: '/work/shared/data/kodak24/kodim01.png' },
    repeat: { type: 'string', default: '1' },
    tile: { type: 'string', default: '256' },
    pad: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    'blas-threads': { type: 'string' },
    'omp-wait': { type: 'string', default: 'passive' },
    python: { type: 'string', default: '/usr/bin/python3' },
    check: { type: 'boolean', default: false },
  },
});
const { threads, image, repeat, tile, pad } = values;
const env = benchEnv(threads, values['blas-threads'], values['omp-wait']);
const worker = join(here, 'worker.ts');
const ref = join(here, 'torch_ref.py');
const common = [values.impl, threads, image, repeat, tile, pad];
console.log(
  `bench/restore (${values.impl}): nafnet-small, ${image} x${repeat}, tile ${tile} pad ${pad}, ${describeEnv(env)}, node ${process.version}, load ${load()}`,
);

if (values.check) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-restore-'));
  try {
    runTs(worker, ['check', ...common, dir], env);
    const r = runJson(values.python, [ref, 'check', ...common, dir], env);
    const ok = Number(r.output_max_abs) <= 1e-5 && Number(r.input_max_abs) === 0;
    console.log(
      `check: ${r.width}x${r.height}: decoded input max diff ${Number(r.input_max_abs).toExponential(2)}, restored output max diff ${Number(r.output_max_abs).toExponential(2)} ${ok ? 'OK' : 'MISMATCH'}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rounds = Number(values.rounds);
if (rounds > 0) {
  const c = alternate(
    'restore',
    rounds,
    () => runTs(worker, ['time', ...common, values.runs, values.warmup], env),
    () => runJson(values.python, [ref, 'time', ...common, values.runs, values.warmup], env),
  );
  const s = c.ours[0];
  const mp = (Number(s?.width) * Number(s?.height)) / 1e6;
  const ours = fieldMedian(c.ours, 'median_ms');
  const theirs = fieldMedian(c.theirs, 'median_ms');
  report(
    {
      ...c,
      label: `restore ${s?.width}x${s?.height} (${mp.toFixed(2)} MP), tile ${tile} pad ${pad}, median of ${values.runs} after ${values.warmup} warm-up`,
    },
    [
      `MP/s: ours ${((mp * 1000) / ours).toFixed(3)}, pytorch ${((mp * 1000) / theirs).toFixed(3)}`,
      `peak RSS ours ${fieldMedian(c.ours, 'rss_mb').toFixed(0)} MiB, pytorch ${fieldMedian(c.theirs, 'rss_mb').toFixed(0)} MiB`,
    ],
  );
}
console.log(`load average at the end: ${load()}`);
