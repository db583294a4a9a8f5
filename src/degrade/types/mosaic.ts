/**
 * Type 12 (MS): Bayer mosaic + OpenCV edge-aware demosaic (MaskDCPT's `PairedImageMosaicDataset`).
 * `mosaic.ea.*` returns correct RGB; `mosaic.maskdcpt_bgr.n0` reproduces MaskDCPT's red/blue-swapped LQ.
 * Noisy levels add sensor noise to the CFA before demosaicing.
 */
import { defineDegradation } from '../degradation.js';
import { type MosaicChannelOrder, mosaicDegrade } from '../mosaic.js';

export interface MosaicParams {
  channelOrder: MosaicChannelOrder;
  /** CFA noise σ in 8-bit units. */
  cfaSigma: number;
}

export const mosaicType = defineDegradation<MosaicParams, MosaicParams>({
  name: 'mosaic',
  id: 12,
  levels: [
    ...[0, 2, 5, 10].map((s, rank) => ({
      name: `mosaic.ea.n${s}`,
      series: 'ea',
      rank,
      spec: { channelOrder: 'rgb' as MosaicChannelOrder, cfaSigma: s },
    })),
    {
      name: 'mosaic.maskdcpt_bgr.n0',
      series: 'maskdcpt_bgr',
      rank: 0,
      spec: { channelOrder: 'maskdcpt-bgr', cfaSigma: 0 },
    },
  ],
  draw: (_rng, spec) => ({ ...spec }),
  apply: (img, p, rng) => mosaicDegrade(img, p.channelOrder, { sigma: p.cfaSigma, rng }),
});
