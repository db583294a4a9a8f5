/**
 * bench/train: MaskDCPT pre-training iterations per second, `small` NAFNet config, against the same model and
 * loss written independently in PyTorch (bench/train/torch_ref.py), alternating the two sides; then our loop
 * fed by BatchLoader (worker threads synthesising degradations from assets/photos) to measure data waits.
 *
 *   node --import tsx bench/train/run.ts [--rounds 5] [--threads 2] [--steps 5] [--warmup 3]
 *        [--batch 8] [--size 128] [--loader-rounds 2] [--loader-steps 10] [--workers 2] [--check]
 *
 * The model (see worker.ts): nafnet-small masked encoder (patch 16, ratio 0.5) + PromptIR_NoImg_DC classifier
 * on the 4 decoder outputs (2 bottlenecks per level, 19 classes) + NAFNet's head; L1 + 1·focal(γ 2); AdamW.
 * `ratio` = ours / PyTorch per step (< 1: we are faster); it/s = 1000 / median step ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  alternate,
  benchEnv,
  describeEnv,
  fieldMedian,
  load,
  median,
  report,
  runJson,
  runTs,
} from '../archs/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    'blas-threads': { type: 'string' },
    'omp-wait': { type: 'string', default: 'passive' },
    steps: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    batch: { type: 'string', default: '8' },
    size: { type: 'string', default: '128' },
    'loader-rounds': { type: 'string', default: '2' },
    'loader-steps': { type: 'string', default: '10' },
    workers: { type: 'string', default: '2' },
    python: { type: 'string', default: '/usr/bin/python3' },
    check: { type: 'boolean', default: false },
  },
});
const { threads, steps, warmup, batch, size } = values;
const env = benchEnv(threads, values['blas-threads'], values['omp-wait']);
const worker = join(here, 'worker.ts');
const ref = join(here, 'torch_ref.py');
console.log(
  `bench/train: MaskDCPT pre-training, nafnet-small, batch ${batch}x3x${size}x${size}, ${describeEnv(env)}, node ${process.version}, load ${load()}`,
);

if (values.check) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-train-'));
  try {
    runTs(worker, ['check', threads, dir], env);
    const r = runJson(values.python, [ref, 'check', threads, dir], env);
    const ok = Number(r.loss_diff) <= 1e-5 && Number(r.logits_max_abs) <= 1e-5 && Number(r.grad_max_rel) <= 1e-4;
    console.log(
      `check: ${r.params} params; 2x3x64x64 masked step: loss ${Number(r.loss).toFixed(6)} diff ${Number(r.loss_diff).toExponential(2)} ` +
        `(L1 ${Number(r.l1_diff).toExponential(2)}, focal ${Number(r.focal_diff).toExponential(2)}), logits max diff ${Number(r.logits_max_abs).toExponential(2)}, ` +
        `${r.grads} gradients max abs diff ${Number(r.grad_max_abs).toExponential(2)} (rel ${Number(r.grad_max_rel).toExponential(2)}) ${ok ? 'OK' : 'MISMATCH'}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rounds = Number(values.rounds);
if (rounds > 0) {
  const c = alternate(
    'pretrain step',
    rounds,
    () => runTs(worker, ['static', threads, steps, warmup, batch, size], env),
    () => runJson(values.python, [ref, 'static', threads, steps, warmup, batch, size], env),
  );
  const split = (s: typeof c.ours) =>
    ['fwd_ms', 'bwd_ms', 'opt_ms'].map((k) => fieldMedian(s, k).toFixed(0)).join(' / ');
  const ours = fieldMedian(c.ours, 'median_ms');
  const theirs = fieldMedian(c.theirs, 'median_ms');
  report(
    { ...c, label: `MaskDCPT pre-training step, pre-built batches (median of ${steps} after ${warmup} warm-up)` },
    [
      `it/s: ours ${(1000 / ours).toFixed(3)}, pytorch ${(1000 / theirs).toFixed(3)}`,
      `fwd+loss / bwd / AdamW ms: ours ${split(c.ours)}, pytorch ${split(c.theirs)}`,
      `params ${c.ours[0]?.params}; peak RSS ours ${fieldMedian(c.ours, 'rss_mb').toFixed(0)} MiB, pytorch ${fieldMedian(c.theirs, 'rss_mb').toFixed(0)} MiB`,
    ],
  );
}

const loaderRounds = Number(values['loader-rounds']);
if (loaderRounds > 0) {
  const rs = [];
  for (let r = 0; r < loaderRounds; r++) {
    const s = runTs(worker, ['loader', threads, values['loader-steps'], warmup, values.workers, batch, size], env);
    rs.push(s);
    process.stderr.write(
      `  [loader] round ${r + 1}/${loaderRounds}: ${Number(s.it_per_s).toFixed(3)} it/s, waited ${Number(s.waited_ms).toFixed(0)} of ${Number(s.wall_ms).toFixed(0)} ms (load ${load()})\n`,
    );
  }
  const fr = rs.map((s) => Number(s.wait_fraction));
  console.log(
    `MaskDCPT pre-training fed by BatchLoader (${values.workers} worker threads, assets/photos, all 19 degradation types), ${values['loader-steps']} steps after ${warmup} warm-up, ${loaderRounds} rounds`,
  );
  console.log(
    `  it/s (wall, incl. data): ${rs.map((s) => Number(s.it_per_s).toFixed(3)).join(' ')}  median ${median(rs.map((s) => Number(s.it_per_s))).toFixed(3)}`,
  );
  console.log(`  median step compute ms: ${rs.map((s) => s.median_ms.toFixed(0)).join(' ')}`);
  console.log(
    `  time waiting for data: ${fr.map((f) => `${(100 * f).toFixed(2)}%`).join(' ')} of wall time (median ${(100 * median(fr)).toFixed(2)}%, target <= 5%)`,
  );
  const d = runTs(worker, ['data', threads, '6', batch, size], env);
  console.log(
    `  synthesis alone (one thread, no training running): ${d.median_ms.toFixed(0)} ms per batch of ${batch} (${(d.times as number[]).map((t) => t.toFixed(0)).join(' ')})`,
  );
}
console.log(`load average at the end: ${load()}`);
