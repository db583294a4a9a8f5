/** The `maskdcpt` command tree: one thin file per subcommand, registered here. */
import { Command } from 'commander';
import { registerConvert } from './convert.js';
import { registerDemo } from './demo.js';
import { registerDiagnose } from './diagnose.js';
import { registerEval } from './eval.js';
import { registerExport } from './export.js';
import { registerForward } from './forward.js';
import { registerInfo } from './info.js';
import { registerLaunch } from './launch.js';
import { registerModels } from './models.js';
import { registerRestore } from './restore.js';
import { registerServeDemo } from './serve-demo.js';
import { registerSynth } from './synth.js';
import { registerMetrics } from './metrics.js';
import { registerReport } from './report.js';
import { registerTrain } from './train.js';
import { requireLibtorch } from '../tensor/native.js';

/**
 * Commands that run on libtorch: checked before they start, so a machine without the addon gets one clear
 * line (what is missing, how to install it) instead of a failure deep inside. restore/diagnose are not here:
 * with an .onnx model they need no libtorch.
 */
const NEEDS_LIBTORCH = new Set(['pretrain', 'finetune', 'demo', 'convert', 'forward', 'eval', 'export']);

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('maskdcpt')
    .description('Universal image restoration pre-training via masked degradation classification (MaskDCPT)')
    .showHelpAfterError()
    .hook('preAction', (_program, command) => {
      if (NEEDS_LIBTORCH.has(command.name())) requireLibtorch(`\`maskdcpt ${command.name()}\``);
    });
  registerInfo(program);
  registerDemo(program);
  registerTrain(program);
  registerLaunch(program);
  registerConvert(program);
  registerForward(program);
  registerExport(program);
  registerRestore(program);
  registerDiagnose(program);
  registerServeDemo(program);
  registerModels(program);
  registerSynth(program);
  registerMetrics(program);
  registerEval(program);
  registerReport(program);
  return program;
}
