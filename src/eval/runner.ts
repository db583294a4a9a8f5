/**
 * The evaluation runner: for every task of a suite and every image, make the LQ input, restore it with any
 * `Restorer`, clamp to [0, 1] (the official code clamps and does not re-quantise) and measure. Per-image rows,
 * per-task means (the dataset value) and the mean over tasks (the paper's "Avg") come back as plain JSON.
 */
import { degradationForLevel, synthesize } from '../degrade/registry.js';
import type { Raster } from '../io/raster.js';
import type { FullReferenceConvention } from '../metrics/full-reference.js';
import { getMetric, type MetricValue } from '../metrics/registry.js';
import { Rng } from '../tensor/rng.js';
import { type DatasetItem, listDataset, readDatasetImage } from './datasets.js';
import { getSuite } from './suites.js';
import type { EvalProgress, EvalResult, EvalRow, EvalSuite, EvalTask, Restorer, TaskSummary } from './types.js';

export interface EvaluateOptions {
  /** Folder holding the benchmark folders (`cbsd68/`, `rain100h/`, ...). */
  dataRoot: string;
  /** Full-reference convention; default `maskdcpt` (RGB, float, BasicSR Gaussian SSIM). */
  convention?: FullReferenceConvention;
  /** `rgb` (default) or `y`. Grey sets are measured on their one channel either way. */
  channel?: 'rgb' | 'y';
  /** Pixels removed on every side before measuring; default 0 (MaskDCPT's `crop_border: 0`). */
  cropBorder?: number;
  /** At most this many images per task (the first in natural order); for quick checks. */
  limit?: number;
  /** Folder for the `no-reference` suite when `suite` is given by name. */
  folder?: string;
  onProgress?: (p: EvalProgress) => void;
}

export const FULL_REFERENCE_METRICS = ['psnr', 'ssim'] as const;
export const NO_REFERENCE_METRICS = ['piqe', 'niqe', 'brisque'] as const;

/** The columns a suite reports. */
export function suiteMetrics(kind: EvalSuite['kind']): string[] {
  if (kind === 'full-reference') return [...FULL_REFERENCE_METRICS];
  return NO_REFERENCE_METRICS.flatMap((m) => [`${m}_in`, `${m}_out`]);
}

/** Clamps to [0, 1]; returns the raster itself when nothing is out of range. Non-finite samples are errors. */
function clamp01(r: Raster, what: string): Raster {
  const d = r.data;
  let out: Float32Array | null = null;
  for (let i = 0; i < d.length; i++) {
    const v = d[i] as number;
    if (!Number.isFinite(v)) throw new Error(`${what}: the restorer returned a non-finite value (${v}) at sample ${i}`);
    if (v < 0 || v > 1) {
      out ??= d.slice();
      out[i] = v < 0 ? 0 : 1;
    }
  }
  return out ? { ...r, data: out } : r;
}

async function makeLq(task: EvalTask, item: DatasetItem, gt: Raster): Promise<Raster> {
  switch (task.lq.kind) {
    case 'as-is':
      return gt;
    case 'paired': {
      const lq = await readDatasetImage(item.input as string, task.dataset);
      if (lq.width !== gt.width || lq.height !== gt.height) {
        throw new Error(`input ${lq.width}x${lq.height} and target ${gt.width}x${gt.height} differ in size`);
      }
      return lq;
    }
    case 'synthesize': {
      const { level, seeding } = task.lq;
      const rng = new Rng(seeding.kind === 'fixed' ? seeding.seed : `${seeding.salt}/${item.name}`);
      return (await synthesize(gt, degradationForLevel(level).name, rng, level)).lq;
    }
  }
}

interface Measured {
  metrics: Record<string, number>;
  conventions: Record<string, string>;
}

function record(m: Measured, key: string, v: MetricValue): void {
  m.metrics[key] = v.value;
  m.conventions[key.replace(/_(in|out)$/, '')] = v.convention;
}

