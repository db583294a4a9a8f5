/**
 * `maskdcpt launch`, in the spirit of torchrun: starts N copies of a maskdcpt command on this machine with
 * RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT set, prefixes their output with `[rank r]`, and
 * when one exits abnormally stops the others and fails naming it, so a dead rank never leaves the rest hanging.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';

export interface LaunchOptions {
  /** Processes on this machine. */
  nproc: number;
  nnodes?: number;
  nodeRank?: number;
  /** addr:port of the rank-0 machine; default 127.0.0.1 and a free port (one machine only). */
  master?: string;
  /** The maskdcpt arguments each process runs, e.g. ['pretrain', '--config', 'x.yaml']. */
  args: string[];
  /** The CLI entry script (default: the one running now, so it works from dist/ and under tsx). */
  entry?: string;
  /** Node flags for the children (default: this process's, e.g. `--import tsx`). */
  execArgv?: string[];
  /** Extra environment for every process. */
  env?: NodeJS.ProcessEnv;
  /** Where prefixed output lines go (default: this process's stdout/stderr). */
  write?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Grace period between SIGTERM and SIGKILL for the surviving ranks (default 5 s). */
  killAfterMs?: number;
}

export interface LaunchResult {
  /** 0 when every rank succeeded. */
  exitCode: number;
  /** Why the job failed, naming the first rank that did, or null. */
  failure: string | null;
}

/** A TCP port that is free right now (bind port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function parseMaster(master: string): { addr: string; port: number } {
  const i = master.lastIndexOf(':');
  const port = Number(master.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--master expects addr:port, got '${master}'`);
  return { addr: master.slice(0, i), port };
}

export async function launch(o: LaunchOptions): Promise<LaunchResult> {
  const nnodes = o.nnodes ?? 1;
  const nodeRank = o.nodeRank ?? 0;
  for (const [name, v, min] of [
    ['--nproc', o.nproc, 1],
    ['--nnodes', nnodes, 1],
    ['--node-rank', nodeRank, 0],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${v}`);
  }
  if (nodeRank >= nnodes) throw new Error(`--node-rank ${nodeRank} is outside --nnodes ${nnodes}`);
  if (nnodes > 1 && !o.master) throw new Error('--master addr:port is required with --nnodes > 1 (the address of node 0)');
  if (o.args.length === 0) throw new Error('nothing to launch: give the command after --, e.g. launch --nproc 2 -- pretrain --config c.yaml');
  const { addr, port } = o.master ? parseMaster(o.master) : { addr: '127.0.0.1', port: await freePort() };
  const entry = o.entry ?? process.argv[1];
  if (!entry) throw new Error('launch: cannot tell which script to run (no process.argv[1])');
  const worldSize = nnodes * o.nproc;
  // Share this machine's cores between the local ranks unless the user chose.
  const threads = String(Math.max(1, Math.floor(availableParallelism() / o.nproc)));
  const write = o.write ?? ((line, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`));

  const children: ChildProcess[] = [];
  let failure: string | null = null;
  let exitCode = 0;
  let killTimer: NodeJS.Timeout | null = null;
  const stopOthers = (signal: NodeJS.Signals) => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
    killTimer ??= setTimeout(() => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }, o.killAfterMs ?? 5000);
  };
  // First SIGINT/SIGTERM: pass it on, so the ranks stop together at the end of a step (a Ctrl-C from the
  // terminal reaches them directly too; the trainer treats the repeat as one). A second one: SIGKILL.
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    failure ??= `launch: received ${sig}; stopping all ranks`;
    exitCode = 130;
    const hard = ++signals > 1;
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(hard ? 'SIGKILL' : sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const done = Array.from({ length: o.nproc }, (_, local) => {
    const rank = nodeRank * o.nproc + local;
    const env: NodeJS.ProcessEnv = {
      MASKDCPT_THREADS: threads,
      ...process.env,
      ...o.env,
      RANK: String(rank),
      WORLD_SIZE: String(worldSize),
      LOCAL_RANK: String(local),
      LOCAL_WORLD_SIZE: String(o.nproc),
      MASTER_ADDR: addr,
      MASTER_PORT: String(port),
    };
    const child = spawn(process.execPath, [...(o.execArgv ?? process.execArgv), entry, ...o.args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const closed: Promise<void>[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = createInterface({ input: child[stream] as NodeJS.ReadableStream });
      lines.on('line', (line) => write(`[rank ${rank}] ${line}`, stream));
      closed.push(new Promise((res) => lines.once('close', () => res())));
    }
    return new Promise<void>((resolve) => {
      child.once('error', (err) => {
        failure ??= `rank ${rank} could not start: ${err.message}`;
        exitCode ||= 1;
        stopOthers('SIGTERM');
        resolve();
      });
      child.once('exit', async (code, signal) => {
        await Promise.all(closed); // the dying rank's last lines first, then the verdict
        if ((code !== 0 || signal !== null) && failure === null) {
          failure = `rank ${rank} (pid ${child.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; stopping the other ranks`;
          exitCode = code && code !== 0 ? code : 1;
          stopOthers('SIGTERM');
        }
        resolve();
      });
    });
  });
  await Promise.all(done);
  if (killTimer) clearTimeout(killTimer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return { exitCode, failure };
}
