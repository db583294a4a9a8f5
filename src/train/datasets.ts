/** Config dataset sections → dataset specs for the loader (task-set presets expanded). */
import type { DatasetSpec } from '../data/loader.js';
import type { PairedOptions, PairedSource } from '../data/paired.js';
import type { SyntheticOptions } from '../data/synthetic.js';
import { taskSelection } from '../data/tasks.js';
import type { TrainConfig } from './config.js';

type DatasetSection = TrainConfig['datasets']['train'];

export function datasetOptions(d: DatasetSection, seed: number): DatasetSpec {
  if (d.type === 'paired') {
    const o: PairedOptions = {
      type: 'paired',
      sources: d.sources.map(
        (s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as PairedSource,
      ),
      patchSize: d.patchSize,
      seed,
      augment: d.augment,
      cache: d.cache,
    };
    if (d.sourceWeights) o.sourceWeights = d.sourceWeights;
    return o;
  }
  const sel =
    typeof d.types === 'string'
      ? taskSelection(d.types)
      : { types: d.types, typeWeights: d.typeWeights, levels: d.levels };
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
