/**
 * Restoration and diagnosis for apps. `pipeline(task, model)` loads a model once and returns a callable, in
 * the spirit of transformers.js:
 *
 * @example
 *   const restorer = await pipeline('image-restoration', 'nafnet-maskdcpt-5d');
 *   const { data, info } = await restorer('photo.jpg', { tile: 256, onProgress: (e) => console.log(e) });
 *   const classify = await pipeline('degradation-classification', 'runs/tiny-pretrain');
 *   const { predictions } = await classify('rainy.jpg');
 *   restorer.dispose();
 *   classify.dispose();
 */
import type { Backbone } from '../archs/types.js';
import type { Restorer } from './backend.js';
import { type Diagnoser, type Diagnosis, type DiagnoseOptions, diagnose, loadDiagnoser } from './diagnose.js';
import {
  type ImageInput,
  loadRestorationModel,
  type ModelOptions,
  type RestoreOptions,
  type RestoreResult,
  restore,
} from './restore.js';

export * from './batch.js';
export * from './diagnose.js';
export type * from './events.js';
export * from './models.js';
export * from './restore.js';
export * from './backend.js';
export { type OnnxLoadOptions, type OnnxModel, loadOnnxModel } from './onnx-backend.js';
export {
  axisLayout,
  checkTile,
  isAllocationError,
  runTiles,
  type TileFn,
  type TileOptions,
  type TiledResult,
} from './tiling.js';
export { runTiled, torchRestorer, torchTileFn } from './torch-backend.js';

export interface RestorationPipeline {
  (input: ImageInput, options?: Omit<RestoreOptions, 'model'>): Promise<RestoreResult>;
  readonly task: 'image-restoration';
  readonly restorer: Restorer;
  dispose(): void;
}

export interface DiagnosisPipeline {
  (input: ImageInput, options?: Omit<DiagnoseOptions, 'model'>): Promise<Diagnosis>;
  readonly task: 'degradation-classification';
  readonly model: Diagnoser;
  dispose(): void;
}

export type Task = 'image-restoration' | 'degradation-classification';

export function pipeline(
  task: 'image-restoration',
  model: string | Backbone | Restorer,
  options?: ModelOptions,
): Promise<RestorationPipeline>;
export function pipeline(
  task: 'degradation-classification',
  model: string,
  options?: Pick<ModelOptions, 'modelsDir'>,
): Promise<DiagnosisPipeline>;
export async function pipeline(
  task: Task,
  model: string | Backbone | Restorer,
  options: ModelOptions = {},
): Promise<RestorationPipeline | DiagnosisPipeline> {
  if (task === 'image-restoration') {
    const loaded = await loadRestorationModel(model, options);
    const run = (input: ImageInput, o: Omit<RestoreOptions, 'model'> = {}) =>
      restore(input, { ...o, model: loaded.restorer });
    return Object.assign(run, { task, restorer: loaded.restorer, dispose: () => loaded.dispose() });
  }
  if (task === 'degradation-classification') {
    if (typeof model !== 'string')
      throw new TypeError('degradation-classification needs a checkpoint path or model name');
    const d = await loadDiagnoser(model, options.modelsDir);
    const run = (input: ImageInput, o: Omit<DiagnoseOptions, 'model'> = {}) => diagnose(input, { ...o, model: d });
    return Object.assign(run, { task, model: d, dispose: () => d.dispose() });
  }
  throw new Error(`unknown task '${task as string}'; tasks: image-restoration, degradation-classification`);
}
