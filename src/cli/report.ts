/** `maskdcpt report`: run directories, report JSON and eval JSON → one self-contained HTML page. */
import type { Command } from 'commander';
import { writeReport } from '../report/index.js';

interface ReportFlags {
  output: string;
  title?: string;
  maxImageWidth: string;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'one self-contained HTML page (curves, tables, before/after sliders, confusion matrix) from run directories, report JSON or eval JSON',
    )
    .argument(
      '<inputs...>',
      'run directories (with metrics.jsonl), report JSON or `maskdcpt eval --json` files; one section each',
    )
    .option('-o, --output <file>', 'the HTML file to write', 'report.html')
    .option('--title <text>', 'page title (default: the only section’s title)')
    .option('--max-image-width <px>', 'wider images are downscaled before embedding', '768')
    .action(async (inputs: string[], flags: ReportFlags) => {
      const maxImageWidth = Number(flags.maxImageWidth);
      if (!Number.isInteger(maxImageWidth) || maxImageWidth < 16) {
        throw new Error(`--max-image-width must be an integer ≥ 16, got '${flags.maxImageWidth}'`);
      }
      const bytes = await writeReport(flags.output, {
        sources: inputs,
        maxImageWidth,
        ...(flags.title !== undefined ? { title: flags.title } : {}),
      });
      console.log(`wrote ${flags.output} (${(bytes / 1024).toFixed(0)} KiB)`);
    });
}
