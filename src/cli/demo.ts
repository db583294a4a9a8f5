/** `maskdcpt demo`: the main job end to end on built-in defaults (see src/demo/maskdcpt-demo.ts). */
import type { Command } from 'commander';
import { runMaskDCPTDemo } from '../demo/maskdcpt-demo.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('pre-train a tiny NAFNet with MaskDCPT, fine-tune it and a from-scratch twin on 5D, evaluate, report')
    .option('--pretrain-iters <n>', 'pre-training iterations', '300')
    .option('--finetune-iters <n>', 'fine-tuning iterations (scratch gets both budgets)', '200')
    .option('--photos <dir>', 'clean photos (default: the bundled assets/photos)')
    .option('--seed <n>', 'random seed', '0')
    .option('-o, --output <dir>', 'output folder', 'out/demo')
    .action(async (opts: { pretrainIters: string; finetuneIters: string; photos?: string; seed: string; output: string }) => {
      const t0 = performance.now();
      const r = await runMaskDCPTDemo({
        pretrainIters: Number(opts.pretrainIters),
        finetuneIters: Number(opts.finetuneIters),
        seed: Number(opts.seed),
        outDir: opts.output,
        ...(opts.photos ? { photos: opts.photos } : {}),
        log: (l) => console.log(l),
      });
      console.log('\nPSNR (dB) on held-out photos (task, degraded input, MaskDCPT → 5D, scratch 5D):');
      for (const row of r.table) console.log(`  ${row.map((c) => String(c).padEnd(12)).join(' ')}`);
      console.log(`\nreport: ${r.report}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    });
}
