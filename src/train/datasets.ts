/** Config dataset sections → synthetic dataset options (task-set presets expanded). */
import type { SyntheticOptions } from '../data/synthetic.js';
import { taskSelection } from '../data/tasks.js';
import type { TrainConfig } from './config.js';

export function datasetOptions(d: TrainConfig['datasets']['train'], seed: number): SyntheticOptions {
  const sel = typeof d.types === 'string' ? taskSelection(d.types) : { types: d.types, typeWeights: d.typeWeights, levels: d.levels };
  const o: SyntheticOptions = {
    source: d.source,
    recursive: d.recursive,
    patchSize: d.patchSize,
    seed,
    types: sel.types,
    augment: d.augment,
  };
  const weights = d.typeWeights ?? sel.typeWeights;
  if (weights) o.typeWeights = weights;
  const levels = d.levels ?? sel.levels;
  if (levels) o.levels = levels;
  return o;
}
