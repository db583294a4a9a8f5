/**
 * Item 6 (issue #10): what item 1's pre-trained classification decoder has learned. (a) Accuracy and confusion
 * matrix on held-out synthetic pairs: 64×64 crops of Kodak24 (never trained on), every one of the 19 types
 * equally often, unmasked (as `diagnose` runs) and through a 0.5 mask (as pre-training runs). (b) `diagnose`
 * on real photos: top-1 classes on DICM (real low light) and RNI15 (real noise). Same flags as item 1 (its
 * pre-training runs are reused). Writes experiments/results/diagnosis.json.
 *
 *   node --import tsx experiments/diagnosis.ts            # same scale as pretrain-vs-scratch.ts
 */
import { join } from 'node:path';
import { SyntheticPairs } from '../src/data/synthetic.js';
import { LABELS } from '../src/degrade/labels.js';
import { DATASETS, listDataset } from '../src/eval/datasets.js';
import { toPlanar } from '../src/io/raster.js';
import { accuracy, balancedAccuracy, confusionMatrix } from '../src/metrics/classification.js';
import { diagnose, loadDiagnoser } from '../src/restore/diagnose.js';
import type { TorchClassifier } from '../src/restore/torch-diagnoser.js';
import { fromTypedArray, noGrad, Rng, tidy } from '../src/tensor/index.js';
import { parseStudyArgs, startStudy, summary } from './lib/common.js';
import { preparePhotos } from './lib/photos.js';
import { ensureRun, PRETRAIN_VARIANTS, pretrainName } from './lib/runs.js';

/** Held-out pairs per type, their crop size, and the data seed (distinct from every training seed). */
const PER_TYPE = 12;
const PATCH = 64;
const HELD_OUT_SEED = 20251015;
/** Real photos diagnosed per set (the first in natural order). */
const REAL_IMAGES = 15;

const a = parseStudyArgs('main');
const study = startStudy('diagnosis', 'diagnosis', a);
await preparePhotos(a.dataRoot, `${a.runs}/photos`);

// One held-out set for every seed's classifier: each type drawn PER_TYPE times from Kodak24 crops.
const kodak = join(a.dataRoot, DATASETS.kodak24.dir);
const pairs: { lq: Float32Array; label: number }[] = [];
for (const l of LABELS) {
  const ds = await SyntheticPairs.open({
    source: kodak,
    patchSize: PATCH,
    seed: HELD_OUT_SEED + l.id,
    types: [l.name],
    augment: false,
  });
  for (let i = 0; i < PER_TYPE; i++) {
    const p = await ds.item(i);
    pairs.push({ lq: toPlanar(p.lq), label: p.label });
  }
}
study.log(
  `# held-out set: ${pairs.length} Kodak24 crops of ${PATCH}×${PATCH}, ${PER_TYPE} per type, data seed ${HELD_OUT_SEED}+type id`,
);

const realSets = [
  ['DICM', DATASETS.dicm, 'low_light'],
  ['RNI15', DATASETS.rni15, 'noise'],
] as const;

const seeds = [];
for (const seed of a.seeds) {
  const run = await ensureRun(
    a,
    'pretrain',
    pretrainName(a, 'maskdcpt', seed),
    seed,
    a.pretrainIters,
    PRETRAIN_VARIANTS.maskdcpt?.sets ?? [],
    study.log,
  );
  const d = await loadDiagnoser(run.checkpoint);
  // A checkpoint loads on libtorch, so the classifier carries the MaskDCPT model (masked passes need it).
  const model = (d.classifier as TorchClassifier).model;
  const truth = pairs.map((p) => p.label);
  const predict = (masked: boolean) => {
    const rng = new Rng(HELD_OUT_SEED).fork('mask');
    return pairs.map((p) =>
      noGrad(() =>
        tidy(() => {
          const x = fromTypedArray(p.lq, [1, 3, PATCH, PATCH]);
          const feats = model.backbone.forwardFeatures(x, masked ? model.drawMask(1, PATCH, PATCH, rng) : undefined);
          return model.classify(feats).argmax(1).item();
        }),
      ),
    );
  };
  const unmasked = predict(false);
  const masked = predict(true);
  const cm = confusionMatrix(unmasked, truth, LABELS.length);
  const real = [];
  for (const [name, spec, expected] of realSets) {
    const items = (await listDataset(spec, a.dataRoot)).slice(0, REAL_IMAGES);
    const top1: Record<string, number> = {};
    const images = [];
    for (const it of items) {
      const r = await diagnose(it.target, { model: d });
      const best = r.predictions[0];
      if (!best) continue;
      top1[best.name] = (top1[best.name] ?? 0) + 1;
      images.push({
        image: it.name,
        top: r.predictions.slice(0, 3).map((p) => ({ name: p.name, probability: Number(p.probability.toFixed(3)) })),
      });
    }
    real.push({
      set: name,
      expected,
      images: items.length,
      top1,
      expectedShare: (top1[expected] ?? 0) / items.length,
      perImage: images,
    });
    study.log(`seed ${seed}: ${name} top-1 ${JSON.stringify(top1)}`);
  }
  d.dispose();
  const accU = accuracy(unmasked, truth);
  const accM = accuracy(masked, truth);
  study.log(
    `seed ${seed}: held-out accuracy ${accU.toFixed(3)} unmasked, ${accM.toFixed(3)} masked (chance ${(1 / LABELS.length).toFixed(3)})`,
  );
  seeds.push({
    seed,
    run: { name: run.name, command: run.command, trainSeconds: run.seconds },
    accuracy: { unmasked: accU, masked: accM, balancedUnmasked: balancedAccuracy(unmasked, truth, LABELS.length) },
    confusion: Array.from({ length: LABELS.length }, (_, i) =>
      Array.from({ length: LABELS.length }, (_, j) => cm.at(i, j)),
    ),
    real,
  });
}
study.finish({
  heldOut: { source: 'kodak24', patch: PATCH, perType: PER_TYPE, seed: HELD_OUT_SEED, samples: pairs.length },
  labels: LABELS.map((l) => ({ name: l.name, abbr: l.abbr })),
  accuracy: {
    unmasked: summary(seeds.map((s) => s.accuracy.unmasked)),
    masked: summary(seeds.map((s) => s.accuracy.masked)),
  },
  chance: 1 / LABELS.length,
  perSeed: seeds,
});
