/**
 * Item 3 (issue #10): Gaussian denoising at σ60 and σ75, levels no run ever trained on (pre-training draws
 * Gaussian noise up to σ50, 5D fine-tuning only σ25), on CBSD68 and Kodak24, for item 1's MaskDCPT → 5D and
 * scratch models (same flags as item 1: the runs are reused, or trained if missing). σ25 is the in-distribution
 * reference. Writes experiments/results/unseen-levels.json.
 *
 *   node --import tsx experiments/unseen-levels.ts        # same scale as pretrain-vs-scratch.ts
 */
import { parseStudyArgs, startStudy, summary } from './lib/common.js';
import { type EvalSummary, evalInput, evalRun, type RunInfo, runInfo } from './lib/evals.js';
import { preparePhotos } from './lib/photos.js';
import { pretrainThenFinetune, scratch } from './lib/runs.js';

const SUITE = 'denoise-ood';
const a = parseStudyArgs('main');
const study = startStudy('unseen-levels', 'unseen-levels', a);
await preparePhotos(a.dataRoot, `${a.runs}/photos`);
const input = await evalInput(SUITE, a.dataRoot, a.limit);

const seeds: { seed: number; runs: Record<string, RunInfo>; pretrained: EvalSummary; scratch: EvalSummary }[] = [];
for (const seed of a.seeds) {
  const { finetune } = await pretrainThenFinetune(a, 'maskdcpt', seed, study.log);
  const sc = await scratch(a, seed, study.log);
  seeds.push({
    seed,
    runs: { finetune: runInfo(finetune), scratch: runInfo(sc) },
    pretrained: await evalRun(finetune, SUITE, a.dataRoot, a.limit, study.log),
    scratch: await evalRun(sc, SUITE, a.dataRoot, a.limit, study.log),
  });
}
const tasks = input.tasks.map((t, i) => {
  const of = (which: 'pretrained' | 'scratch', k: string) => seeds.map((s) => s[which].tasks[i]?.means[k] as number);
  const gains = seeds.map((s) => (s.pretrained.tasks[i]?.means.psnr as number) - (s.scratch.tasks[i]?.means.psnr as number));
  return {
    taskId: t.taskId,
    label: t.label,
    images: t.images,
    input: t.means,
    psnr: { pretrained: summary(of('pretrained', 'psnr')), scratch: summary(of('scratch', 'psnr')), gain: summary(gains) },
    ssim: { pretrained: summary(of('pretrained', 'ssim')), scratch: summary(of('scratch', 'ssim')) },
  };
});
study.finish({ suite: SUITE, tasks, perSeed: seeds });
