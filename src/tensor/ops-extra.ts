/** Sorting, selection, logical and construction methods of `Tensor` beyond the everyday set. */
import { op } from './dispatch.js';
import { callT, callTs, Tensor } from './tensor.js';

declare module './tensor.js' {
  interface Tensor {
    /** Values and indices along `dim` (torch.max(dim)). */
    maxDim(dim: number, keepdim?: boolean): [Tensor, Tensor];
    minDim(dim: number, keepdim?: boolean): [Tensor, Tensor];
    argmin(dim?: number, keepdim?: boolean): Tensor;
    sort(dim?: number, descending?: boolean): [Tensor, Tensor];
    argsort(dim?: number, descending?: boolean): Tensor;
    topk(k: number, dim?: number, largest?: boolean): [Tensor, Tensor];
    scatter(dim: number, index: Tensor, src: Tensor): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    prod(dim: number, keepdim?: boolean): Tensor;
    any(): Tensor;
    all(): Tensor;
    logicalAnd(other: Tensor): Tensor;
    logicalOr(other: Tensor): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    unbind(dim?: number): Tensor[];
    nonzero(): Tensor;
    maskedSelect(mask: Tensor): Tensor;
    addmm(a: Tensor, b: Tensor, beta?: number, alpha?: number): Tensor;
    baddbmm(a: Tensor, b: Tensor, beta?: number, alpha?: number): Tensor;
    lerp(end: Tensor, weight: number): Tensor;
  }
}

const O = {
  maxDim: op('max', 'dim'),
  minDim: op('min', 'dim'),
  argmin: op('argmin'),
  sort: op('sort'),
  argsort: op('argsort'),
  topk: op('topk'),
  scatter: op('scatter', 'src'),
  scatterAdd: op('scatter_add'),
  prod: op('prod', 'dim_int'),
  any: op('any'),
  all: op('all'),
  and: op('logical_and'),
  or: op('logical_or'),
  tril: op('tril'),
  triu: op('triu'),
  unbind: op('unbind', 'int'),
  nonzero: op('nonzero'),
  maskedSelect: op('masked_select'),
  addmm: op('addmm'),
  baddbmm: op('baddbmm'),
  lerp: op('lerp', 'Scalar'),
  einsum: op('einsum'),
};

const P = Tensor.prototype;

P.maxDim = function (dim: number, keepdim = false) {
  return callTs(O.maxDim, [this.h, dim, keepdim]) as [Tensor, Tensor];
};
P.minDim = function (dim: number, keepdim = false) {
  return callTs(O.minDim, [this.h, dim, keepdim]) as [Tensor, Tensor];
};
P.argmin = function (dim?: number, keepdim = false) {
  return callT(O.argmin, [this.h, dim ?? null, keepdim]);
};
P.sort = function (dim = -1, descending = false) {
  return callTs(O.sort, [this.h, dim, descending]) as [Tensor, Tensor];
};
P.argsort = function (dim = -1, descending = false) {
  return callT(O.argsort, [this.h, dim, descending]);
};
P.topk = function (k: number, dim = -1, largest = true) {
  return callTs(O.topk, [this.h, k, dim, largest, true]) as [Tensor, Tensor];
};
P.scatter = function (dim: number, index: Tensor, src: Tensor) {
  return callT(O.scatter, [this.h, dim, index.h, src.h]);
};
P.scatterAdd = function (dim: number, index: Tensor, src: Tensor) {
  return callT(O.scatterAdd, [this.h, dim, index.h, src.h]);
};
P.prod = function (dim: number, keepdim = false) {
  return callT(O.prod, [this.h, dim, keepdim]);
};
P.any = function () {
  return callT(O.any, [this.h]);
};
P.all = function () {
  return callT(O.all, [this.h]);
};
P.logicalAnd = function (other: Tensor) {
  return callT(O.and, [this.h, other.h]);
};
P.logicalOr = function (other: Tensor) {
  return callT(O.or, [this.h, other.h]);
};
P.tril = function (diagonal = 0) {
  return callT(O.tril, [this.h, diagonal]);
};
P.triu = function (diagonal = 0) {
  return callT(O.triu, [this.h, diagonal]);
};
P.unbind = function (dim = 0) {
  return callTs(O.unbind, [this.h, dim]);
};
P.nonzero = function () {
  return callT(O.nonzero, [this.h]);
};
P.maskedSelect = function (mask: Tensor) {
  return callT(O.maskedSelect, [this.h, mask.h]);
};
P.addmm = function (a: Tensor, b: Tensor, beta = 1, alpha = 1) {
  return callT(O.addmm, [this.h, a.h, b.h, beta, alpha]);
};
P.baddbmm = function (a: Tensor, b: Tensor, beta = 1, alpha = 1) {
  return callT(O.baddbmm, [this.h, a.h, b.h, beta, alpha]);
};
P.lerp = function (end: Tensor, weight: number) {
  return callT(O.lerp, [this.h, end.h, weight]);
};

/** Einstein summation, as torch.einsum. */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  return callT(O.einsum, [equation, operands.map((t) => t.h)]);
}
