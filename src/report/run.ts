/**
 * A training run directory (`maskdcpt pretrain|finetune`) → curves, facts and a validation summary.
 *
 * Reads only files: `metrics.jsonl` (one event per line, see src/train/run.ts), `config.yaml` and the names and
 * sizes of `ckpt_*.safetensors`. A run may be in progress or may have crashed mid-append, so unreadable lines are
 * skipped and counted in a warning rather than failing the whole page. After a resume, iterations are logged
 * again from the checkpoint on; the later value wins, which is the history the final weights actually have.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ChartView, RunView, Series, TableView } from './types.js';

/** Longer series are averaged into this many buckets: enough for a 640 px chart, small enough for the page. */
const MAX_POINTS = 600;

type Curves = Map<string, Map<number, number>>;

function put(curves: Curves, name: string, iter: number, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) return;
  let m = curves.get(name);
  if (!m) {
    m = new Map();
    curves.set(name, m);
  }
  m.set(iter, value);
}

function toSeries(name: string, m: Map<number, number> | undefined): Series | null {
  if (!m || m.size === 0) return null;
  return { name, points: [...m.entries()].sort((a, b) => a[0] - b[0]) };
}

/** Bucket means; returns the factor so the chart can say what it shows. */
export function downsample(s: Series, max = MAX_POINTS): { series: Series; factor: number } {
  const n = s.points.length;
  if (n <= max) return { series: s, factor: 1 };
  const factor = Math.ceil(n / max);
  const points: Array<[number, number]> = [];
  for (let i = 0; i < n; i += factor) {
    const chunk = s.points.slice(i, i + factor);
    const x = chunk.reduce((a, p) => a + p[0], 0) / chunk.length;
    const y = chunk.reduce((a, p) => a + p[1], 0) / chunk.length;
    points.push([Math.round(x), y]);
  }
  return { series: { name: s.name, points }, factor };
}

function chart(title: string, series: Array<Series | null>, marks: number[], logY: 'auto' | false): ChartView | null {
  const present = series.filter((s): s is Series => s !== null);
  if (present.length === 0) return null;
  let factor = 1;
  const shown = present.map((s) => {
    const d = downsample(s);
    factor = Math.max(factor, d.factor);
    return d.series;
  });
  const values = shown.flatMap((s) => s.points.map((p) => p[1]));
  const min = Math.min(...values);
  const max = Math.max(...values);
  const view: ChartView = { title, series: shown, logY: logY === 'auto' && min > 0 && max / min > 20, marks };
  if (factor > 1) view.note = `each point is the mean of ${factor} logged values`;
  return view;
}

interface StartEvent {
  iter: number;
  totalIter?: number;
  resumedFrom?: string | null;
  parameters?: number;
}

interface Parsed {
  train: Curves;
  val: Curves;
  starts: StartEvent[];
  done: { iter: number; seconds: number } | null;
  lastIter: number;
  firstTime: string | null;
  lastTime: string | null;
  bad: number;
}

export function parseMetrics(text: string): Parsed {
  const p: Parsed = {
    train: new Map(),
    val: new Map(),
    starts: [],
    done: null,
    lastIter: 0,
    firstTime: null,
    lastTime: null,
    bad: 0,
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let e: Record<string, unknown>;
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      e = v as Record<string, unknown>;
    } catch {
      p.bad++;
      continue;
    }
    const iter = e.iter;
    if (typeof e.type !== 'string' || typeof iter !== 'number') {
      p.bad++;
      continue;
    }
    if (typeof e.time === 'string') {
      p.firstTime ??= e.time;
      p.lastTime = e.time;
    }
    p.lastIter = Math.max(p.lastIter, iter);
    switch (e.type) {
      case 'iter':
        for (const k of ['loss', 'l1', 'focal', 'lr', 'itPerSec']) put(p.train, k, iter, e[k]);
        break;
      case 'val':
        if (typeof e.metrics === 'object' && e.metrics !== null) {
          for (const [k, v] of Object.entries(e.metrics)) put(p.val, k, iter, v);
        }
        break;
      case 'start': {
        const s: StartEvent = { iter };
        if (typeof e.totalIter === 'number') s.totalIter = e.totalIter;
        if (typeof e.resumedFrom === 'string' || e.resumedFrom === null) s.resumedFrom = e.resumedFrom;
        if (typeof e.parameters === 'number') s.parameters = e.parameters;
        p.starts.push(s);
        break;
      }
      case 'done':
        p.done = { iter, seconds: typeof e.seconds === 'number' ? e.seconds : Number.NaN };
        break;
    }
  }
  return p;
}

/** A nested value of the parsed config, or undefined (the config is whatever the run wrote; no schema here). */
function pick(obj: unknown, path: string): unknown {
  let node = obj;
  for (const k of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[k];
  }
  return node;
}

function show(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.map(String).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 120) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 120 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function summaryTable(val: Curves): TableView | null {
  if (val.size === 0) return null;
  const names = [...val.keys()].sort(metricOrder);
  const rows = names.map((name) => {
    const s = toSeries(name, val.get(name))!;
    const last = s.points[s.points.length - 1]!;
    // Every validation metric we log is higher-is-better (PSNR, accuracy).
    const best = s.points.reduce((a, b) => (b[1] > a[1] ? b : a));
    return [name, last[1], last[0], best[1], best[0]];
  });
  return { title: 'Validation', columns: ['metric', 'last', 'at iter', 'best', 'at iter'], rows };
}

