/**
 * Validation during training on a fixed set of synthetic pairs (same every time): PSNR of the restored output
 * per degradation type and overall, and for pre-training the classifier's accuracy on unmasked images. Runs
 * with the EMA weights when EMA is on (they are what gets saved and used), then puts the live weights back.
 */
import type { Backbone } from '../archs/types.js';
import { openDataset } from '../data/loader.js';
import type { Pair } from '../data/synthetic.js';
import { toPlanar } from '../io/raster.js';
import { MaskDCPT } from '../maskdcpt/pretrain.js';
import type { Module } from '../nn/module.js';
import type { ModelEMA } from '../optim/ema.js';
import { dispose, fromTypedArray, noGrad, Rng, tidy } from '../tensor/index.js';
import type { TrainConfig } from './config.js';
import { datasetOptions } from './datasets.js';

/** A fixed validation set, loaded once per run. */
export class Validator {
  private pairs: Pair[] | null = null;

  constructor(private readonly config: TrainConfig) {}

  private async load(): Promise<Pair[]> {
    const v = this.config.datasets.val;
    if (!v) return [];
    if (!this.pairs) {
      // A seed distinct from training's, so validation pairs are not training pairs.
      const ds = await openDataset({ ...datasetOptions(v, this.config.seed + 7919), augment: false });
      this.pairs = [];
      for (let i = 0; i < v.count; i++) this.pairs.push(await ds.item(i));
    }
    return this.pairs;
  }

  async run(model: Module, backbone: Backbone, ema: ModelEMA | null): Promise<Record<string, number>> {
    const pairs = await this.load();
    if (pairs.length === 0) return {};
    const live = ema ? noGrad(() => new Map([...model.stateDict()].map(([k, t]) => [k, t.detach().clone()]))) : null;
    if (ema) ema.copyTo(model);
    model.eval();
    const byType = new Map<string, number[]>();
    let correct = 0;
    let correctUnmasked = 0;
    try {
      noGrad(() => {
        for (const [i, p] of pairs.entries()) {
          tidy(() => {
            const s = p.gt.width;
            const lq = fromTypedArray(toPlanar(p.lq), [1, 3, s, s]);
            const gt = fromTypedArray(toPlanar(p.gt), [1, 3, s, s]);
            const out = backbone.forward(lq);
            const mse = out.clamp(0, 1).sub(gt).square().mean().item();
            const psnr = mse > 0 ? -10 * Math.log10(mse) : 100;
            byType.set(p.type, [...(byType.get(p.type) ?? []), psnr]);
            if (model instanceof MaskDCPT) {
              // As trained: through a mask (fixed per validation pair); and unmasked, as `diagnose` sees photos.
              const mask = model.drawMask(1, s, s, new Rng(this.config.seed).fork(`val-mask-${i}`));
              if (model.classify(backbone.forwardFeatures(lq, mask)).argmax(1).item() === p.label) correct++;
              if (model.classify(backbone.forwardFeatures(lq)).argmax(1).item() === p.label) correctUnmasked++;
            }
          });
        }
      });
    } finally {
      model.train();
      if (live) {
        model.loadStateDict(live);
        dispose(live);
      }
    }
    const metrics: Record<string, number> = {};
    const all = [...byType.values()].flat();
    metrics.psnr = all.reduce((a, b) => a + b, 0) / all.length;
    for (const [t, v] of byType) metrics[`psnr_${t}`] = v.reduce((a, b) => a + b, 0) / v.length;
    if (model instanceof MaskDCPT) {
      metrics.accuracy = correct / pairs.length;
      metrics.accuracy_unmasked = correctUnmasked / pairs.length;
    }
    return metrics;
  }
}
