export * from './adam.js';
export * from './schedulers.js';
export * from './ema.js';
