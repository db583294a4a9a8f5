/**
 * Where a data-parallel process learns its place: the torchrun environment variables (RANK, WORLD_SIZE,
 * LOCAL_RANK, MASTER_ADDR, MASTER_PORT), which `maskdcpt launch`, Kubernetes jobs and most cluster templates set,
 * with Slurm's own (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID) as a fallback so `srun maskdcpt pretrain ...`
 * works too. No WORLD_SIZE (or 1) means a plain single-process run.
 */

export interface DistEnv {
  rank: number;
  worldSize: number;
  localRank: number;
  masterAddr: string;
  masterPort: number;
  /** Collective timeout (MASKDCPT_DIST_TIMEOUT, seconds; default 120). */
  timeoutMs: number;
  backend: 'gloo' | 'nccl';
  /** MASKDCPT_DIST_STORE=file:/shared/path rendezvous through a shared file instead of TCP on rank 0. */
  storeFile: string | null;
  /** Gradient bucket size (MASKDCPT_DIST_BUCKET_MB; default 25 MB, as DDP). */
  bucketBytes: number;
}

export const DEFAULT_TIMEOUT_S = 120;

function int(env: NodeJS.ProcessEnv, names: string[], what: string): number | undefined {
  for (const name of names) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 0) throw new Error(`${name}=${raw}: ${what} must be a non-negative integer`);
    return v;
  }
  return undefined;
}

/** Parses a timeout in seconds (flag or env) into milliseconds. */
export function parseTimeout(raw: string | undefined, source: string): number {
  if (raw === undefined || raw === '') return DEFAULT_TIMEOUT_S * 1000;
  const s = Number(raw);
  if (!(s > 0) || !Number.isFinite(s)) throw new Error(`${source}=${raw}: the collective timeout must be a positive number of seconds`);
  return Math.round(s * 1000);
}

/** The data-parallel placement of this process, or null for a single-process run. */
export function distEnv(env: NodeJS.ProcessEnv = process.env): DistEnv | null {
  const worldSize = int(env, ['WORLD_SIZE', 'SLURM_NTASKS'], 'the world size');
  if (worldSize === undefined || worldSize <= 1) return null;
  const rank = int(env, ['RANK', 'SLURM_PROCID'], 'the rank');
  if (rank === undefined) throw new Error(`WORLD_SIZE=${worldSize} but RANK is not set (run through \`maskdcpt launch\` or set RANK per process)`);
  if (rank >= worldSize) throw new Error(`RANK=${rank} is outside WORLD_SIZE=${worldSize}`);
  const localRank = int(env, ['LOCAL_RANK', 'SLURM_LOCALID'], 'the local rank') ?? rank;
  const storeFile = env.MASKDCPT_DIST_STORE?.startsWith('file:') ? env.MASKDCPT_DIST_STORE.slice('file:'.length) : null;
  if (env.MASKDCPT_DIST_STORE && storeFile === null) throw new Error(`MASKDCPT_DIST_STORE=${env.MASKDCPT_DIST_STORE}: expected file:/path/on/a/shared/filesystem`);
  const masterAddr = env.MASTER_ADDR ?? (storeFile ? '' : undefined);
  if (masterAddr === undefined) throw new Error('MASTER_ADDR is not set: the address of the rank-0 machine (127.0.0.1 on one machine)');
  const masterPort = int(env, ['MASTER_PORT'], 'the port') ?? 29500;
  if (masterPort < 1 || masterPort > 65535) throw new Error(`MASTER_PORT=${masterPort} is not a TCP port`);
  const backend = env.MASKDCPT_DIST_BACKEND ?? 'gloo';
  if (backend !== 'gloo' && backend !== 'nccl') throw new Error(`MASKDCPT_DIST_BACKEND=${backend}: expected gloo or nccl`);
  const timeoutMs = parseTimeout(env.MASKDCPT_DIST_TIMEOUT, 'MASKDCPT_DIST_TIMEOUT');
  const mb = Number(env.MASKDCPT_DIST_BUCKET_MB ?? '25');
  if (!(mb > 0)) throw new Error(`MASKDCPT_DIST_BUCKET_MB=${env.MASKDCPT_DIST_BUCKET_MB}: expected a positive size in MB`);
  const bucketBytes = Math.round(mb * 1024 * 1024);
  return { rank, worldSize, localRank, masterAddr, masterPort, timeoutMs, backend, storeFile, bucketBytes };
}
