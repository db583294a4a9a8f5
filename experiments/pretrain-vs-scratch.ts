/**
 * Item 1 (issue #10, issue #6): MaskDCPT pre-training then 5D fine-tuning, against from-scratch 5D training with
 * the same total number of steps, the same photos and the same seed, both evaluated on the `5d-proxy` suite
 * (Rain100H pairs, CBSD68 σ25, synthetic haze / motion blur / low light on Kodak24). A second reference, scratch
 * training for the fine-tuning steps only, tells whether the pre-trained weights are a better start than random
 * ones at equal 5D steps. Writes experiments/results/pretrain-vs-scratch.json.
 *
 *   node --import tsx experiments/pretrain-vs-scratch.ts            # the study's scale (lib/common.ts SCALE.main)
 *   node --import tsx experiments/pretrain-vs-scratch.ts --arch nafnet-tiny --pretrain-iters 20 --finetune-iters 20 --limit 1
 */
import { mean, parseStudyArgs, startStudy, summary } from './lib/common.js';
import { type EvalSummary, evalInput, evalRun, type RunInfo, runInfo } from './lib/evals.js';
import { preparePhotos } from './lib/photos.js';
import { ensureRun, pretrainThenFinetune, scratch } from './lib/runs.js';

const a = parseStudyArgs('main');
const study = startStudy('pretrain-vs-scratch', 'pretrain-vs-scratch', a);
const photos = await preparePhotos(a.dataRoot, `${a.runs}/photos`);
study.log(`# training photos: ${photos.used.length} (${photos.excluded.length} left out as copies of evaluation images)`);

const SUITE = '5d-proxy';
const input = await evalInput(SUITE, a.dataRoot, a.limit);
type Arm = 'pretrained' | 'scratch' | 'scratchShort';
const seeds: ({ seed: number; runs: Record<string, RunInfo> } & Record<Arm, EvalSummary>)[] = [];
for (const seed of a.seeds) {
  const { pretrain, finetune } = await pretrainThenFinetune(a, 'maskdcpt', seed, study.log);
  const sc = await scratch(a, seed, study.log);
  const pre = await evalRun(finetune, SUITE, a.dataRoot, a.limit, study.log);
  const scr = await evalRun(sc, SUITE, a.dataRoot, a.limit, study.log);
  // Same seed and recipe, fine-tuning steps only: same 5D steps as the pre-trained arm, half the compute.
  const short = await ensureRun(a, 'finetune', `${a.arch}-scratch5d-t${a.finetuneIters}-s${seed}`, seed, a.finetuneIters, [], study.log);
  const scrShort = await evalRun(short, SUITE, a.dataRoot, a.limit, study.log);
  study.log(`seed ${seed}: ${SUITE} PSNR ${pre.average.psnr?.toFixed(2)} (MaskDCPT → 5D) vs ${scr.average.psnr?.toFixed(2)} (scratch) and ${scrShort.average.psnr?.toFixed(2)} (scratch, fine-tuning steps only)`);
  seeds.push({ seed, runs: { pretrain: runInfo(pretrain), finetune: runInfo(finetune), scratch: runInfo(sc), scratchShort: runInfo(short) }, pretrained: pre, scratch: scr, scratchShort: scrShort });
}

const metric = (which: Arm, key: string) => seeds.map((s) => s[which].average[key] as number);
const gains = seeds.map((s) => (s.pretrained.average.psnr as number) - (s.scratch.average.psnr as number));
const taskIds = input.tasks.map((t) => t.taskId);
const perTask = taskIds.map((id, i) => {
  const of = (which: Arm, key: string) => seeds.map((s) => s[which].tasks[i]?.means[key] as number);
  return {
    taskId: id,
    label: input.tasks[i]?.label,
    images: input.tasks[i]?.images,
    input: input.tasks[i]?.means,
    psnr: { pretrained: summary(of('pretrained', 'psnr')), scratch: summary(of('scratch', 'psnr')), scratchShort: summary(of('scratchShort', 'psnr')) },
    ssim: { pretrained: summary(of('pretrained', 'ssim')), scratch: summary(of('scratch', 'ssim')), scratchShort: summary(of('scratchShort', 'ssim')) },
  };
});
study.finish({
  suite: SUITE,
  photos,
  input,
  perTask,
  average: {
    psnr: { pretrained: summary(metric('pretrained', 'psnr')), scratch: summary(metric('scratch', 'psnr')), scratchShort: summary(metric('scratchShort', 'psnr')) },
    ssim: { pretrained: summary(metric('pretrained', 'ssim')), scratch: summary(metric('scratch', 'ssim')), scratchShort: summary(metric('scratchShort', 'ssim')) },
  },
  gain: { psnr: summary(gains), meanGain: mean(gains) },
  gainOverShort: { psnr: summary(seeds.map((s) => (s.pretrained.average.psnr as number) - (s.scratchShort.average.psnr as number))) },
  perSeed: seeds,
});
