/**
 * The libtorch restorer backend: a Backbone's `forward` as a `TileFn`. Each tile tensor is created, run under
 * `noGrad` inside `tidy` and freed before the next (also when the forward fails half-way, out of memory).
 */
import type { Backbone } from '../archs/types.js';
import type { Raster } from '../io/raster.js';
import { fromTypedArray, noGrad, type Tensor, tidy } from '../tensor/index.js';
import type { Restorer } from './backend.js';
import { type TiledResult, type TileFn, type TileOptions, runTiles } from './tiling.js';

export function torchTileFn(forward: (x: Tensor) => Tensor): TileFn {
  return (buf, shape) =>
    noGrad(() =>
      tidy(() => {
        const y = forward(fromTypedArray(buf, [...shape]));
        const [, c, h, w] = shape;
        const [, yc, yh, yw] = y.shape as [number, number, number, number];
        if (yc !== c || yh !== h || yw !== w) {
          throw new Error(
            `the model returned [${y.shape}] for a [${shape}] input; only same-size models are supported`,
          );
        }
        return y.toFloat32Array();
      }),
    );
}

/** `runTiles` with a libtorch forward (NCHW tensor → NCHW tensor of the same size). */
export function runTiled(input: Raster, forward: (x: Tensor) => Tensor, o: TileOptions): Promise<TiledResult> {
  return runTiles(input, torchTileFn(forward), o);
}

/**
 * A Backbone as a Restorer. `dispose` frees the model only when `owned` (a model the caller passed in is
 * borrowed).
 */
export function torchRestorer(model: Backbone, owned = false): Restorer {
  // Every backbone opens with a conv on the image, so its first 4-D weight gives the input channels.
  const intro = model.parameters().find((p) => p.dim() === 4);
  return {
    backend: 'libtorch',
    arch: model.arch,
    sizeMultiple: model.sizeMultiple,
    channels: intro?.shape[1] ?? 3,
    runTile: torchTileFn((x) => model.forward(x)),
    dispose: () => {
      if (owned) model.dispose();
    },
  };
}
