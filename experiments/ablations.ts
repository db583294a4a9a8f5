/**
 * Item 2 (issue #10): ablations of the pre-training objective. Each variant is pre-trained, fine-tuned on 5D
 * and evaluated on `5d-proxy`; the table also reports the pre-trained classifier's accuracy on the trainer's
 * fixed synthetic validation pairs (masked, as trained, and unmasked). Variants: mask ratio 0 / 0.25 / 0.5 /
 * 0.75, classification off (λ 0), reconstruction off, focal γ 0 vs 2; from-scratch 5D training with the same
 * total steps is the reference. Writes experiments/results/ablations.json.
 *
 *   node --import tsx experiments/ablations.ts            # the study's scale (lib/common.ts SCALE.ablation)
 */
import { parseStudyArgs, startStudy, summary } from './lib/common.js';
import { type EvalSummary, evalInput, evalRun, type RunInfo, runInfo } from './lib/evals.js';
import { preparePhotos } from './lib/photos.js';
import { PRETRAIN_VARIANTS, pretrainThenFinetune, scratch } from './lib/runs.js';

const VARIANTS = ['maskdcpt', 'mask0', 'mask0.25', 'mask0.75', 'cls-off', 'rec-off', 'gamma0'];
const SUITE = '5d-proxy';

const a = parseStudyArgs('ablation');
const study = startStudy('ablations', 'ablations', a);
await preparePhotos(a.dataRoot, `${a.runs}/photos`);
const input = await evalInput(SUITE, a.dataRoot, a.limit);

const scratchSeeds: { seed: number; run: RunInfo; eval: EvalSummary }[] = [];
for (const seed of a.seeds) {
  const sc = await scratch(a, seed, study.log);
  scratchSeeds.push({ seed, run: runInfo(sc), eval: await evalRun(sc, SUITE, a.dataRoot, a.limit, study.log) });
}
const scratchSummary = {
  psnr: summary(scratchSeeds.map((s) => s.eval.average.psnr as number)),
  ssim: summary(scratchSeeds.map((s) => s.eval.average.ssim as number)),
  perTaskPsnr: input.tasks.map((t, i) => ({ taskId: t.taskId, ...summary(scratchSeeds.map((s) => s.eval.tasks[i]?.means.psnr as number)) })),
  perSeed: scratchSeeds,
};

// Results are written after every variant, so an interrupted study still leaves the variants it finished.
const rows = [];
for (const variant of VARIANTS) {
  const perSeed: { seed: number; runs: Record<string, RunInfo>; eval: EvalSummary }[] = [];
  for (const seed of a.seeds) {
    const { pretrain, finetune } = await pretrainThenFinetune(a, variant, seed, study.log);
    const r = await evalRun(finetune, SUITE, a.dataRoot, a.limit, study.log);
    study.log(`${variant} seed ${seed}: ${SUITE} PSNR ${r.average.psnr?.toFixed(2)}, pre-training accuracy ${pretrain.lastVal?.accuracy?.toFixed(3)}`);
    perSeed.push({ seed, runs: { pretrain: runInfo(pretrain), finetune: runInfo(finetune) }, eval: r });
  }
  rows.push({
    variant,
    label: PRETRAIN_VARIANTS[variant]?.label,
    sets: PRETRAIN_VARIANTS[variant]?.sets,
    psnr: summary(perSeed.map((s) => s.eval.average.psnr as number)),
    ssim: summary(perSeed.map((s) => s.eval.average.ssim as number)),
    accuracy: summary(perSeed.map((s) => s.runs.pretrain?.lastVal?.accuracy ?? Number.NaN)),
    accuracyUnmasked: summary(perSeed.map((s) => s.runs.pretrain?.lastVal?.accuracy_unmasked ?? Number.NaN)),
    perTaskPsnr: input.tasks.map((t, i) => ({ taskId: t.taskId, ...summary(perSeed.map((s) => s.eval.tasks[i]?.means.psnr as number)) })),
    perSeed,
  });
  study.finish({ suite: SUITE, complete: rows.length === VARIANTS.length, input, variants: rows, scratch: scratchSummary });
}
