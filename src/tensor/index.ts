/** The tensor engine: import everything tensor-related from here (it installs the operator methods). */
export { Tensor, type BackwardOptions } from './tensor.js';
import './ops-math.js';
import './ops-shape.js';
export { einsum } from './ops-extra.js';
export type { ReduceOptions, VarOptions } from './ops-math.js';
export * from './creation.js';
export * from './autograd.js';
export * from './runtime.js';
export { tidy, keep, dispose, pipe, scopeDepth } from './scope.js';
export { type DType, isFloating } from './dtype.js';
export { schemaOf } from './dispatch.js';
export * as F from './functional.js';
export { Rng, type RngState } from './rng.js';
export { engineInfo, type EngineInfo } from './info.js';
