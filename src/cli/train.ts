/** `maskdcpt pretrain` and `maskdcpt finetune`: one YAML config per run, `--set` overrides, resumable. */
import type { Command } from 'commander';
import { loadConfig } from '../train/config.js';
import { formatEvent, type TrainEvent } from '../train/run.js';
import { train } from '../train/trainer.js';

interface TrainFlags {
  config: string;
  set: string[];
  resume: 'auto' | 'never';
  json?: boolean;
}

function render(flags: TrainFlags): (e: TrainEvent) => void {
  const tty = process.stdout.isTTY && !flags.json;
  return (e) => {
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(e)}\n`);
    } else if (tty && e.type === 'iter') {
      process.stdout.write(`\r\x1b[2K${formatEvent(e)}`);
    } else {
      process.stdout.write(`${tty ? '\r\x1b[2K' : ''}${formatEvent(e)}\n`);
    }
  };
}

function register(program: Command, mode: 'pretrain' | 'finetune', description: string): void {
  program
    .command(mode)
    .description(description)
    .requiredOption('-c, --config <file>', 'YAML run config (see configs/)')
    .option('--set <key=value>', 'override a config value, e.g. train.optim.lr=1e-4 (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--resume <mode>', "'auto' continues from the run's newest good checkpoint; 'never' starts over", 'auto')
    .option('--json', 'one JSON event per line')
    .action(async (flags: TrainFlags) => {
      const config = loadConfig(flags.config, flags.set);
      if (config.mode !== mode) throw new Error(`${flags.config} is a '${config.mode}' config; use \`maskdcpt ${config.mode}\``);
      if (flags.resume !== 'auto' && flags.resume !== 'never') throw new Error(`--resume must be 'auto' or 'never'`);
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      await train(config, { resume: flags.resume, onEvent: render(flags), signal: controller.signal });
    });
}

export function registerTrain(program: Command): void {
  register(program, 'pretrain', 'MaskDCPT pre-training: masked encoder + degradation classifier + reconstruction');
  register(program, 'finetune', 'all-in-one fine-tuning (from pre-trained weights or from scratch)');
}
