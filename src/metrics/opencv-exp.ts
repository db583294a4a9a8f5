/**
 * OpenCV's float32 `cv::exp` (`exp32f` in core/mathfuncs_core): a 64-entry 2^(j/64) table times a
 * degree-4 polynomial evaluated with fused multiply-adds. BRISQUE's SVR sums 774 such kernel values
 * weighted by up to 1024, so libm's exp would move the score by ~1e-3; this one matches OpenCV's bits.
 */
import { roundHalfEven } from './plane.js';

const f32 = Math.fround;
// OpenCV's long literals, as the doubles they round to.
const A0 = 0.009670371139572339;
const A4 = f32(1.0000000000000024 / A0);
const A3 = f32(0.6931471805521449 / A0);
const A2 = f32(0.24022651095133016 / A0);
const A1 = f32(0.05550339366753125 / A0);
const PRESCALE_D = Math.LOG2E * 64;
const PRESCALE = f32(PRESCALE_D);
const POSTSCALE = f32(1 / 64);
const MAX_VAL = 3000 * 64;
const MIN_X = f32(-MAX_VAL / PRESCALE_D);
const MAX_X = f32(MAX_VAL / PRESCALE_D);
const TABLE = Float32Array.from({ length: 64 }, (_, j) => 2 ** (j / 64) * A0);

/** `cv::exp` of one float32 value. */
export function cvExp32f(x: number): number {
  const x0 = f32(Math.min(Math.max(x, MIN_X), MAX_X) * PRESCALE);
  const xi = roundHalfEven(x0); // cvRound
  const xf = f32(f32(x0 - xi) * POSTSCALE);
  let t = (xi >> 6) + 127;
  t = Math.min(255, Math.max(0, t));
  const scale = t === 0 ? 0 : 2 ** (t - 127); // the float whose exponent bits are t
  const y = f32((TABLE[xi & 63] as number) * scale);
  let z = f32(xf + A1);
  z = f32(z * xf + A2); // products of two floats are exact in double: one rounding, like fma
  z = f32(z * xf + A3);
  z = f32(z * xf + A4);
  return f32(z * y);
}
