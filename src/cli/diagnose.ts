/**
 * `maskdcpt diagnose`: which degradations a photo likely has, from a pre-training checkpoint's classifier.
 * One line per image ("photo.jpg: rain streak 0.81, haze 0.12"), or one JSON object per image with --json.
 * Bad files are reported and the rest still run; the exit code says whether any failed.
 */
import type { Command } from 'commander';
import { collectInputs } from '../restore/batch.js';
import { DEFAULT_DIAGNOSE_TILE, diagnose, formatPredictions, loadDiagnoser } from '../restore/diagnose.js';
import { pickBackend } from '../restore/backend.js';
import { applyThreads, backendFlag, intFlag } from './restore.js';

interface DiagnoseFlags {
  input: string;
  name?: string;
  weights?: string;
  tile: string;
  top: string;
  recursive?: boolean;
  threads?: string;
  backend: string;
  json?: boolean;
}

export function registerDiagnose(program: Command): void {
  program
    .command('diagnose')
    .description('name the likely degradations of photos (pre-trained encoder + classification decoder)')
    .requiredOption('-i, --input <path>', 'an image, a folder, or a glob (quote it)')
    .option('-n, --name <model>', 'a pre-training run or checkpoint installed in the models folder')
    .option(
      '--weights <file>',
      'a pre-training checkpoint (ckpt_*.safetensors from `maskdcpt pretrain`), its run folder, or an .onnx export with the classifier',
    )
    .option('--backend <name>', 'auto (onnxruntime for .onnx, else libtorch), libtorch or onnx', 'auto')
    .option(
      '-t, --tile <px>',
      'tile size for large images; tiles are classified and averaged (0 = whole image)',
      String(DEFAULT_DIAGNOSE_TILE),
    )
    .option('--top <k>', 'how many degradation types to print', '3')
    .option('--recursive', 'include subfolders')
    .option('--threads <n>', 'intra-op threads (default: all cores)')
    .option('--json', 'one JSON object per image on stdout')
    .action(async (flags: DiagnoseFlags) => {
      const ref = flags.weights ?? flags.name;
      if (!ref || (flags.weights && flags.name))
        throw new Error('pass a model: -n <name> or --weights <checkpoint> (one of them)');
      const backend = backendFlag(flags.backend);
      const threads = await applyThreads(flags.threads, pickBackend(ref, backend));
      const tile = intFlag(flags.tile, '--tile');
      const top = intFlag(flags.top, '--top', 1);
      const { files } = await collectInputs(flags.input, flags.recursive ?? false);
      const model = await loadDiagnoser(ref, undefined, backend, threads);
      const failed: string[] = [];
      try {
        for (const file of files) {
          try {
            const d = await diagnose(file, { model, tile });
            if (flags.json) {
              const predictions = d.predictions.map((p) => ({
                name: p.name,
                title: p.title,
                probability: p.probability,
              }));
              process.stdout.write(`${JSON.stringify({ type: 'diagnosis', file, predictions, ...d.info })}\n`);
            } else {
              process.stdout.write(`${file}: ${formatPredictions(d.predictions, top)}\n`);
            }
          } catch (err) {
            const msg = err instanceof Error ? err.message : String(err);
            const message = msg.includes(file) ? msg : `${file}: ${msg}`;
            failed.push(files.length === 1 ? message : file);
            if (flags.json) process.stdout.write(`${JSON.stringify({ type: 'error', file, message })}\n`);
            else if (files.length > 1) process.stderr.write(`failed: ${message}\n`);
          }
        }
      } finally {
        model.dispose();
      }
      if (files.length === 1 && failed[0]) throw new Error(failed[0]);
      if (failed.length > 0) throw new Error(`${failed.length} of ${files.length} images failed: ${failed.join(', ')}`);
    });
}
