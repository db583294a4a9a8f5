/**
 * Oracles for the ONNX exporter: onnxruntime-node runs the file, Debian's python3-onnx checks it, and our
 * libtorch forward is the reference. Inputs are crops of a real photo.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Backbone } from '../../src/archs/types.js';
import type { Module } from '../../src/nn/module.js';
import { readImage } from '../../src/io/image.js';
import { cropRaster, type Raster, toPlanar } from '../../src/io/raster.js';
import { createModel, resolveModel } from '../../src/archs/registry.js';
import { LABELS } from '../../src/degrade/labels.js';
import { MaskDCPT } from '../../src/maskdcpt/pretrain.js';
import { fromTypedArray, manualSeed, noGrad, randn } from '../../src/tensor/index.js';
import { saveTraining } from '../../src/train/checkpoints.js';
import { repoRoot } from '../helpers/engine.js';

let photo: Raster | undefined;

/** A (1,3,h,w) crop of assets/photos/kodim01.png as planar float32 in [0, 1]. */
export async function photoCrop(h: number, w: number, top = 40, left = 60): Promise<Float32Array> {
  photo ??= (await readImage(join(repoRoot, 'assets/photos/kodim01.png'), { channels: 3 })).raster;
  return toPlanar(cropRaster(photo, top, left, h, w));
}

/**
 * Seeded weights with nothing trivially zero: each parameter gets N(0, (0.1·std)²) noise, zero-initialised
 * ones (NAFNet's β/γ, biases) N(0, 0.05²), so every branch contributes to the output.
 */
export function perturbWeights(model: Module, seed: number): void {
  manualSeed(seed);
  noGrad(() => {
    for (const p of model.parameters()) {
      const sd = p.numel() > 1 ? p.std().item() : 0;
      const r = randn([...p.shape]);
      const s = r.mul(sd > 0 ? 0.1 * sd : 0.05);
      p.add_(s);
      r.dispose();
      s.dispose();
    }
  });
}

/** Our libtorch forward on a planar (1,3,h,w) input. */
export function torchForward(model: Backbone, x: Float32Array, h: number, w: number): Float32Array {
  return noGrad(() => {
    const t = fromTypedArray(x, [1, 3, h, w]);
    const y = model.forward(t);
    t.dispose();
    const out = y.toFloat32Array();
    y.dispose();
    return out;
  });
}

export async function ortSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

export async function ortForward(
  s: ort.InferenceSession,
  x: Float32Array,
  h: number,
  w: number,
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const r = await s.run({ input: new ort.Tensor('float32', x, [1, 3, h, w]) });
  const out = r.output as ort.Tensor;
  return { data: out.data as Float32Array, dims: out.dims };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/**
 * ONNX's own checker (onnx 1.12 from Debian's python3-onnx, installed by scripts/setup.sh) with full shape
 * inference; throws with its message when the file is invalid or the checker is missing.
 */
export function onnxCheck(bytes: Uint8Array): void {
  const dir = mkdtempSync(join(tmpdir(), 'maskdcpt-onnx-'));
  const file = join(dir, 'model.onnx');
  try {
    writeFileSync(file, bytes);
    execFileSync(
      '/usr/bin/python3',
      ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', file],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    const msg = e.stderr?.toString().trim().split('\n').slice(-3).join('\n') ?? e.message;
    throw new Error(`ONNX checker rejected the model (needs python3-onnx: bash scripts/setup.sh):\n${msg}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A pre-training checkpoint as `maskdcpt pretrain` saves it (the trainer's `saveTraining`): a nafnet-tiny
 * MaskDCPT with one bottleneck per classifier stage, seeded and perturbed so no level or class is trivial.
 * Returns the model (eval mode; the caller disposes it) and the checkpoint path in `dir`.
 */
export async function seededPretrain(dir: string, seed: number): Promise<{ model: MaskDCPT; ckpt: string }> {
  manualSeed(seed); // the constructor's initialisers draw from libtorch's generator too
  const model = new MaskDCPT(createModel('nafnet-tiny'), { numClasses: LABELS.length, numResBlocks: 1 });
  perturbWeights(model, seed);
  model.eval();
  const archOptions = resolveModel('nafnet-tiny').options;
  const parts = { model, arch: 'maskdcpt:nafnet', archOptions, optimizers: {}, rngs: {} };
  const ckpt = await saveTraining(dir, 1, parts, { labels: LABELS.map((l) => l.name) });
  return { model, ckpt };
}
