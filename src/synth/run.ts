/**
 * The `synth` job: plan this shard's pairs, skip the ones a previous run finished, make the rest on worker
 * threads (each image's pairs on one worker, so it is decoded once), append each finished pair to the partial
 * manifest, and on success write the sorted final manifest. Every pair is a pure function of (seed, source,
 * k), so the output is byte-identical across runs, worker counts, interruptions and shardings.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '../io/atomic.js';
import { siblingModule, startModuleWorker } from '../util/worker.js';
import {
  entryLine,
  type ManifestEntry,
  manifestFiles,
  readManifest,
  removeIfExists,
  writeManifest,
} from './manifest.js';
import { PairMaker } from './pair.js';
import {
  listSources,
  type PairJob,
  planJobs,
  type Settings,
  type SynthOptions,
  settingsConflict,
  settingsOf,
} from './plan.js';

export type SynthEvent =
  | { type: 'plan'; total: number; complete: number; todo: number; workers: number; dropped: number }
  | { type: 'pair'; entry: ManifestEntry; made: number; todo: number };

export interface SynthHooks {
  onEvent?: (e: SynthEvent) => void;
  /** Stops handing out pairs; pairs in progress finish, then `runSynth` rejects (rerun to resume). */
  signal?: AbortSignal;
  /** Skip images that fail (unreadable, too small) and finish the others; still rejects at the end. */
  keepGoing?: boolean;
}

export interface SynthResult {
  total: number;
  /** Pairs a previous run had finished. */
  skipped: number;
  made: number;
  manifest: string;
  /** Source images that needed a conversion, by kind, e.g. { '16-bit grey': 2 }. */
  conversions: Record<string, number>;
  seconds: number;
}

interface Lane {
  run(job: PairJob): Promise<ManifestEntry>;
  close(): Promise<void>;
  /** A crashed worker takes no more work (its error is reported once). */
  readonly dead: boolean;
}

function inProcessLane(out: string, settings: Settings): Lane {
  const maker = new PairMaker(out, settings);
  return { run: (job) => maker.make(job), close: async () => {}, dead: false };
}

function workerLane(out: string, settings: Settings): Lane {
  const w: Worker = startModuleWorker(siblingModule(import.meta.url, 'worker'), { workerData: { out, settings } });
  let pending: { resolve: (e: ManifestEntry) => void; reject: (e: Error) => void } | null = null;
  let dead: Error | null = null;
  w.on('message', (m: { ok: true; entry: ManifestEntry } | { ok: false; error: string }) => {
    const p = pending;
    pending = null;
    if (m.ok) p?.resolve(m.entry);
    else p?.reject(new Error(m.error));
  });
  const die = (why: string) => {
    dead ??= new Error(`synth worker crashed: ${why}`);
    pending?.reject(dead);
    pending = null;
  };
  w.on('error', (err) => die(err.message));
  w.on('exit', (code) => die(`exited with code ${code}`)); // also after close(), when nothing is pending
  return {
    run: (job) =>
      new Promise((resolve, reject) => {
        if (dead) return reject(dead);
        pending = { resolve, reject };
        w.postMessage(job);
      }),
    close: async () => {
      await w.terminate();
    },
    get dead() {
      return dead !== null;
    },
  };
}

/** Temp files of atomic writes that a killed run left (hidden, so nothing lists them, but they take space). */
function removeStaleTemps(out: string, sharded: boolean): number {
  let n = 0;
  for (const dir of ['lq', 'gt'].map((d) => join(out, d))) {
    for (const f of readdirSync(dir)) {
      if (!/^\..+\.tmp$/.test(f)) continue;
      const p = join(dir, f);
      // Another shard may be writing into the same folder right now: only its old temps are surely stale.
      if (sharded && Date.now() - statSync(p).mtimeMs < 10 * 60_000) continue;
      unlinkSync(p);
      n++;
    }
  }
  return n;
}

async function checkSettings(out: string, settings: Settings): Promise<void> {
  const file = join(out, 'synth.json');
  if (existsSync(file)) {
    let old: Settings;
    try {
      old = JSON.parse(readFileSync(file, 'utf8')) as Settings;
    } catch {
      throw new Error(`${file} is not valid JSON; remove it only if ${out} holds no pairs from another setting`);
    }
    const why = settingsConflict(old, settings);
    if (why) throw new Error(`${out} was made with ${why}; resume with the same options or use another output folder`);
    return;
  }
  await writeFileAtomic(file, [Buffer.from(`${JSON.stringify(settings, null, 2)}\n`)]);
}

export function defaultWorkers(): number {
  return Math.min(8, availableParallelism());
}

