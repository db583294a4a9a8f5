/**
 * Type 19: down + noise + blur + JPEG = Real-ESRGAN's second-order pipeline at scale 1 (performance.md §3e,
 * variant e2/e4). Level `realesrgan.x1.s1` uses BasicSR's realesrnet_x4plus ranges; the others scale blur σ,
 * noise and JPEG strength.
 */
import { defineDegradation, fmt } from '../degradation.js';
import { applyRealEsrgan, type RealEsrganParams, sampleRealEsrgan } from '../realesrgan.js';

const SEVERITIES = [0.4, 0.7, 1, 1.2, 1.4];

export const realEsrganType = defineDegradation<{ severity: number }, RealEsrganParams>({
  name: 'realesrgan',
  id: 19,
  levels: SEVERITIES.map((severity, rank) => ({
    name: `realesrgan.x1.s${fmt(severity)}`,
    series: 'x1',
    rank,
    spec: { severity },
  })),
  draw: (rng, spec) => sampleRealEsrgan(rng, { scale: 1, severity: spec.severity, usm: true }),
  apply: (img, p, rng) => applyRealEsrgan(img, p, rng),
});
