/** Entry point of the `maskdcpt` command: errors become one clear line and a non-zero exit code. */
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    console.error(`maskdcpt: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
