/**
 * bench/archs: each backbone at its CPU-scale preset against an independent PyTorch implementation of the same
 * architecture (bench/archs/torch_models.py), measured in the same run, alternating the two sides.
 *
 *   node --import tsx bench/archs/run.ts [--models nafnet-small,restormer-small,promptir-small,swinir-small]
 *        [--modes infer,train] [--rounds 5] [--threads 2] [--blas-threads N] [--check]
 *        [--infer-steps 5] [--train-steps 5] [--warmup-infer 2] [--warmup-train 3]
 *
 * infer: 1×3×256×256 forward, eval, no grad. train: 8×3×128×128, L1, AdamW (performance.md §2). Each round is
 * a fresh process per side; the printed `ratio` is ours / PyTorch (< 1: we are faster).
 * --check first exports our (perturbed) weights, input, output and L1 gradients as safetensors, loads them
 * into the PyTorch model with strict=True and prints the largest differences (proof that both sides run the
 * same network); it fails if they exceed 1e-5 (output) / 1e-4 relative (gradients).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { alternate, benchEnv, describeEnv, fieldMedian, load, report, runJson, runTs } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'nafnet-small,restormer-small,promptir-small,swinir-small' },
    modes: { type: 'string', default: 'infer,train' },
    rounds: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    'blas-threads': { type: 'string' },
    'omp-wait': { type: 'string', default: 'passive' },
    'infer-steps': { type: 'string', default: '5' },
    'train-steps': { type: 'string', default: '5' },
    'warmup-infer': { type: 'string', default: '2' },
    'warmup-train': { type: 'string', default: '3' },
    python: { type: 'string', default: '/usr/bin/python3' },
    check: { type: 'boolean', default: false },
  },
});
const threads = values.threads;
const env = benchEnv(threads, values['blas-threads'], values['omp-wait']);
const rounds = Number(values.rounds);
const models = values.models.split(',');
const modes = values.modes.split(',') as ('infer' | 'train')[];
const worker = join(here, 'worker.ts');
const ref = join(here, 'torch_ref.py');

console.log(`bench/archs: ${rounds} rounds, ${describeEnv(env)}, node ${process.version}, load ${load()}`);

if (values.check) {
  let bad = false;
  for (const m of models) {
    const dir = mkdtempSync(join(tmpdir(), `bench-archs-${m}-`));
    try {
      runTs(worker, [m, 'check', threads, dir], env);
      const r = runJson(values.python, [ref, m, 'check', threads, dir], env);
      const ok = Number(r.output_max_abs) <= 1e-5 && Number(r.grad_max_rel) <= 1e-4;
      bad ||= !ok;
      console.log(
        `check ${m}: ${r.params} params; 1x3x64x64 output max |ours - torch| ${Number(r.output_max_abs).toExponential(2)} (|output| max ${Number(r.output_abs_max).toFixed(2)}), ` +
          `L1 loss diff ${Number(r.loss_diff).toExponential(2)}, ${r.grads} gradients max abs diff ${Number(r.grad_max_abs).toExponential(2)} (rel ${Number(r.grad_max_rel).toExponential(2)}) ${ok ? 'OK' : 'MISMATCH'}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (bad) process.exitCode = 1;
}

const summary: string[] = [];
for (const mode of modes) {
  for (const m of models) {
    const steps = mode === 'infer' ? values['infer-steps'] : values['train-steps'];
    const warmup = mode === 'infer' ? values['warmup-infer'] : values['warmup-train'];
    const label =
      mode === 'infer'
        ? `${m} forward 1x3x256x256 (eval, no grad), median of ${steps} after ${warmup} warm-up`
        : `${m} train step 8x3x128x128 (fwd + L1 + bwd + AdamW), median of ${steps} after ${warmup} warm-up`;
    const c = alternate(
      `${m} ${mode}`,
      rounds,
      () => runTs(worker, [m, mode, threads, steps, warmup], env),
      () => runJson(values.python, [ref, m, mode, threads, steps, warmup], env),
    );
    const extra = [
      `params ${c.ours[0]?.params}; peak RSS ours ${fieldMedian(c.ours, 'rss_mb').toFixed(0)} MiB, pytorch ${fieldMedian(c.theirs, 'rss_mb').toFixed(0)} MiB`,
    ];
    if (mode === 'train') {
      const split = (s: typeof c.ours) =>
        ['fwd_ms', 'bwd_ms', 'opt_ms'].map((k) => fieldMedian(s, k).toFixed(0)).join(' / ');
      extra.push(`fwd+loss / bwd / AdamW ms: ours ${split(c.ours)}, pytorch ${split(c.theirs)}`);
      extra.push(
        `loss first -> last step: ours ${Number(c.ours[0]?.loss_first).toFixed(5)} -> ${Number(c.ours[0]?.loss_last).toFixed(5)}, pytorch ${Number(c.theirs[0]?.loss_first).toFixed(5)} -> ${Number(c.theirs[0]?.loss_last).toFixed(5)}`,
      );
    }
    const { ratio, ratios } = report(c, extra);
    summary.push(
      `| ${m} | ${mode} | ${fieldMedian(c.ours, 'median_ms').toFixed(0)} | ${fieldMedian(c.theirs, 'median_ms').toFixed(0)} | **${ratio.toFixed(2)}** | ${ratios.map((r) => r.toFixed(2)).join(' ')} |`,
    );
  }
}
console.log('\n| model | mode | maskdcpt ms | pytorch ms | ratio | per-round ratios |');
console.log('|---|---|---|---|---|---|');
for (const line of summary) console.log(line);
console.log(`load average at the end: ${load()}`);
