/**
 * MaskDCPT's classification decoder, the official `PromptIR_NoImg_DC` (basicsr/archs/degrad_classify_arch.py,
 * identical in DCPT). It fuses the backbone's multi-scale features, finest first:
 *   f = 0; w = softmax(mixing_weights)
 *   for level i: f = downsample_layers[i](bottleneck_layers[i](f + w_i · F_i))
 *   logits = fc(mean_HW(last_stage(f)))
 * Parameter names equal the official ones (bottleneck_layers.<i>.<j>.conv1.weight, ...conv1.norm.weight,
 * downsample_layers.<i>.0.weight, last_stage.<j>..., mixing_weights, fc.*), so checkpoints load strictly.
 */
import { kaimingNormal_ } from '../nn/init.js';
import { Conv2d, Lambda, LayerNorm2d, Linear, ReLU } from '../nn/layers.js';
import { Module, ModuleList, Sequential } from '../nn/module.js';
import { F, ones, pipe, type Tensor } from '../tensor/index.js';

/** Detectron2's Conv2d with a norm: a bias-free conv followed by its own LayerNorm (child 'norm'). */
class ConvNorm extends Conv2d {
  readonly norm: LayerNorm2d;

  constructor(inC: number, outC: number, kernel: number) {
    super(inC, outC, kernel, { padding: (kernel - 1) / 2, bias: false });
    // Detectron2-style channels_first LayerNorm: eps 1e-6, biased variance over C (= layer_norm over C).
    this.norm = this.module('norm', new LayerNorm2d(outC, { eps: 1e-6 }));
  }

  override forward(x: Tensor): Tensor {
    const y = super.forward(x);
    const out = this.norm.forward(y);
    y.dispose();
    return out;
  }
}

/** Detectron2 BottleneckBlock with in = out channels (identity shortcut): 1x1 C→2C, 3x3 2C→2C, 1x1 2C→C. */
export class BottleneckBlock extends Module {
  readonly conv1: ConvNorm;
  readonly conv2: ConvNorm;
  readonly conv3: ConvNorm;

  constructor(c: number, bottleneck: number) {
    super();
    this.conv1 = this.module('conv1', new ConvNorm(c, bottleneck, 1));
    this.conv2 = this.module('conv2', new ConvNorm(bottleneck, bottleneck, 3));
    this.conv3 = this.module('conv3', new ConvNorm(bottleneck, c, 1));
    // c2_msra_fill (Kaiming-normal, fan_out, ReLU gain) after all three convs exist, in PyTorch's draw order.
    for (const conv of [this.conv1, this.conv2, this.conv3])
      kaimingNormal_(conv.weight, { mode: 'fan_out', nonlinearity: 'relu' });
  }

  forward(x: Tensor): Tensor {
    const r = pipe(
      x,
      (t) => this.conv1.forward(t),
      F.relu,
      (t) => this.conv2.forward(t),
      F.relu,
      (t) => this.conv3.forward(t),
    );
    const sum = r.add(x);
    r.dispose();
    const out = F.relu(sum);
    sum.dispose();
    return out;
  }
}

function stage(c: number, numBlocks: number): Sequential {
  return new Sequential(Array.from({ length: numBlocks }, () => new BottleneckBlock(c, 2 * c)));
}

export interface DegradationClassifierOptions {
  /** Channels of each input level, finest first. */
  featureDims: readonly number[];
  numResBlocks?: number;
  numClasses: number;
  /**
   * Token mode (SwinIR): inputs are (B, N, C) with N a perfect square, reshaped to (B, C, √N, √N); level
   * i > 0 is then shrunk by nearest interpolation with scale 1/2^i.
   */
  downsample?: boolean;
}

/** `PromptIR_NoImg_DC`: multi-scale features (finest first) → degradation-class logits (B, numClasses). */
export class DegradationClassifier extends Module {
  readonly featureDims: readonly number[];
  readonly downsample: boolean;
  readonly bottleneckLayers: ModuleList<Sequential>;
  readonly downsampleLayers: ModuleList<Sequential>;
  readonly lastStage: Sequential;
  readonly mixingWeights: Tensor;
  readonly fc: Linear;

