/**
 * Mean-subtracted contrast-normalised (MSCN) coefficients, (I - mu) / (sigma + C), with mu and sigma
 * from a 7x7 Gaussian (sigma 7/6) and replicated borders. NIQE and PIQE compute them in float64
 * (`mscn`); BasicSR's NIQE does the same in float32 through scipy (`mscnFloat32`), which is reproduced
 * step by step so that its features, and the grid searches that use them, come out the same.
 */
import type { Plane } from './plane.js';

/**
 * Separable correlation with replicated borders (scipy 'nearest', MATLAB 'replicate'), in float64,
 * of two images at once (the MSCN needs I and I^2). The kernel must be symmetric and odd: taps are
 * folded in pairs, which halves the multiplications.
 */
export function filterReplicatePair(
  srcA: Float32Array | Float64Array,
  srcB: Float32Array | Float64Array,
  w: number,
  h: number,
  k: Float64Array,
): [Float64Array, Float64Array] {
  // One element type inside the loops keeps them monomorphic (several times faster in V8).
  const a = srcA instanceof Float64Array ? srcA : new Float64Array(srcA);
  const b = srcB instanceof Float64Array ? srcB : new Float64Array(srcB);
  const r = (k.length - 1) / 2;
  const kc = k[r] as number;
  const ta = new Float64Array(w * h);
  const tb = new Float64Array(w * h);
  const pa = new Float64Array(w + 2 * r);
  const pb = new Float64Array(w + 2 * r);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w + 2 * r; x++) {
      const i = row + Math.min(w - 1, Math.max(0, x - r));
      pa[x] = a[i] as number;
      pb[x] = b[i] as number;
    }
    for (let x = 0; x < w; x++) {
      const c = x + r;
      let sa = kc * (pa[c] as number);
      let sb = kc * (pb[c] as number);
      for (let t = 1; t <= r; t++) {
        const kt = k[r + t] as number;
        sa += kt * ((pa[c - t] as number) + (pa[c + t] as number));
        sb += kt * ((pb[c - t] as number) + (pb[c + t] as number));
      }
      ta[row + x] = sa;
      tb[row + x] = sb;
    }
  }
  const oa = new Float64Array(w * h);
  const ob = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const dst = y * w;
    for (let x = 0; x < w; x++) {
      oa[dst + x] = kc * (ta[dst + x] as number);
      ob[dst + x] = kc * (tb[dst + x] as number);
    }
    for (let t = 1; t <= r; t++) {
      const up = Math.max(0, y - t) * w;
      const down = Math.min(h - 1, y + t) * w;
      const kt = k[r + t] as number;
      for (let x = 0; x < w; x++) {
        oa[dst + x] = (oa[dst + x] as number) + kt * ((ta[up + x] as number) + (ta[down + x] as number));
        ob[dst + x] = (ob[dst + x] as number) + kt * ((tb[up + x] as number) + (tb[down + x] as number));
      }
    }
  }
  return [oa, ob];
}

/** MSCN in float64: sigma = sqrt(|G*(I^2) - mu^2|), result (I - mu) / (sigma + c). */
export function mscn(p: Plane, kernel: Float64Array, c = 1): Float64Array {
  const { data, width: w, height: h } = p;
  const sq = new Float64Array(w * h);
  for (let i = 0; i < sq.length; i++) sq[i] = (data[i] as number) ** 2;
  const [mu, s2] = filterReplicatePair(data, sq, w, h, kernel);
  const out = new Float64Array(w * h);
  for (let i = 0; i < out.length; i++) {
    const m = mu[i] as number;
    out[i] = ((data[i] as number) - m) / (Math.sqrt(Math.abs((s2[i] as number) - m * m)) + c);
  }
  return out;
}

/**
 * BasicSR's float32 MSCN: `mu = convolve(img, win, 'nearest')` and `convolve(img**2)` come back as
 * float32 (scipy accumulates in float64 and casts), then every following step is a float32 operation.
 */
export function mscnFloat32(p: Plane<Float32Array>, kernel: Float64Array): Float32Array {
  const f32 = Math.fround;
  const { data, width: w, height: h } = p;
  const sq = new Float32Array(w * h);
  for (let i = 0; i < sq.length; i++) sq[i] = (data[i] as number) * (data[i] as number); // rounds to float32
  const [mu, s2] = filterReplicatePair(data, sq, w, h, kernel);
  const out = new Float32Array(w * h);
  for (let i = 0; i < out.length; i++) {
    const m = f32(mu[i] as number);
    const sigma = f32(Math.sqrt(Math.abs(f32(f32(s2[i] as number) - f32(m * m)))));
    out[i] = f32((data[i] as number) - m) / f32(sigma + 1);
  }
  return out;
}
