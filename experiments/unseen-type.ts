/**
 * Item 4 (issue #10): a degradation type left out of pre-training. MaskDCPT is pre-trained without snow (and
 * without the low-light+haze+rain/snow mixture, which also draws snow), fine-tuned on 5D (no snow either), and
 * evaluated on synthetic snow on Kodak24; references: from-scratch 5D training with the same steps, and the
 * full MaskDCPT pre-training (snow seen in pre-training only). Same scale as the ablations, whose runs it
 * shares. Writes experiments/results/unseen-type.json.
 *
 *   node --import tsx experiments/unseen-type.ts          # the study's scale (lib/common.ts SCALE.ablation)
 */
import { parseStudyArgs, startStudy, summary } from './lib/common.js';
import { evalInput, evalRun, runInfo, SNOW_LEVEL } from './lib/evals.js';
import { preparePhotos } from './lib/photos.js';
import { PRETRAIN_VARIANTS, pretrainThenFinetune, scratch } from './lib/runs.js';

const SUITE = 'snow';
const a = parseStudyArgs('ablation');
const study = startStudy('unseen-type', 'unseen-type', a);
await preparePhotos(a.dataRoot, `${a.runs}/photos`);
const input = await evalInput(SUITE, a.dataRoot, a.limit);

const arms: Record<string, { label: string; seeds: { seed: number; runs: unknown; psnr: number; ssim: number }[] }> = {
  'no-snow': { label: PRETRAIN_VARIANTS['no-snow']?.label ?? '', seeds: [] },
  maskdcpt: { label: 'MaskDCPT, all 19 types (snow seen in pre-training)', seeds: [] },
  scratch: { label: 'scratch 5D, same total steps', seeds: [] },
};
for (const seed of a.seeds) {
  for (const variant of ['no-snow', 'maskdcpt']) {
    const { pretrain, finetune } = await pretrainThenFinetune(a, variant, seed, study.log);
    const r = await evalRun(finetune, SUITE, a.dataRoot, a.limit, study.log);
    arms[variant]?.seeds.push({ seed, runs: { pretrain: runInfo(pretrain), finetune: runInfo(finetune) }, psnr: r.average.psnr as number, ssim: r.average.ssim as number });
  }
  const sc = await scratch(a, seed, study.log);
  const r = await evalRun(sc, SUITE, a.dataRoot, a.limit, study.log);
  arms.scratch?.seeds.push({ seed, runs: { scratch: runInfo(sc) }, psnr: r.average.psnr as number, ssim: r.average.ssim as number });
}
study.finish({
  suite: SUITE,
  level: SNOW_LEVEL,
  input,
  arms: Object.entries(arms).map(([arm, v]) => ({
    arm,
    label: v.label,
    psnr: summary(v.seeds.map((s) => s.psnr)),
    ssim: summary(v.seeds.map((s) => s.ssim)),
    perSeed: v.seeds,
  })),
});
