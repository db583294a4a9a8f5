/** Public surface of the degradation engine. */
export type { Degradation, DegradationSample, Level } from './degradation.js';
export { filter2D, gaussianBlur, sepFilter2D } from './filter.js';
export { decodeJpeg, encodeJpeg, jpegRoundTrip } from './jpeg.js';
export * from './kernels.js';
export { type DegradationLabel, LABELS } from './labels.js';
export { demosaicEdgeAwareBG, mosaicDegrade, mosaicRggb } from './mosaic.js';
export { addGaussianNoise, addPoissonNoise, addSaltPepper, addSpeckle } from './noise.js';
export {
  DEGRADATIONS,
  degradationForLevel,
  getDegradation,
  listDegradations,
  listLevels,
  regenerate,
  type SynthResult,
  synthesize,
} from './registry.js';
export { imresize, interpolate } from './resize.js';
