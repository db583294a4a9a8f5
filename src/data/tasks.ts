/**
 * All-in-one task sets as degradation selections: `3d` (denoise σ15/25/50, derain, dehaze), `5d` (denoise σ25,
 * derain, dehaze, motion deblur, low-light) and `12d` (method.md §3.3), built from the synthetic degradations.
 * Each task is drawn with equal probability, as the PromptIR family samples its tasks.
 */
import { listDegradations } from '../degrade/registry.js';

export interface Task {
  name: string;
  type: string;
  levels?: string[];
}

const TASK_SETS: Record<string, Task[]> = {
  '3d': [
    { name: 'denoise_15', type: 'noise', levels: ['noise.gaussian.s15'] },
    { name: 'denoise_25', type: 'noise', levels: ['noise.gaussian.s25'] },
    { name: 'denoise_50', type: 'noise', levels: ['noise.gaussian.s50'] },
    { name: 'derain', type: 'rain_streak' },
    { name: 'dehaze', type: 'haze' },
  ],
  '5d': [
    { name: 'denoise_25', type: 'noise', levels: ['noise.gaussian.s25'] },
    { name: 'derain', type: 'rain_streak' },
    { name: 'dehaze', type: 'haze' },
    { name: 'deblur', type: 'motion_blur' },
    { name: 'lowlight', type: 'low_light' },
  ],
  '12d': [
    { name: 'derain', type: 'rain_streak' },
    { name: 'dehaze', type: 'haze' },
    { name: 'desnow', type: 'snow' },
    { name: 'raindrop', type: 'raindrop' },
    { name: 'lowlight', type: 'low_light' },
    { name: 'motion_deblur', type: 'motion_blur' },
    { name: 'defocus', type: 'defocus_blur' },
    { name: 'jpeg', type: 'jpeg' },
    { name: 'real_denoise', type: 'real_noise' },
    { name: 'gaussian_deblur', type: 'gaussian_blur' },
    { name: 'demosaic', type: 'mosaic', levels: ['mosaic.ea.n0', 'mosaic.ea.n2', 'mosaic.ea.n5', 'mosaic.ea.n10'] },
    { name: 'demoire', type: 'moire' },
  ],
};

export function taskSet(name: string): Task[] {
  if (name === 'all') return listDegradations().map((t) => ({ name: t, type: t }));
  const s = TASK_SETS[name];
  if (!s) throw new Error(`unknown task set '${name}'; valid: all, ${Object.keys(TASK_SETS).join(', ')}`);
  return s;
}

/** Dataset selection for a task set: types with weights proportional to their number of tasks, and levels. */
export function taskSelection(name: string): { types: string[]; typeWeights: number[]; levels: string[] | undefined } {
  const tasks = taskSet(name);
  const types = [...new Set(tasks.map((t) => t.type))];
  const typeWeights = types.map((ty) => tasks.filter((t) => t.type === ty).length);
  const levels = tasks.flatMap((t) => t.levels ?? []);
  // A type restricted by levels in one task but unrestricted in another keeps all its levels.
  const unrestricted = new Set(tasks.filter((t) => !t.levels).map((t) => t.type));
  const kept = levels.filter((l) => !unrestricted.has(l.split('.')[0] as string));
  return { types, typeWeights, levels: kept.length > 0 ? kept : undefined };
}
