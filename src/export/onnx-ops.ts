/**
 * ATen operator → standard ONNX nodes (default domain only, so the file runs in any ONNX runtime).
 * One small function per operator, keyed 'name' or 'name.overload'; `convertNode` names the operator and
 * the model when there is no mapping.
 */
import { A, type GraphBuilder, INT_MAX, type IntVal, onnxDtype } from './onnx-graph.js';
import { isSymInt, type SymArg, type SymNode } from './symbolic.js';
import { isTensorRef } from './trace.js';
import { dtypeName } from '../tensor/dtype.js';

type Converter = (g: GraphBuilder, n: SymNode) => void;
const converters = new Map<string, Converter>();

function reg(keys: string | string[], fn: Converter): void {
  for (const k of typeof keys === 'string' ? [keys] : keys) converters.set(k, fn);
}

// ---- argument helpers -------------------------------------------------------------------------------------

function tensorId(n: SymNode, i: number): number {
  const a = n.args[i];
  if (!isTensorRef(a)) throw new Error(`aten::${n.op}: argument ${i} is not a tensor`);
  return a.tensor;
}
const T = (g: GraphBuilder, n: SymNode, i: number): string => g.value(tensorId(n, i));
const optT = (g: GraphBuilder, n: SymNode, i: number): string | null => (n.args[i] == null ? null : T(g, n, i));
function num(n: SymNode, i: number, fallback?: number): number {
  const a = n.args[i];
  if (a == null && fallback !== undefined) return fallback;
  if (typeof a === 'number') return a;
  if (typeof a === 'boolean') return Number(a);
  throw new Error(`aten::${n.op}: argument ${i} must be a static number (got ${JSON.stringify(a)})`);
}
function list(n: SymNode, i: number): SymArg[] {
  const a = n.args[i];
  if (typeof a === 'number' || isSymInt(a as SymArg)) return [a as SymArg];
  if (!Array.isArray(a)) throw new Error(`aten::${n.op}: argument ${i} must be a list`);
  return a;
}
const staticList = (g: GraphBuilder, n: SymNode, i: number): number[] =>
  list(n, i).map((a) => g.staticInt(a, `aten::${n.op} argument ${i}`));
const out = (g: GraphBuilder, n: SymNode, name: string, k = 0): void => g.define(n.outputs[k] as number, name);
const same: Converter = (g, n) => out(g, n, T(g, n, 0));

/** Reduction axes: an attribute before opset 18, an input from 18 on (ReduceSum: from 13). */
function reduce(g: GraphBuilder, op: string, x: string, axes: number[], keepdims: boolean): string {
  const k = A.i('keepdims', keepdims ? 1 : 0);
  if (op === 'ReduceSum' || g.opset >= 18) return g.n(op, [x, g.int64(axes)], k);
  return g.n(op, [x], A.ints('axes', axes), k);
}

/** A scalar of the tensor's float dtype, for element-wise ops with a number. */
const scalarFor = (g: GraphBuilder, n: SymNode, v: number): string => {
  if (g.dtype(tensorId(n, 0)) !== 'float32') throw new Error(`aten::${n.op}: only float32 tensors are exported`);
  return g.float(v);
};

// ---- element-wise -----------------------------------------------------------------------------------------

function binary(onnx: string, withAlpha: boolean, scalar: boolean): Converter {
  return (g, n) => {
    let b = scalar ? scalarFor(g, n, num(n, 1)) : T(g, n, 1);
    const alpha = withAlpha ? num(n, 2, 1) : 1;
    if (alpha !== 1) b = g.n('Mul', [b, g.float(alpha)]);
    out(g, n, g.n(onnx, [T(g, n, 0), b]));
  };
}
reg('add.Tensor', binary('Add', true, false));
reg('sub.Tensor', binary('Sub', true, false));
reg('mul.Tensor', binary('Mul', false, false));
reg('div.Tensor', binary('Div', false, false));
reg('add.Scalar', binary('Add', true, true));
reg('sub.Scalar', binary('Sub', true, true));
reg('mul.Scalar', binary('Mul', false, true));
reg('div.Scalar', binary('Div', false, true));
reg('maximum', binary('Max', false, false));
reg('minimum', binary('Min', false, false));
reg('rsub.Scalar', (g, n) => out(g, n, g.n('Sub', [scalarFor(g, n, num(n, 1)), T(g, n, 0)])));
reg('pow.Tensor_Scalar', (g, n) => out(g, n, g.n('Pow', [T(g, n, 0), scalarFor(g, n, num(n, 1))])));

