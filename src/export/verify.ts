/**
 * Checks an exported file against the model it came from: onnxruntime-node runs the ONNX graph, libtorch
 * runs `model.forward`, on the same deterministic test pattern, and the largest difference is reported.
 */
import type { Backbone } from '../archs/types.js';
import { fromTypedArray, noGrad } from '../tensor/index.js';

export interface VerifyResult {
  height: number;
  width: number;
  maxAbsDiff: number;
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
  model: Backbone,
  bytes: Uint8Array,
  sizes: readonly (readonly [number, number])[],
): Promise<VerifyResult[]> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const wasTraining = model.training;
  model.eval();
  try {
    const out: VerifyResult[] = [];
    for (const [h, w] of sizes) {
      const x = pattern(h, w);
      const ref = noGrad(() => {
        const t = fromTypedArray(x, [1, 3, h, w]);
        const y = model.forward(t);
        t.dispose();
        const data = y.toFloat32Array();
        y.dispose();
        return data;
      });
      const r = await session.run({ input: new ort.Tensor('float32', x, [1, 3, h, w]) });
      const got = (r.output as { data: Float32Array }).data;
      if (got.length !== ref.length)
        throw new Error(`verify: ONNX output has ${got.length} values at ${h}x${w}, libtorch ${ref.length}`);
      let m = 0;
      for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs((got[i] as number) - (ref[i] as number)));
      out.push({ height: h, width: w, maxAbsDiff: m });
    }
    return out;
  } finally {
    model.train(wasTraining);
    await session.release();
  }
}
