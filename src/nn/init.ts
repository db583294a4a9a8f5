/**
 * Weight initialisation, as torch.nn.init. Values come from libtorch's generator, in the same order and with
 * the same formulas as PyTorch, so `manualSeed(s)` then building a model initialises it as PyTorch would.
 */
import { op } from '../tensor/dispatch.js';
import { noGrad, type Tensor } from '../tensor/index.js';
import { callT } from '../tensor/tensor.js';

const O = {
  uniform_: op('uniform_'),
  normal_: op('normal_'),
  fill_: op('fill_', 'Scalar'),
  erfinv_: op('erfinv_'),
};

/** fan_in and fan_out of a weight (dim 1 and dim 0 times the receptive field), as PyTorch computes them. */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  const s = t.shape;
  if (s.length < 2) throw new RangeError('fans: need a tensor with at least 2 dimensions');
  const receptive = s.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: (s[1] as number) * receptive, fanOut: (s[0] as number) * receptive };
}

export function uniform_(t: Tensor, low = 0, high = 1): Tensor {
  return noGrad(() => callT(O.uniform_, [t.h, low, high, null], [t]));
}

export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return noGrad(() => callT(O.normal_, [t.h, mean, std, null], [t]));
}

export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => callT(O.fill_, [t.h, value], [t]));
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

type Nonlinearity = 'linear' | 'conv2d' | 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid';

export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv2d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
  }
}

export interface KaimingOptions {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}

export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t);
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  const std = gain / Math.sqrt((o.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut);
  const bound = Math.sqrt(3) * std;
  return uniform_(t, -bound, bound);
}

export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t);
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return normal_(t, 0, gain / Math.sqrt((o.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut));
}

export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound);
}

/** Truncated normal on [a, b] by inverse CDF, as torch.nn.init.trunc_normal_ (and timm's). */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  const cdf = (x: number) => (1 + erf(x / Math.SQRT2)) / 2;
  const l = cdf((a - mean) / std);
  const u = cdf((b - mean) / std);
  return noGrad(() => {
    callT(O.uniform_, [t.h, 2 * l - 1, 2 * u - 1, null], [t]);
    callT(O.erfinv_, [t.h], [t]);
    t.mul_(std * Math.SQRT2).add_(mean);
    t.clamp_(a, b);
    return t;
  });
}

// Abramowitz–Stegun 7.1.26 is too coarse for the bounds; use a series/continued-fraction erf accurate to 1e-15.
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = ax;
    let term = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return (sign * 2 * sum) / Math.sqrt(Math.PI);
  }
  // Continued fraction for erfc at larger |x|.
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return sign * (1 - erfc);
}
