/**
 * The libtorch diagnoser: a pre-training checkpoint (encoder + classification decoder) as a `Classifier`.
 * Loaded on demand by diagnose.ts, so diagnosing with an .onnx model never loads libtorch.
 */
import { loadPretrained } from '../maskdcpt/load.js';
import type { MaskDCPT } from '../maskdcpt/pretrain.js';
import { F, fromTypedArray, noGrad, tidy } from '../tensor/index.js';
import type { Classifier } from './backend.js';

export interface TorchClassifier extends Classifier {
  model: MaskDCPT;
}

/** Loads a pre-training checkpoint file (resolved by the caller). */
export async function loadTorchClassifier(path: string): Promise<TorchClassifier> {
  const { model, labels } = await loadPretrained(path);
  const backbone = model.backbone;
  return {
    backend: 'libtorch',
    model,
    labels,
    sizeMultiple: backbone.sizeMultiple,
    // The softmax is applied here, not in the model: an exported graph's `logits` output is the same pre-softmax
    // tensor and onnx-backend.ts applies the same softmax.
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
