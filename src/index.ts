/** maskdcpt: the library entry point. Sub-paths (`maskdcpt/tensor`, `/nn`, `/optim`, `/io`) export each floor. */
export * as tensor from './tensor/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as io from './io/index.js';
export { createModel, listModels, resolveModel } from './archs/registry.js';
export { loadModel, saveModel } from './archs/load.js';
export type { Backbone, FeatureOutput } from './archs/types.js';
export { MaskDCPT } from './maskdcpt/pretrain.js';
export { loadConfig, parseConfig } from './train/config.js';
export { train } from './train/trainer.js';
export * as restore from './restore/index.js';
