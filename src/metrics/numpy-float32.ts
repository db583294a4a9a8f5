/**
 * NumPy's float32 reductions, emulated bit for bit: BasicSR's NIQE takes means of float32 arrays, and
 * NumPy sums those in float32 with pairwise summation over chunks of 8192 elements (its buffer size).
 * Matching the rounding keeps the AGGD grid search on the same grid point as the Python reference.
 */
const f32 = Math.fround;

/** numpy's `pairwise_sum` for float32 (8-way unrolled blocks of <= 128, halved above). */
function pairwise(a: Float32Array, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f32(res + (a[start + i] as number));
    return res;
  }
  if (n <= 128) {
    let r0 = a[start] as number;
    let r1 = a[start + 1] as number;
    let r2 = a[start + 2] as number;
    let r3 = a[start + 3] as number;
    let r4 = a[start + 4] as number;
    let r5 = a[start + 5] as number;
    let r6 = a[start + 6] as number;
    let r7 = a[start + 7] as number;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const p = start + i;
      r0 = f32(r0 + (a[p] as number));
      r1 = f32(r1 + (a[p + 1] as number));
      r2 = f32(r2 + (a[p + 2] as number));
      r3 = f32(r3 + (a[p + 3] as number));
      r4 = f32(r4 + (a[p + 4] as number));
      r5 = f32(r5 + (a[p + 5] as number));
      r6 = f32(r6 + (a[p + 6] as number));
      r7 = f32(r7 + (a[p + 7] as number));
    }
    let res = f32(f32(f32(r0 + r1) + f32(r2 + r3)) + f32(f32(r4 + r5) + f32(r6 + r7)));
    for (; i < n; i++) res = f32(res + (a[start + i] as number));
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return f32(pairwise(a, start, n2) + pairwise(a, start + n2, n - n2));
}

/** `np.sum` of the first `n` elements of a contiguous float32 array. */
export function sumF32(a: Float32Array, n = a.length): number {
  let res = 0;
  for (let s = 0; s < n; s += 8192) res = f32(res + pairwise(a, s, Math.min(8192, n - s)));
  return res;
}

/** `np.mean` of a contiguous float32 array: float32 sum, then one float32 division (NaN when empty). */
export function meanF32(a: Float32Array, n = a.length): number {
  return n === 0 ? Number.NaN : f32(sumF32(a, n) / n);
}
