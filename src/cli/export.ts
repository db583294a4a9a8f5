/**
 * `maskdcpt export`: a backbone with its weights → an ONNX file (standard operators only) that onnxruntime
 * and other runtimes run. Fixed size by default; `--dynamic-size` frees batch, height and width.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { loadModel } from '../archs/load.js';
import { DEFAULT_OPSET, exportOnnx, MAX_OPSET, MIN_OPSET, verifyOnnx } from '../export/index.js';
import { writeFileAtomic } from '../io/atomic.js';

interface ExportFlags {
  weights: string;
  model?: string;
  arch?: string;
  archOptions?: string;
  key?: string;
  output: string;
  opset: string;
  dynamicSize?: boolean;
  size?: string;
  verify?: boolean;
}

/** Largest max-abs difference `--verify` accepts between onnxruntime and libtorch. */
const VERIFY_TOL = 1e-4;

/** Parses 'HxW' (or a single number for a square). */
export function parseSize(s: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(s.trim());
  if (!m) throw new Error(`--size must be HxW or N (e.g. 256x256), got '${s}'`);
  const h = Number(m[1]);
  const w = Number(m[2] ?? m[1]);
  if (h <= 0 || w <= 0) throw new Error(`--size must be positive, got '${s}'`);
  return [h, w];
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export a model with its weights to ONNX (plain restoration forward, standard operators)')
    .requiredOption('--weights <file>', 'weights (.safetensors from maskdcpt, or official .pth with -n/--arch)')
    .option('-n, --model <preset>', 'model preset (needed for official .pth), e.g. nafnet-64-5d')
    .option('--arch <name>', 'architecture or preset (same as -n)')
    .option('--arch-options <json>', 'architecture options as JSON')
    .option('--key <key>', "'params_ema' (default) or 'params'")
    .requiredOption('-o, --output <file>', 'ONNX file to write')
    .option('--opset <n>', `ONNX opset (${MIN_OPSET}..${MAX_OPSET})`, String(DEFAULT_OPSET))
    .option('--dynamic-size', 'free batch, height and width (default: fixed size)')
    .option('--size <HxW>', 'input size of a fixed-size graph', '256x256')
    .option('--verify', `run the file in onnxruntime and compare with libtorch (fails above ${VERIFY_TOL} max abs)`)
    .action(async (flags: ExportFlags) => {
      if (flags.model && flags.arch && flags.model !== flags.arch) {
        throw new Error(`give one of -n/--model and --arch, not both ('${flags.model}' vs '${flags.arch}')`);
      }
      const opset = Number(flags.opset);
      if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
        throw new Error(`--opset ${flags.opset} is not supported; use ${MIN_OPSET}..${MAX_OPSET}`);
      }
      const inputShape = parseSize(flags.size ?? '256x256');
      const arch = flags.model ?? flags.arch;
      const model = await loadModel(flags.weights, {
        ...(arch ? { arch } : {}),
        ...(flags.archOptions ? { archOptions: JSON.parse(flags.archOptions) as Record<string, unknown> } : {}),
        ...(flags.key ? { key: flags.key } : {}),
      });
      try {
        const bytes = exportOnnx(model, {
          opset,
          dynamicSize: flags.dynamicSize ?? false,
          inputShape,
          name: arch ?? model.arch,
          metadata: { weights: basename(flags.weights) },
        });
        if (flags.verify) {
          const m = model.sizeMultiple;
          // Dynamic: one size on the multiple and one off it, so the in-graph pad and crop run too.
          const sizes: [number, number][] = flags.dynamicSize
            ? [
                [4 * m, 4 * m],
                [4 * m + 3, 5 * m + 5],
              ]
            : [inputShape];
          const results = await verifyOnnx(model, bytes, sizes);
          const worst = Math.max(...results.map((r) => r.maxAbsDiff));
          const detail = results.map((r) => `${r.height}x${r.width}: ${r.maxAbsDiff.toExponential(2)}`).join(', ');
          if (!(worst <= VERIFY_TOL))
            throw new Error(`onnxruntime and libtorch differ by more than ${VERIFY_TOL} (${detail}); nothing written`);
          console.log(`verified: onnxruntime vs libtorch max abs diff ${detail}`);
        }
        await writeFileAtomic(flags.output, [bytes]);
        const size = flags.dynamicSize ? `dynamic size (any HxW >= ${model.sizeMultiple})` : `${inputShape.join('x')}`;
        console.log(
          `wrote ${flags.output} (${model.arch}, opset ${opset}, ${size}, ${(bytes.byteLength / 1e6).toFixed(1)} MB)`,
        );
      } finally {
        model.dispose();
      }
    });
}
