/**
 * `diagnose`: the pre-trained encoder and classification decoder on a photo → the likely degradation types
 * with probabilities. Large images are cut into tiles (no overlap needed: each tile is classified on its own)
 * and the tiles' class probabilities are averaged. The encoder runs unmasked, as the trainer's
 * `accuracy_unmasked` validation measures it.
 *
 * @example
 *   const { predictions } = await diagnose('rainy.jpg', { model: 'runs/pretrain' });
 *   // [{ name: 'rain_streak', title: 'Rain streak', probability: 0.81 }, ...]
 */
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createModel } from '../archs/registry.js';
import { type DegradationLabel, LABELS } from '../degrade/labels.js';
import { readWeights, stateToTensors } from '../io/tensor-bridge.js';
import { MaskDCPT } from '../maskdcpt/pretrain.js';
import { dispose, F, fromTypedArray, noGrad, tidy } from '../tensor/index.js';
import type { RestoreProgress } from './events.js';
import { modelsDir, newestCheckpoint, resolveModelName } from './models.js';
import { decodeInput, type ImageInput } from './restore.js';
import { axisLayout, checkTile, fillWindow } from './tiling.js';

/** A pre-training model ready to classify, with the label table it was trained with. */
export interface Diagnoser {
  model: MaskDCPT;
  labels: DegradationLabel[];
  /** The checkpoint it came from. */
  source: string;
  dispose(): void;
}

/** Loads a pre-training checkpoint (a file, a run directory, or a name in the models folder). */
export async function loadDiagnoser(ref: string, dir: string = modelsDir()): Promise<Diagnoser> {
  let path = ref;
  if (existsSync(ref) && statSync(ref).isDirectory()) {
    const ckpt = newestCheckpoint(ref);
    if (!ckpt) throw new Error(`${ref} holds no checkpoint (ckpt_<iter>.safetensors)`);
    path = ckpt;
  } else if (!existsSync(ref)) {
    path = resolveModelName(ref, dir).path;
  }
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
  const labels = (extra.labels ?? LABELS.map((l) => l.name)).map(
    (n, i) => LABELS.find((l) => l.name === n) ?? { id: i + 1, name: n, abbr: n, title: n },
  );
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
  return { model, labels, source: path, dispose: () => model.dispose() };
}

export interface Prediction extends DegradationLabel {
  probability: number;
}

export interface DiagnoseOptions {
  /** A loaded diagnoser (borrowed), a checkpoint file or run directory, or a name in the models folder. */
  model: string | Diagnoser;
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
  const d = typeof options.model === 'string' ? await loadDiagnoser(options.model, options.modelsDir) : options.model;
  try {
    const img = await decodeInput(input);
    const { raster } = img;
    const backbone = d.model.backbone;
    const m = backbone.sizeMultiple;
    const tile = checkTile(options.tile ?? DEFAULT_DIAGNOSE_TILE, m);
    const ys = axisLayout(raster.height, tile, 0, m);
    const xs = axisLayout(raster.width, tile, 0, m);
    const reflect = ys.window - raster.height < raster.height && xs.window - raster.width < raster.width;
    const buf = new Float32Array(3 * ys.window * xs.window);
    const sum = new Float64Array(d.labels.length);
    const total = ys.tiles.length * xs.tiles.length;
    let index = 0;
    for (const ty of ys.tiles) {
      for (const tx of xs.tiles) {
        options.signal?.throwIfAborted();
        fillWindow(raster, ty.win0, tx.win0, ys.window, xs.window, 3, reflect, buf);
        // tidy frees the tile's input, features and logits (also if the forward fails half-way).
        const probs = noGrad(() =>
          tidy(() => {
            const feats = backbone.forwardFeatures(fromTypedArray(buf, [1, 3, ys.window, xs.window]));
            return F.softmax(d.model.classify(feats), 1).toFloat32Array();
          }),
        );
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
    return { predictions, info: { width: raster.width, height: raster.height, tiles: total, tile, seconds } };
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
