/** Small dense linear algebra for NIQE's 36x36 multivariate Gaussian fit (row-major Float64Arrays). */

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (accurate to ~1e-15). */
export function symmetricEigen(a: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += (m[i] as number) ** 2;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += (m[p * n + q] as number) ** 2;
    // Converged once the off-diagonal mass is at rounding level (exact zero may never come).
    if (!(off > 1e-34 * scale)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q] as number;
        if (apq === 0) continue;
        const app = m[p * n + p] as number;
        const aqq = m[q * n + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p] as number;
          const akq = m[k * n + q] as number;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k] as number;
          const aqk = m[q * n + k] as number;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] as number;
          const vkq = v[k * n + q] as number;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = m[i * n + i] as number;
  return { values, vectors: v };
}

/**
 * Moore-Penrose pseudo-inverse of a symmetric matrix, with NumPy's `pinv` cut-off: singular values
 * (here |eigenvalues|) at or below rcond * max are treated as zero.
 */
export function pinvSymmetric(a: ArrayLike<number>, n: number, rcond = 1e-15): Float64Array {
  const { values, vectors } = symmetricEigen(a, n);
  let max = 0;
  for (const l of values) max = Math.max(max, Math.abs(l));
  const out = new Float64Array(n * n);
  for (let e = 0; e < n; e++) {
    const l = values[e] as number;
    if (!(Math.abs(l) > rcond * max)) continue;
    const inv = 1 / l;
    for (let i = 0; i < n; i++) {
      const vi = (vectors[i * n + e] as number) * inv;
      if (vi === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] = (out[i * n + j] as number) + vi * (vectors[j * n + e] as number);
    }
  }
  return out;
}

/**
 * Column means ignoring NaN (`np.nanmean(x, axis=0)`) and the covariance (`np.cov(rowvar=False)`,
 * N - 1) of the rows without any NaN, for `rows` observations of `cols` features.
 */
export function nanMeanAndCov(x: Float64Array, rows: number, cols: number): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let s = 0;
    let c = 0;
    for (let i = 0; i < rows; i++) {
      const v = x[i * cols + j] as number;
      if (!Number.isNaN(v)) {
        s += v;
        c++;
      }
    }
    mean[j] = c ? s / c : Number.NaN;
  }
  const keep: number[] = [];
  for (let i = 0; i < rows; i++) {
    let ok = true;
    for (let j = 0; j < cols && ok; j++) ok = !Number.isNaN(x[i * cols + j] as number);
    if (ok) keep.push(i);
  }
  const m = new Float64Array(cols);
  for (const i of keep) for (let j = 0; j < cols; j++) m[j] = (m[j] as number) + (x[i * cols + j] as number);
  for (let j = 0; j < cols; j++) m[j] = (m[j] as number) / keep.length;
  const cov = new Float64Array(cols * cols);
  const d = new Float64Array(cols);
  for (const i of keep) {
    for (let j = 0; j < cols; j++) d[j] = (x[i * cols + j] as number) - (m[j] as number);
    for (let p = 0; p < cols; p++) {
      const dp = d[p] as number;
      for (let q = p; q < cols; q++) cov[p * cols + q] = (cov[p * cols + q] as number) + dp * (d[q] as number);
    }
  }
  const denom = keep.length - 1;
  if (denom <= 0) return { mean, cov: cov.fill(Number.NaN) }; // NumPy: degrees of freedom <= 0 -> NaN
  for (let p = 0; p < cols; p++) {
    for (let q = p; q < cols; q++) {
      const v = (cov[p * cols + q] as number) / denom;
      cov[p * cols + q] = v;
      cov[q * cols + p] = v;
    }
  }
  return { mean, cov };
}