const UNARY: Record<string, string> = {
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  exp: 'Exp',
  log: 'Log',
  erf: 'Erf',
  neg: 'Neg',
  abs: 'Abs',
  sqrt: 'Sqrt',
  reciprocal: 'Reciprocal',
};
for (const [aten, onnx] of Object.entries(UNARY)) reg(aten, (g, n) => out(g, n, g.n(onnx, [T(g, n, 0)])));
reg('rsqrt', (g, n) => out(g, n, g.n('Reciprocal', [g.n('Sqrt', [T(g, n, 0)])])));
reg('silu', (g, n) => {
  const x = T(g, n, 0);
  out(g, n, g.n('Mul', [x, g.n('Sigmoid', [x])]));
});
reg('leaky_relu', (g, n) => out(g, n, g.n('LeakyRelu', [T(g, n, 0)], A.f('alpha', num(n, 1, 0.01)))));
reg('clamp_min', (g, n) => out(g, n, g.n('Max', [T(g, n, 0), scalarFor(g, n, num(n, 1))])));
reg('clamp', (g, n) => {
  const lo = n.args[1] == null ? '' : scalarFor(g, n, num(n, 1));
  const hi = n.args[2] == null ? '' : scalarFor(g, n, num(n, 2));
  out(g, n, g.n('Clip', [T(g, n, 0), lo, hi]));
});

reg('gelu', (g, n) => {
  const x = T(g, n, 0);
  const approx = n.args[1] ?? 'none';
  if (g.opset >= 20) {
    out(g, n, g.n('Gelu', [x], A.s('approximate', String(approx))));
    return;
  }
  let inner: string;
  if (approx === 'tanh') {
    // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    const cube = g.n('Mul', [g.n('Mul', [x, x]), x]);
    const poly = g.n('Add', [x, g.n('Mul', [cube, g.float(0.044715)])]);
    inner = g.n('Tanh', [g.n('Mul', [poly, g.float(Math.sqrt(2 / Math.PI))])]);
  } else {
    inner = g.n('Erf', [g.n('Mul', [x, g.float(Math.SQRT1_2)])]);
  }
  out(g, n, g.n('Mul', [g.n('Mul', [x, g.float(0.5)]), g.n('Add', [inner, g.float(1)])]));
});

// ---- linear algebra, convolution, normalisation -----------------------------------------------------------

reg(['matmul', 'bmm', 'mm'], (g, n) => out(g, n, g.n('MatMul', [T(g, n, 0), T(g, n, 1)])));
reg('linear', (g, n) => {
  const wt = g.n('Transpose', [T(g, n, 1)], A.ints('perm', [1, 0]));
  const y = g.n('MatMul', [T(g, n, 0), wt]);
  const b = optT(g, n, 2);
  out(g, n, b === null ? y : g.n('Add', [y, b]));
});

reg('conv2d', (g, n) => {
  const w = tensorId(n, 1);
  const [sh, sw] = staticList(g, n, 3);
  const [ph, pw] = staticList(g, n, 4);
  const [dh, dw] = staticList(g, n, 5);
  const inputs = [T(g, n, 0), g.value(w)];
  const b = optT(g, n, 2);
  if (b !== null) inputs.push(b);
  const attrs = [
    A.ints('kernel_shape', g.shape(w).slice(2)),
    A.ints('strides', [sh ?? 1, sw ?? sh ?? 1]),
    A.ints('pads', [ph ?? 0, pw ?? ph ?? 0, ph ?? 0, pw ?? ph ?? 0]),
    A.ints('dilations', [dh ?? 1, dw ?? dh ?? 1]),
    A.i('group', num(n, 6, 1)),
  ];
  out(g, n, g.n('Conv', inputs, ...attrs));
});

reg('layer_norm', (g, n) => {
  const shape = staticList(g, n, 1);
  const scale = optT(g, n, 2) ?? g.float(new Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape);
  const inputs = [T(g, n, 0), scale];
  const b = optT(g, n, 3);
  if (b !== null) inputs.push(b);
  out(g, n, g.n('LayerNormalization', inputs, A.i('axis', -shape.length), A.f('epsilon', num(n, 4, 1e-5))));
});

