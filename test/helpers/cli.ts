/** Runs the `maskdcpt` command tree in-process and returns what it printed on stdout. */
import { buildProgram } from '../../src/cli/program.js';

export async function runCli(...args: string[]): Promise<string> {
  const p = buildProgram();
  p.exitOverride();
  p.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => {
    lines.push(a.map(String).join(' '));
  };
  try {
    await p.parseAsync(['node', 'maskdcpt', ...args]);
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}
