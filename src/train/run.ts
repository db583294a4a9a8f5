/** A run directory: resolved config, JSONL metrics, checkpoints with a `latest` pointer. */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { TrainConfig } from './config.js';

export type TrainEvent =
  | { type: 'start'; runDir: string; iter: number; totalIter: number; resumedFrom: string | null; skipped: string[]; parameters: number }
  | { type: 'iter'; iter: number; loss: number; l1?: number; focal?: number; lr: number; itPerSec: number; dataWaitMs: number; etaSec: number }
  | { type: 'val'; iter: number; metrics: Record<string, number> }
  | { type: 'checkpoint'; iter: number; file: string }
  | { type: 'done'; iter: number; runDir: string; seconds: number };

export class RunDir {
  readonly dir: string;
  readonly metricsFile: string;

  constructor(config: TrainConfig) {
    this.dir = join(config.path.runs, config.name);
    this.metricsFile = join(this.dir, 'metrics.jsonl');
  }

  prepare(config: TrainConfig): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(join(this.dir, 'config.yaml'), stringify(config));
    } catch (err) {
      throw new Error(`cannot write run directory ${this.dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Appends one event as a JSON line (what `report` reads). */
  log(event: TrainEvent): void {
    appendFileSync(this.metricsFile, `${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
  }
}

/** Human progress: a rewritten status line on a TTY, plain lines otherwise. */
export function formatEvent(e: TrainEvent): string {
  switch (e.type) {
    case 'start':
      return `${e.resumedFrom ? `resumed from ${e.resumedFrom} at iteration ${e.iter}` : 'starting'}: ${e.parameters.toLocaleString('en-US')} parameters, ${e.totalIter} iterations, run dir ${e.runDir}${e.skipped.length ? `\n  skipped: ${e.skipped.join('\n  skipped: ')}` : ''}`;
    case 'iter': {
      const parts = e.l1 !== undefined && e.focal !== undefined ? ` (l1 ${e.l1.toFixed(4)}, focal ${e.focal.toFixed(4)})` : '';
      const eta = e.etaSec >= 60 ? `${Math.floor(e.etaSec / 60)}m${Math.round(e.etaSec % 60)}s` : `${Math.round(e.etaSec)}s`;
      return `iter ${e.iter}  loss ${e.loss.toFixed(4)}${parts}  lr ${e.lr.toExponential(2)}  ${e.itPerSec.toFixed(2)} it/s  eta ${eta}`;
    }
    case 'val':
      return `val @${e.iter}: ${Object.entries(e.metrics)
        .map(([k, v]) => `${k} ${v.toFixed(k.startsWith('psnr') ? 2 : 4)}`)
        .join(', ')}`;
    case 'checkpoint':
      return `saved ${e.file}`;
    case 'done':
      return `done: ${e.iter} iterations in ${e.seconds.toFixed(1)} s; run dir ${e.runDir}`;
  }
}
