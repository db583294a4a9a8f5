/**
 * Element-wise, comparison, reduction and linear-algebra methods of `Tensor`, named as in PyTorch.
 * Binary ops broadcast; a JS number operand uses the operator's Scalar overload.
 */
import { op } from './dispatch.js';
import { callT, Tensor } from './tensor.js';

type Operand = Tensor | number;

export interface ReduceOptions {
  keepdim?: boolean;
}

export interface VarOptions extends ReduceOptions {
  /** Bessel's correction: 1 (default, unbiased) or 0 (population). */
  correction?: number;
}

declare module './tensor.js' {
  interface Tensor {
    add(other: Operand, alpha?: number): Tensor;
    sub(other: Operand, alpha?: number): Tensor;
    mul(other: Operand): Tensor;
    div(other: Operand): Tensor;
    pow(exponent: Operand): Tensor;
    rsub(other: number): Tensor;
    maximum(other: Tensor): Tensor;
    minimum(other: Tensor): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    square(): Tensor;
    reciprocal(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    erf(): Tensor;
    sign(): Tensor;
    round(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    eq(other: Operand): Tensor;
    ne(other: Operand): Tensor;
    lt(other: Operand): Tensor;
    le(other: Operand): Tensor;
    gt(other: Operand): Tensor;
    ge(other: Operand): Tensor;
    logicalNot(): Tensor;
    isnan(): Tensor;
    isfinite(): Tensor;
    sum(dims?: number | number[], options?: ReduceOptions): Tensor;
    mean(dims?: number | number[], options?: ReduceOptions): Tensor;
    var(dims?: number | number[], options?: VarOptions): Tensor;
    std(dims?: number | number[], options?: VarOptions): Tensor;
    amax(dims?: number | number[], options?: ReduceOptions): Tensor;
    amin(dims?: number | number[], options?: ReduceOptions): Tensor;
    max(): Tensor;
    min(): Tensor;
    argmax(dim?: number, options?: ReduceOptions): Tensor;
    norm(p?: number, dims?: number | number[], options?: ReduceOptions): Tensor;
    logsumexp(dims: number | number[], options?: ReduceOptions): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
    cumsum(dim: number): Tensor;
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    // in place
    add_(other: Operand, alpha?: number): Tensor;
    sub_(other: Operand, alpha?: number): Tensor;
    mul_(other: Operand): Tensor;
    div_(other: Operand): Tensor;
    clamp_(min?: number | null, max?: number | null): Tensor;
    zero_(): Tensor;
    fill_(value: number): Tensor;
    copy_(src: Tensor): Tensor;
    sqrt_(): Tensor;
    addcmul_(a: Tensor, b: Tensor, value?: number): Tensor;
    addcdiv_(a: Tensor, b: Tensor, value?: number): Tensor;
    lerp_(end: Tensor, weight: number): Tensor;
  }
}

const O = {
  addT: op('add', 'Tensor'),
  addS: op('add', 'Scalar'),
  subT: op('sub', 'Tensor'),
  subS: op('sub', 'Scalar'),
  rsubS: op('rsub', 'Scalar'),
  mulT: op('mul', 'Tensor'),
  mulS: op('mul', 'Scalar'),
  divT: op('div', 'Tensor'),
  divS: op('div', 'Scalar'),
  powT: op('pow', 'Tensor_Tensor'),
  powS: op('pow', 'Tensor_Scalar'),
  maximum: op('maximum'),
  minimum: op('minimum'),
  clamp: op('clamp'),
  sum: op('sum', 'dim_IntList'),
  sumAll: op('sum'),
  mean: op('mean', 'dim'),
  meanAll: op('mean'),
  var: op('var', 'correction'),
  std: op('std', 'correction'),
  amax: op('amax'),
  amin: op('amin'),
  max: op('max'),
  min: op('min'),
  argmax: op('argmax'),
  norm: op('linalg_vector_norm'),
  logsumexp: op('logsumexp'),
  softmax: op('softmax', 'int'),
  logSoftmax: op('log_softmax', 'int'),
  cumsum: op('cumsum'),
  matmul: op('matmul'),
  mm: op('mm'),
  bmm: op('bmm'),
  addT_: op('add_', 'Tensor'),
  addS_: op('add_', 'Scalar'),
  subT_: op('sub_', 'Tensor'),
  subS_: op('sub_', 'Scalar'),
  mulT_: op('mul_', 'Tensor'),
  mulS_: op('mul_', 'Scalar'),
  divT_: op('div_', 'Tensor'),
  divS_: op('div_', 'Scalar'),
  clamp_: op('clamp_'),
  zero_: op('zero_'),
  fill_: op('fill_', 'Scalar'),
  copy_: op('copy_'),
  sqrt_: op('sqrt_'),
  addcmul_: op('addcmul_'),
  addcdiv_: op('addcdiv_'),
  lerp_: op('lerp_', 'Scalar'),
};

const P = Tensor.prototype;

function binary(tOp: ReturnType<typeof op>, sOp: ReturnType<typeof op>, withAlpha = false) {
  return function (this: Tensor, other: Operand, alpha?: number): Tensor {
    if (typeof other === 'number') return callT(sOp, withAlpha ? [this.h, other, alpha] : [this.h, other]);
    return callT(tOp, withAlpha ? [this.h, other.h, alpha] : [this.h, other.h]);
  };
}

function inplace(tOp: ReturnType<typeof op>, sOp: ReturnType<typeof op>, withAlpha = false) {
  return function (this: Tensor, other: Operand, alpha?: number): Tensor {
    if (typeof other === 'number') return callT(sOp, withAlpha ? [this.h, other, alpha] : [this.h, other], [this]);
    return callT(tOp, withAlpha ? [this.h, other.h, alpha] : [this.h, other.h], [this]);
  };
}

P.add = binary(O.addT, O.addS, true);
P.sub = binary(O.subT, O.subS, true);
P.mul = binary(O.mulT, O.mulS);
P.div = binary(O.divT, O.divS);
P.pow = binary(O.powT, O.powS);
P.rsub = function (other: number) {
  return callT(O.rsubS, [this.h, other]);
};
P.maximum = function (other: Tensor) {
  return callT(O.maximum, [this.h, other.h]);
};
P.minimum = function (other: Tensor) {
  return callT(O.minimum, [this.h, other.h]);
};

const unaryNames = {
  neg: 'neg',
  abs: 'abs',
  exp: 'exp',
  log: 'log',
  sqrt: 'sqrt',
  rsqrt: 'rsqrt',
  square: 'square',
  reciprocal: 'reciprocal',
  sin: 'sin',
  cos: 'cos',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  relu: 'relu',
  erf: 'erf',
  sign: 'sign',
  round: 'round',
  floor: 'floor',
  ceil: 'ceil',
  logicalNot: 'logical_not',
  isnan: 'isnan',
  isfinite: 'isfinite',
} as const;
for (const [method, aten] of Object.entries(unaryNames)) {
  const o = op(aten);
  (P as unknown as Record<string, unknown>)[method] = function (this: Tensor) {
    return callT(o, [this.h]);
  };
}

for (const cmp of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
  const t = op(cmp, 'Tensor');
  const s = op(cmp, 'Scalar');
  P[cmp] = binary(t, s);
}

P.clamp = function (min?: number | null, max?: number | null) {
  return callT(O.clamp, [this.h, min ?? null, max ?? null]);
};

function dimList(dims: number | number[] | undefined): number[] | undefined {
  if (dims === undefined) return undefined;
  return typeof dims === 'number' ? [dims] : dims;
}

P.sum = function (dims?: number | number[], options: ReduceOptions = {}) {
  if (dims === undefined) return callT(O.sumAll, [this.h]);
  return callT(O.sum, [this.h, dimList(dims), options.keepdim ?? false]);
};
P.mean = function (dims?: number | number[], options: ReduceOptions = {}) {
  if (dims === undefined) return callT(O.meanAll, [this.h]);
  return callT(O.mean, [this.h, dimList(dims), options.keepdim ?? false]);
};
P.var = function (dims?: number | number[], options: VarOptions = {}) {
  return callT(O.var, [this.h, dimList(dims) ?? null, options.correction ?? 1, options.keepdim ?? false]);
};
P.std = function (dims?: number | number[], options: VarOptions = {}) {
  return callT(O.std, [this.h, dimList(dims) ?? null, options.correction ?? 1, options.keepdim ?? false]);
};
P.amax = function (dims?: number | number[], options: ReduceOptions = {}) {
  return callT(O.amax, [this.h, dimList(dims) ?? [], options.keepdim ?? false]);
};
P.amin = function (dims?: number | number[], options: ReduceOptions = {}) {
  return callT(O.amin, [this.h, dimList(dims) ?? [], options.keepdim ?? false]);
};
P.max = function () {
  return callT(O.max, [this.h]);
};
P.min = function () {
  return callT(O.min, [this.h]);
};
P.argmax = function (dim?: number, options: ReduceOptions = {}) {
  return callT(O.argmax, [this.h, dim ?? null, options.keepdim ?? false]);
};
P.norm = function (p = 2, dims?: number | number[], options: ReduceOptions = {}) {
  return callT(O.norm, [this.h, p, dimList(dims) ?? null, options.keepdim ?? false]);
};
P.logsumexp = function (dims: number | number[], options: ReduceOptions = {}) {
  return callT(O.logsumexp, [this.h, dimList(dims), options.keepdim ?? false]);
};
P.softmax = function (dim: number) {
  return callT(O.softmax, [this.h, dim]);
};
P.logSoftmax = function (dim: number) {
  return callT(O.logSoftmax, [this.h, dim]);
};
P.cumsum = function (dim: number) {
  return callT(O.cumsum, [this.h, dim]);
};
P.matmul = function (other: Tensor) {
  return callT(O.matmul, [this.h, other.h]);
};
P.mm = function (other: Tensor) {
  return callT(O.mm, [this.h, other.h]);
};
P.bmm = function (other: Tensor) {
  return callT(O.bmm, [this.h, other.h]);
};

P.add_ = inplace(O.addT_, O.addS_, true);
P.sub_ = inplace(O.subT_, O.subS_, true);
P.mul_ = inplace(O.mulT_, O.mulS_);
P.div_ = inplace(O.divT_, O.divS_);
P.clamp_ = function (min?: number | null, max?: number | null) {
  return callT(O.clamp_, [this.h, min ?? null, max ?? null], [this]);
};
P.zero_ = function () {
  return callT(O.zero_, [this.h], [this]);
};
P.fill_ = function (value: number) {
  return callT(O.fill_, [this.h, value], [this]);
};
P.copy_ = function (src: Tensor) {
  return callT(O.copy_, [this.h, src.h], [this]);
};
P.sqrt_ = function () {
  return callT(O.sqrt_, [this.h], [this]);
};
P.addcmul_ = function (a: Tensor, b: Tensor, value = 1) {
  return callT(O.addcmul_, [this.h, a.h, b.h, value], [this]);
};
P.addcdiv_ = function (a: Tensor, b: Tensor, value = 1) {
  return callT(O.addcdiv_, [this.h, a.h, b.h, value], [this]);
};
P.lerp_ = function (end: Tensor, weight: number) {
  return callT(O.lerp_, [this.h, end.h, weight], [this]);
};

