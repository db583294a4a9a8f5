/** Spawning maskdcpt processes for the data-parallel tests (loopback only, free ports, one thread each). */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../helpers/engine.js';

export const photos = join(repoRoot, 'assets', 'photos');

/** A tiny pre-training config: NAFNet-tiny, 32² patches, a checkpoint after every step. */
export function tinyConfig(runs: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    mode: 'pretrain',
    seed: 3,
    threads: 1,
    network: { arch: 'nafnet-tiny' },
    datasets: { train: { source: photos, patchSize: 32, batchSize: 4, types: ['noise', 'haze', 'low_light', 'gaussian_blur'], workers: 0 } },
    train: { totalIter: 4, optim: { lr: 2e-4 }, scheduler: { type: 'constant' }, ema: 0.9 },
    checkpoint: { every: 1, keep: 100 },
    log: { every: 1 },
    path: { runs },
    ...extra,
  };
}

export function writeConfig(dir: string, config: Record<string, unknown>): string {
  const file = join(dir, `${String(config.name)}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the CLI (src/cli/main.ts, or another script) under tsx with `args`; resolves when it exits. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}, script = join('src', 'cli', 'main.ts')): { child: ChildProcess; done: Promise<Finished> } {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, script), ...args], {
    cwd: repoRoot,
    env: { ...process.env, MASKDCPT_THREADS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<Finished>((resolve) => {
    child.once('exit', (code, signal) => {
      // Let the pipes drain before handing back the output.
      setImmediate(() => resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 }));
    });
  });
  return { child, done };
}

/** The JSON events rank 0 printed under `launch` (lines `[rank 0] {...}`). */
export function rankEvents(stdout: string, rank = 0): Record<string, unknown>[] {
  const prefix = `[rank ${rank}] `;
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(`${prefix}{`))
    .map((l) => JSON.parse(l.slice(prefix.length)) as Record<string, unknown>);
}
