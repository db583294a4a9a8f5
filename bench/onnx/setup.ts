/**
 * The model and image of bench/onnx: nafnet-small (seed 0) with every parameter moved by 0.05·N(0,1), written
 * as our safetensors (libtorch and PyTorch load it) and as .onnx (onnxruntime; our exporter with dynamic size,
 * or PyTorch's), plus a size×size crop of a real photo as PNG.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { saveModel } from '../../src/archs/load.js';
import { createModel, resolveModel } from '../../src/archs/registry.js';
import { exportOnnx } from '../../src/export/index.js';
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

export async function setupModel(
  dir: string,
  photo: string,
  size: number,
  python: string,
  exporter: 'maskdcpt' | 'pytorch' = 'maskdcpt',
): Promise<BenchModel> {
  manualSeed(0);
  const model = createModel('nafnet-small').eval();
  noGrad(() => {
    for (const p of model.parameters()) tidy(() => p.add_(randnLike(p).mul(0.05)));
  });
  const weights = join(dir, 'weights.safetensors');
  await saveModel(weights, model, resolveModel('nafnet-small').options);
  const onnx = join(dir, 'model.onnx');
  if (exporter === 'maskdcpt') {
    writeFileSync(onnx, exportOnnx(model, { dynamicSize: true, name: 'nafnet-small' }));
  } else {
    const args = [join(root, 'tools', 'torch_onnx.py'), '--arch', 'nafnet-small', '--weights', weights, '--out', onnx];
    execFileSync(python, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  model.dispose();
  const { raster } = await readImage(photo, { channels: 3 });
  if (raster.width < size || raster.height < size) throw new Error(`${photo} is smaller than ${size}x${size}`);
  const image = join(dir, `crop${size}.png`);
  await writeImage(image, cropRaster(raster, 0, 0, size, size));
  const how =
    exporter === 'maskdcpt' ? 'maskdcpt export --dynamic-size' : 'PyTorch torch.onnx.export (tools/torch_onnx.py)';
  return { weights, onnx, image, exporter: how };
}
