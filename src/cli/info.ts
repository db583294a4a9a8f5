/** `maskdcpt info`: libtorch version, build options, threads, devices and allocator. */
import type { Command } from 'commander';
import { engineInfo } from '../tensor/info.js';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print the tensor engine: libtorch version, build options, threads, devices, allocator')
    .option('--json', 'machine-readable output')
    .option('--config', 'also print libtorch build configuration')
    .action((opts: { json?: boolean; config?: boolean }) => {
      const info = engineInfo();
      if (opts.json) {
        console.log(JSON.stringify(info, null, 2));
        return;
      }
      const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
      console.log(`maskdcpt ${info.maskdcpt}  (node ${info.node})`);
      console.log(`libtorch ${info.libtorch.version}  [${info.libtorch.source}]`);
      console.log(`  cpu capability: ${info.libtorch.cpuCapability ?? 'unknown'}`);
      console.log(`  oneDNN/MKLDNN: ${info.libtorch.mkldnn ? 'yes' : 'no'}  OpenMP: ${info.libtorch.openmp ? 'yes' : 'no'}  LAPACK: ${info.libtorch.lapack ? 'yes' : 'no'}`);
      console.log(`threads: intra-op ${info.threads.intraOp}, inter-op ${info.threads.interOp}`);
      console.log(`devices: ${info.devices.join(', ')}`);
      console.log(
        `allocator: ${info.allocator.name} (in use ${mib(info.allocator.inUseBytes)}, cached ${mib(info.allocator.cachedBytes)}, peak ${mib(info.allocator.peakBytes)})`,
      );
      if (opts.config) console.log(`\n${info.libtorch.config}`);
    });
}
