/**
 * `maskdcpt eval --suite <name> (--weights <file> | --identity)`: runs an evaluation suite and prints the
 * paper-style table (per task and average, with the metric convention stated); `--csv` writes per-image rows,
 * `--json` prints the whole result. `--identity` (output = input) checks the protocol rather than a network.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadModel } from '../archs/load.js';
import { formatTable, toCsv, toJsonValue } from '../eval/format.js';
import { identityRestorer, modelRestorer } from '../eval/restorers.js';
import { evaluate } from '../eval/runner.js';
import { getSuite, listSuites } from '../eval/suites.js';
import type { Restorer } from '../eval/types.js';
import { FULL_REFERENCE_CONVENTIONS, type FullReferenceConvention } from '../metrics/full-reference.js';

interface EvalFlags {
  suite: string;
  weights?: string;
  arch?: string;
  archOptions?: string;
  key?: string;
  identity?: boolean;
  dataRoot?: string;
  folder?: string;
  convention?: string;
  channel?: string;
  cropBorder?: string;
  limit?: string;
  json?: boolean;
  csv?: string;
}

function positiveInt(v: string | undefined, flag: string, allowZero = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new Error(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got '${v}'`);
  }
  return n;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate a model (or the identity) on a benchmark suite and print PSNR/SSIM per task and average')
    .requiredOption('--suite <name>', `suite: ${listSuites().join(', ')}`)
    .option('--weights <file>', 'model weights (.safetensors from maskdcpt, or official .pth with --arch)')
    .option('--arch <name>', 'architecture or preset (needed for official .pth)')
    .option('--arch-options <json>', 'architecture options as JSON')
    .option('--key <key>', "'params_ema' (default) or 'params'")
    .option('--identity', 'evaluate output = input (the degraded inputs themselves)')
    .option('--data-root <dir>', 'folder holding the benchmark folders (default $MASKDCPT_DATA_ROOT or ./data)')
    .option('--folder <dir>', 'images for the no-reference suite')
    .option('--convention <name>', `psnr/ssim convention: ${FULL_REFERENCE_CONVENTIONS.join(', ')} (default maskdcpt)`)
    .option('--channel <y|rgb>', 'measure all RGB channels (default) or BT.601 Y')
    .option('--crop-border <n>', 'pixels removed on every side before measuring (default 0)')
    .option('--limit <n>', 'at most n images per task (the first in natural order)')
    .option('--json', 'print the result (rows, per-task and average) as JSON instead of the table')
    .option('--csv <file>', 'write per-image rows as CSV')
    .action(async (flags: EvalFlags) => {
      if (Boolean(flags.weights) === Boolean(flags.identity)) {
        throw new Error('give exactly one of --weights <file> (a model) or --identity (output = input)');
      }
      const convention = flags.convention as FullReferenceConvention | undefined;
      if (convention !== undefined && !FULL_REFERENCE_CONVENTIONS.includes(convention)) {
        throw new Error(`unknown convention '${convention}'; valid: ${FULL_REFERENCE_CONVENTIONS.join(', ')}`);
      }
      if (flags.channel !== undefined && flags.channel !== 'y' && flags.channel !== 'rgb') {
        throw new Error(`--channel must be 'y' or 'rgb', got '${flags.channel}'`);
      }
      if (flags.folder && flags.suite !== 'no-reference') {
        throw new Error(`--folder applies to the no-reference suite; ${flags.suite} reads --data-root`);
      }
      const limit = positiveInt(flags.limit, '--limit');
      const cropBorder = positiveInt(flags.cropBorder, '--crop-border', true);
      // Resolve the suite before loading a model, so a typo fails fast.
      const suite = getSuite(flags.suite, flags.folder ? { folder: flags.folder } : {});
      let restorer: Restorer = identityRestorer;
      let modelName = 'identity (output = input)';
      let dispose = () => {};
      if (flags.weights) {
        const model = await loadModel(flags.weights, {
          ...(flags.arch ? { arch: flags.arch } : {}),
          ...(flags.archOptions ? { archOptions: JSON.parse(flags.archOptions) as Record<string, unknown> } : {}),
          ...(flags.key ? { key: flags.key } : {}),
        });
        restorer = modelRestorer(model);
        modelName = `${model.arch} from ${flags.weights}`;
        dispose = () => model.dispose();
      }
      const progress = process.stderr.isTTY && !flags.json;
      try {
        const result = await evaluate(suite, restorer, {
          dataRoot: flags.dataRoot ?? process.env.MASKDCPT_DATA_ROOT ?? 'data',
          ...(convention ? { convention } : {}),
          ...(flags.channel ? { channel: flags.channel as 'y' | 'rgb' } : {}),
          ...(cropBorder !== undefined ? { cropBorder } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(progress
            ? { onProgress: (p) => process.stderr.write(`\r${p.done}/${p.total} ${p.label} ${p.image}\x1b[K`) }
            : {}),
        });
        if (progress) process.stderr.write('\r\x1b[K');
        if (flags.csv) {
          await writeFile(flags.csv, toCsv(result));
        }
        if (flags.json) console.log(JSON.stringify({ model: modelName, ...(toJsonValue(result) as object) }, null, 2));
        else {
          console.log(formatTable(result, modelName));
          if (flags.csv) console.log(`per-image rows: ${flags.csv}`);
        }
      } finally {
        dispose();
      }
    });
}
