/**
 * Host tensors (what the file readers produce) ↔ engine tensors, and state-dict files ↔ modules' tensors.
 * Weight files load as `.safetensors` (our format) or `.pth` (PyTorch/BasicSR checkpoints).
 */
import { extname } from 'node:path';
import { fromTypedArray, type Tensor } from '../tensor/index.js';
import { CHECKPOINT_FORMAT, checkpointWeights } from './checkpoint.js';
import type { HostTensor } from './host-tensor.js';
import { pickStateDict, readPth } from './pth.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

/** Copies a host tensor into a new engine tensor (CPU). */
export function toTensor(h: HostTensor): Tensor {
  return fromTypedArray(h.data, h.shape, { dtype: h.dtype });
}

/** Copies an engine tensor's values to the host. */
export function toHost(t: Tensor): HostTensor {
  return { dtype: t.dtype, shape: [...t.shape], data: t.data() };
}

export function stateToHost(sd: ReadonlyMap<string, Tensor>): Map<string, HostTensor> {
  return new Map([...sd].map(([k, t]) => [k, toHost(t)]));
}

export function stateToTensors(sd: ReadonlyMap<string, HostTensor>): Map<string, Tensor> {
  return new Map([...sd].map(([k, h]) => [k, toTensor(h)]));
}

export interface ReadWeightsOptions {
  /** For BasicSR checkpoints: 'params_ema' (default, falling back to 'params' as BasicSR does) or 'params'. */
  key?: string;
}

/** Reads a state dict from `.safetensors` or `.pth` as host tensors. */
export async function readWeights(path: string, options: ReadWeightsOptions = {}): Promise<{
  tensors: Map<string, HostTensor>;
  metadata: Record<string, string>;
}> {
  const ext = extname(path).toLowerCase();
  if (ext === '.safetensors') {
    const file = await readSafetensors(path);
    if (file.metadata.format === CHECKPOINT_FORMAT) {
      return { tensors: checkpointWeights(file.tensors, options.key ?? 'params_ema'), metadata: file.metadata };
    }
    return file;
  }
  if (ext === '.pth' || ext === '.pt' || ext === '.ckpt') {
    const obj = await readPth(path);
    let bare: Map<string, HostTensor> | null = null;
    try {
      bare = pickStateDict(obj, undefined, { label: path });
    } catch {
      // Not a bare state dict: a BasicSR-style {params, params_ema} checkpoint.
    }
    return { tensors: bare ?? pickStateDict(obj, options.key ?? 'params_ema', { label: path }), metadata: {} };
  }
  throw new Error(`cannot read weights ${path}: unknown extension '${ext}' (expected .safetensors or .pth)`);
}

/** Writes engine tensors as safetensors (atomically), with string metadata. */
export async function writeWeights(path: string, sd: ReadonlyMap<string, Tensor>, metadata: Record<string, string> = {}): Promise<void> {
  await writeSafetensors(path, stateToHost(sd), metadata);
}
