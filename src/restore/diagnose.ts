/**
 * `diagnose`: the pre-trained encoder and classification decoder on a photo → the likely degradation types
 * with probabilities. Large images are cut into tiles (no overlap needed: each tile is classified on its own)
 * and the tiles' class probabilities are averaged. The encoder runs unmasked, as the trainer's
 * `accuracy_unmasked` validation measures it. Two engines: a pre-training checkpoint on libtorch, or an .onnx
 * export that carries the classifier (a `logits` output and `labels` metadata) on onnxruntime.
 *
 * @example
 *   const { predictions } = await diagnose('rainy.jpg', { model: 'runs/pretrain' });
 *   // [{ name: 'rain_streak', title: 'Rain streak', probability: 0.81 }, ...]
 */
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { type DegradationLabel, LABELS } from '../degrade/labels.js';
import { type BackendName, type Classifier, pickBackend } from './backend.js';
import type { RestoreProgress } from './events.js';
import { modelsDir, newestCheckpoint, resolveModelName } from './models.js';
import { decodeInput, type ImageInput } from './restore.js';
import { axisLayout, checkTile, fillWindow } from './tiling.js';

/** A model ready to classify, with the label table it was trained with. */
export interface Diagnoser {
  classifier: Classifier;
  labels: DegradationLabel[];
  /** The checkpoint or .onnx file it came from. */
  source: string;
  dispose(): void;
}

/**
 * Loads a pre-training checkpoint (a file, a run directory, or a name in the models folder) on libtorch, or an
 * .onnx export with a classifier on onnxruntime.
 */
export async function loadDiagnoser(
  ref: string,
  dir: string = modelsDir(),
  backend: BackendName | 'auto' = 'auto',
  threads?: number,
): Promise<Diagnoser> {
  let path = ref;
  if (existsSync(ref) && statSync(ref).isDirectory()) {
    const ckpt = newestCheckpoint(ref);
    if (!ckpt) throw new Error(`${ref} holds no checkpoint (ckpt_<iter>.safetensors)`);
    path = ckpt;
  } else if (!existsSync(ref)) {
    path = resolveModelName(ref, dir, backend === 'onnx' ? 'onnx' : undefined).path;
  }
  let classifier: Classifier;
  if (pickBackend(path, backend) === 'onnx') {
    if (!/\.onnx$/i.test(path)) throw new Error(`--backend onnx needs an .onnx model, got ${path}`);
    const { loadOnnxModel } = await import('./onnx-backend.js');
    const m = await loadOnnxModel(path, threads ? { threads } : {});
    if (!m.classifier) {
      m.dispose();
      throw new Error(
        `${basename(path)} has no degradation classifier (no 'logits' output with labels metadata); ` +
          'diagnose through ONNX needs a model exported from a pre-training checkpoint with its classifier; ' +
          'otherwise run diagnose on the checkpoint itself (libtorch)',
      );
    }
    classifier = { ...m.classifier, dispose: () => m.dispose() };
  } else {
    const { loadTorchClassifier } = await import('./torch-diagnoser.js');
    classifier = await loadTorchClassifier(path);
  }
  const labels = classifier.labels.map(
    (n, i) => LABELS.find((l) => l.name === n) ?? { id: i + 1, name: n, abbr: n, title: n },
  );
  return { classifier, labels, source: path, dispose: () => classifier.dispose() };
}

export interface Prediction extends DegradationLabel {
  probability: number;
}

export interface DiagnoseOptions {
  /** A loaded diagnoser (borrowed), a checkpoint or .onnx file, a run directory, or an installed name. */
  model: string | Diagnoser;
  /** 'auto' (default): onnxruntime for .onnx files, libtorch otherwise. */
  backend?: BackendName | 'auto';
  /** Tile size (default 512; 0 = whole image). Each tile is classified and the probabilities averaged. */
  tile?: number;
  modelsDir?: string;
  signal?: AbortSignal;
  onProgress?: (event: RestoreProgress) => void;
}

export interface Diagnosis {
  /** Every class, most likely first; probabilities sum to 1. */
  predictions: Prediction[];
  info: { width: number; height: number; tiles: number; tile: number; seconds: number };
}

export const DEFAULT_DIAGNOSE_TILE = 512;

export async function diagnose(input: ImageInput, options: DiagnoseOptions): Promise<Diagnosis> {
  const t0 = performance.now();
  options.signal?.throwIfAborted();
  const d =
    typeof options.model === 'string'
      ? await loadDiagnoser(options.model, options.modelsDir, options.backend)
      : options.model;
  try {
    const img = await decodeInput(input);
    const { raster } = img;
    const m = d.classifier.sizeMultiple;
    const tile = checkTile(options.tile ?? DEFAULT_DIAGNOSE_TILE, m);
    // A fixed-size graph classifies windows of its own size (an image smaller than that is mirrored out).
    const fixed = d.classifier.window;
    const ys = axisLayout(raster.height, tile, 0, m, fixed?.[0]);
    const xs = axisLayout(raster.width, tile, 0, m, fixed?.[1]);
    const reflect = ys.window - raster.height < raster.height && xs.window - raster.width < raster.width;
    const buf = new Float32Array(3 * ys.window * xs.window);
    const sum = new Float64Array(d.labels.length);
    const total = ys.tiles.length * xs.tiles.length;
    let index = 0;
    for (const ty of ys.tiles) {
      for (const tx of xs.tiles) {
        options.signal?.throwIfAborted();
        fillWindow(raster, ty.win0, tx.win0, ys.window, xs.window, 3, reflect, buf);
        const probs = await d.classifier.classifyTile(buf, [1, 3, ys.window, xs.window]);
        for (let k = 0; k < sum.length; k++) sum[k] = (sum[k] as number) + (probs[k] as number) / total;
        index++;
        options.onProgress?.({ type: 'tile', index, total });
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    const predictions = d.labels
      .map((l, k) => ({ ...l, probability: sum[k] as number }))
      .sort((a, b) => b.probability - a.probability);
    const seconds = (performance.now() - t0) / 1000;
    options.onProgress?.({ type: 'done', seconds });
    const used = fixed ? Math.max(...fixed) : tile;
    return { predictions, info: { width: raster.width, height: raster.height, tiles: total, tile: used, seconds } };
  } finally {
    if (typeof options.model === 'string') d.dispose();
  }
}

/** "rain streak 0.81, haze 0.12": the top `top` classes (the first always, the rest at or above `min`). */
export function formatPredictions(predictions: readonly Prediction[], top = 3, min = 0.01): string {
  const shown = predictions.slice(0, top).filter((p, i) => i === 0 || p.probability >= min);
  // Label names, not titles: some titles hold commas ("Gaussian, Poisson, salt & pepper noise").
  return shown.map((p) => `${p.name.replace(/_/g, ' ')} ${p.probability.toFixed(2)}`).join(', ');
}