  constructor(o: DegradationClassifierOptions) {
    super();
    const dims = o.featureDims;
    if (dims.length === 0) throw new RangeError('DegradationClassifier: featureDims is empty');
    const nb = o.numResBlocks ?? 2;
    this.featureDims = [...dims];
    this.downsample = o.downsample ?? false;
    this.bottleneckLayers = this.module('bottleneck_layers', new ModuleList<Sequential>());
    this.downsampleLayers = this.module('downsample_layers', new ModuleList<Sequential>());
    dims.forEach((c, l) => {
      this.bottleneckLayers.push(stage(c, nb));
      const next = dims[l + 1] ?? c; // the last level keeps its width
      this.downsampleLayers.push(
        new Sequential([
          new Conv2d(c, next, 1, { bias: false }),
          new Lambda('MaxPool2d', (x) => F.maxPool2d(x, 2, { stride: 2 })),
          ReLU(),
        ]),
      );
    });
    const last = dims[dims.length - 1] as number;
    this.lastStage = this.module('last_stage', stage(last, nb));
    this.mixingWeights = this.param('mixing_weights', ones([dims.length]));
    this.fc = this.module('fc', new Linear(last, o.numClasses));
  }

  /** Logits from the feature pyramid (finest first); the official `lq` argument is ignored there, so omitted. */
  forward(features: readonly Tensor[]): Tensor {
    const n = this.featureDims.length;
    if (features.length !== n) {
      throw new RangeError(`DegradationClassifier: expected ${n} feature levels, got ${features.length}`);
    }
    // The official calls softmax without a dim; for this 1-D parameter PyTorch's implicit choice is dim 0.
    const w = F.softmax(this.mixingWeights, 0);
    let f: Tensor | null = null;
    for (let i = 0; i < n; i++) {
      const feat = this.levelInput(features[i] as Tensor, i);
      const wi = w.select(0, i);
      const weighted = feat.mul(wi);
      wi.dispose();
      if (feat !== features[i]) feat.dispose();
      let x = weighted;
      if (f !== null) {
        if (f.shape[2] !== weighted.shape[2] || f.shape[3] !== weighted.shape[3]) {
          throw new RangeError(
            `DegradationClassifier: level ${i} is ${weighted.shape[2]}x${weighted.shape[3]}, expected ${f.shape[2]}x${f.shape[3]} (half of level ${i - 1})`,
          );
        }
        x = f.add(weighted);
        f.dispose();
        weighted.dispose();
      }
      f = pipe(
        x,
        (t) => this.bottleneckLayers.at(i).forward(t),
        (t) => this.downsampleLayers.at(i).forward(t),
      );
      x.dispose();
    }
    w.dispose();
    const last = f as Tensor;
    const logits = pipe(
      last,
      (t) => this.lastStage.forward(t),
      (t) => t.mean([2, 3]),
      (t) => this.fc.forward(t),
    );
    last.dispose();
    return logits;
  }

  /** NCHW input of level i: as given, or in token mode reshaped to a square grid and shrunk by 2^i. */
  private levelInput(x: Tensor, i: number): Tensor {
    const c = this.featureDims[i] as number;
    if (!this.downsample) {
      if (x.dim() !== 4 || x.shape[1] !== c) {
        throw new RangeError(`DegradationClassifier: level ${i} must be (B,${c},H,W), got [${x.shape}]`);
      }
      return x;
    }
    const [b, nTok, ch] = x.shape as [number, number, number];
    const side = Math.round(Math.sqrt(nTok));
    if (x.dim() !== 3 || ch !== c || side * side !== nTok) {
      throw new RangeError(
        `DegradationClassifier: token level ${i} must be (B,N,${c}) with N square, got [${x.shape}]`,
      );
    }
    // Token n sits at (n / side, n % side), as the official transpose + view.
    const grid = pipe(
      x,
      (t) => t.transpose(1, 2),
      (t) => t.contiguous(),
      (t) => t.view(b, c, side, side),
    );
    if (i === 0) return grid;
    // F.interpolate(scale_factor=1/2^i), default 'nearest': output floor(side/2^i), source pixel (y·2^i, x·2^i).
    const small = F.interpolate(grid, { scaleFactor: 1 / 2 ** i, mode: 'nearest' });
    grid.dispose();
    return small;
  }
}
