/** Messages between the page (main.ts) and the inference worker (worker.ts). Images are HWC RGB float [0, 1]. */
export type Backend = 'auto' | 'wasm' | 'webgpu';

export type ToWorker =
  | { type: 'load'; model: ArrayBuffer; name: string; backend: Backend; threads: number }
  | { type: 'restore'; data: Float32Array; width: number; height: number; tile: number; pad: number }
  | { type: 'diagnose'; data: Float32Array; width: number; height: number; tile: number };

export interface ModelSummary {
  name: string;
  arch: string;
  sizeMultiple: number;
  labels: string[];
  /** The execution provider the session runs on ('webgpu' or 'wasm'). */
  backend: 'wasm' | 'webgpu';
  threads: number;
  canDiagnose: boolean;
}

export type FromWorker =
  | { type: 'loaded'; model: ModelSummary }
  | { type: 'progress'; index: number; total: number }
  | { type: 'restored'; data: Float32Array; width: number; height: number; tiles: number; seconds: number }
  | { type: 'diagnosis'; predictions: { name: string; probability: number }[]; tiles: number; seconds: number }
  | { type: 'error'; message: string };
