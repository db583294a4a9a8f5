export * from './folder.js';
export * from './augment.js';
export * from './synthetic.js';
export * from './batch.js';
export * from './loader.js';
export * from './tasks.js';
export * from './paired.js';
