/** maskdcpt: the library entry point. Sub-paths (`maskdcpt/tensor`, `/nn`, `/optim`, `/io`) export each floor. */
export * as tensor from './tensor/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as io from './io/index.js';
