/**
 * `maskdcpt convert`: official .pth (BasicSR layout) → self-describing safetensors, and back:
 * our weights → a .pth that torch.load + load_state_dict(strict=True) accepts in the official code.
 */
import { extname } from 'node:path';
import type { Command } from 'commander';
import { readModelWeights, WEIGHTS_FORMAT } from '../archs/load.js';
import { createModel } from '../archs/registry.js';
import { writePth } from '../io/pth-write.js';
import { writeSafetensors } from '../io/safetensors.js';
import { stateToTensors } from '../io/tensor-bridge.js';
import { dispose } from '../tensor/index.js';

interface ConvertFlags {
  output: string;
  arch?: string;
  archOptions?: string;
  key?: string;
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('convert weights: official .pth → maskdcpt safetensors, or safetensors → official-layout .pth')
    .argument('<input>', 'weights file (.pth, or .safetensors from maskdcpt)')
    .requiredOption('-o, --output <file>', 'output file: .safetensors or .pth')
    .option('--arch <name>', 'architecture or preset (required for official .pth), e.g. nafnet-64-5d')
    .option('--arch-options <json>', 'architecture options as JSON, overriding the preset')
    .option('--key <key>', "which weights of a BasicSR checkpoint: 'params_ema' (default) or 'params'")
    .action(async (input: string, flags: ConvertFlags) => {
      const archOptions = flags.archOptions ? (JSON.parse(flags.archOptions) as Record<string, unknown>) : undefined;
      const w = await readModelWeights(input, {
        ...(flags.arch ? { arch: flags.arch } : {}),
        ...(archOptions ? { archOptions } : {}),
        ...(flags.key ? { key: flags.key } : {}),
      });
      // Validate by loading strictly into the architecture before writing anything.
      const model = createModel(w.arch, w.archOptions);
      const sd = stateToTensors(w.tensors);
      try {
        model.loadStateDict(sd);
      } catch (err) {
        throw new Error(`${input} does not fit ${w.arch}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        dispose(sd);
        model.dispose();
      }
      const ext = extname(flags.output).toLowerCase();
      if (ext === '.safetensors') {
        await writeSafetensors(flags.output, w.tensors, {
          format: WEIGHTS_FORMAT,
          arch: w.arch,
          arch_options: JSON.stringify(w.archOptions),
          source: input,
        });
      } else if (ext === '.pth') {
        // BasicSR's layout: both keys, so `param_key_g: params_ema` and the default 'params' both load.
        await writePth(flags.output, { params: w.tensors, params_ema: w.tensors });
      } else {
        throw new Error(`unknown output type '${ext}' for ${flags.output}; use .safetensors or .pth`);
      }
      console.log(`wrote ${flags.output} (${w.arch}, ${w.tensors.size} tensors)`);
    });
}
