/**
 * Bessel function of the first kind, order 1, for the circular low-pass (sinc) kernel.
 * BasicSR uses scipy.special.j1 (Cephes); we need the same values to ~1e-15, not the same code.
 * Miller's backward recurrence normalised by J0 + 2·ΣJ2k = 1 is accurate to a few ulp for every x we use
 * (|x| ≤ ~50), with no switch-over gaps between series and asymptotic forms.
 */
export function besselJ1(x: number): number {
  if (x === 0) return 0;
  const ax = Math.abs(x);
  const sign = x < 0 ? -1 : 1;
  if (ax < 1e-8) return sign * (ax / 2);
  if (ax > 200) {
    // Hankel asymptotic form; not reached by kernel code but keeps the function total.
    const w = ax - (3 * Math.PI) / 4;
    const mu = 4;
    const z = 8 * ax;
    const p = 1 - ((mu - 1) * (mu - 9)) / (2 * z * z);
    const q = (mu - 1) / z;
    return sign * Math.sqrt(2 / (Math.PI * ax)) * (p * Math.cos(w) - q * Math.sin(w));
  }
  // Start well above x so the recurrence converges to the minimal (J) solution.
  let n = 2 * Math.ceil((ax + 40 + 10 * Math.sqrt(ax)) / 2);
  let jp1 = 0;
  let j = 1e-300;
  let evenSum = 0;
  let j1 = 0;
  for (; n > 0; n--) {
    const jm1 = ((2 * n) / ax) * j - jp1;
    jp1 = j;
    j = jm1;
    // j now holds J_{n-1} (unnormalised).
    if (n - 1 === 1) j1 = j;
    if ((n - 1) % 2 === 0 && n - 1 > 0) evenSum += j;
    if (Math.abs(j) > 1e250) {
      // Rescale to avoid overflow; all retained quantities scale together.
      j *= 1e-250;
      jp1 *= 1e-250;
      evenSum *= 1e-250;
      j1 *= 1e-250;
    }
  }
  // j = J0 (unnormalised).
  const norm = j + 2 * evenSum;
  return (sign * j1) / norm;
}
