/**
 * `exportOnnx`: a backbone's plain restoration forward → ONNX ModelProto bytes. Fixed size: one trace at
 * `inputShape`. Dynamic size: traces at four input sizes (batch 1 or 2) merged by `symbolic.ts`, so
 * batch, height and width are free; the graph reproduces the forward's own pad-to-multiple and crop.
 * Given a MaskDCPT pre-training model, the graph gets a second output `logits` (the classification decoder
 * on the unmasked encoder features, before softmax) and the `labels` metadata that names its columns.
 */
import type { Backbone } from '../archs/types.js';
import { MaskDCPT } from '../maskdcpt/pretrain.js';
import { META, OUTPUT_IMAGE, OUTPUT_LOGITS } from '../onnx/metadata.js';
import { engineInfo, full, type Tensor } from '../tensor/index.js';
import { GraphBuilder, onnxDtype } from './onnx-graph.js';
import { convertNode } from './onnx-ops.js';
import { type DimMsg, encodeModel, irVersionFor, type ValueInfoMsg } from './onnx-proto.js';
import { mergeTraces, staticGraph } from './symbolic.js';
import { type Trace, traceForward } from './trace.js';
import { restoreAndClassify } from './with-classifier.js';

export const DEFAULT_OPSET = 17;
export const MIN_OPSET = 17; // LayerNormalization
export const MAX_OPSET = 21;

export interface ExportOptions {
  /** ONNX opset (17..21); default 17. */
  opset?: number;
  /** Free batch/height/width (default false: fixed `inputShape`). */
  dynamicSize?: boolean;
  /** [height, width] of the fixed-size graph (default 256×256); ignored with `dynamicSize`. */
  inputShape?: readonly [number, number];
  /** Preset or architecture name recorded in the metadata (default: `model.arch`). */
  name?: string;
  /** Extra metadata_props. */
  metadata?: Readonly<Record<string, string>>;
  /** Label names in class order; required when exporting a MaskDCPT model (its classifier's columns). */
  labels?: readonly string[];
}

/**
 * Trace sizes for dynamic export: not multiples of `m` (so the pad and crop are traced), at least `m` (so
 * reflect padding is valid), with mixed residues modulo 2, 4 and 8 (so a pad to a smaller multiple is seen
 * varying), and with H, W and their padded sizes not affinely related across the traces, so a
 * size-dependent integer can only be explained by the dimension it really comes from. The fourth trace
 * over-determines every fitted form.
 */
export function dynamicTraceShapes(m: number): [number, number, number, number][] {
  const b = m * Math.ceil(8 / m);
  return [
    [1, 3, 2 * b - 3, 2 * b - 6],
    [2, 3, 3 * b - 6, 4 * b - 1],
    [1, 3, 5 * b - 1, 5 * b - 3],
    [1, 3, 4 * b - 7, 3 * b - 2],
  ];
}

/** Pad multiples the symbolic fit tries: the model's own first, then powers of two. */
function padMultiples(m: number): number[] {
  return [...new Set([m, 2, 4, 8, 16, 32, 64])];
}

function traceAt(model: Backbone | MaskDCPT, shape: readonly number[], captureData: boolean): Trace {
  const x: Tensor = full(shape, 0.5);
  try {
    if (model instanceof MaskDCPT) return traceForward(model, x, captureData, (t) => restoreAndClassify(model, t));
    return traceForward(model, x, captureData);
  } finally {
    x.dispose();
  }
}

function valueInfo(name: string, dims: DimMsg[]): ValueInfoMsg {
  return { name, type: { tensor_type: { elem_type: onnxDtype('float32'), shape: { dim: dims } } } };
}

const DIM_NAMES = ['batch', 'channels', 'height', 'width'];

/** Checks a MaskDCPT export's labels and that its classifier can follow the requested sizes. */
function checkClassifier(pre: MaskDCPT, o: ExportOptions): void {
  const k = pre.options.numClasses;
  if (o.labels?.length !== k) {
    throw new Error(`ONNX export: the classifier has ${k} classes but ${o.labels?.length ?? 'no'} labels were given`);
  }
  // Token mode (SwinIR) reshapes each level to a square grid, so it only traces on square inputs.
  if (pre.tokenMode && (o.dynamicSize || (o.inputShape && o.inputShape[0] !== o.inputShape[1]))) {
    throw new Error(
      `ONNX export: the ${pre.backbone.arch} classifier needs square inputs; export it with a fixed square --size ` +
        '(e.g. 256x256), or without the classifier',
    );
  }
}

