/**
 * Colour-to-luma conversions exactly as the reference implementations compute them, including where
 * they round to float32, because PSNR/SSIM on Y are compared against those codes to ~1e-6.
 * All inputs are RGB samples in [0, 1] (our rasters are RGB; BasicSR's BGR order is handled here).
 */
const f32 = Math.fround;

/**
 * BasicSR `bgr2ycbcr(img, y_only=True)` on float32 [0, 1] input (MATLAB `rgb2ycbcr`, BT.601 studio
 * range): `(24.966 B + 128.553 G + 65.481 R + 16) / 255` in float64, stored as float32.
 * Used by BasicSR's `to_y_channel` and by the MaskDCPT fork.
 */
export function yBt601(r: number, g: number, b: number): number {
  return f32((b * 24.966 + g * 128.553 + r * 65.481 + 16) / 255);
}

const W_R = f32(65.481);
const W_G = f32(128.553);
const W_B = f32(24.966);

/**
 * BasicSR `rgb2ycbcr_pt(img, y_only=True)`: the same formula in float32 torch arithmetic. The matmul
 * accumulates R, G, B in that order with fused multiply-adds (checked bit-exact against torch 1.13).
 */
export function yBt601Torch(r: number, g: number, b: number): number {
  let acc = f32(r * W_R);
  acc = f32(acc + g * W_G); // exact float32 products: fma = one rounding of the exact sum
  acc = f32(acc + b * W_B);
  return f32(f32(acc + 16) / 255);
}

const C_R = f32(0.299);
const C_G = f32(0.587);
const C_B = f32(0.114);

/**
 * OpenCV `cvtColor(COLOR_BGR2GRAY)` on float32 input (BasicSR NIQE `convert_to='gray'`): B * 0.114f,
 * then fused multiply-adds of G and R (OpenCV's SIMD path; checked bit-exact against OpenCV 4.6).
 */
export function greyOpenCvFloat(r: number, g: number, b: number): number {
  return f32(f32(f32(b * C_B) + g * C_G) + r * C_R);
}

/** OpenCV `cvtColor(COLOR_BGR2GRAY)` on uint8 input: 15-bit fixed point, rounded. */
export function greyOpenCvU8(r: number, g: number, b: number): number {
  return (b * 3735 + g * 19235 + r * 9798 + 16384) >> 15;
}

/**
 * MATLAB `rgb2gray` weights: the first row of inv([1 .956 .621; 1 -.272 -.647; 1 -1.106 1.703]),
 * i.e. slightly different from 0.299/0.587/0.114.
 */
export const MATLAB_GREY = [0.298936021293775, 0.587043074451121, 0.114020904255103] as const;

/** MATLAB `rgb2gray` on double input. */
export function greyMatlab(r: number, g: number, b: number): number {
  return MATLAB_GREY[0] * r + MATLAB_GREY[1] * g + MATLAB_GREY[2] * b;
}
