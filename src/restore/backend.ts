/**
 * The restorer backend the tiling code calls: run one window (planar float32 in, same shape out). Two
 * implementations: libtorch (torch-backend.ts, our Backbone modules) and onnxruntime-node (onnx-backend.ts,
 * exported .onnx models, no libtorch needed). This file imports neither engine.
 */
import type { TileFn } from './tiling.js';

export type BackendName = 'libtorch' | 'onnx';

export interface Restorer {
  readonly backend: BackendName;
  /** Architecture, for messages. */
  readonly arch: string;
  /** Window heights and widths must be multiples of this. */
  readonly sizeMultiple: number;
  /** Colour channels the model takes (1 or 3). */
  readonly channels: number;
  /** A fixed-size graph's input [height, width]; every tile window then has this size. */
  readonly window?: readonly [number, number] | undefined;
  readonly runTile: TileFn;
  dispose(): void;
}

/** A model that can also classify degradations: probabilities per label for one window. */
export interface Classifier {
  readonly backend: BackendName;
  readonly sizeMultiple: number;
  readonly labels: readonly string[];
  /** A fixed-size graph's input [height, width]; every window is then this size. */
  readonly window?: readonly [number, number] | undefined;
  classifyTile(input: Float32Array, shape: readonly [1, number, number, number]): Promise<Float32Array>;
  dispose(): void;
}

/** Which backend a model reference needs: `.onnx` files (or `backend: 'onnx'`) run on onnxruntime. */
export function pickBackend(ref: string, requested: BackendName | 'auto' = 'auto'): BackendName {
  if (requested !== 'auto') return requested;
  return /\.onnx$/i.test(ref) ? 'onnx' : 'libtorch';
}

export function isRestorer(x: unknown): x is Restorer {
  return typeof x === 'object' && x !== null && 'runTile' in x && 'backend' in x;
}
