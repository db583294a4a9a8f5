/** Loading the official-code golden fixtures (../shared/fixtures/archs) as engine tensors. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '../../src/io/safetensors.js';
import { readWeights, stateToTensors, toTensor } from '../../src/io/tensor-bridge.js';
import type { Tensor } from '../../src/tensor/index.js';
import { sharedDir } from './engine.js';

export const archsDir = join(sharedDir, 'fixtures', 'archs');

export interface ArchFixture {
  /** The JSON side file (kwargs, tolerance, taps, ...). */
  meta: { kwargs: Record<string, unknown>; tolerance: { suggested_atol: number }; [k: string]: unknown };
  /** Tensors of name.io.safetensors (input, output, mask, tap.*, ...). */
  io: Map<string, Tensor>;
  /** The checkpoint's state dict (params_ema unless key says otherwise), as engine tensors. */
  weights(key?: 'params' | 'params_ema'): Promise<Map<string, Tensor>>;
}

/** Loads fixture `name` (e.g. 'nafnet', 'mask_nafnet'); masked fixtures use the plain model's checkpoint. */
export async function loadArchFixture(name: string): Promise<ArchFixture> {
  const meta = JSON.parse(readFileSync(join(archsDir, `${name}.json`), 'utf8')) as ArchFixture['meta'];
  const { tensors } = await readSafetensors(join(archsDir, `${name}.io.safetensors`));
  const io = new Map([...tensors].map(([k, h]) => [k, toTensor(h)]));
  const ckpt = name.startsWith('mask_') ? name.slice(5) : name;
  return {
    meta,
    io,
    weights: async (key = 'params_ema') => stateToTensors((await readWeights(join(archsDir, `${ckpt}.pth`), { key })).tensors),
  };
}
