/**
 * maskdcpt checkpoints: ONE self-describing safetensors file per save holding the weights (`params.*`,
 * `params_ema.*`), optimizer moments (`optim.<name>.<index>.exp_avg[_sq]`), libtorch's RNG state (`rng.torch`)
 * and, in the metadata, the iteration, architecture, labels, optimizer hyper-parameters, host RNG states and
 * anything else the trainer needs to resume exactly. A sha256 over the data and metadata detects truncation and
 * corruption; files are written atomically.
 */
import { createHash } from 'node:crypto';
import { type HostTensor, toBytes } from './host-tensor.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'maskdcpt-checkpoint/1';

export interface CheckpointContent {
  iter: number;
  arch: string;
  archOptions: Record<string, unknown>;
  params: Map<string, HostTensor>;
  paramsEma: Map<string, HostTensor> | null;
  /** Per optimizer name: moments by parameter index, and the JSON-safe rest (groups, steps). */
  optimizers: Map<string, { moments: Map<number, { expAvg: HostTensor; expAvgSq: HostTensor }>; info: unknown }>;
  torchRng: Uint8Array | null;
  /** Any JSON-safe trainer state: host RNG states, sampler position, best metric, labels, config hash... */
  extra: Record<string, unknown>;
}

function digest(tensors: Iterable<[string, HostTensor]>, metadata: Record<string, string>): string {
  const h = createHash('sha256');
  for (const [name, t] of tensors) {
    h.update(`${name}:${t.dtype}:${t.shape.join(',')};`);
    h.update(toBytes(t));
  }
  for (const k of Object.keys(metadata).sort()) if (k !== 'checksum') h.update(`${k}=${metadata[k]};`);
  return h.digest('hex');
}

export function encodeCheckpoint(c: CheckpointContent): { tensors: [string, HostTensor][]; metadata: Record<string, string> } {
  const tensors: [string, HostTensor][] = [];
  for (const [k, t] of c.params) tensors.push([`params.${k}`, t]);
  if (c.paramsEma) for (const [k, t] of c.paramsEma) tensors.push([`params_ema.${k}`, t]);
  const optimInfo: Record<string, unknown> = {};
  for (const [name, o] of c.optimizers) {
    if (name.includes('.')) throw new Error(`optimizer name '${name}' may not contain '.'`);
    for (const [i, m] of o.moments) {
      tensors.push([`optim.${name}.${i}.exp_avg`, m.expAvg]);
      tensors.push([`optim.${name}.${i}.exp_avg_sq`, m.expAvgSq]);
    }
    optimInfo[name] = o.info;
  }
  if (c.torchRng) tensors.push(['rng.torch', { dtype: 'uint8', shape: [c.torchRng.length], data: c.torchRng }]);
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    iter: String(c.iter),
    arch: c.arch,
    arch_options: JSON.stringify(c.archOptions),
    optimizers: JSON.stringify(optimInfo),
    extra: JSON.stringify(c.extra),
  };
  metadata.checksum = digest(tensors, metadata);
  return { tensors, metadata };
}

export async function writeCheckpoint(path: string, c: CheckpointContent): Promise<void> {
  const { tensors, metadata } = encodeCheckpoint(c);
  await writeSafetensors(path, tensors, metadata);
}

/** Reads and verifies a checkpoint; throws an error naming the file if it is truncated, corrupt or not ours. */
export async function readCheckpoint(path: string): Promise<CheckpointContent> {
  let file: Awaited<ReturnType<typeof readSafetensors>>;
  try {
    file = await readSafetensors(path);
  } catch (err) {
    throw new Error(`checkpoint ${path} is unreadable: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { tensors, metadata } = file;
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${path} is not a maskdcpt checkpoint (format '${metadata.format ?? 'none'}')`);
  }
  if (digest(tensors, metadata) !== metadata.checksum) {
    throw new Error(`checkpoint ${path} is corrupt: checksum mismatch`);
  }
  const params = new Map<string, HostTensor>();
  const ema = new Map<string, HostTensor>();
  const optimizers: CheckpointContent['optimizers'] = new Map();
  const optimInfo = JSON.parse(metadata.optimizers ?? '{}') as Record<string, unknown>;
  for (const [name, info] of Object.entries(optimInfo)) optimizers.set(name, { moments: new Map(), info });
  let torchRng: Uint8Array | null = null;
  for (const [name, t] of tensors) {
    if (name.startsWith('params.')) params.set(name.slice(7), t);
    else if (name.startsWith('params_ema.')) ema.set(name.slice(11), t);
    else if (name === 'rng.torch') torchRng = t.data as Uint8Array;
    else if (name.startsWith('optim.')) {
      const m = /^optim\.([^.]+)\.(\d+)\.(exp_avg|exp_avg_sq)$/.exec(name);
      const o = m ? optimizers.get(m[1] as string) : undefined;
      if (!m || !o) throw new Error(`checkpoint ${path}: unexpected tensor '${name}'`);
      const i = Number(m[2]);
      const entry = o.moments.get(i) ?? ({} as { expAvg: HostTensor; expAvgSq: HostTensor });
      if (m[3] === 'exp_avg') entry.expAvg = t;
      else entry.expAvgSq = t;
      o.moments.set(i, entry);
    }
  }
  return {
    iter: Number(metadata.iter),
    arch: metadata.arch ?? '',
    archOptions: JSON.parse(metadata.arch_options ?? '{}') as Record<string, unknown>,
    params,
    paramsEma: ema.size > 0 ? ema : null,
    optimizers,
    torchRng,
    extra: JSON.parse(metadata.extra ?? '{}') as Record<string, unknown>,
  };
}

/** The weights of a checkpoint file's tensors: `params_ema` by default (falling back to `params`), as BasicSR. */
export function checkpointWeights(tensors: ReadonlyMap<string, HostTensor>, key = 'params_ema'): Map<string, HostTensor> {
  const pick = (prefix: string) =>
    new Map([...tensors].filter(([k]) => k.startsWith(`${prefix}.`)).map(([k, t]) => [k.slice(prefix.length + 1), t]));
  const chosen = pick(key);
  if (chosen.size > 0) return chosen;
  if (key !== 'params') {
    const fallback = pick('params');
    if (fallback.size > 0) return fallback;
  }
  throw new Error(`checkpoint has no '${key}' weights`);
}
