export * from './host-tensor.js';
export * from './raster.js';
export * from './safetensors.js';
export { readPth, pickStateDict, decodePth } from './pth.js';
export { writePth, encodePth } from './pth-write.js';
export * from './image.js';
export * from './tensor-bridge.js';
