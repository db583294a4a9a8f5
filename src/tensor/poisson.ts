/** Poisson sampling shared by the host RNG and the degradation engine's fast stream (same draws, same order). */

const LOG_FACT = new Float64Array(1024);
for (let i = 1; i < LOG_FACT.length; i++) LOG_FACT[i] = (LOG_FACT[i - 1] as number) + Math.log(i);

export function logFactorial(k: number): number {
  if (k < LOG_FACT.length) return LOG_FACT[k] as number;
  // Stirling series; < 1e-12 relative error at k ≥ 1024.
  return (k + 0.5) * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * k) - 1 / (360 * k * k * k);
}

/** Hörmann's PTRS transformed rejection (1993) for means ≥ 30, drawing uniforms in (0, 1) from `uniform`. */
export function poissonPtrs(lambda: number, uniform: () => number): number {
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = uniform() - 0.5;
    const v = uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) {
      return k;
    }
  }
}
