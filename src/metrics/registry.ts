/**
 * Metrics by name, for evaluation configs and reports. Each entry says whether it needs a reference
 * and which direction is better; `compute` returns the value together with the convention it was
 * computed under, so a reported number always says how it was obtained (`formatMetricValue`).
 */
import type { Raster } from '../io/raster.js';
import { brisque } from './brisque.js';
import { type FullReferenceOptions, fullReferenceLabel, resolveFullReference } from './full-reference.js';
import { type NiqeOptions, niqe } from './niqe.js';
import { nrmse } from './nrmse.js';
import { piqe } from './piqe.js';
import { psnr } from './psnr.js';
import { type SsimOptions, ssim, ssimWindow } from './ssim.js';

export type Better = 'higher' | 'lower';

/** A computed metric value with everything needed to report it. */
export interface MetricValue {
  name: string;
  value: number;
  /** 'dB' for PSNR, '' otherwise. */
  unit: string;
  better: Better;
  /** How it was computed, e.g. `basicsr, Y, crop 4`. */
  convention: string;
}

interface MetricInfo {
  name: string;
  better: Better;
  unit: string;
  /** Decimals used by `formatMetricValue` unless told otherwise. */
  digits: number;
  description: string;
}

export interface FullReferenceMetric<O> extends MetricInfo {
  kind: 'full-reference';
  compute(restored: Raster, reference: Raster, options?: O): MetricValue;
}

export interface NoReferenceMetric<O> extends MetricInfo {
  kind: 'no-reference';
  compute(image: Raster, options?: O): MetricValue;
}

// biome-ignore lint/suspicious/noExplicitAny: options differ per metric; callers narrow with getMetric<K>.
export type Metric = FullReferenceMetric<any> | NoReferenceMetric<any>;

/** Label of a full-reference value; called after the metric, which has validated the inputs. */
function frLabel(a: Raster, options: FullReferenceOptions, who: string, extra: string[] = []): string {
  return fullReferenceLabel({ ...resolveFullReference(options, who), grey: a.channels === 1 }, extra);
}

const value = (m: MetricInfo, v: number, convention: string): MetricValue => ({
  name: m.name,
  value: v,
  unit: m.unit,
  better: m.better,
  convention,
});

const PSNR: FullReferenceMetric<FullReferenceOptions> = {
  name: 'psnr',
  kind: 'full-reference',
  better: 'higher',
  unit: 'dB',
  digits: 2,
  description: 'peak signal-to-noise ratio',
  compute(restored, reference, options = {}) {
    return value(this, psnr(restored, reference, options), frLabel(restored, options, 'psnr'));
  },
};

const SSIM: FullReferenceMetric<SsimOptions> = {
  name: 'ssim',
  kind: 'full-reference',
  better: 'higher',
  unit: '',
  digits: 4,
  description: 'structural similarity',
  compute(restored, reference, options = {}) {
    const v = ssim(restored, reference, options);
    const conv = options.convention ?? 'maskdcpt';
    const extra = conv === 'skimage' ? [ssimWindow(conv, options).label] : [];
    return value(this, v, frLabel(restored, options, 'ssim', extra));
  },
};

const NRMSE: FullReferenceMetric<FullReferenceOptions> = {
  name: 'nrmse',
  kind: 'full-reference',
  better: 'lower',
  unit: '',
  digits: 4,
  description: 'RMSE over the range of the restored image (MaskDCPT fork)',
  compute(restored, reference, options = {}) {
    return value(this, nrmse(restored, reference, options), frLabel(restored, options, 'nrmse'));
  },
};

const NIQE: NoReferenceMetric<NiqeOptions> = {
  name: 'niqe',
  kind: 'no-reference',
  better: 'lower',
  unit: '',
  digits: 4,
  description: 'natural image quality evaluator (LIVE pristine model)',
  compute(image, options = {}) {
    const conv = options.convertTo ?? 'y';
    const label = conv === 'rgb-mean' ? 'maskdcpt fork, RGB mean' : `basicsr, ${conv === 'y' ? 'Y' : 'gray'}`;
    const crop = options.cropBorder ? `, crop ${options.cropBorder}` : '';
    return value(this, niqe(image, options), `${label}${crop}`);
  },
};

const PIQE: NoReferenceMetric<Record<string, never>> = {
  name: 'piqe',
  kind: 'no-reference',
  better: 'lower',
  unit: '',
  digits: 2,
  description: 'perception-based image quality evaluator (0-100)',
  compute(image) {
    return value(this, piqe(image), 'matlab');
  },
};

const BRISQUE: NoReferenceMetric<Record<string, never>> = {
  name: 'brisque',
  kind: 'no-reference',
  better: 'lower',
  unit: '',
  digits: 3,
  description: 'blind/referenceless spatial quality evaluator (0-100)',
  compute(image) {
    return value(this, brisque(image), 'opencv, LIVE model');
  },
};

const REGISTRY = { psnr: PSNR, ssim: SSIM, nrmse: NRMSE, niqe: NIQE, piqe: PIQE, brisque: BRISQUE } as const;

export type MetricRegistry = typeof REGISTRY;
export type MetricName = keyof MetricRegistry;
export const METRIC_NAMES = Object.keys(REGISTRY) as MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(REGISTRY, name);
}

/** The metric called `name`; throws, listing the valid names, for anything else. */
export function getMetric<K extends MetricName>(name: K): MetricRegistry[K];
export function getMetric(name: string): Metric;
export function getMetric(name: string): Metric {
  if (!isMetricName(name)) throw new RangeError(`unknown metric '${name}'; valid metrics: ${METRIC_NAMES.join(', ')}`);
  return REGISTRY[name];
}

/** `psnr 28.41 dB (basicsr, Y, crop 4)`; `digits` overrides the metric's usual precision. */
export function formatMetricValue(v: MetricValue, digits?: number): string {
  const d = digits ?? (isMetricName(v.name) ? REGISTRY[v.name].digits : 4);
  const num = Number.isFinite(v.value) ? v.value.toFixed(d) : v.value > 0 ? 'inf' : String(v.value);
  return `${v.name} ${num}${v.unit ? ` ${v.unit}` : ''} (${v.convention})`;
}
