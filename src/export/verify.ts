/**
 * Checks an exported file against the model it came from: onnxruntime-node runs the ONNX graph, libtorch
 * runs `model.forward`, on the same deterministic test pattern, and the largest difference is reported.
 * For a MaskDCPT export the `logits` output is also compared with what the libtorch diagnoser computes
 * (classifier on the unmasked features), at the sizes that are multiples of the size multiple: the only
 * windows diagnose feeds.
 */
import type { Backbone } from '../archs/types.js';
import { MaskDCPT } from '../maskdcpt/pretrain.js';
import { fromTypedArray, noGrad, tidy } from '../tensor/index.js';

export interface VerifyResult {
  height: number;
  width: number;
  maxAbsDiff: number;
  /** Max abs difference of the classifier logits (MaskDCPT exports, window sizes diagnose uses). */
  logitsMaxAbsDiff?: number;
}

function maxAbs(got: Float32Array, ref: Float32Array, what: string): number {
  if (got.length !== ref.length)
    throw new Error(`verify: ONNX ${what} has ${got.length} values, libtorch ${ref.length}`);
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs((got[i] as number) - (ref[i] as number)));
  return m;
}

/** A smooth image-like pattern in [0, 1] with some texture; deterministic, no RNG state touched. */
function pattern(h: number, w: number): Float32Array {
  const x = new Float32Array(3 * h * w);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const v = 0.5 + 0.3 * Math.sin(0.21 * i + 0.5 * c) * Math.cos(0.17 * j - c) + 0.15 * Math.sin(3.1 * i * j + c);
        x[(c * h + i) * w + j] = Math.min(1, Math.max(0, v));
      }
    }
  }
  return x;
}

/** Runs both at each [height, width]; onnxruntime-node is loaded only here, when verification is asked for. */
export async function verifyOnnx(
  model: Backbone | MaskDCPT,
  bytes: Uint8Array,
  sizes: readonly (readonly [number, number])[],
): Promise<VerifyResult[]> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const pre = model instanceof MaskDCPT ? model : null;
  const backbone = pre ? pre.backbone : (model as Backbone);
  const wasTraining = model.training;
  model.eval();
  try {
    const out: VerifyResult[] = [];
    for (const [h, w] of sizes) {
      const x = pattern(h, w);
      const ref = noGrad(() => tidy(() => backbone.forward(fromTypedArray(x, [1, 3, h, w])).toFloat32Array()));
      const r = await session.run({ input: new ort.Tensor('float32', x, [1, 3, h, w]) });
      const got = (r.output as { data: Float32Array }).data;
      const res: VerifyResult = { height: h, width: w, maxAbsDiff: maxAbs(got, ref, `output at ${h}x${w}`) };
      const m = backbone.sizeMultiple;
      if (pre && h % m === 0 && w % m === 0) {
        const logits = noGrad(() =>
          tidy(() => pre.classify(backbone.forwardFeatures(fromTypedArray(x, [1, 3, h, w]))).toFloat32Array()),
        );
        const gotLogits = (r.logits as { data: Float32Array } | undefined)?.data;
        if (!gotLogits) throw new Error('verify: the ONNX graph has no logits output');
        res.logitsMaxAbsDiff = maxAbs(gotLogits, logits, `logits at ${h}x${w}`);
      }
      out.push(res);
    }
    return out;
  } finally {
    model.train(wasTraining);
    await session.release();
  }
}
