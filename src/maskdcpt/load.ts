/**
 * Loads a pre-training checkpoint (`maskdcpt pretrain`: arch `maskdcpt:<arch>`, `backbone.*` + `classifier.*`)
 * as a whole MaskDCPT model with its label names. Shared by the libtorch diagnoser and `maskdcpt export`, so
 * the exported classifier is built exactly as diagnose builds it.
 */
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { createModel } from '../archs/registry.js';
import { LABELS } from '../degrade/labels.js';
import { readWeights, stateToTensors } from '../io/tensor-bridge.js';
import { dispose } from '../tensor/index.js';
import { MaskDCPT } from './pretrain.js';

export interface LoadedPretrain {
  model: MaskDCPT;
  /** Label names in the classifier's class order. */
  labels: string[];
  /** Backbone family, without the `maskdcpt:` prefix. */
  arch: string;
}

/**
 * Whether `path` is a pre-training checkpoint with a classifier (`maskdcpt:<arch>` and classifier weights),
 * from the safetensors header alone: the tensors of a large file are not read. False for other formats.
 */
export async function isPretrainCheckpoint(path: string): Promise<boolean> {
  if (extname(path).toLowerCase() !== '.safetensors') return false;
  const f = await open(path, 'r');
  try {
    const len = Buffer.alloc(8);
    await f.read(len, 0, 8, 0);
    const n = Number(len.readBigUInt64LE(0));
    if (n <= 0 || n > 100_000_000) return false; // not safetensors; the real loader says why
    const head = Buffer.alloc(n);
    await f.read(head, 0, n, 8);
    const json = JSON.parse(head.toString('utf8')) as Record<string, unknown> & {
      __metadata__?: Record<string, string>;
    };
    // Checkpoints prefix the weights (params.classifier.fc.weight, params_ema.…).
    return (
      (json.__metadata__?.arch ?? '').startsWith('maskdcpt:') &&
      Object.keys(json).some((k) => k.endsWith('classifier.fc.weight'))
    );
  } catch {
    return false;
  } finally {
    await f.close();
  }
}

/** Loads `path` (a pre-training checkpoint file); `key` picks params_ema (default) or params. */
export async function loadPretrained(path: string, key?: string): Promise<LoadedPretrain> {
  const { tensors, metadata } = await readWeights(path, key ? { key } : {});
  const name = basename(path);
  const fc = tensors.get('classifier.fc.weight');
  const arch = (metadata.arch ?? '').replace(/^maskdcpt:/, '');
  if (!fc || !arch) {
    throw new Error(
      `${name} has no degradation classifier (classifier.* weights); diagnosing or exporting a classifier needs a checkpoint from \`maskdcpt pretrain\``,
    );
  }
  const numClasses = fc.shape[0] as number;
  // The classifier's depth is not in the metadata; the state dict says it (last_stage.<i>.*).
  const stages = new Set(
    [...tensors.keys()].map((k) => /^classifier\.last_stage\.(\d+)\./.exec(k)?.[1]).filter((v) => v !== undefined),
  );
  const extra = JSON.parse(metadata.extra ?? '{}') as { labels?: string[] };
  const labels = extra.labels ?? LABELS.map((l) => l.name);
  if (labels.length !== numClasses) {
    throw new Error(
      `${name}: the classifier has ${numClasses} classes but the checkpoint lists ${labels.length} labels`,
    );
  }
  const options = JSON.parse(metadata.arch_options ?? '{}') as Record<string, unknown>;
  const model = new MaskDCPT(createModel(arch, options), { numClasses, numResBlocks: Math.max(1, stages.size) });
  const sd = stateToTensors(tensors);
  try {
    model.loadStateDict(sd);
  } catch (err) {
    model.dispose();
    throw new Error(`${name} does not fit maskdcpt:${arch}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    dispose(sd);
  }
  model.eval();
  return { model, labels, arch };
}
