export * from './module.js';
export * from './layers.js';
export * as init from './init.js';
export * from './losses.js';
export * from './masked.js';