/**
 * Exports `model` (eval) to ONNX bytes: a backbone's plain forward, or a MaskDCPT model's restoration and
 * classifier logits (`o.labels` required).
 */
export function exportOnnx(model: Backbone | MaskDCPT, o: ExportOptions = {}): Uint8Array {
  const opset = o.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new RangeError(`ONNX export: opset ${opset} is not supported; use ${MIN_OPSET}..${MAX_OPSET}`);
  }
  const pre = model instanceof MaskDCPT ? model : null;
  if (pre) checkClassifier(pre, o);
  const backbone = pre ? pre.backbone : (model as Backbone);
  const name = o.name ?? backbone.arch;
  const m = backbone.sizeMultiple;
  const wasTraining = model.training;
  model.eval();
  let traces: Trace[];
  try {
    if (o.dynamicSize) {
      traces = dynamicTraceShapes(m).map((s, i) => traceAt(model, s, i === 0));
    } else {
      const [h, w] = o.inputShape ?? [256, 256];
      if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0))
        throw new RangeError(`ONNX export: invalid size ${h}x${w}`);
      traces = [traceAt(model, [1, 3, h, w], true)];
    }
  } finally {
    model.train(wasTraining);
  }
  const graph = o.dynamicSize ? mergeTraces(traces, padMultiples(m)) : staticGraph(traces[0] as Trace);
  const primary = graph.trace;

  const g = new GraphBuilder(graph, opset);
  g.define(primary.input, 'input');
  try {
    for (const node of graph.nodes) convertNode(g, node, name);
  } catch (err) {
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}${o.dynamicSize ? ' (try a fixed --size)' : ''}`,
      { cause: err },
    );
  }
  const outputNames = pre ? [OUTPUT_IMAGE, OUTPUT_LOGITS] : [OUTPUT_IMAGE];
  outputNames.forEach((out, i) => {
    const id = primary.outputs[i] as number;
    g.nodes.push({ op_type: 'Identity', name: out, input: [g.value(id)], output: [out], attribute: [] });
  });

  // Symbolic dims are named after the input dim whose value they share in every trace.
  const dimsOf = (id: number): DimMsg[] =>
    (primary.tensors[id]?.shape ?? []).map((v, d) => {
      if (!graph.dynamicDims[id]?.[d]) return { dim_value: v };
      const vals = traces.map((t) => t.tensors[id]?.shape[d]);
      const k = [0, 1, 2, 3].find((j) => traces.every((t, i) => t.tensors[t.input]?.shape[j] === vals[i]));
      return { dim_param: k === undefined ? `output_dim${d}` : (DIM_NAMES[k] as string) };
    });

  const metadata: Record<string, string> = {
    producer: 'maskdcpt',
    maskdcpt_version: engineInfo().maskdcpt,
    arch: backbone.arch,
    model: name,
    size_multiple: String(m),
    dynamic_size: o.dynamicSize ? 'true' : 'false',
    input: 'NCHW float32 RGB in [0, 1]',
    ...(o.dynamicSize
      ? {
          min_size: String(m),
          note: `any height/width >= ${m}; the graph pads to a multiple of ${m} by reflection and crops back`,
        }
      : { input_size: `${primary.tensors[primary.input]?.shape.slice(2).join('x')}` }),
    ...(pre
      ? {
          [META.labels]: JSON.stringify(o.labels),
          logits: 'classifier logits [N, K] before softmax, columns in the order of labels',
        }
      : {}),
    ...(o.metadata ?? {}),
  };
  return encodeModel({
    ir_version: irVersionFor(opset),
    producer_name: 'maskdcpt',
    producer_version: metadata.maskdcpt_version as string,
    doc_string: `${name} (${backbone.arch}) plain restoration forward${pre ? ' and degradation classifier' : ''}, exported by maskdcpt`,
    opset_import: [{ domain: '', version: opset }],
    graph: {
      name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo('input', dimsOf(primary.input))],
      output: outputNames.map((out, i) => valueInfo(out, dimsOf(primary.outputs[i] as number))),
    },
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
}
