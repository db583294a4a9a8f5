/** Type 10 (RSD): rain streaks plus raindrops (RainDS-style), streaks first, drops on the glass on top. */
import { defineDegradation } from '../degradation.js';
import { applyRaindrops, type RaindropParams } from '../raindrop.js';
import { applyRain, type RainParams } from '../weather.js';
import { sampleRain } from './rain_streak.js';
import { sampleRaindrops } from './raindrop.js';

/** (rain rank, drop rank) per level. */
const COMBOS: [number, number][] = [
  [1, 0],
  [2, 1],
  [4, 2],
  [5, 4],
  [7, 5],
  [9, 7],
];

export const rainStreakDropType = defineDegradation<
  { combo: [number, number] },
  { rain: RainParams; drops: RaindropParams }
>({
  name: 'rain_streak_drop',
  id: 10,
  levels: COMBOS.map((combo, rank) => ({
    name: `rain_streak_drop.level.${rank + 1}`,
    series: 'level',
    rank,
    spec: { combo },
  })),
  draw: (rng, spec) => ({ rain: sampleRain(rng, spec.combo[0]), drops: sampleRaindrops(rng, spec.combo[1]) }),
  apply: (img, p, rng) => applyRaindrops(applyRain(img, p.rain, rng.fork('rain')), p.drops, rng.fork('drops')),
});
