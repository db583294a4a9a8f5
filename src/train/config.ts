/**
 * One YAML config per run (BasicSR's tree: network, datasets, train, val, path), validated by a strict zod
 * schema: unknown or mistyped keys are errors naming the key path. `--set a.b=value` overrides keep the type of
 * the value they replace.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const optim = z
  .object({
    type: z.enum(['adamw', 'adam']).default('adamw'),
    lr: z.number().positive().default(1e-4),
    betas: z.tuple([z.number(), z.number()]).default([0.9, 0.99]),
    eps: z.number().positive().default(1e-8),
    weightDecay: z.number().min(0).default(0),
  })
  .strict();

const scheduler = z
  .object({
    type: z.enum(['constant', 'multistep', 'cosine_restart', 'warmup_cosine']).default('cosine_restart'),
    milestones: z.array(z.number().int()).optional(),
    gamma: z.number().optional(),
    periods: z.array(z.number().int().positive()).optional(),
    restartWeights: z.array(z.number()).optional(),
    etaMin: z.number().min(0).optional(),
    warmupIters: z.number().int().min(0).optional(),
    maxIters: z.number().int().positive().optional(),
  })
  .strict();

const syntheticData = z
  .object({
    type: z.literal('synthetic'),
    /** Folder of clean images (or a list of files). */
    source: z.union([z.string(), z.array(z.string())]),
    recursive: z.boolean().default(false),
    patchSize: z.number().int().positive().default(64),
    batchSize: z.number().int().positive().default(8),
    /** Degradation types by name, or a task-set preset ('all', '3d', '5d', '12d'). */
    types: z.union([z.array(z.string()), z.enum(['all', '3d', '5d', '12d'])]).default('all'),
    typeWeights: z.array(z.number().positive()).optional(),
    levels: z.array(z.string()).optional(),
    augment: z.boolean().default(true),
    workers: z.number().int().min(0).default(2),
    /** Validation only: how many fixed samples to evaluate. */
    count: z.number().int().positive().default(16),
  })
  .strict();

const pairedSource = z
  .object({
    /** Folders of degraded and clean images, matched by relative path; or a JSONL manifest instead. */
    lq: z.string().optional(),
    gt: z.string().optional(),
    manifest: z.string().optional(),
    /** Degradation type every pair is labelled with (a manifest line's own `type` wins). */
    type: z.string().optional(),
    level: z.string().optional(),
    match: z.enum(['stem', 'name']).default('stem'),
    recursive: z.boolean().default(false),
  })
  .strict();

/** Real paired data (SIDD, GoPro, LOL, Rain13k, … or `maskdcpt synth` output): see src/data/paired.ts. */
const pairedData = z
  .object({
    type: z.literal('paired'),
    sources: z.array(pairedSource).min(1),
    sourceWeights: z.array(z.number().positive()).optional(),
    patchSize: z.number().int().positive().default(64),
    batchSize: z.number().int().positive().default(8),
    augment: z.boolean().default(true),
    cache: z.boolean().default(false),
    workers: z.number().int().min(0).default(2),
    count: z.number().int().positive().default(16),
  })
  .strict();

// `type` may be left out for synthetic data (the common case), so fill it in before discriminating.
const dataset = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) && !('type' in v) ? { ...v, type: 'synthetic' } : v),
  z.discriminatedUnion('type', [syntheticData, pairedData]),
);

