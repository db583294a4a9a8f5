/**
 * Restorer and classifier on onnxruntime-node, for models exported with `maskdcpt export`. Needs no libtorch:
 * nothing here (or in what it imports) touches src/tensor. The model's metadata (src/onnx/metadata.ts) gives
 * the size multiple and, when a classifier was exported, the labels of its `logits` output.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { modelInfo, OUTPUT_IMAGE, OUTPUT_LOGITS, readOnnxMetadata } from '../onnx/metadata.js';
import type { Classifier, Restorer } from './backend.js';

export interface OnnxLoadOptions {
  /** Intra-op threads (default: $MASKDCPT_THREADS, else onnxruntime's default, all cores). */
  threads?: number;
}

export interface OnnxModel extends Restorer {
  readonly file: string;
  readonly labels: readonly string[];
  /** Present when the graph has a `logits` output and the metadata lists its labels. */
  readonly classifier: Classifier | undefined;
  /** Input [1,C,H,W] with numbers for fixed sizes, strings for dynamic ones. */
  readonly inputShape: readonly (number | string)[];
}

function envThreads(): number | undefined {
  const n = Number(process.env.MASKDCPT_THREADS ?? '');
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function softmax(logits: Float32Array): Float32Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  const e = new Float64Array(logits.length);
  for (let i = 0; i < e.length; i++) {
    e[i] = Math.exp((logits[i] as number) - max);
    sum += e[i] as number;
  }
  return Float32Array.from(e, (v) => v / sum);
}

export async function loadOnnxModel(file: string, o: OnnxLoadOptions = {}): Promise<OnnxModel> {
  const name = basename(file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new Error(`cannot read ONNX model ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const info = modelInfo(readOnnxMetadata(bytes, file), file);
  const ort = await import('onnxruntime-node');
  const threads = o.threads ?? envThreads();
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
      // onnxruntime's pool spins between ops by default; on shared cores that steals time from everything
      // else. Wait passively, as our libtorch side does (OMP_WAIT_POLICY), unless the user asks for ACTIVE.
      ...(process.env.OMP_WAIT_POLICY?.toUpperCase() === 'ACTIVE'
        ? {}
        : { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } }),
    });
  } catch (err) {
    throw new Error(`onnxruntime cannot load ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const inputName = session.inputNames[0];
  if (!inputName || session.inputNames.length !== 1)
    throw new Error(`${name}: expected one image input, the graph has [${session.inputNames.join(', ')}]`);
  const imageOut = session.outputNames.includes(OUTPUT_IMAGE)
    ? OUTPUT_IMAGE
    : session.outputNames.find((n) => n !== OUTPUT_LOGITS);
  const meta = session.inputMetadata[0];
  const inputShape = meta?.isTensor ? meta.shape : [];
  const channels = typeof inputShape[1] === 'number' ? inputShape[1] : 3;
  const [fh, fw] = [inputShape[2], inputShape[3]];
  const fixed = typeof fh === 'number' && typeof fw === 'number' ? ([fh, fw] as const) : null;

  const run = async (out: string, input: Float32Array, shape: readonly [1, number, number, number]) => {
    if (fixed && (fixed[0] !== shape[2] || fixed[1] !== shape[3])) {
      throw new Error(
        `${name} takes a fixed ${fixed[0]}x${fixed[1]} input but a ${shape[2]}x${shape[3]} window was asked for ` +
          '(re-export it with --dynamic-size to run any window)',
      );
    }
    const feeds = { [inputName]: new ort.Tensor('float32', input, [...shape]) };
    const res = await session.run(feeds, [out]);
    const t = res[out];
    if (!t) throw new Error(`${name}: no '${out}' output`);
    const data = t.data as Float32Array;
    const copy = new Float32Array(data); // the tensor's buffer belongs to onnxruntime
    t.dispose();
    return copy;
  };

  const hasLogits = session.outputNames.includes(OUTPUT_LOGITS) && info.labels.length > 0;
  const classifier: Classifier | undefined = hasLogits
    ? {
        backend: 'onnx',
        sizeMultiple: info.sizeMultiple,
        labels: info.labels,
        window: fixed ?? undefined,
        classifyTile: async (input, shape) => {
          const logits = await run(OUTPUT_LOGITS, input, shape);
          if (logits.length !== info.labels.length)
            throw new Error(`${name}: ${logits.length} logits but ${info.labels.length} labels in its metadata`);
          return softmax(logits);
        },
        dispose: () => {},
      }
    : undefined;
  let disposed = false;
  return {
    backend: 'onnx',
    file,
    arch: info.arch,
    sizeMultiple: info.sizeMultiple,
    channels,
    window: fixed ?? undefined,
    labels: info.labels,
    classifier,
    inputShape,
    runTile: (input, shape) => {
      if (!imageOut) throw new Error(`${name} has no image output (only '${OUTPUT_LOGITS}'); it cannot restore`);
      return run(imageOut, input, shape);
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      void session.release();
    },
  };
}
