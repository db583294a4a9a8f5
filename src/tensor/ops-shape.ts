/** Shape, view, indexing and conversion methods of `Tensor`, named as in PyTorch. */
import { op } from './dispatch.js';
import { type DType, dtypeCode } from './dtype.js';
import { callT, callTs, Tensor } from './tensor.js';

declare module './tensor.js' {
  interface Tensor {
    reshape(...shape: number[]): Tensor;
    view(...shape: number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    permute(...dims: number[]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    unsqueeze(dim: number): Tensor;
    squeeze(dim?: number): Tensor;
    expand(...shape: number[]): Tensor;
    expandAs(other: Tensor): Tensor;
    repeat(...times: number[]): Tensor;
    contiguous(): Tensor;
    chunk(chunks: number, dim?: number): Tensor[];
    split(sizes: number | number[], dim?: number): Tensor[];
    narrow(dim: number, start: number, length: number): Tensor;
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
    select(dim: number, index: number): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    maskedFill(mask: Tensor, value: number): Tensor;
    roll(shifts: number | number[], dims: number | number[]): Tensor;
    flip(dims: number | number[]): Tensor;
    repeatInterleave(repeats: number, dim: number): Tensor;
    clone(): Tensor;
    detach(): Tensor;
    /** Converts dtype and/or moves to a device ('cpu', 'cuda', 'cuda:1'). */
    to(target: DType | string, options?: { dtype?: DType }): Tensor;
    float(): Tensor;
    double(): Tensor;
    long(): Tensor;
    int(): Tensor;
    bool(): Tensor;
  }
}

const DTYPES = new Set<string>(['uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64', 'bool', 'bfloat16']);

const O = {
  reshape: op('reshape'),
  view: op('view'),
  flatten: op('flatten', 'using_ints'),
  permute: op('permute'),
  transpose: op('transpose', 'int'),
  t: op('t'),
  unsqueeze: op('unsqueeze'),
  squeeze: op('squeeze'),
  squeezeDim: op('squeeze', 'dim'),
  expand: op('expand'),
  repeat: op('repeat'),
  contiguous: op('contiguous'),
  chunk: op('chunk'),
  splitSize: op('split', 'Tensor'),
  splitSizes: op('split_with_sizes'),
  narrow: op('narrow'),
  slice: op('slice', 'Tensor'),
  select: op('select', 'int'),
  indexSelect: op('index_select'),
  gather: op('gather'),
  maskedFill: op('masked_fill', 'Scalar'),
  roll: op('roll'),
  flip: op('flip'),
  repeatInterleave: op('repeat_interleave', 'self_int'),
  clone: op('clone'),
  detach: op('detach'),
  toDtype: op('to', 'dtype'),
  toDevice: op('to', 'device'),
};

const P = Tensor.prototype;

P.reshape = function (...shape: number[]) {
  return callT(O.reshape, [this.h, shape]);
};
P.view = function (...shape: number[]) {
  return callT(O.view, [this.h, shape]);
};
P.flatten = function (startDim = 0, endDim = -1) {
  return callT(O.flatten, [this.h, startDim, endDim]);
};
P.permute = function (...dims: number[]) {
  return callT(O.permute, [this.h, dims]);
};
P.transpose = function (dim0: number, dim1: number) {
  return callT(O.transpose, [this.h, dim0, dim1]);
};
P.t = function () {
  return callT(O.t, [this.h]);
};
P.unsqueeze = function (dim: number) {
  return callT(O.unsqueeze, [this.h, dim]);
};
P.squeeze = function (dim?: number) {
  return dim === undefined ? callT(O.squeeze, [this.h]) : callT(O.squeezeDim, [this.h, dim]);
};
P.expand = function (...shape: number[]) {
  return callT(O.expand, [this.h, shape]);
};
P.expandAs = function (other: Tensor) {
  return callT(O.expand, [this.h, [...other.shape]]);
};
P.repeat = function (...times: number[]) {
  return callT(O.repeat, [this.h, times]);
};
P.contiguous = function () {
  return callT(O.contiguous, [this.h]);
};
P.chunk = function (chunks: number, dim = 0) {
  return callTs(O.chunk, [this.h, chunks, dim]);
};
P.split = function (sizes: number | number[], dim = 0) {
  return typeof sizes === 'number'
    ? callTs(O.splitSize, [this.h, sizes, dim])
    : callTs(O.splitSizes, [this.h, sizes, dim]);
};
P.narrow = function (dim: number, start: number, length: number) {
  return callT(O.narrow, [this.h, dim, start, length]);
};
P.slice = function (dim: number, start?: number | null, end?: number | null, step = 1) {
  return callT(O.slice, [this.h, dim, start ?? null, end ?? null, step]);
};
P.select = function (dim: number, index: number) {
  return callT(O.select, [this.h, dim, index]);
};
P.indexSelect = function (dim: number, index: Tensor) {
  return callT(O.indexSelect, [this.h, dim, index.h]);
};
P.gather = function (dim: number, index: Tensor) {
  return callT(O.gather, [this.h, dim, index.h]);
};
P.maskedFill = function (mask: Tensor, value: number) {
  return callT(O.maskedFill, [this.h, mask.h, value]);
};
P.roll = function (shifts: number | number[], dims: number | number[]) {
  return callT(O.roll, [this.h, typeof shifts === 'number' ? [shifts] : shifts, typeof dims === 'number' ? [dims] : dims]);
};
P.flip = function (dims: number | number[]) {
  return callT(O.flip, [this.h, typeof dims === 'number' ? [dims] : dims]);
};
P.repeatInterleave = function (repeats: number, dim: number) {
  return callT(O.repeatInterleave, [this.h, repeats, dim]);
};
P.clone = function () {
  return callT(O.clone, [this.h]);
};
P.detach = function () {
  return callT(O.detach, [this.h]);
};
P.to = function (target: DType | string, options: { dtype?: DType } = {}) {
  if (DTYPES.has(target)) return callT(O.toDtype, [this.h, dtypeCode(target as DType)]);
  const dtype = options.dtype ? dtypeCode(options.dtype) : this.h.dtype();
  return callT(O.toDevice, [this.h, target, dtype]);
};
P.float = function () {
  return this.to('float32');
};
P.double = function () {
  return this.to('float64');
};
P.long = function () {
  return this.to('int64');
};
P.int = function () {
  return this.to('int32');
};
P.bool = function () {
  return this.to('bool');
};