reg('softmax.int', (g, n) => out(g, n, g.n('Softmax', [T(g, n, 0)], A.i('axis', num(n, 1)))));
reg('log_softmax.int', (g, n) => out(g, n, g.n('LogSoftmax', [T(g, n, 0)], A.i('axis', num(n, 1)))));

// ---- reductions and pooling -------------------------------------------------------------------------------

const axes = (g: GraphBuilder, n: SymNode, i: number): number[] =>
  staticList(g, n, i).map((d) => g.axis(tensorId(n, 0), d));
reg('mean.dim', (g, n) => out(g, n, reduce(g, 'ReduceMean', T(g, n, 0), axes(g, n, 1), Boolean(n.args[2]))));
reg('sum.dim_IntList', (g, n) => out(g, n, reduce(g, 'ReduceSum', T(g, n, 0), axes(g, n, 1), Boolean(n.args[2]))));
reg('amax', (g, n) => out(g, n, reduce(g, 'ReduceMax', T(g, n, 0), axes(g, n, 1), Boolean(n.args[2]))));
reg('linalg_vector_norm', (g, n) => {
  const ord = num(n, 1, 2);
  if (ord !== 2 && ord !== 1) throw new Error(`aten::linalg_vector_norm: only ord 1 and 2 are exported (got ${ord})`);
  const ax = n.args[2] == null ? [...g.shape(tensorId(n, 0)).keys()] : axes(g, n, 2);
  out(g, n, reduce(g, ord === 2 ? 'ReduceL2' : 'ReduceL1', T(g, n, 0), ax, Boolean(n.args[3])));
});
reg('adaptive_avg_pool2d', (g, n) => {
  const [oh, ow] = staticList(g, n, 1);
  if (oh === 1 && (ow ?? 1) === 1) out(g, n, g.n('GlobalAveragePool', [T(g, n, 0)]));
  else throw new Error(`aten::adaptive_avg_pool2d: only output size 1 is exported (got ${oh}x${ow})`);
});

reg('max_pool2d', (g, n) => {
  const [kh, kw] = staticList(g, n, 1);
  const stride = staticList(g, n, 2);
  const [ph, pw] = staticList(g, n, 3);
  const dilation = staticList(g, n, 4);
  const y = g.n(
    'MaxPool',
    [T(g, n, 0)],
    A.ints('kernel_shape', [kh as number, kw as number]),
    A.ints('strides', stride.length > 0 ? stride : [kh as number, kw as number]),
    A.ints('pads', [ph as number, pw as number, ph as number, pw as number]),
    A.ints('dilations', dilation),
    A.i('ceil_mode', n.args[5] ? 1 : 0),
  );
  out(g, n, y);
});

// ---- shape and layout -------------------------------------------------------------------------------------

reg(['contiguous', 'clone', 'detach', 'alias'], same);
reg('dropout', (g, n) => {
  if (n.args[2]) throw new Error('aten::dropout in training mode cannot be exported; call model.eval()');
  same(g, n);
});
reg('to.dtype', (g, n) => {
  const to = dtypeName(num(n, 1));
  if (to === g.dtype(tensorId(n, 0))) same(g, n);
  else out(g, n, g.n('Cast', [T(g, n, 0)], A.i('to', onnxDtype(to))));
});
reg(['reshape', 'view'], (g, n) => out(g, n, g.n('Reshape', [T(g, n, 0), g.vec(list(n, 1).map((a) => g.int(a)))])));
reg('flatten.using_ints', (g, n) => {
  const x = tensorId(n, 0);
  const r = g.rank(x);
  const s = g.axis(x, num(n, 1, 0));
  const e = g.axis(x, num(n, 2, -1));
  // 0 copies the input dimension at the same index, which holds for every dimension before `s`.
  const dims: IntVal[] = [...new Array(s).fill(0), -1];
  for (let d = e + 1; d < r; d++) dims.push(g.dim(x, d));
  out(g, n, g.n('Reshape', [g.value(x), g.vec(dims)]));
});
reg('permute', (g, n) => out(g, n, g.n('Transpose', [T(g, n, 0)], A.ints('perm', axes(g, n, 1)))));
reg('transpose.int', (g, n) => {
  const x = tensorId(n, 0);
  const perm = [...g.shape(x).keys()];
  const a = g.axis(x, num(n, 1));
  const b = g.axis(x, num(n, 2));
  [perm[a], perm[b]] = [perm[b] as number, perm[a] as number];
  out(g, n, g.n('Transpose', [g.value(x)], A.ints('perm', perm)));
});
// select(dim, i) = Gather of one index, then drop the dimension (Gather with a 1-element index keeps it).
reg('select.int', (g, n) => {
  const x = tensorId(n, 0);
  const ax = g.axis(x, num(n, 1));
  let i = num(n, 2);
  if (i < 0) {
    if (g.isDynamic(x, ax)) throw new Error('aten::select: a negative index on a size-dependent axis');
    i += g.shape(x)[ax] as number;
  }
  out(g, n, g.n('Squeeze', [g.n('Gather', [T(g, n, 0), g.int64([i])], A.i('axis', ax)), g.int64([ax])]));
});
reg('unsqueeze', (g, n) => out(g, n, g.n('Unsqueeze', [T(g, n, 0), g.int64([num(n, 1)])])));
reg('squeeze.dim', (g, n) => out(g, n, g.n('Squeeze', [T(g, n, 0), g.int64([num(n, 1)])])));
reg('cat', (g, n) => {
  const ids = list(n, 0).map((a, k) => {
    if (!isTensorRef(a)) throw new Error(`aten::cat: element ${k} is not a tensor`);
    return a.tensor;
  });
  out(
    g,
    n,
    g.n(
      'Concat',
      ids.map((id) => g.value(id)),
      A.i('axis', g.axis(ids[0] as number, num(n, 1, 0))),
    ),
  );
});

