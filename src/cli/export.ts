/**
 * `maskdcpt export`: a backbone with its weights → an ONNX file (standard operators only) that onnxruntime
 * and other runtimes run. Fixed size by default; `--dynamic-size` frees batch, height and width. A
 * pre-training checkpoint also exports its degradation classifier (a `logits` output and `labels` metadata)
 * unless `--no-with-classifier`, so `maskdcpt diagnose` and the browser demo can run on the file.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { loadModel } from '../archs/load.js';
import type { Backbone } from '../archs/types.js';
import { DEFAULT_OPSET, exportOnnx, MAX_OPSET, MIN_OPSET, verifyOnnx } from '../export/index.js';
import { writeFileAtomic } from '../io/atomic.js';
import { isPretrainCheckpoint, loadPretrained } from '../maskdcpt/load.js';
import type { MaskDCPT } from '../maskdcpt/pretrain.js';

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
  /** undefined: export the classifier when the checkpoint has one. */
  withClassifier?: boolean;
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
    .option('--with-classifier', 'also export the degradation classifier (default: when the checkpoint has one)')
    .option('--no-with-classifier', 'export the restoration forward only, even from a pre-training checkpoint')
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
      const withClassifier = flags.withClassifier ?? (await isPretrainCheckpoint(flags.weights));
      let model: Backbone | MaskDCPT;
      let labels: string[] | undefined;
      let backbone: Backbone;
      if (withClassifier) {
        if (arch || flags.archOptions) {
          throw new Error(
            'a pre-training checkpoint names its own architecture: drop -n/--arch/--arch-options, ' +
              'or export the backbone alone with --no-with-classifier',
          );
        }
        const pre = await loadPretrained(flags.weights, flags.key).catch((err: unknown) => {
          throw new Error(`--with-classifier: ${err instanceof Error ? err.message : String(err)}`);
        });
        [model, labels, backbone] = [pre.model, pre.labels, pre.model.backbone];
      } else {
        backbone = await loadModel(flags.weights, {
          ...(arch ? { arch } : {}),
          ...(flags.archOptions ? { archOptions: JSON.parse(flags.archOptions) as Record<string, unknown> } : {}),
          ...(flags.key ? { key: flags.key } : {}),
        });
        model = backbone;
      }
      try {
        const bytes = exportOnnx(model, {
          opset,
          dynamicSize: flags.dynamicSize ?? false,
          inputShape,
          name: arch ?? backbone.arch,
          metadata: { weights: basename(flags.weights) },
          ...(labels ? { labels } : {}),
        });
        if (flags.verify) {
          const m = backbone.sizeMultiple;
          // Dynamic: one size on the multiple and one off it, so the in-graph pad and crop run too.
          const sizes: [number, number][] = flags.dynamicSize
            ? [
                [4 * m, 4 * m],
                [4 * m + 3, 5 * m + 5],
              ]
            : [inputShape];
          const results = await verifyOnnx(model, bytes, sizes);
          const worst = Math.max(...results.flatMap((r) => [r.maxAbsDiff, r.logitsMaxAbsDiff ?? 0]));
          const detail = results
            .map(
              (r) =>
                `${r.height}x${r.width}: ${r.maxAbsDiff.toExponential(2)}` +
                (r.logitsMaxAbsDiff === undefined ? '' : ` (logits ${r.logitsMaxAbsDiff.toExponential(2)})`),
            )
            .join(', ');
          if (!(worst <= VERIFY_TOL))
            throw new Error(`onnxruntime and libtorch differ by more than ${VERIFY_TOL} (${detail}); nothing written`);
          console.log(`verified: onnxruntime vs libtorch max abs diff ${detail}`);
        }
        await writeFileAtomic(flags.output, [bytes]);
        const size = flags.dynamicSize
          ? `dynamic size (any HxW >= ${backbone.sizeMultiple})`
          : `${inputShape.join('x')}`;
        const cls = labels ? `, classifier: ${labels.length} labels` : '';
        console.log(
          `wrote ${flags.output} (${backbone.arch}, opset ${opset}, ${size}${cls}, ${(bytes.byteLength / 1e6).toFixed(1)} MB)`,
        );
      } finally {
        model.dispose();
      }
    });
}
