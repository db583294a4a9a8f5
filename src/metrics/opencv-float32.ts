/**
 * The two OpenCV 4.x float32 image operations BRISQUE relies on, with OpenCV's own evaluation order
 * and rounding (checked bit-exact against OpenCV 4.6 on x86-64, whose filters are dispatched to
 * AVX2/FMA code while `resize` runs baseline SSE2 code). The order matters because BRISQUE takes the
 * square root of blur(x^2) - blur(x)^2, which is NaN wherever rounding makes it negative.
 */
const f32 = Math.fround;

/**
 * `cv::GaussianBlur` on a float32 plane with a symmetric float32 kernel and BORDER_REPLICATE: a row
 * pass accumulating taps left to right with fused multiply-adds, then a column pass that adds each
 * symmetric pair of rows first, `s = k0 * c; s = fma(up_i + down_i, k_i, s)`.
 */
export function cvGaussianBlur(src: Float32Array, w: number, h: number, kernel: Float32Array): Float32Array {
  const n = kernel.length;
  const r = (n - 1) / 2;
  const tmp = new Float32Array(w * h);
  const padded = new Float32Array(w + 2 * r);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w + 2 * r; x++) padded[x] = src[row + Math.min(w - 1, Math.max(0, x - r))] as number;
    for (let x = 0; x < w; x++) {
      let s = f32((padded[x] as number) * (kernel[0] as number));
      for (let t = 1; t < n; t++) s = f32(s + (padded[x + t] as number) * (kernel[t] as number)); // exact product: fma
      tmp[row + x] = s;
    }
  }
  const out = new Float32Array(w * h);
  const k0 = kernel[r] as number;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) out[row + x] = f32((tmp[row + x] as number) * k0);
    for (let t = 1; t <= r; t++) {
      const up = Math.max(0, y - t) * w;
      const down = Math.min(h - 1, y + t) * w;
      const kt = kernel[r + t] as number;
      for (let x = 0; x < w; x++) {
        out[row + x] = f32((out[row + x] as number) + f32((tmp[up + x] as number) + (tmp[down + x] as number)) * kt);
      }
    }
  }
  return out;
}

const A = f32(-0.75);

/** `interpolateCubic` in float arithmetic (Keys, a = -0.75), one rounding per operation. */
function cubicCoeffs(x: number): [number, number, number, number] {
  const a5 = f32(5 * A);
  const a8 = f32(8 * A);
  const a4 = f32(4 * A);
  const a2 = f32(A + 2);
  const a3 = f32(A + 3);
  const x1 = f32(x + 1);
  let t = f32(f32(A * x1) - a5);
  t = f32(f32(t * x1) + a8);
  const c0 = f32(f32(t * x1) - a4);
  const c1 = f32(f32(f32(f32(f32(a2 * x) - a3) * x) * x) + 1);
  const omx = f32(1 - x);
  const c2 = f32(f32(f32(f32(f32(a2 * omx) - a3) * omx) * omx) + 1);
  const c3 = f32(f32(f32(1 - c0) - c1) - c2);
  return [c0, c1, c2, c3];
}

/** Source offsets and coefficients of `cv::resize` INTER_CUBIC along one axis. */
function axis(src: number, dst: number): { ofs: Int32Array; coef: Float32Array } {
  const scale = 1 / (dst / src); // OpenCV: inv_scale = dst / src, scale = 1 / inv_scale
  const ofs = new Int32Array(dst);
  const coef = new Float32Array(dst * 4);
  for (let d = 0; d < dst; d++) {
    const fx = f32((d + 0.5) * scale - 0.5);
    const sx = Math.floor(fx);
    ofs[d] = sx;
    coef.set(cubicCoeffs(f32(fx - sx)), d * 4);
  }
  return { ofs, coef };
}

/**
 * `cv::resize(src, dsize, INTER_CUBIC)` for a float32 plane; borders replicate. Rows are filtered with
 * sequential float ops; columns as S0 b0 + (S1 b1 + (S2 b2 + S3 b3)) in the 4-lane SIMD body and left
 * to right in the scalar tail. Same size returns a copy, as OpenCV does.
 */
export function cvResizeCubic(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  if (sw === dw && sh === dh) return src.slice();
  const cx = axis(sw, dw);
  const cy = axis(sh, dh);
  const clampX = (i: number) => Math.min(sw - 1, Math.max(0, i));
  const horiz = new Float32Array(sh * dw);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    for (let d = 0; d < dw; d++) {
      const sx = cx.ofs[d] as number;
      let v = 0;
      for (let j = 0; j < 4; j++)
        v = f32(v + f32((src[row + clampX(sx - 1 + j)] as number) * (cx.coef[d * 4 + j] as number)));
      horiz[y * dw + d] = v;
    }
  }
  const out = new Float32Array(dw * dh);
  const simd = dw - (dw % 4);
  for (let d = 0; d < dh; d++) {
    const sy = cy.ofs[d] as number;
    const r0 = Math.min(sh - 1, Math.max(0, sy - 1)) * dw;
    const r1 = Math.min(sh - 1, Math.max(0, sy)) * dw;
    const r2 = Math.min(sh - 1, Math.max(0, sy + 1)) * dw;
    const r3 = Math.min(sh - 1, Math.max(0, sy + 2)) * dw;
    const [b0, b1, b2, b3] = [0, 1, 2, 3].map((j) => cy.coef[d * 4 + j] as number) as [number, number, number, number];
    for (let x = 0; x < dw; x++) {
      const p0 = f32((horiz[r0 + x] as number) * b0);
      const p1 = f32((horiz[r1 + x] as number) * b1);
      const p2 = f32((horiz[r2 + x] as number) * b2);
      const p3 = f32((horiz[r3 + x] as number) * b3);
      out[d * dw + x] = x < simd ? f32(p0 + f32(p1 + f32(p2 + p3))) : f32(f32(f32(p0 + p1) + p2) + p3);
    }
  }
  return out;
}
