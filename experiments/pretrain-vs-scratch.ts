/**
 * Item 1 (issue #10, issue #6): MaskDCPT pre-training then 5D fine-tuning, against from-scratch 5D training with
 * the same total number of steps, the same photos and the same seed, both evaluated on the `5d-proxy` suite
 * (Rain100H pairs, CBSD68 σ25, synthetic haze / motion blur / low light on Kodak24). Writes
 * experiments/results/pretrain-vs-scratch.json.
 *
 *   node --import tsx experiments/pretrain-vs-scratch.ts            # the study's scale (lib/common.ts SCALE.main)
 *   node --import tsx experiments/pretrain-vs-scratch.ts --arch nafnet-tiny --pretrain-iters 20 --finetune-iters 20 --limit 1
 */
import { mean, parseStudyArgs, startStudy, summary } from './lib/common.js';
import { type EvalSummary, evalInput, evalRun, type RunInfo, runInfo } from './lib/evals.js';
import { preparePhotos } from './lib/photos.js';
import { pretrainThenFinetune, scratch } from './lib/runs.js';

const a = parseStudyArgs('main');
const study = startStudy('pretrain-vs-scratch', 'pretrain-vs-scratch', a);
const photos = await preparePhotos(a.dataRoot, `${a.runs}/photos`);
study.log(`# training photos: ${photos.used.length} (${photos.excluded.length} left out as copies of evaluation images)`);

const SUITE = '5d-proxy';
const input = await evalInput(SUITE, a.dataRoot, a.limit);
const seeds: { seed: number; runs: Record<string, RunInfo>; pretrained: EvalSummary; scratch: EvalSummary }[] = [];
for (const seed of a.seeds) {
  const { pretrain, finetune } = await pretrainThenFinetune(a, 'maskdcpt', seed, study.log);
  const sc = await scratch(a, seed, study.log);
  const pre = await evalRun(finetune, SUITE, a.dataRoot, a.limit, study.log);
  const scr = await evalRun(sc, SUITE, a.dataRoot, a.limit, study.log);
  study.log(`seed ${seed}: ${SUITE} PSNR ${pre.average.psnr?.toFixed(2)} (MaskDCPT → 5D) vs ${scr.average.psnr?.toFixed(2)} (scratch)`);
  seeds.push({ seed, runs: { pretrain: runInfo(pretrain), finetune: runInfo(finetune), scratch: runInfo(sc) }, pretrained: pre, scratch: scr });
}

const metric = (which: 'pretrained' | 'scratch', key: string) => seeds.map((s) => s[which].average[key] as number);
const gains = seeds.map((s) => (s.pretrained.average.psnr as number) - (s.scratch.average.psnr as number));
const taskIds = input.tasks.map((t) => t.taskId);
const perTask = taskIds.map((id, i) => {
  const of = (which: 'pretrained' | 'scratch', key: string) => seeds.map((s) => s[which].tasks[i]?.means[key] as number);
  return {
    taskId: id,
    label: input.tasks[i]?.label,
    images: input.tasks[i]?.images,
    input: input.tasks[i]?.means,
    psnr: { pretrained: summary(of('pretrained', 'psnr')), scratch: summary(of('scratch', 'psnr')) },
    ssim: { pretrained: summary(of('pretrained', 'ssim')), scratch: summary(of('scratch', 'ssim')) },
  };
});
study.finish({
  suite: SUITE,
  photos,
  input,
  perTask,
  average: {
    psnr: { pretrained: summary(metric('pretrained', 'psnr')), scratch: summary(metric('scratch', 'psnr')) },
    ssim: { pretrained: summary(metric('pretrained', 'ssim')), scratch: summary(metric('scratch', 'ssim')) },
  },
  gain: { psnr: summary(gains), meanGain: mean(gains) },
  perSeed: seeds,
});
