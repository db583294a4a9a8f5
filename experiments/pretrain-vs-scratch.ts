/**
 * MaskDCPT pre-training then 5D fine-tuning, against from-scratch 5D training with the same total number of
 * steps and the same data, evaluated on the `5d-proxy` suite (real benchmark images). Writes
 * experiments/results/pretrain-vs-scratch-<preset>.json and .md, printing every command-equivalent setting.
 *
 *   node --import tsx experiments/pretrain-vs-scratch.ts --preset small --seeds 0 --data-root ../shared/data
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel } from '../src/archs/load.js';
import { evaluate } from '../src/eval/runner.js';
import { modelRestorer } from '../src/eval/restorers.js';
import { setNumThreads } from '../src/tensor/index.js';
import { listCheckpoints } from '../src/train/checkpoints.js';
import { loadConfig } from '../src/train/config.js';
import { formatEvent } from '../src/train/run.js';
import { train } from '../src/train/trainer.js';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'small' },
    seeds: { type: 'string', default: '0' },
    'data-root': { type: 'string', default: '../shared/data' },
    'pretrain-iters': { type: 'string' },
    'finetune-iters': { type: 'string' },
    limit: { type: 'string', default: '12' },
    runs: { type: 'string', default: 'experiments/runs' },
    threads: { type: 'string', default: '2' },
  },
});
setNumThreads(Number(values.threads));
const preset = values.preset;
const seeds = values.seeds.split(',').map(Number);
const runs = values.runs;
const out = 'experiments/results';
mkdirSync(out, { recursive: true });

interface SeedResult {
  seed: number;
  pretrained: Record<string, number>;
  scratch: Record<string, number>;
  tasks: string[];
  perTask: { task: string; pretrained: number; scratch: number }[];
}

const results: SeedResult[] = [];
const log = (l: string) => console.log(l);
for (const seed of seeds) {
  const base = [`seed=${seed}`, `path.runs=${runs}`];
  const preSet = [...base, `name=${preset}-pretrain-s${seed}`];
  if (values['pretrain-iters']) preSet.push(`train.totalIter=${values['pretrain-iters']}`);
  const pre = loadConfig(`configs/${preset}/pretrain.yaml`, preSet);
  log(`# seed ${seed}: maskdcpt pretrain -c configs/${preset}/pretrain.yaml ${preSet.map((s) => `--set ${s}`).join(' ')}`);
  await train(pre, { onEvent: (e) => e.type !== 'iter' && log(formatEvent(e)) });
  const ckpt = listCheckpoints(join(runs, pre.name)).at(-1)?.file as string;

  const ftSet = [...base, `name=${preset}-ft5d-s${seed}`, `path.pretrained=${ckpt}`];
  if (values['finetune-iters']) ftSet.push(`train.totalIter=${values['finetune-iters']}`);
  const ft = loadConfig(`configs/${preset}/finetune-5d.yaml`, ftSet);
  log(`# seed ${seed}: maskdcpt finetune -c configs/${preset}/finetune-5d.yaml ${ftSet.map((s) => `--set ${s}`).join(' ')}`);
  await train(ft, { onEvent: (e) => e.type !== 'iter' && log(formatEvent(e)) });

  // Same data, same total number of steps, same schedule shape, no pre-trained weights.
  const total = pre.train.totalIter + ft.train.totalIter;
  const scSet = [...base, `name=${preset}-scratch5d-s${seed}`, `train.totalIter=${total}`];
  const sc = loadConfig(`configs/${preset}/finetune-5d.yaml`, scSet);
  log(`# seed ${seed}: maskdcpt finetune -c configs/${preset}/finetune-5d.yaml ${scSet.map((s) => `--set ${s}`).join(' ')}`);
  await train(sc, { onEvent: (e) => e.type !== 'iter' && log(formatEvent(e)) });

  const evalOne = async (name: string) => {
    const model = await loadModel(listCheckpoints(join(runs, name)).at(-1)?.file as string);
    model.eval();
    const r = await evaluate('5d-proxy', modelRestorer(model), { dataRoot: values['data-root'], limit: Number(values.limit) });
    model.dispose();
    return r;
  };
  const a = await evalOne(ft.name);
  const b = await evalOne(sc.name);
  results.push({
    seed,
    pretrained: a.average,
    scratch: b.average,
    tasks: a.tasks.map((t) => t.label),
    perTask: a.tasks.map((t, i) => ({ task: t.label, pretrained: t.means.psnr ?? Number.NaN, scratch: b.tasks[i]?.means.psnr ?? Number.NaN })),
  });
  log(`seed ${seed}: 5d-proxy PSNR average ${a.average.psnr?.toFixed(2)} (MaskDCPT → 5D) vs ${b.average.psnr?.toFixed(2)} (scratch)`);
}

const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const spread = (xs: number[]) => (xs.length > 1 ? Math.sqrt(mean(xs.map((v) => (v - mean(xs)) ** 2))) : 0);
const pre = results.map((r) => r.pretrained.psnr as number);
const scr = results.map((r) => r.scratch.psnr as number);
const summary = {
  preset,
  seeds,
  dataRoot: values['data-root'],
  limitPerTask: Number(values.limit),
  psnr: { pretrained: { mean: mean(pre), sd: spread(pre) }, scratch: { mean: mean(scr), sd: spread(scr) }, gain: mean(pre) - mean(scr) },
  results,
};
writeFileSync(join(out, `pretrain-vs-scratch-${preset}.json`), `${JSON.stringify(summary, null, 2)}\n`);
const lines = [
  `| task | MaskDCPT → 5D | scratch 5D |`,
  '|---|---|---|',
  ...(results[0]?.perTask ?? []).map((t, i) => `| ${t.task} | ${mean(results.map((r) => r.perTask[i]?.pretrained as number)).toFixed(2)} | ${mean(results.map((r) => r.perTask[i]?.scratch as number)).toFixed(2)} |`),
  `| **average** | **${mean(pre).toFixed(2)}** ± ${spread(pre).toFixed(2)} | **${mean(scr).toFixed(2)}** ± ${spread(scr).toFixed(2)} |`,
];
writeFileSync(join(out, `pretrain-vs-scratch-${preset}.md`), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
