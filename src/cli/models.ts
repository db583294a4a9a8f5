/**
 * `maskdcpt models`: what is installed in the models folder, the official MaskDCPT releases (where to get
 * them and how to convert them) and the architecture presets.
 */
import type { Command } from 'commander';
import { presets } from '../archs/registry.js';
import { describeInstalled, maskdcptHome, modelsDir, RELEASES, RELEASES_URL } from '../restore/models.js';

function table(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) => `  ${r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}`);
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list installed models, the official MaskDCPT releases and the architecture presets')
    .option('--json', 'print one JSON object')
    .action(async (flags: { json?: boolean }) => {
      const dir = modelsDir();
      const installed = await describeInstalled(dir);
      const names = new Set(installed.map((m) => m.name));
      const releases = RELEASES.map((r) => ({ ...r, url: RELEASES_URL, installed: names.has(r.name) }));
      const archs = presets
        .list()
        .map((name) => ({ name, arch: presets.get(name).arch, description: presets.get(name).description }));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ home: maskdcptHome(), dir, installed, releases, presets: archs })}\n`);
        return;
      }
      const out: string[] = [];
      out.push(`models folder: ${dir}  (set MASKDCPT_HOME to move it; models live in $MASKDCPT_HOME/models)`);
      out.push('', 'installed (use with -n <name>):');
      if (installed.length === 0) out.push('  (none)');
      else out.push(...table(installed.map((m) => [m.name, m.kind, m.arch || '?', mb(m.bytes), m.path])));
      out.push('', `official MaskDCPT releases (download from ${RELEASES_URL}):`);
      out.push(...table(releases.map((r) => [r.name, r.file, r.arch, r.installed ? 'installed' : '-', r.tasks])));
      const ex = RELEASES[0];
      if (ex) {
        out.push(
          '  to install one, download its .pth and convert it into the models folder, e.g.',
          `    maskdcpt convert ${ex.file} --arch ${ex.arch} --key ${ex.key} -o ${dir}/${ex.name}.safetensors`,
          `  (or copy the .pth itself into ${dir}: -n finds it by its official file name)`,
        );
      }
      out.push(
        '',
        'architecture presets (for --arch and training configs; random weights until trained or converted):',
      );
      out.push(...table(archs.map((p) => [p.name, p.arch, p.description])));
      out.push(
        '',
        'training runs: copy or link a run folder (runs/<name>) into the models folder; -n <name> uses its newest checkpoint',
      );
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
