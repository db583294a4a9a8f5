/**
 * Self-describing weights: our safetensors carry the architecture and its options in the metadata, so a model
 * loads from the file alone. Official `.pth` checkpoints do not, so they need `arch` (a preset or family name).
 * Pre-training checkpoints (`maskdcpt:<arch>`) load their backbone (classifier dropped by name).
 */
import { basename } from 'node:path';
import type { HostTensor } from '../io/host-tensor.js';
import { readWeights, stateToHost, stateToTensors } from '../io/tensor-bridge.js';
import { writeSafetensors } from '../io/safetensors.js';
import { dispose } from '../tensor/index.js';
import { createModel, resolveModel } from './registry.js';
import type { Backbone } from './types.js';

export const WEIGHTS_FORMAT = 'maskdcpt-weights/1';

export interface LoadModelOptions {
  /** Preset or architecture name; required for official .pth files. */
  arch?: string;
  /** Options overriding the preset's / file's. */
  archOptions?: Record<string, unknown>;
  /** 'params_ema' (default) or 'params' for BasicSR-style files and our checkpoints. */
  key?: string;
}

export interface ModelWeights {
  arch: string;
  archOptions: Record<string, unknown>;
  tensors: Map<string, HostTensor>;
}

/** Reads a weights file and works out which architecture it is for. */
export async function readModelWeights(path: string, o: LoadModelOptions = {}): Promise<ModelWeights> {
  const { tensors, metadata } = await readWeights(path, o.key ? { key: o.key } : {});
  let fileArch = metadata.arch;
  let weights = tensors;
  if (fileArch?.startsWith('maskdcpt:')) {
    fileArch = fileArch.slice('maskdcpt:'.length);
    weights = new Map([...tensors].filter(([k]) => k.startsWith('backbone.')).map(([k, t]) => [k.slice(9), t]));
  }
  const fileOptions = metadata.arch_options ? (JSON.parse(metadata.arch_options) as Record<string, unknown>) : {};
  const name = o.arch ?? fileArch;
  if (!name) {
    throw new Error(`${basename(path)} does not say which architecture it holds; pass an architecture (e.g. --arch nafnet-64-5d)`);
  }
  const resolved = resolveModel(name, { ...(o.arch ? {} : fileOptions), ...(o.archOptions ?? {}) });
  return { arch: resolved.arch, archOptions: resolved.options, tensors: weights };
}

/** Builds the model and loads the weights strictly; mismatches name the missing/unexpected/mis-shaped keys. */
export async function loadModel(path: string, o: LoadModelOptions = {}): Promise<Backbone> {
  const w = await readModelWeights(path, o);
  const model = createModel(w.arch, w.archOptions);
  const sd = stateToTensors(w.tensors);
  try {
    model.loadStateDict(sd);
  } catch (err) {
    model.dispose();
    throw new Error(`${basename(path)} does not fit ${w.arch} ${JSON.stringify(w.archOptions)}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    dispose(sd);
  }
  return model;
}

/** Writes a model's weights as self-describing safetensors. */
export async function saveModel(path: string, model: Backbone, archOptions: Record<string, unknown>, extra: Record<string, string> = {}): Promise<void> {
  await writeSafetensors(path, stateToHost(model.stateDict()), {
    format: WEIGHTS_FORMAT,
    arch: model.arch,
    arch_options: JSON.stringify(archOptions),
    ...extra,
  });
}