/** psnr first, then psnr_<type> alphabetically, then accuracies, then anything else. */
function metricOrder(a: string, b: string): number {
  const rank = (k: string): number => (k === 'psnr' ? 0 : k.startsWith('psnr') ? 1 : k.startsWith('accuracy') ? 2 : 3);
  return rank(a) - rank(b) || a.localeCompare(b);
}

export async function readRun(dir: string, name?: string): Promise<RunView> {
  const metricsFile = join(dir, 'metrics.jsonl');
  if (!existsSync(dir)) throw new Error(`run directory ${dir} does not exist`);
  if (!existsSync(metricsFile)) throw new Error(`${dir} is not a run directory (no metrics.jsonl)`);
  const warnings: string[] = [];
  const p = parseMetrics(await readFile(metricsFile, 'utf8'));
  if (p.bad > 0) warnings.push(`${p.bad} unreadable line${p.bad > 1 ? 's' : ''} in metrics.jsonl skipped`);

  let config: unknown = null;
  const configFile = join(dir, 'config.yaml');
  if (existsSync(configFile)) {
    try {
      config = parseYaml(await readFile(configFile, 'utf8'));
    } catch (err) {
      warnings.push(`config.yaml unreadable: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else {
    warnings.push('no config.yaml');
  }

  const checkpoints = (await readdir(dir)).filter((f) => /^ckpt_\d+\.safetensors$/.test(f)).sort();
  const lastStart = p.starts[p.starts.length - 1];
  const totalIter = pick(config, 'train.totalIter') ?? lastStart?.totalIter;
  const facts: Array<[string, string]> = [];
  const add = (label: string, v: unknown): void => {
    const s = show(v);
    if (s !== null && s !== '') facts.push([label, s]);
  };
  add('mode', pick(config, 'mode'));
  add('backbone', pick(config, 'network.arch'));
  add('parameters', lastStart?.parameters?.toLocaleString('en-US'));
  add('iterations', totalIter === undefined ? p.lastIter : `${p.lastIter} of ${String(totalIter)}`);
  add('status', p.done ? `done in ${formatSeconds(p.done.seconds)}` : 'not finished (or still running)');
  add('resumed', p.starts.filter((s) => s.resumedFrom).length || undefined);
  add('degradations', pick(config, 'datasets.train.types'));
  add(
    'batch × patch',
    pick(config, 'datasets.train.batchSize') === undefined
      ? undefined
      : `${show(pick(config, 'datasets.train.batchSize'))} × ${show(pick(config, 'datasets.train.patchSize'))}`,
  );
  add(
    'optimizer',
    pick(config, 'train.optim.type') === undefined
      ? undefined
      : `${show(pick(config, 'train.optim.type'))}, lr ${show(pick(config, 'train.optim.lr'))}`,
  );
  add('scheduler', pick(config, 'train.scheduler.type'));
  if (pick(config, 'mode') === 'pretrain') add('mask ratio', pick(config, 'maskdcpt.maskRatio'));
  add('pretrained', pick(config, 'path.pretrained'));
  add('seed', pick(config, 'seed'));
  add('logged', p.firstTime && p.lastTime ? `${p.firstTime} → ${p.lastTime}` : undefined);
  if (checkpoints.length > 0) {
    const last = checkpoints[checkpoints.length - 1]!;
    const size = (await stat(join(dir, last))).size;
    add('checkpoints', `${checkpoints.length} (newest ${last}, ${(size / 2 ** 20).toFixed(1)} MiB)`);
  }

  const marks = p.starts.filter((s) => s.resumedFrom).map((s) => s.iter);
  const valNames = [...p.val.keys()].sort(metricOrder);
  const psnr = valNames.filter((k) => k.startsWith('psnr'));
  const acc = valNames.filter((k) => k.startsWith('accuracy'));
  const other = valNames.filter((k) => !psnr.includes(k) && !acc.includes(k));
  const charts = [
    chart(
      'Training loss',
      ['loss', 'l1', 'focal'].map((k) => toSeries(k, p.train.get(k))),
      marks,
      'auto',
    ),
    chart('Learning rate', [toSeries('lr', p.train.get('lr'))], marks, false),
    chart(
      'Validation PSNR (dB)',
      psnr.map((k) => toSeries(k, p.val.get(k))),
      marks,
      false,
    ),
    chart(
      'Degradation classification accuracy',
      acc.map((k) => toSeries(k, p.val.get(k))),
      marks,
      false,
    ),
    chart(
      'Other validation metrics',
      other.map((k) => toSeries(k, p.val.get(k))),
      marks,
      false,
    ),
    chart('Throughput (it/s)', [toSeries('it/s', p.train.get('itPerSec'))], marks, false),
  ].filter((c): c is ChartView => c !== null);
  if (charts.length === 0) warnings.push('no iterations logged yet');

  const runName = name ?? show(pick(config, 'name')) ?? basename(dir);
  return { name: runName, dir, facts, charts, summary: summaryTable(p.val), warnings };
}