/** chunk/split/unbind: split sizes come from the traced outputs, which must not vary with the input size. */
function splitByOutputs(g: GraphBuilder, n: SymNode, dim: number, squeeze: boolean): void {
  const x = tensorId(n, 0);
  const ax = g.axis(x, dim);
  if (g.isDynamic(x, ax)) throw new Error(`aten::${n.op}: splitting along a size-dependent dimension is not exported`);
  const sizes = n.outputs.map((o) => (squeeze ? 1 : (g.shape(o)[ax] as number)));
  const parts = g.node('Split', [g.value(x), g.int64(sizes)], [A.i('axis', ax)], sizes.length);
  parts.forEach((p, k) => {
    out(g, n, squeeze ? g.n('Squeeze', [p, g.int64([ax])]) : p, k);
  });
}
reg('chunk', (g, n) => splitByOutputs(g, n, num(n, 2, 0), false));
reg(['split.Tensor', 'split_with_sizes'], (g, n) => splitByOutputs(g, n, num(n, 2, 0), false));
reg('unbind.int', (g, n) => splitByOutputs(g, n, num(n, 1, 0), true));

function slice(g: GraphBuilder, x: string, axis: number, start: IntVal, end: IntVal): string {
  return g.n('Slice', [x, g.vec([start]), g.vec([end]), g.int64([axis])]);
}
reg('narrow', (g, n) => {
  const x = tensorId(n, 0);
  const start = g.int(n.args[2] as SymArg);
  out(g, n, slice(g, g.value(x), g.axis(x, num(n, 1)), start, g.add(start, g.int(n.args[3] as SymArg))));
});
reg('slice.Tensor', (g, n) => {
  const x = tensorId(n, 0);
  if (num(n, 4, 1) !== 1) throw new Error('aten::slice: only step 1 is exported');
  const start = n.args[2] == null ? 0 : g.int(n.args[2] as SymArg);
  const end = n.args[3] == null ? INT_MAX : g.int(n.args[3] as SymArg);
  out(g, n, slice(g, g.value(x), g.axis(x, num(n, 1)), start, end));
});
reg('roll', (g, n) => {
  // torch.roll by k along d is cat(x[-k:], x[:-k]); negative k is cat(x[|k|:], x[:|k|]); no dim size needed.
  const x = tensorId(n, 0);
  const shifts = staticList(g, n, 1);
  const dims = staticList(g, n, 2);
  let cur = g.value(x);
  shifts.forEach((k, i) => {
    if (k === 0) return;
    const d = g.axis(x, dims[i] as number);
    const cut = -k; // k > 0: x[-k:] then x[:-k]; k < 0: x[|k|:] then x[:|k|]
    cur = g.n('Concat', [slice(g, cur, d, cut, INT_MAX), slice(g, cur, d, 0, cut)], A.i('axis', d));
  });
  out(g, n, cur);
});