export async function runSynth(o: SynthOptions, hooks: SynthHooks = {}): Promise<SynthResult> {
  const t0 = performance.now();
  const settings = settingsOf(o);
  const sources = listSources(o.input, o.recursive ?? false);
  const jobs = planJobs(sources, o.perImage ?? 1, o.shard);
  const out = o.output;
  mkdirSync(join(out, 'lq'), { recursive: true });
  mkdirSync(join(out, 'gt'), { recursive: true });
  await checkSettings(out, settings);
  removeStaleTemps(out, (o.shard?.count ?? 1) > 1);

  // Resume: what the final and partial manifests list, if this plan wants it and its files are there.
  const files = manifestFiles(out, o.shard);
  const planned = new Set(jobs.map((j) => j.name));
  const done = new Map<string, ManifestEntry>();
  let dropped = 0;
  for (const e of [...readManifest(files.final), ...readManifest(files.partial)]) {
    if (planned.has(e.name) && e.seed === settings.seed && existsSync(join(out, e.lq)) && existsSync(join(out, e.gt))) {
      done.set(e.name, e);
    } else if (!planned.has(e.name)) dropped++;
  }
  // Rewritten atomically: drops a torn last line and stale entries before anything is appended.
  await writeFileAtomic(files.partial, [Buffer.from([...done.values()].map(entryLine).join(''))]);
  removeIfExists(files.final);

  const todo = jobs.filter((j) => !done.has(j.name));
  // Work units: up to 8 consecutive pairs of one image, so its decode is shared yet many pairs of few images
  // still spread over all workers.
  const groups: PairJob[][] = [];
  for (const j of todo) {
    const g = groups[groups.length - 1];
    if (g && g.length < 8 && g[0]?.source.path === j.source.path) g.push(j);
    else groups.push([j]);
  }
  const want = o.workers ?? defaultWorkers();
  const nWorkers = want <= 1 || groups.length <= 1 ? 0 : Math.min(want, groups.length);
  hooks.onEvent?.({
    type: 'plan',
    total: jobs.length,
    complete: done.size,
    todo: todo.length,
    workers: nWorkers,
    dropped,
  });

  const lanes =
    nWorkers === 0 ? [inProcessLane(out, settings)] : Array.from({ length: nWorkers }, () => workerLane(out, settings));
  const fd = openSync(files.partial, 'a');
  const failures: string[] = [];
  const badSources = new Set<string>();
  let made = 0;
  let next = 0;
  const stopped = () => hooks.signal?.aborted === true || (failures.length > 0 && !hooks.keepGoing);
  const drive = async (lane: Lane) => {
    while (next < groups.length && !stopped()) {
      const group = groups[next++] as PairJob[];
      for (const job of group) {
        if (stopped()) return;
        if (badSources.has(job.source.path)) break; // its other pairs would fail the same way
        let entry: ManifestEntry;
        try {
          entry = await lane.run(job);
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          failures.push(msg.includes(job.source.path) ? msg : `${job.source.rel}: ${msg}`);
          if (lane.dead) return;
          badSources.add(job.source.path);
          break;
        }
        writeSync(fd, entryLine(entry)); // one write per line: a crash can tear only the last line
        done.set(entry.name, entry);
        made++;
        hooks.onEvent?.({ type: 'pair', entry, made, todo: todo.length });
      }
    }
  };
  try {
    await Promise.all(lanes.map(drive));
  } finally {
    closeSync(fd);
    await Promise.all(lanes.map((l) => l.close()));
  }

  if (next < groups.length && !stopped()) failures.push('every worker thread crashed; try fewer --workers');
  const resume = `${done.size} of ${jobs.length} pairs are complete; rerun the same command to finish the rest`;
  if (failures.length > 0) {
    const shown = failures
      .slice(0, 8)
      .map((f) => `\n  ${f}`)
      .join('');
    const more = failures.length > 8 ? `\n  … and ${failures.length - 8} more` : '';
    throw new Error(
      `synth: ${failures.length} image${failures.length > 1 ? 's' : ''} failed:${shown}${more}\n${resume} (fix or remove the image${failures.length > 1 ? 's' : ''} first)`,
    );
  }
  if (hooks.signal?.aborted) throw new Error(`synth interrupted: ${resume}`);
  await writeManifest(files.final, [...done.values()]);
  removeIfExists(files.partial);
  const converted = new Map<string, string>();
  for (const e of done.values()) if (e.from) converted.set(e.source, e.from);
  const conversions: Record<string, number> = {};
  for (const f of converted.values()) conversions[f] = (conversions[f] ?? 0) + 1;
  return {
    total: jobs.length,
    skipped: jobs.length - made,
    made,
    manifest: files.final,
    conversions,
    seconds: (performance.now() - t0) / 1000,
  };
}
