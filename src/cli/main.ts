/** The `maskdcpt` command: one thin file per subcommand, registered here. */
import { Command } from 'commander';
import { registerDemo } from './demo.js';
import { registerInfo } from './info.js';
import { registerTrain } from './train.js';

const program = new Command();
program
  .name('maskdcpt')
  .description('Universal image restoration pre-training via masked degradation classification (MaskDCPT)')
  .showHelpAfterError();

registerInfo(program);
registerDemo(program);
registerTrain(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`maskdcpt: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
