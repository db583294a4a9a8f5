/** Small 1-D filter kernels shared by SSIM, NIQE, PIQE and BRISQUE. */

/**
 * Normalised sampled Gaussian exp(-x^2 / (2 sigma^2)) on `size` taps centred on the middle one: the
 * kernel of `cv2.getGaussianKernel(size, sigma)`, scipy's `gaussian_filter1d` (size = 2*radius + 1)
 * and MATLAB's `fspecial('gaussian')`/`imgaussfilt` (separable form); they agree to rounding.
 */
export function gaussianKernel(size: number, sigma: number): Float64Array {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0)
    throw new RangeError(`gaussianKernel: odd size needed, got ${size}`);
  const k = new Float64Array(size);
  const half = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = i - half;
    const v = Math.exp((-x * x) / (2 * sigma * sigma));
    k[i] = v;
    sum += v;
  }
  for (let i = 0; i < size; i++) k[i] = (k[i] as number) / sum;
  return k;
}

/** `size` equal taps summing to 1 (scipy `uniform_filter`). */
export function uniformKernel(size: number): Float64Array {
  return new Float64Array(size).fill(1 / size);
}
