/**
 * ONNX fixtures for the runtime tests: our nafnet-tiny with perturbed weights (so every block matters), and
 * the same weights exported by PyTorch's own exporter (tools/torch_onnx.py): an oracle independent of our
 * engine and of our exporter.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createModel } from '../../src/archs/registry.js';
import type { Backbone } from '../../src/archs/types.js';
import { manualSeed, noGrad, randnLike, tidy } from '../../src/tensor/index.js';
import { saveAs } from '../restore/helpers.js';
import { repoRoot } from './engine.js';

/** nafnet-tiny, seed `seed`, every parameter moved by 0.05·N(0,1) (beta/gamma start at zero otherwise). */
export async function perturbedTiny(path: string, seed = 0): Promise<Backbone> {
  manualSeed(seed);
  const model = createModel('nafnet-tiny').eval();
  noGrad(() => {
    for (const p of model.parameters()) tidy(() => p.add_(randnLike(p).mul(0.05)));
  });
  await saveAs(path, model);
  return model;
}

export interface TorchOnnxOptions {
  weights?: string;
  /** Adds a toy classifier head with this many labels (a `logits` output). */
  labels?: number;
  /** A PNG whose softmax PyTorch computes (with `labels`). */
  probe?: string;
}

/** Runs tools/torch_onnx.py (Debian's python3 + torch 1.13); returns its probe output, if asked for. */
export function torchOnnx(out: string, o: TorchOnnxOptions = {}): { probabilities?: number[] } {
  const args = [join(repoRoot, 'tools', 'torch_onnx.py'), '--arch', 'nafnet-tiny', '--out', out];
  if (o.weights) args.push('--weights', o.weights);
  if (o.labels) args.push('--labels', String(o.labels));
  if (o.probe) args.push('--probe', o.probe);
  const stdout = execFileSync('/usr/bin/python3', args, {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const last = stdout.trim().split('\n').pop();
  return o.probe && last ? (JSON.parse(last) as { probabilities: number[] }) : {};
}
