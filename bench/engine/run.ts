/**
 * bench/engine: maskdcpt's engine against PyTorch on the same NAFNet-like net, measured in the same run.
 * Runs alternate (ours, torch, ours, torch, ...) so machine noise hits both alike, then prints the medians
 * and `ratio` = ours / PyTorch. Also checks that RSS stays flat over a long training run.
 *
 *   node --import tsx bench/engine/run.ts [--threads 2] [--rounds 5] [--long 2000]   (--rounds 0: memory run only)
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '5' },
    long: { type: 'string', default: '2000' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const threads = values.threads;
const rounds = Number(values.rounds);

interface Result {
  median_ms: number;
  rss_mb: number;
  rss?: [number, number][];
}

function ours(mode: string, steps: number, warmup: number, rssEvery = 0): Result {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(here, 'naf.ts'), threads, String(steps), String(warmup), mode, String(rssEvery)],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as Result;
}

function torch(mode: string, steps: number, warmup: number): Result {
  const out = execFileSync(values.python, [join(here, 'naf_torch.py'), threads, String(steps), String(warmup), mode], {
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as Result;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function compare(mode: 'train' | 'infer', steps: number, warmup: number): void {
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(ours(mode, steps, warmup).median_ms);
    b.push(torch(mode, steps, warmup).median_ms);
  }
  const ratios = a.map((v, i) => v / (b[i] as number));
  const label = mode === 'train' ? 'train step 8x3x64x64 (fwd+L1+bwd+AdamW)' : 'forward 1x3x256x256 (no grad)';
  console.log(`${label}, ${threads} threads, ${rounds} rounds`);
  console.log(`  maskdcpt ms: ${a.map((v) => v.toFixed(1)).join(' ')}  median ${median(a).toFixed(1)}`);
  console.log(`  pytorch  ms: ${b.map((v) => v.toFixed(1)).join(' ')}  median ${median(b).toFixed(1)}`);
  console.log(`  ratio ${(median(a) / median(b)).toFixed(3)} (median of per-round ratios ${median(ratios).toFixed(3)})`);
}

if (rounds > 0) {
  compare('train', 20, 10);
  compare('infer', 10, 3);
}

const long = Number(values.long);
if (long > 0) {
  const every = Math.max(1, Math.floor(long / 10));
  const r = ours('train', long, 0, every);
  const at = (step: number) => r.rss?.find(([s]) => s >= step)?.[1] ?? Number.NaN;
  const early = at(Math.min(200, every));
  const late = at(long);
  console.log(`memory over ${long} training steps: RSS ${r.rss?.map(([s, m]) => `${s}:${m.toFixed(0)}`).join(' ')} MiB`);
  console.log(`  RSS after ${long} / after ~200 steps = ${(late / early).toFixed(3)} (target <= 1.10)`);
}