function measure(kind: EvalSuite['kind'], lq: Raster, out: Raster, gt: Raster, o: EvaluateOptions): Measured {
  const m: Measured = { metrics: {}, conventions: {} };
  if (kind === 'full-reference') {
    const fr = {
      ...(o.convention ? { convention: o.convention } : {}),
      ...(o.channel ? { channel: o.channel } : {}),
      ...(o.cropBorder ? { cropBorder: o.cropBorder } : {}),
    };
    record(m, 'psnr', getMetric('psnr').compute(out, gt, fr));
    record(m, 'ssim', getMetric('ssim').compute(out, gt, fr));
    return m;
  }
  for (const name of NO_REFERENCE_METRICS) {
    const metric = getMetric(name);
    const before = metric.compute(lq);
    record(m, `${name}_in`, before);
    // The identity hands back its input: no need to measure the same pixels twice.
    record(m, `${name}_out`, out === lq ? before : metric.compute(out));
  }
  return m;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Runs `restorer` over a suite (an `EvalSuite` or a suite name) and measures every image. Errors name the task
 * and image they happened on.
 */
export async function evaluate(
  suite: EvalSuite | string,
  restorer: Restorer,
  options: EvaluateOptions,
): Promise<EvalResult> {
  const s = typeof suite === 'string' ? getSuite(suite, options.folder ? { folder: options.folder } : {}) : suite;
  const limit = options.limit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new RangeError(`evaluate: limit must be a positive integer, got ${limit}`);
  }
  const started = performance.now();
  // List everything first: a missing folder fails before any work, and progress knows the total.
  const plan: { task: EvalTask; items: DatasetItem[] }[] = [];
  for (const task of s.tasks) {
    const items = await listDataset(task.dataset, options.dataRoot);
    plan.push({ task, items: limit ? items.slice(0, limit) : items });
  }
  const total = plan.reduce((n, p) => n + p.items.length, 0);
  const rows: EvalRow[] = [];
  const tasks: TaskSummary[] = [];
  let done = 0;
  for (const { task, items } of plan) {
    const taskRows: EvalRow[] = [];
    let conventions: Record<string, string> = {};
    for (const item of items) {
      const where = `${s.name} ${task.id} ${item.name}`;
      try {
        const gt = await readDatasetImage(item.target, task.dataset);
        const lq = await makeLq(task, item, gt);
        const t0 = performance.now();
        const restored = await restorer(lq, { suite: s.name, taskId: task.id, task: task.task, image: item.name });
        const seconds = (performance.now() - t0) / 1000;
        if (restored.width !== lq.width || restored.height !== lq.height || restored.channels !== lq.channels) {
          throw new Error(
            `the restorer returned ${restored.width}x${restored.height}x${restored.channels} for a ` +
              `${lq.width}x${lq.height}x${lq.channels} input`,
          );
        }
        const out = clamp01(restored, 'output');
        const m = measure(s.kind, lq, out, gt, options);
        conventions = m.conventions;
        const row: EvalRow = {
          taskId: task.id,
          task: task.task,
          label: task.label,
          dataset: task.dataset.name,
          image: item.name,
          width: gt.width,
          height: gt.height,
          channels: gt.channels,
          metrics: m.metrics,
          seconds,
        };
        taskRows.push(row);
        rows.push(row);
        done++;
        options.onProgress?.({ suite: s.name, taskId: task.id, label: task.label, image: item.name, done, total, row });
      } catch (err) {
        throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const keys = Object.keys(taskRows[0]?.metrics ?? {});
    tasks.push({
      taskId: task.id,
      task: task.task,
      label: task.label,
      dataset: task.dataset.name,
      images: taskRows.length,
      means: Object.fromEntries(keys.map((k) => [k, mean(taskRows.map((r) => r.metrics[k] as number))])),
      conventions,
    });
  }
  const metrics = suiteMetrics(s.kind);
  const average = Object.fromEntries(metrics.map((k) => [k, mean(tasks.map((t) => t.means[k] as number))]));
  return {
    suite: s.name,
    description: s.description,
    kind: s.kind,
    metrics,
    rows,
    tasks,
    average,
    seconds: (performance.now() - started) / 1000,
  };
}
