/** `maskdcpt launch --nproc N [--nnodes M --node-rank r --master addr:port] -- pretrain --config ...` */
import type { Command } from 'commander';
import { launch } from '../distributed/launch.js';

interface LaunchFlags {
  nproc: string;
  nnodes: string;
  nodeRank: string;
  master?: string;
  distTimeout?: string;
}

const int = (v: string, flag: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${flag} expects an integer, got '${v}'`);
  return n;
};

export function registerLaunch(program: Command): void {
  program
    .command('launch')
    .description('run a maskdcpt command as N data-parallel processes (sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT)')
    .argument('<command...>', 'the maskdcpt command each process runs, after --')
    .requiredOption('--nproc <n>', 'processes on this machine')
    .option('--nnodes <m>', 'machines in the job', '1')
    .option('--node-rank <r>', "this machine's index (0 hosts the rendezvous)", '0')
    .option('--master <addr:port>', 'rank-0 machine and port (default: 127.0.0.1 and a free port)')
    .option('--dist-timeout <seconds>', 'collective timeout: a rank silent this long is reported (MASKDCPT_DIST_TIMEOUT)')
    .action(async (args: string[], flags: LaunchFlags) => {
      const r = await launch({
        nproc: int(flags.nproc, '--nproc'),
        nnodes: int(flags.nnodes, '--nnodes'),
        nodeRank: int(flags.nodeRank, '--node-rank'),
        ...(flags.master ? { master: flags.master } : {}),
        args,
        ...(flags.distTimeout ? { env: { MASKDCPT_DIST_TIMEOUT: flags.distTimeout } } : {}),
      });
      if (r.failure) throw new Error(r.failure);
    });
}
