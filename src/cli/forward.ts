/**
 * `maskdcpt forward`: runs a model on a float32 NCHW tensor stored in safetensors (key `input`) and writes
 * `output` — the exact-numbers tool for comparing with PyTorch. With `--mask` (key `mask`, (B,1,H/P,W/P),
 * 1 = visible) it runs the masked encoder and writes `features` and `output` (the head on the features).
 */
import type { Command } from 'commander';
import { loadModel } from '../archs/load.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { toHost, toTensor } from '../io/tensor-bridge.js';
import { noGrad, tidy } from '../tensor/index.js';

interface ForwardFlags {
  weights: string;
  arch?: string;
  archOptions?: string;
  key?: string;
  input: string;
  output: string;
  mask?: string;
}

export function registerForward(program: Command): void {
  program
    .command('forward')
    .description('run a model on a tensor file (safetensors key "input") and write "output"')
    .requiredOption('--weights <file>', 'weights (.safetensors from maskdcpt, or official .pth with --arch)')
    .option('--arch <name>', 'architecture or preset (needed for official .pth)')
    .option('--arch-options <json>', 'architecture options as JSON')
    .option('--key <key>', "'params_ema' (default) or 'params'")
    .requiredOption('-i, --input <file>', 'safetensors with a float32 NCHW tensor "input"')
    .requiredOption('-o, --output <file>', 'safetensors to write')
    .option('--mask <file>', 'safetensors with "mask" (B,1,H/P,W/P): run the masked encoder')
    .action(async (flags: ForwardFlags) => {
      const model = await loadModel(flags.weights, {
        ...(flags.arch ? { arch: flags.arch } : {}),
        ...(flags.archOptions ? { archOptions: JSON.parse(flags.archOptions) as Record<string, unknown> } : {}),
        ...(flags.key ? { key: flags.key } : {}),
      });
      model.eval();
      const { tensors } = await readSafetensors(flags.input);
      const input = tensors.get('input');
      if (!input) throw new Error(`${flags.input} has no tensor named "input" (found: ${[...tensors.keys()].join(', ')})`);
      const maskFile = flags.mask ? (await readSafetensors(flags.mask)).tensors.get('mask') : undefined;
      if (flags.mask && !maskFile) throw new Error(`${flags.mask} has no tensor named "mask"`);
      const out = noGrad(() =>
        tidy(() => {
          const x = toTensor(input);
          if (!maskFile) return { output: toHost(model.forward(x)) };
          const feats = model.forwardFeatures(x, toTensor(maskFile));
          return { features: toHost(feats.last), output: toHost(model.forwardHead(feats, x)) };
        }),
      );
      await writeSafetensors(flags.output, Object.entries(out), { weights: flags.weights });
      console.log(`wrote ${flags.output}: ${Object.keys(out).join(', ')}`);
      model.dispose();
    });
}
