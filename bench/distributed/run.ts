/**
 * bench/distributed: data parallel on this machine. The `small` pre-training config (nafnet-small MaskDCPT,
 * global batch 8) as 1 process × T threads against T processes × 1 thread (`maskdcpt launch`), same global
 * batch and data workers in total; samples/s from the training loop's own per-iteration timing (median after
 * warm-up). Then the all-reduce alone: 2 processes averaging buffers shaped like the model's gradients
 * (25 MB buckets, as the trainer does), ms per step, and the bytes a ring all-reduce moves per step.
 * The two setups alternate for `rounds` rounds (the machine is shared; its load drifts), OMP_WAIT_POLICY is
 * passive for both (as in bench/train), and the median data wait per step is shown beside each rate.
 *
 *   node --import tsx bench/distributed/run.ts [--threads 2] [--rounds 2] [--iters 8] [--warmup 3] [--reps 10]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    'omp-wait': { type: 'string', default: 'passive' },
    iters: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    reps: { type: 'string', default: '10' },
    'allreduce-worker': { type: 'boolean', default: false },
  },
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: root,
      env: { ...process.env, OMP_WAIT_POLICY: values['omp-wait'], ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

/** One rank of the all-reduce measurement: the small MaskDCPT model's gradient shapes, averaged `reps` times. */
async function allReduceWorker(): Promise<void> {
  const { buildModel } = await import('../../src/train/trainer.js');
  const { loadConfig } = await import('../../src/train/config.js');
  const { distEnv } = await import('../../src/distributed/env.js');
  const { ProcessGroup } = await import('../../src/distributed/process-group.js');
  const { zerosLike } = await import('../../src/tensor/index.js');
  const { model } = await buildModel(loadConfig(join(root, 'configs', 'small', 'pretrain.yaml')));
  const grads = model.parameters().map((p) => zerosLike(p));
  const pg = ProcessGroup.init(distEnv() as NonNullable<ReturnType<typeof distEnv>>);
  const ms: number[] = [];
  for (let i = 0; i < Number(values.reps) + 2; i++) {
    pg.barrier();
    const t0 = performance.now();
    pg.allReduce(grads, 'avg');
    if (i >= 2) ms.push(performance.now() - t0);
  }
  const params = grads.reduce((n, g) => n + g.numel(), 0);
  if (pg.rank === 0) console.log(JSON.stringify({ params, ms: median(ms) }));
  pg.close();
}

async function main(): Promise<void> {
  const threads = Number(values.threads);
  const iters = Number(values.iters);
  const warmup = Number(values.warmup);
  const dir = mkdtempSync(join(tmpdir(), 'mdt-bench-dist-'));
  try {
    const config = parse(readFileSync(join(root, 'configs', 'small', 'pretrain.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    delete config.val; // timing the training steps only
    config.datasets = { train: { ...(config.datasets?.train as object), source: join(root, 'assets', 'photos') } };
    config.train = { ...config.train, totalIter: iters };
    config.checkpoint = { every: 100000 };
    config.log = { every: 1 };
    config.path = { runs: dir };
    const file = join(dir, 'small.yaml');
    writeFileSync(file, stringify(config));
    const batch = (config.datasets.train as { batchSize: number }).batchSize;
    const workers = (config.datasets.train as { workers: number }).workers;
    // Samples/s (median over the steps after warm-up) and the median data wait per step, from rank 0's events.
    const rate = (out: string) => {
      const its = out
        .split('\n')
        .map((l) => l.replace(/^\[rank 0\] /, ''))
        .filter((l) => l.startsWith('{"type":"iter"'))
        .map((l) => JSON.parse(l) as { itPerSec: number; dataWaitMs: number })
        .slice(warmup);
      const waits = its.map((e, i) => e.dataWaitMs - (i > 0 ? (its[i - 1]?.dataWaitMs ?? 0) : e.dataWaitMs));
      return { samples: median(its.map((e) => e.itPerSec)) * batch, waitMs: median(waits.slice(1)) };
    };
    const cli = join('src', 'cli', 'main.ts');
    const common = ['--config', file, '--resume', 'never', '--json'];
    const ones: { samples: number; waitMs: number }[] = [];
    const manys: { samples: number; waitMs: number }[] = [];
    for (let round = 0; round < Number(values.rounds); round++) {
      ones.push(rate(await run([cli, 'pretrain', ...common, '--set', `name=one${round}`, '--set', `threads=${threads}`], { MASKDCPT_THREADS: String(threads) })));
      const perRank = ['--set', 'threads=1', '--set', `datasets.train.workers=${Math.max(1, Math.round(workers / threads))}`];
      manys.push(rate(await run([cli, 'launch', '--nproc', String(threads), '--', 'pretrain', ...common, '--set', `name=many${round}`, ...perRank], {})));
      console.log(`round ${round + 1}: 1×${threads} ${ones.at(-1)?.samples.toFixed(2)} samples/s, ${threads}×1 ${manys.at(-1)?.samples.toFixed(2)} samples/s`);
    }
    const one = { samples: median(ones.map((r) => r.samples)), waitMs: median(ones.map((r) => r.waitMs)) };
    const many = { samples: median(manys.map((r) => r.samples)), waitMs: median(manys.map((r) => r.waitMs)) };
    const port = 20000 + Math.floor(Math.random() * 20000);
    const ar = await Promise.all(
      [0, 1].map((rank) =>
        run([join('bench', 'distributed', 'run.ts'), '--allreduce-worker', '--reps', String(values.reps)], {
          RANK: String(rank),
          WORLD_SIZE: '2',
          MASTER_ADDR: '127.0.0.1',
          MASTER_PORT: String(port),
          MASKDCPT_THREADS: '1',
        }),
      ),
    );
    const { params, ms } = JSON.parse((ar[0] as string).trim().split('\n').at(-1) as string) as { params: number; ms: number };
    const ring = (n: number) => (2 * (n - 1) * 4 * params) / n;
    console.log(`small config, global batch ${batch}, ${iters} iterations (median after ${warmup}), median of ${values.rounds} alternating rounds:`);
    console.log(`  1 process × ${threads} threads : ${one.samples.toFixed(2)} samples/s (data wait ${one.waitMs.toFixed(0)} ms/step)`);
    console.log(
      `  ${threads} processes × 1 thread : ${many.samples.toFixed(2)} samples/s (data wait ${many.waitMs.toFixed(0)} ms/step), ratio ${(many.samples / one.samples).toFixed(2)}`,
    );
    const stepMs = (1000 * batch) / many.samples;
    console.log(
      `all-reduce of the gradients (${params.toLocaleString('en-US')} float32, 2 processes, Gloo loopback): ${ms.toFixed(1)} ms per step (${((100 * ms) / stepMs).toFixed(1)}% of a ${stepMs.toFixed(0)} ms step)`,
    );
    console.log(`  ring all-reduce volume per rank per step: ${(ring(2) / 1e6).toFixed(1)} MB at N=2, ${(ring(4) / 1e6).toFixed(1)} MB at N=4, ${(ring(8) / 1e6).toFixed(1)} MB at N=8`);
    for (const [link, gbs] of [
      ['NVLink (~150 GB/s bus)', 150],
      ['NVLink (~300 GB/s bus)', 300],
      ['PCIe (~12 GB/s bus)', 12],
      ['PCIe (~25 GB/s bus)', 25],
    ] as const) {
      console.log(`  ${link}: ${((ring(8) / (gbs * 1e9)) * 1000).toFixed(2)} ms per step at N=8`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await (values['allreduce-worker'] ? allReduceWorker() : main());
