/** Image-quality and classification metrics: pure functions over host rasters, no libtorch. */
export { brisque, brisqueFeatures, brisqueScore } from './brisque.js';
export {
  accuracy,
  balancedAccuracy,
  type ConfusionMatrix,
  confusionMatrix,
  type Labels,
  perClassAccuracy,
} from './classification.js';
export {
  FULL_REFERENCE_CONVENTIONS,
  type FullReferenceConvention,
  type FullReferenceOptions,
} from './full-reference.js';
export { type ImresizeOptions, imresize } from './imresize.js';
export { type NiqeConversion, type NiqeOptions, niqe } from './niqe.js';
export { nrmse } from './nrmse.js';
export { type PiqeResult, piqe, piqeDetailed } from './piqe.js';
export type { Plane } from './plane.js';
export { psnr } from './psnr.js';
export {
  type Better,
  formatMetricValue,
  type FullReferenceMetric,
  getMetric,
  isMetricName,
  METRIC_NAMES,
  type Metric,
  type MetricName,
  type MetricRegistry,
  type MetricValue,
  type NoReferenceMetric,
} from './registry.js';
export { type SsimOptions, ssim } from './ssim.js';
