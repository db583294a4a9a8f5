/**
 * Type 18: low light + haze + rain or snow (CDD-11's composite classes): weather first (haze, then rain
 * streaks or snow, as light scattered in the scene), then the dark capture.
 */
import { defineDegradation } from '../degradation.js';
import { applyHaze, type HazeParams } from '../haze.js';
import { applyLowLight, type LowLightParams } from '../lowlight.js';
import { applyRain, applySnow, type RainParams, type SnowParams } from '../weather.js';
import { sampleHaze } from './haze.js';
import { sampleLowLight } from './low_light.js';
import { sampleRain } from './rain_streak.js';
import { sampleSnow } from './snow.js';

type Spec = { weather: 'rain' | 'snow'; ev: number; beta: number; rank: number };
export type LhrsParams = { haze: HazeParams; lowLight: LowLightParams } & (
  | { weather: 'rain'; rain: RainParams }
  | { weather: 'snow'; snow: SnowParams }
);

/** (ev, β, weather rank) per level, shared by both series. */
const STEPS: [number, number, number][] = [
  [1, 0.4, 1],
  [1.5, 0.7, 3],
  [2, 1, 5],
  [2.5, 1.4, 7],
];

export const lowLightHazeRainSnowType = defineDegradation<Spec, LhrsParams>({
  name: 'lowlight_haze_rain_snow',
  id: 18,
  levels: (['rain', 'snow'] as const).flatMap((weather) =>
    STEPS.map(([ev, beta, rank], i) => ({
      name: `lowlight_haze_rain_snow.${weather}.${i + 1}`,
      series: weather,
      rank: i,
      spec: { weather, ev, beta, rank },
    })),
  ),
  draw(rng, s): LhrsParams {
    const haze = sampleHaze(rng, s.beta);
    const lowLight = sampleLowLight(rng, s.ev);
    return s.weather === 'rain'
      ? { haze, lowLight, weather: 'rain', rain: sampleRain(rng, s.rank) }
      : { haze, lowLight, weather: 'snow', snow: sampleSnow(rng, Math.min(s.rank, 7)) };
  },
  apply(img, p, rng) {
    // One stream per stage: a stage's particle count never shifts another stage's draws.
    const hazy = applyHaze(img, p.haze, rng.fork('haze'));
    const wet =
      p.weather === 'rain' ? applyRain(hazy, p.rain, rng.fork('rain')) : applySnow(hazy, p.snow, rng.fork('snow'));
    return applyLowLight(wet, p.lowLight, rng.fork('lowlight'));
  },
});
