/**
 * bench/engine worker: the NAFNet-like net of the engine study, in maskdcpt's TS API.
 * Usage: naf.ts <threads> <steps> <warmup> <train|infer> [rssEvery]
 * Prints one JSON line: median step ms and RSS samples.
 */
import { memoryUsage } from 'node:process';
import { Conv2d, LayerNorm2d, Module, ModuleList } from '../../src/nn/index.js';
import { AdamW } from '../../src/optim/index.js';
import { F, manualSeed, noGrad, pipe, rand, setNumThreads, type Tensor, tidy } from '../../src/tensor/index.js';

class Block extends Module {
  readonly norm: LayerNorm2d;
  readonly conv1: Conv2d;
  readonly dw: Conv2d;
  readonly sca: Conv2d;
  readonly conv3: Conv2d;

  constructor(c: number) {
    super();
    this.norm = this.module('norm', new LayerNorm2d(c));
    this.conv1 = this.module('conv1', new Conv2d(c, 2 * c, 1));
    this.dw = this.module('dw', new Conv2d(2 * c, 2 * c, 3, { padding: 1, groups: 2 * c }));
    this.sca = this.module('sca', new Conv2d(c, c, 1));
    this.conv3 = this.module('conv3', new Conv2d(c, c, 1));
  }

  forward(x: Tensor): Tensor {
    // Intermediates are disposed as soon as they are consumed (see `pipe`): the engine's rule for fast code.
    const y = pipe(
      x,
      (t) => this.norm.forward(t),
      (t) => this.conv1.forward(t),
      (t) => this.dw.forward(t),
    );
    const [a, b] = y.chunk(2, 1) as [Tensor, Tensor];
    y.dispose();
    const g = a.mul(b);
    a.dispose();
    b.dispose();
    const att = pipe(g, (t) => F.adaptiveAvgPool2d(t, 1), (t) => this.sca.forward(t));
    const s = g.mul(att);
    g.dispose();
    att.dispose();
    const out = pipe(s, (t) => this.conv3.forward(t), (t) => x.add(t));
    s.dispose();
    return out;
  }
}

class Net extends Module {
  intro = this.module('intro', new Conv2d(3, 32, 3, { padding: 1 }));
  blocks = this.module('blocks', new ModuleList([0, 1, 2, 3].map(() => new Block(32))));
  ending = this.module('ending', new Conv2d(32, 3, 3, { padding: 1 }));

  forward(x: Tensor): Tensor {
    const h = pipe(this.intro.forward(x), ...this.blocks.items.map((b) => (t: Tensor) => b.forward(t)));
    const e = this.ending.forward(h);
    h.dispose();
    const out = x.add(e);
    e.dispose();
    return out;
  }
}

const [threads = '2', stepsArg = '20', warmupArg = '5', mode = 'train', rssEveryArg = '0'] = process.argv.slice(2);
setNumThreads(Number(threads));
manualSeed(0);
const steps = Number(stepsArg);
const warmup = Number(warmupArg);
const rssEvery = Number(rssEveryArg);
const net = new Net();
const times: number[] = [];
const rss: [number, number][] = [];

if (mode === 'train') {
  const opt = new AdamW(net.parameters(), { lr: 1e-3 });
  const x = rand([8, 3, 64, 64]);
  const y = rand([8, 3, 64, 64]);
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    tidy(() => {
      const loss = F.l1Loss(net.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      loss.item();
    });
    if (i >= warmup) times.push(performance.now() - t0);
    // Let Node run deferred N-API cleanup between steps, as any real (async) training loop does.
    await new Promise((r) => setImmediate(r));
    if (rssEvery > 0 && (i + 1) % rssEvery === 0) rss.push([i + 1, memoryUsage.rss() / 2 ** 20]);
  }
} else {
  const x = rand([1, 3, 256, 256]);
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    noGrad(() => tidy(() => net.forward(x).sum().item()));
    if (i >= warmup) times.push(performance.now() - t0);
    await new Promise((r) => setImmediate(r));
  }
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ median_ms: times[Math.floor(times.length / 2)], rss_mb: memoryUsage.rss() / 2 ** 20, rss }));
