/**
 * The gamma function in float64, for the GGD/AGGD shape fits of NIQE and BRISQUE. Lanczos (g = 7,
 * n = 9) with reflection; relative error ~1e-15 on the arguments used here (0.1 ... 15), far below the
 * spacing of the shape grids, so grid searches land on the same point as SciPy's or libm's gamma.
 */
const G = 7;
const P = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const SQRT_2PI = Math.sqrt(2 * Math.PI);

export function gamma(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  if (Number.isInteger(x) && x <= 171) {
    let f = 1;
    for (let i = 2; i < x; i++) f *= i;
    return f;
  }
  const z = x - 1;
  let a = P[0] as number;
  const t = z + G + 0.5;
  for (let i = 1; i < G + 2; i++) a += (P[i] as number) / (z + i);
  return SQRT_2PI * t ** (z + 0.5) * Math.exp(-t) * a;
}
