/**
 * The degradation registry: the 19 types registered explicitly (ESM cannot scan folders), looked up by name,
 * id or level name, plus the two entry points data pipelines use: `synthesize` (draw + apply, returning
 * everything needed to replay) and `regenerate` (replay from a recorded sample and seed).
 */
import type { Raster } from '../io/raster.js';
import { Rng } from '../tensor/rng.js';
import { type Degradation, type DegradationSample, type Level, unknownName } from './degradation.js';
import { LABELS } from './labels.js';
import { blurJpegType } from './types/blur_jpeg.js';
import { blurLowLightNoiseType } from './types/blur_lowlight_noise.js';
import { blurRainType } from './types/blur_rain.js';
import { defocusBlurType } from './types/defocus_blur.js';
import { gaussianBlurType } from './types/gaussian_blur.js';
import { hazeType } from './types/haze.js';
import { jpegType } from './types/jpeg.js';
import { lowLightType } from './types/low_light.js';
import { lowLightHazeRainSnowType } from './types/lowlight_haze_rain_snow.js';
import { moireType } from './types/moire.js';
import { mosaicType } from './types/mosaic.js';
import { motionBlurType } from './types/motion_blur.js';
import { noiseType } from './types/noise.js';
import { rainStreakType } from './types/rain_streak.js';
import { rainStreakDropType } from './types/rain_streak_drop.js';
import { raindropType } from './types/raindrop.js';
import { realNoiseType } from './types/real_noise.js';
import { realEsrganType } from './types/realesrgan.js';
import { snowType } from './types/snow.js';

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list; params are typed per module.
type AnyDegradation = Degradation<any>;

/** All types in label-id order. */
export const DEGRADATIONS: readonly AnyDegradation[] = [
  noiseType,
  realNoiseType,
  motionBlurType,
  defocusBlurType,
  gaussianBlurType,
  jpegType,
  hazeType,
  rainStreakType,
  raindropType,
  rainStreakDropType,
  snowType,
  mosaicType,
  lowLightType,
  moireType,
  blurJpegType,
  blurRainType,
  blurLowLightNoiseType,
  lowLightHazeRainSnowType,
  realEsrganType,
];

const byName = new Map<string, AnyDegradation>();
const byLevel = new Map<string, AnyDegradation>();
for (const d of DEGRADATIONS) {
  const label = LABELS[d.id - 1];
  if (!label || label.name !== d.name) throw new Error(`degradation ${d.name} has id ${d.id}, labels.json disagrees`);
  byName.set(d.name, d);
  for (const l of d.levels) {
    if (byLevel.has(l.name)) throw new Error(`duplicate level name ${l.name}`);
    if (!l.name.startsWith(`${d.name}.`)) throw new Error(`level ${l.name} must start with '${d.name}.'`);
    byLevel.set(l.name, d);
  }
}

/** Type names in id order. */
export function listDegradations(): string[] {
  return DEGRADATIONS.map((d) => d.name);
}

/** Every level of every type, in id order. */
export function listLevels(): (Level & { type: string; id: number })[] {
  return DEGRADATIONS.flatMap((d) => d.levels.map((l) => ({ ...l, type: d.name, id: d.id })));
}

/** Looks a type up by name or id; unknown names list the valid ones. */
export function getDegradation(nameOrId: string | number): AnyDegradation {
  const d = typeof nameOrId === 'number' ? DEGRADATIONS[nameOrId - 1] : byName.get(nameOrId);
  if (!d) throw unknownName('degradation', String(nameOrId), listDegradations());
  return d;
}

/** The type that owns a level name (e.g. `jpeg.q.30` → jpeg). */
export function degradationForLevel(level: string): AnyDegradation {
  const d = byLevel.get(level);
  if (!d) throw unknownName('degradation level', level, [...byLevel.keys()]);
  return d;
}

export interface SynthResult<P = unknown> {
  lq: Raster;
  sample: DegradationSample<P>;
  /** Seed of the generator `apply` ran with: `regenerate(img, sample, seed)` reproduces `lq` exactly. */
  seed: number;
}

/**
 * Draws a sample of `type` (optionally at `level`; a level name alone also selects its type) and applies it.
 * Params come from a fork of `rng`, the apply seed from `rng` itself, so the result is a pure function of the
 * generator state.
 */
export async function synthesize(img: Raster, type: string | number, rng: Rng, level?: string): Promise<SynthResult> {
  const d = getDegradation(type);
  const sample = d.sample(rng.fork('params'), level);
  const seed = rng.nextUint32();
  return { lq: await d.apply(img, sample.params, new Rng(seed)), sample, seed };
}

/** Re-applies a recorded sample with its seed (params may have gone through JSON). */
export async function regenerate(img: Raster, sample: DegradationSample, seed: number): Promise<Raster> {
  return getDegradation(sample.type).apply(img, sample.params, new Rng(seed));
}
