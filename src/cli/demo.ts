/** `maskdcpt demo`: the end-to-end example on built-in defaults. */
import type { Command } from 'commander';
import { runDenoiseDemo } from '../demo/denoise-demo.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('train a tiny denoiser end to end on built-in synthetic images and report PSNR before/after')
    .option('--steps <n>', 'training iterations', '300')
    .option('--seed <n>', 'random seed', '0')
    .option('-o, --output <dir>', 'where example images are written', 'out/demo')
    .action(async (opts: { steps: string; seed: string; output: string }) => {
      const r = await runDenoiseDemo({
        steps: Number(opts.steps),
        seed: Number(opts.seed),
        outDir: opts.output,
        log: (l) => console.log(l),
      });
      const first = r.losses.slice(0, 10).reduce((a, b) => a + b, 0) / Math.min(10, r.losses.length);
      const last = r.losses.slice(-10).reduce((a, b) => a + b, 0) / Math.min(10, r.losses.length);
      console.log(`loss ${first.toFixed(4)} → ${last.toFixed(4)}; examples in ${opts.output}/`);
    });
}
