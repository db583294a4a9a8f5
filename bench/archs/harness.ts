/**
 * Shared plumbing of the bench/archs, bench/train and bench/restore runners: run a worker (ours or PyTorch) as a
 * fresh process that prints one JSON line, alternate the two sides round by round so machine noise hits both
 * alike, and print medians, per-round ratios (ours / PyTorch) and the load average.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';

export interface Sample {
  median_ms: number;
  [key: string]: unknown;
}

/** Runs a command whose last stdout line is JSON; stderr passes through. */
export function runJson(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Sample {
  const out = execFileSync(cmd, args, {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  const line = out.trim().split('\n').pop() as string;
  try {
    return JSON.parse(line) as Sample;
  } catch {
    throw new Error(`${cmd} ${args.join(' ')} did not print JSON; last line: ${line}`);
  }
}

/** `node --import tsx <script> ...args` */
export function runTs(script: string, args: string[], env?: NodeJS.ProcessEnv): Sample {
  return runJson(process.execPath, ['--import', 'tsx', script, ...args], env);
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
};

export const load = (): string =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

export interface Comparison {
  label: string;
  ours: Sample[];
  theirs: Sample[];
  loadBefore: string;
  loadAfter: string;
}

/** Alternates ours, theirs, ours, theirs, ... (`rounds` each), logging each round to stderr. */
export function alternate(label: string, rounds: number, ours: () => Sample, theirs: () => Sample): Comparison {
  const c: Comparison = { label, ours: [], theirs: [], loadBefore: load(), loadAfter: '' };
  for (let r = 0; r < rounds; r++) {
    // Swap who goes first every round, so neither side always runs right after the other's warm caches.
    const first = r % 2 === 0 ? 'ours' : 'theirs';
    const a = first === 'ours' ? ours() : theirs();
    const b = first === 'ours' ? theirs() : ours();
    const o = first === 'ours' ? a : b;
    const t = first === 'ours' ? b : a;
    c.ours.push(o);
    c.theirs.push(t);
    process.stderr.write(
      `  [${label}] round ${r + 1}/${rounds}: ours ${o.median_ms.toFixed(1)} ms, pytorch ${t.median_ms.toFixed(1)} ms, ratio ${(o.median_ms / t.median_ms).toFixed(3)} (load ${load()})\n`,
    );
  }
  c.loadAfter = load();
  return c;
}

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** Prints one comparison; `key` picks the per-sample figure (default median_ms, lower is better). */
export function report(c: Comparison, extra: string[] = []): { ratio: number; ratios: number[] } {
  const a = c.ours.map((s) => s.median_ms);
  const b = c.theirs.map((s) => s.median_ms);
  const ratios = a.map((v, i) => v / (b[i] as number));
  const ratio = median(a) / median(b);
  console.log(`${c.label}`);
  console.log(`  maskdcpt ms: ${a.map(fmt).join(' ')}  median ${fmt(median(a))}`);
  console.log(`  pytorch  ms: ${b.map(fmt).join(' ')}  median ${fmt(median(b))}`);
  console.log(`  per-round ratio: ${ratios.map((r) => r.toFixed(3)).join(' ')}`);
  console.log(
    `  ratio ${ratio.toFixed(3)} (median of per-round ratios ${median(ratios).toFixed(3)})  load ${c.loadBefore} -> ${c.loadAfter}`,
  );
  if (c.ours.every((s) => typeof s.cpu_ms === 'number') && c.theirs.every((s) => typeof s.cpu_ms === 'number')) {
    const ca = fieldMedian(c.ours, 'cpu_ms');
    const cb = fieldMedian(c.theirs, 'cpu_ms');
    console.log(
      `  process CPU ms (all threads): ours ${fmt(ca)}, pytorch ${fmt(cb)}, cpu ratio ${(ca / cb).toFixed(3)}`,
    );
  }
  for (const line of extra) console.log(`  ${line}`);
  return { ratio, ratios };
}

/** The medians of a numeric field over samples, for the ours/pytorch split lines. */
export function fieldMedian(samples: readonly Sample[], key: string): number {
  return median(samples.map((s) => Number(s[key])));
}

/**
 * Environment of both sides: the same thread count for the OpenMP pool (torch and our libtorch are the same
 * Debian build) and for OpenBLAS, as performance.md's "t2" runs (`blasThreads` overrides OpenBLAS's), and the
 * OpenMP wait policy. 'passive' (the runners' default) parks idle pool threads instead of spinning: on this
 * oversubscribed 2-core VM, libgomp's default spin-waiting made 2-thread steps up to 4x slower and erratic
 * (measured: MaskDCPT step 24.7 s spinning vs 5.3 s passive at load ~7.5). 'default' leaves it unset.
 */
export function benchEnv(
  threads: string | number,
  blasThreads?: string | number,
  ompWait = 'passive',
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(blasThreads ?? threads),
  };
  if (ompWait === 'default') delete env.OMP_WAIT_POLICY;
  else env.OMP_WAIT_POLICY = ompWait.toUpperCase();
  return env;
}

/** One line describing the environment a runner uses. */
export function describeEnv(env: NodeJS.ProcessEnv): string {
  return `OMP_NUM_THREADS=${env.OMP_NUM_THREADS} OPENBLAS_NUM_THREADS=${env.OPENBLAS_NUM_THREADS} OMP_WAIT_POLICY=${env.OMP_WAIT_POLICY ?? '(unset)'}`;
}