export const configSchema = z
  .object({
    name: z.string().min(1),
    seed: z.number().int().min(0).default(0),
    mode: z.enum(['pretrain', 'finetune']),
    threads: z.number().int().positive().optional(),
    network: z
      .object({
        arch: z.string(),
        options: z.record(z.string(), z.unknown()).default({}),
      })
      .strict(),
    maskdcpt: z
      .object({
        maskRatio: z.number().min(0).max(1).default(0.5),
        /** Mask patch size; default: the backbone's (16 NAFNet, 8 transformers). */
        patchSize: z.number().int().positive().optional(),
        /** Weight of the focal classification loss. */
        lambda: z.number().min(0).default(1),
        gamma: z.number().min(0).default(2),
        /** Reconstruction loss on: all pixels (default) or only masked patches. */
        reconstruct: z.enum(['all', 'masked', 'none']).default('all'),
        numResBlocks: z.number().int().positive().default(2),
      })
      .strict()
      .default({ maskRatio: 0.5, lambda: 1, gamma: 2, reconstruct: 'all', numResBlocks: 2 }),
    datasets: z.object({ train: dataset, val: dataset.optional() }).strict(),
    train: z
      .object({
        totalIter: z.number().int().positive(),
        optim: optim.default({ type: 'adamw', lr: 1e-4, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0 }),
        scheduler: scheduler.default({ type: 'cosine_restart' }),
        warmupIter: z.number().int().min(0).default(0),
        ema: z.number().min(0).max(1).default(0.999),
        pixelLoss: z.enum(['l1', 'mse', 'charbonnier']).default('l1'),
        /** Stop with a message when the loss is NaN/inf (the last good checkpoint is kept). */
        stopOnNonFinite: z.boolean().default(true),
      })
      .strict(),
    val: z
      .object({
        every: z.number().int().positive().default(500),
      })
      .strict()
      .default({ every: 500 }),
    checkpoint: z
      .object({
        every: z.number().int().positive().default(500),
        keep: z.number().int().positive().default(3),
      })
      .strict()
      .default({ every: 500, keep: 3 }),
    path: z
      .object({
        runs: z.string().default('runs'),
        /** Weights to start from (fine-tuning): our safetensors or an official .pth. */
        pretrained: z.string().nullable().default(null),
        pretrainedKey: z.string().default('params_ema'),
        strictLoad: z.boolean().default(true),
      })
      .strict()
      .default({ runs: 'runs', pretrained: null, pretrainedKey: 'params_ema', strictLoad: true }),
    log: z
      .object({
        every: z.number().int().positive().default(10),
      })
      .strict()
      .default({ every: 10 }),
  })
  .strict();

export type TrainConfig = z.infer<typeof configSchema>;

function formatIssues(err: z.ZodError, source: string): string {
  const lines = err.issues.map((i) => {
    const path = i.path.join('.') || '(root)';
    if (i.code === 'unrecognized_keys') {
      const keys = (i as { keys: string[] }).keys;
      return `  ${path === '(root)' ? '' : `${path}: `}unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}`;
    }
    return `  ${path}: ${i.message}`;
  });
  return `invalid config ${source}:\n${lines.join('\n')}`;
}

/** Parses a `key.path=value` override; the value is YAML (numbers, booleans, lists) coerced to the old type. */
export function applyOverride(raw: Record<string, unknown>, override: string): void {
  const eq = override.indexOf('=');
  if (eq <= 0) throw new Error(`--set expects key.path=value, got '${override}'`);
  const path = override.slice(0, eq).split('.');
  const text = override.slice(eq + 1);
  let node: Record<string, unknown> = raw;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new Error(`--set ${path.join('.')}: '${key}' is not a section`);
    }
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1] as string;
  const old = node[last];
  let value: unknown = parseYaml(text);
  // A string stays a string (`name=123`), except where a list replaces it (`types: all` → `types=[noise, jpeg]`).
  if (typeof old === 'string' && typeof value !== 'string' && !Array.isArray(value)) value = text;
  if (typeof old === 'number' && typeof value !== 'number') {
    throw new Error(`--set ${path.join('.')}: expected a number (was ${old}), got '${text}'`);
  }
  if (typeof old === 'boolean' && typeof value !== 'boolean') {
    throw new Error(`--set ${path.join('.')}: expected true or false, got '${text}'`);
  }
  node[last] = value;
}

/** Validates a raw config object (after overrides); the schema fills defaults. */
export function parseConfig(raw: unknown, source = '(inline)'): TrainConfig {
  const r = configSchema.safeParse(raw);
  if (!r.success) throw new Error(formatIssues(r.error, source));
  return r.data;
}

/** Reads a YAML config file, applies `--set` overrides and validates. */
export function loadConfig(file: string, overrides: readonly string[] = []): TrainConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new Error(`config ${file} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`config ${file} must be a mapping`);
  for (const o of overrides) applyOverride(raw as Record<string, unknown>, o);
  return parseConfig(raw, file);
}

/** A short stable hash of the resolved config, stored in checkpoints. */
export function configHash(c: TrainConfig): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}
