/**
 * `maskdcpt pretrain` and `maskdcpt finetune`: one YAML config per run, `--set` overrides, resumable.
 * Under `maskdcpt launch` (or any launcher that sets RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT) each process
 * joins a data-parallel group; only rank 0 prints and writes the run directory.
 */
import type { Command } from 'commander';
import { distEnv, parseTimeout } from '../distributed/env.js';
import { ProcessGroup } from '../distributed/process-group.js';
import { loadConfig } from '../train/config.js';
import { formatEvent, type TrainEvent } from '../train/run.js';
import { train } from '../train/trainer.js';

interface TrainFlags {
  config: string;
  set: string[];
  resume: 'auto' | 'never';
  json?: boolean;
  stopAfter?: string;
  distTimeout?: string;
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
    .option('--stop-after <iter>', 'stop after this iteration, leaving the run resumable (e.g. to fit a job time limit)')
    .option('--dist-timeout <seconds>', 'data parallel: collective timeout before a silent rank is reported (MASKDCPT_DIST_TIMEOUT)')
    .action(async (flags: TrainFlags) => {
      const config = loadConfig(flags.config, flags.set);
      if (config.mode !== mode) throw new Error(`${flags.config} is a '${config.mode}' config; use \`maskdcpt ${config.mode}\``);
      if (flags.resume !== 'auto' && flags.resume !== 'never') throw new Error(`--resume must be 'auto' or 'never'`);
      const stopAfter = flags.stopAfter === undefined ? undefined : Number(flags.stopAfter);
      if (stopAfter !== undefined && !(Number.isInteger(stopAfter) && stopAfter > 0)) throw new Error(`--stop-after expects a positive iteration, got '${flags.stopAfter}'`);
      const env = distEnv();
      if (env && flags.distTimeout) env.timeoutMs = parseTimeout(flags.distTimeout, '--dist-timeout');
      const dist = env ? ProcessGroup.init(env) : null;
      const controller = new AbortController();
      // Data parallel: Ctrl-C reaches a rank from the terminal and from the launcher; one stop either way.
      if (dist) process.on('SIGINT', () => controller.abort());
      else process.once('SIGINT', () => controller.abort());
      try {
        await train(config, {
          resume: flags.resume,
          onEvent: render(flags),
          signal: controller.signal,
          dist,
          ...(stopAfter !== undefined ? { stopAfter } : {}),
        });
      } finally {
        dist?.close();
      }
    });
}

export function registerTrain(program: Command): void {
  register(program, 'pretrain', 'MaskDCPT pre-training: masked encoder + degradation classifier + reconstruction');
  register(program, 'finetune', 'all-in-one fine-tuning (from pre-trained weights or from scratch)');
}
