/** Benchmark suites and the evaluation runner (see suites.ts for the protocols). */
export { DATASETS, type DatasetItem, datasetDir, listDataset, readDatasetImage } from './datasets.js';
export { conventionLines, formatNumber, formatTable, toCsv, toJsonValue } from './format.js';
export {
  identityRestorer,
  inputChannels,
  type ModelRestorerOptions,
  modelRestorer,
  testPadMultiple,
} from './restorers.js';
export {
  type EvaluateOptions,
  evaluate,
  FULL_REFERENCE_METRICS,
  NO_REFERENCE_METRICS,
  suiteMetrics,
} from './runner.js';
export {
  denoiseTask,
  derainTask,
  getSuite,
  jpegTask,
  listSuites,
  NOISE_SEED,
  noReferenceSuite,
  noReferenceTask,
  SYNTHETIC_LEVELS,
  suites,
  syntheticTask,
} from './suites.js';
export type {
  DatasetSpec,
  EvalProgress,
  EvalResult,
  EvalRow,
  EvalSuite,
  EvalTask,
  LqSource,
  RestoreContext,
  Restorer,
  Seeding,
  TaskSummary,
} from './types.js';
