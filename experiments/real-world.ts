/**
 * Item 5 (issue #10): no-reference quality (PIQE, NIQE, BRISQUE; lower is better) of real photos without ground
 * truth, DICM (low light) and RNI15 (noise), before and after restoration by item 1's MaskDCPT → 5D and scratch
 * models (same flags as item 1: the runs are reused, or trained if missing). Writes
 * experiments/results/real-world.json.
 *
 *   node --import tsx experiments/real-world.ts           # same scale as pretrain-vs-scratch.ts
 */
import { parseStudyArgs, startStudy, summary } from './lib/common.js';
import { type EvalSummary, evalRun, type RunInfo, runInfo } from './lib/evals.js';
import { preparePhotos } from './lib/photos.js';
import { pretrainThenFinetune, scratch } from './lib/runs.js';

const SUITE = 'real-nr';
const METRICS = ['piqe', 'niqe', 'brisque'];
const a = parseStudyArgs('main');
const study = startStudy('real-world', 'real-world', a);
await preparePhotos(a.dataRoot, `${a.runs}/photos`);

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
const first = seeds[0]?.pretrained;
const tasks = (first?.tasks ?? []).map((t, i) => {
  const row: Record<string, unknown> = { taskId: t.taskId, label: t.label, images: t.images };
  for (const m of METRICS) {
    // The input's score is the same for every model (same photos): read it from the first evaluation.
    row[m] = {
      input: t.means[`${m}_in`],
      pretrained: summary(seeds.map((s) => s.pretrained.tasks[i]?.means[`${m}_out`] as number)),
      scratch: summary(seeds.map((s) => s.scratch.tasks[i]?.means[`${m}_out`] as number)),
    };
  }
  return row;
});
study.finish({ suite: SUITE, metrics: METRICS, tasks, perSeed: seeds });