reg('pad', (g, n) => {
  const x = tensorId(n, 0);
  const r = g.rank(x);
  const p = list(n, 1).map((a) => g.int(a));
  const begin: IntVal[] = new Array(r).fill(0);
  const end: IntVal[] = new Array(r).fill(0);
  for (let k = 0; k < p.length / 2; k++) {
    begin[r - 1 - k] = p[2 * k] as IntVal;
    end[r - 1 - k] = p[2 * k + 1] as IntVal;
  }
  const mode = String(n.args[2] ?? 'constant');
  const onnxMode = { constant: 'constant', reflect: 'reflect', replicate: 'edge', circular: 'wrap' }[mode];
  if (onnxMode === undefined || (mode === 'circular' && g.opset < 19))
    throw new Error(`aten::pad: mode '${mode}' is not exported at opset ${g.opset}`);
  const inputs = [g.value(x), g.vec([...begin, ...end])];
  if (mode === 'constant') inputs.push(scalarFor(g, n, num(n, 3, 0)));
  out(g, n, g.n('Pad', inputs, A.s('mode', onnxMode)));
});

reg('pixel_shuffle', (g, n) =>
  out(g, n, g.n('DepthToSpace', [T(g, n, 0)], A.i('blocksize', num(n, 1)), A.s('mode', 'CRD'))),
);
reg('pixel_unshuffle', (g, n) => {
  // torch orders output channels c·r² + i·r + j; ONNX SpaceToDepth puts the block index first, so spell it out.
  const x = tensorId(n, 0);
  const r = num(n, 1);
  const [b, c, h, w] = [0, 1, 2, 3].map((d) => g.dim(x, d)) as [IntVal, IntVal, IntVal, IntVal];
  const [h2, w2] = [g.div(h, r), g.div(w, r)];
  const six = g.n('Reshape', [g.value(x), g.vec([b, c, h2, r, w2, r])]);
  const perm = g.n('Transpose', [six], A.ints('perm', [0, 1, 3, 5, 2, 4]));
  out(g, n, g.n('Reshape', [perm, g.vec([b, g.mul(c, r * r), h2, w2])]));
});

reg('upsample_bilinear2d.vec', (g, n) => {
  const x = tensorId(n, 0);
  if (n.args[1] == null) throw new Error('aten::upsample_bilinear2d: only an explicit output size is exported');
  const size = list(n, 1).map((a) => g.int(a));
  const sizes = g.vec([g.dim(x, 0), g.dim(x, 1), ...size]);
  const mode = n.args[2] ? 'align_corners' : 'pytorch_half_pixel';
  out(
    g,
    n,
    g.n('Resize', [g.value(x), '', '', sizes], A.s('mode', 'linear'), A.s('coordinate_transformation_mode', mode)),
  );
});

// PyTorch's 'nearest' takes source pixel floor(dst · in/out) (or floor(dst / scale) with a scale factor):
// ONNX's asymmetric transform with floor rounding.
reg('upsample_nearest2d.vec', (g, n) => {
  const x = tensorId(n, 0);
  const nearest = [
    A.s('mode', 'nearest'),
    A.s('coordinate_transformation_mode', 'asymmetric'),
    A.s('nearest_mode', 'floor'),
  ];
  if (n.args[1] != null) {
    const sizes = g.vec([g.dim(x, 0), g.dim(x, 1), ...list(n, 1).map((a) => g.int(a))]);
    out(g, n, g.n('Resize', [g.value(x), '', '', sizes], ...nearest));
    return;
  }
  const scales = list(n, 2).map((a) => {
    if (typeof a !== 'number') throw new Error('aten::upsample_nearest2d: scale factors must be static numbers');
    return a;
  });
  const init = g.float([1, 1, ...scales], [4]);
  out(g, n, g.n('Resize', [g.value(x), '', init], ...nearest));
});

/** Emits the ONNX nodes for one traced operator. */
export function convertNode(g: GraphBuilder, n: SymNode, model: string): void {
  const fn = converters.get(n.overload ? `${n.op}.${n.overload}` : n.op) ?? converters.get(n.op);
  if (fn === undefined) {
    throw new Error(
      `ONNX export of ${model}: operator aten::${n.op}${n.overload ? `.${n.overload}` : ''} has no ONNX mapping (src/export/onnx-ops.ts)`,
    );
  }
  fn(g, n);
}

/** ATen operators the exporter maps (for docs and tests). */
export function supportedOps(): string[] {
  return [...converters.keys()].sort();
}
