/**
 * Typed progress events (a discriminated union on `type`, as transformers.js's progress callbacks): the CLI
 * renders them as lines or `--json`, apps switch on `type`. No text is ever scraped (upscayl #877).
 */

/** Tile `index` of `total` (1-based) of the current image is done. */
export interface TileEvent {
  type: 'tile';
  index: number;
  total: number;
  /** Set in batch runs: the image the tile belongs to. */
  file?: string;
}

/** A tile failed to allocate; the image starts again with `tile`-pixel tiles. */
export interface RetryEvent {
  type: 'retry';
  tile: number;
  reason: string;
  file?: string;
}

/** A single `restore()` / `diagnose()` call finished. */
export interface DoneEvent {
  type: 'done';
  seconds: number;
}

export type RestoreProgress = TileEvent | RetryEvent | DoneEvent;

/** A batch begins: `total` images, written to `output`. */
export interface StartEvent {
  type: 'start';
  total: number;
  model: string;
  /** The engine that runs the model. */
  backend: 'libtorch' | 'onnx';
  output: string;
  tile: number;
  tilePad: number;
}

/** Image `index` of `total` (1-based) begins. */
export interface ImageEvent {
  type: 'image';
  index: number;
  total: number;
  file: string;
}

export interface SavedEvent {
  type: 'saved';
  index: number;
  total: number;
  file: string;
  output: string;
  width: number;
  height: number;
  tiles: number;
  seconds: number;
}

export interface SkipEvent {
  type: 'skip';
  index: number;
  total: number;
  file: string;
  output: string;
  reason: 'exists';
}

/** Something was changed to make the file writable (e.g. alpha dropped for JPEG output). */
export interface WarningEvent {
  type: 'warning';
  file: string;
  message: string;
}

/** One image failed; the batch goes on and reports it again in the summary. */
export interface ErrorEvent {
  type: 'error';
  index: number;
  total: number;
  file: string;
  message: string;
}

/** The batch is over (all images, or stopped by the signal): the summary. */
export interface BatchDoneEvent {
  type: 'done';
  total: number;
  ok: number;
  skipped: number;
  failed: { file: string; message: string }[];
  seconds: number;
  /** True when the run stopped early on an abort signal. */
  aborted: boolean;
}

export type BatchEvent =
  | StartEvent
  | ImageEvent
  | TileEvent
  | RetryEvent
  | SavedEvent
  | SkipEvent
  | WarningEvent
  | ErrorEvent
  | BatchDoneEvent;
