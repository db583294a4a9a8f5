/**
 * The model and image of bench/onnx: nafnet-small (seed 0) with every parameter moved by 0.05·N(0,1), written
 * as our safetensors (libtorch and PyTorch load it) and as .onnx (onnxruntime), plus a size×size crop of a
 * real photo as PNG.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { saveModel } from '../../src/archs/load.js';
import { createModel, resolveModel } from '../../src/archs/registry.js';
import { readImage, writeImage } from '../../src/io/image.js';
import { cropRaster } from '../../src/io/raster.js';
import { manualSeed, noGrad, randnLike, tidy } from '../../src/tensor/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BenchModel {
  weights: string;
  onnx: string;
  image: string;
  /** Which exporter wrote the .onnx. */
  exporter: string;
}

export async function setupModel(dir: string, photo: string, size: number, python: string): Promise<BenchModel> {
  manualSeed(0);
  const model = createModel('nafnet-small').eval();
  noGrad(() => {
    for (const p of model.parameters()) tidy(() => p.add_(randnLike(p).mul(0.05)));
  });
  const weights = join(dir, 'weights.safetensors');
  await saveModel(weights, model, resolveModel('nafnet-small').options);
  model.dispose();
  const onnx = join(dir, 'model.onnx');
  execFileSync(python, [join(root, 'tools', 'torch_onnx.py'), '--arch', 'nafnet-small', '--weights', weights, '--out', onnx], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const { raster } = await readImage(photo, { channels: 3 });
  if (raster.width < size || raster.height < size) throw new Error(`${photo} is smaller than ${size}x${size}`);
  const image = join(dir, `crop${size}.png`);
  await writeImage(image, cropRaster(raster, 0, 0, size, size));
  return { weights, onnx, image, exporter: 'PyTorch torch.onnx.export (tools/torch_onnx.py)' };
}
