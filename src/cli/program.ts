/** The `maskdcpt` command tree: one thin file per subcommand, registered here. */
import { Command } from 'commander';
import { registerConvert } from './convert.js';
import { registerDemo } from './demo.js';
import { registerDiagnose } from './diagnose.js';
import { registerEval } from './eval.js';
import { registerForward } from './forward.js';
import { registerInfo } from './info.js';
import { registerLaunch } from './launch.js';
import { registerModels } from './models.js';
import { registerRestore } from './restore.js';
import { registerSynth } from './synth.js';
import { registerMetrics } from './metrics.js';
import { registerReport } from './report.js';
import { registerTrain } from './train.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('maskdcpt')
    .description('Universal image restoration pre-training via masked degradation classification (MaskDCPT)')
    .showHelpAfterError();
  registerInfo(program);
  registerDemo(program);
  registerTrain(program);
  registerLaunch(program);
  registerConvert(program);
  registerForward(program);
  registerRestore(program);
  registerDiagnose(program);
  registerModels(program);
  registerSynth(program);
  registerMetrics(program);
  registerEval(program);
  registerReport(program);
  return program;
}
