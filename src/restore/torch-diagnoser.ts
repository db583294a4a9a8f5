/**
 * The libtorch diagnoser: a pre-training checkpoint (encoder + classification decoder) as a `Classifier`.
 * Loaded on demand by diagnose.ts, so diagnosing with an .onnx model never loads libtorch.
 */
import { basename } from 'node:path';
import { createModel } from '../archs/registry.js';
import { LABELS } from '../degrade/labels.js';
import { readWeights, stateToTensors } from '../io/tensor-bridge.js';
import { MaskDCPT } from '../maskdcpt/pretrain.js';
import { dispose, F, fromTypedArray, noGrad, tidy } from '../tensor/index.js';
import type { Classifier } from './backend.js';

export interface TorchClassifier extends Classifier {
  model: MaskDCPT;
}

/** Loads a pre-training checkpoint file (resolved by the caller). */
export async function loadTorchClassifier(path: string): Promise<TorchClassifier> {
  const { tensors, metadata } = await readWeights(path);
  const name = basename(path);
  const fc = tensors.get('classifier.fc.weight');
  const arch = (metadata.arch ?? '').replace(/^maskdcpt:/, '');
  if (!fc || !arch) {
    throw new Error(
      `${name} has no degradation classifier (classifier.* weights); diagnose needs a checkpoint from \`maskdcpt pretrain\``,
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
  const backbone = model.backbone;
  return {
    backend: 'libtorch',
    model,
    labels,
    sizeMultiple: backbone.sizeMultiple,
    // tidy frees the tile's input, features and logits (also if the forward fails half-way).
    classifyTile: async (buf, shape) =>
      noGrad(() =>
        tidy(() =>
          F.softmax(model.classify(backbone.forwardFeatures(fromTypedArray(buf, [...shape]))), 1).toFloat32Array(),
        ),
      ),
    dispose: () => model.dispose(),
  };
}
