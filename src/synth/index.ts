export * from './gallery.js';
export * from './manifest.js';
export * from './pair.js';
export * from './plan.js';
export * from './run.js';
