/**
 * A small but complete set of report inputs, made on the fly: a run directory as the trainer writes it (with a
 * resume, and a half-written line from a crash), a report JSON with tables, examples and a confusion matrix, and
 * an eval JSON. Images are generated with sharp: small PNG crops, a wide PNG (to be downscaled) and a JPEG.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

/** A deterministic RGB pattern; `noise` adds a checker so the degraded and clean images differ visibly. */
async function pattern(
  file: string,
  width: number,
  height: number,
  noise: number,
  format: 'png' | 'jpeg' = 'png',
): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const checker = ((x >> 2) + (y >> 2)) % 2 === 0 ? noise : -noise;
      data[i] = Math.max(0, Math.min(255, Math.round((255 * x) / width + checker)));
      data[i + 1] = Math.max(0, Math.min(255, Math.round((255 * y) / height + checker)));
      data[i + 2] = Math.max(0, Math.min(255, 128 + Math.round(100 * Math.sin((x + y) / 9)) + checker));
    }
  }
  const img = sharp(data, { raw: { width, height, channels: 3 } });
  await (format === 'png' ? img.png() : img.jpeg({ quality: 85 })).toFile(file);
}

export const LABELS = ['noise', 'blur', 'rain', 'haze', 'low-light'];

function metricsLines(): string {
  const lines: string[] = [];
  const t = (i: number): string => new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString();
  const ev = (e: object): void => {
    lines.push(JSON.stringify({ time: t(lines.length), ...e }));
  };
  ev({
    type: 'start',
    runDir: 'runs/tiny',
    iter: 0,
    totalIter: 400,
    resumedFrom: null,
    skipped: [],
    parameters: 123456,
  });
  const iterEvent = (i: number): object => {
    const l1 = 0.2 * Math.exp(-i / 120) + 0.01;
    const focal = 2.5 * Math.exp(-i / 60) + 0.05;
    return {
      type: 'iter',
      iter: i,
      loss: l1 + focal,
      l1,
      focal,
      lr: 1e-4 * (0.5 + 0.5 * Math.cos((Math.PI * i) / 400)),
      itPerSec: 12,
      dataWaitMs: 1,
      etaSec: 10,
    };
  };
  const val = (i: number): object => ({
    type: 'val',
    iter: i,
    metrics: {
      psnr: 20 + i / 40,
      psnr_noise: 22 + i / 50,
      psnr_blur: 19 + i / 45,
      accuracy: Math.min(1, 0.2 + i / 500),
      accuracy_unmasked: Math.min(1, 0.3 + i / 500),
    },
  });
  for (let i = 10; i <= 250; i += 10) {
    ev(iterEvent(i));
    if (i % 100 === 0) ev(val(i));
  }
  ev({ type: 'checkpoint', iter: 200, file: 'ckpt_00000200.safetensors' });
  lines.push('{"time":"2025-01-01T00:09:00.000Z","type":"iter","it'); // the crash cut this line short
  ev({
    type: 'start',
    runDir: 'runs/tiny',
    iter: 200,
    totalIter: 400,
    resumedFrom: 'ckpt_00000200.safetensors',
    skipped: [],
    parameters: 123456,
  });
  for (let i = 210; i <= 400; i += 10) {
    ev(iterEvent(i));
    if (i % 100 === 0) ev(val(i));
  }
  ev({ type: 'done', iter: 400, runDir: 'runs/tiny', seconds: 93.5 });
  return `${lines.join('\n')}\n`;
}

export interface Fixture {
  runDir: string;
  reportJson: string;
  /** The generic flat form. */
  evalJson: string;
  /** What `maskdcpt eval --json` prints (shape copied from a real --identity run). */
  evalResult: string;
}

function evalResult(): object {
  const conv = { psnr: 'maskdcpt, RGB, crop 0', ssim: 'maskdcpt, RGB, crop 0' };
  const row = (task: string, label: string, image: string, psnr: number | 'inf', ssim: number): object => ({
    taskId: `${task}/x`,
    task,
    label,
    dataset: label,
    image,
    width: 480,
    height: 320,
    channels: 3,
    metrics: { psnr, ssim },
    seconds: 0.0012,
  });
  return {
    model: 'identity (output = input)',
    suite: '5d-proxy',
    description: "stand-in for the paper's 5D table",
    kind: 'full-reference',
    metrics: ['psnr', 'ssim'],
    rows: [row('derain', 'Rain100H', '1.png', 15.2845, 0.37796), row('denoise', 'CBSD68 σ25', '3096.png', 'inf', 1)],
    tasks: [
      {
        taskId: 'derain/rain100h',
        task: 'derain',
        label: 'Rain100H',
        dataset: 'Rain100H',
        images: 1,
        means: { psnr: 15.2845, ssim: 0.37796 },
        conventions: conv,
      },
      {
        taskId: 'denoise/cbsd68/s25',
        task: 'denoise',
        label: 'CBSD68 σ25',
        dataset: 'CBSD68',
        images: 1,
        means: { psnr: 'inf', ssim: 1 },
        conventions: { ...conv, psnr: 'maskdcpt, Y, crop 0' },
      },
    ],
    average: { psnr: 'inf', ssim: 0.68898 },
    seconds: 2.478,
  };
}

export async function makeFixture(dir: string): Promise<Fixture> {
  const runDir = join(dir, 'runs', 'tiny');
  mkdirSync(runDir, { recursive: true });
  writeFileSync(
    join(runDir, 'config.yaml'),
    'name: tiny\nseed: 0\nmode: pretrain\nnetwork:\n  arch: nafnet\n  options: {}\nmaskdcpt:\n  maskRatio: 0.5\ndatasets:\n  train:\n    batchSize: 4\n    patchSize: 64\n    types: 5d\ntrain:\n  totalIter: 400\n  optim:\n    type: adamw\n    lr: 0.0001\n  scheduler:\n    type: cosine_restart\n',
  );
  writeFileSync(join(runDir, 'metrics.jsonl'), metricsLines());
  writeFileSync(join(runDir, 'ckpt_00000400.safetensors'), Buffer.alloc(2048));

  const ex = join(dir, 'examples');
  mkdirSync(ex);
  await pattern(join(ex, 'lq.png'), 64, 64, 60);
  await pattern(join(ex, 'out.png'), 64, 64, 12);
  await pattern(join(ex, 'gt.png'), 64, 64, 0);
  await pattern(join(ex, 'wide-lq.png'), 1200, 600, 50);
  await pattern(join(ex, 'wide-gt.jpg'), 1200, 600, 0, 'jpeg');

  const matrix = LABELS.map((_, i) => LABELS.map((_, j) => (i === j ? 40 - i * 3 : (i + 2 * j) % 5)));
  const reportJson = join(dir, 'results.json');
  writeFileSync(
    reportJson,
    JSON.stringify({
      title: 'Fixture <report> & friends',
      generator: 'test',
      runs: [{ name: 'pretrain', runDir: 'runs/tiny' }],
      tables: [
        {
          title: 'PSNR (dB), 5D tasks',
          convention: 'RGB, no crop',
          columns: ['task', 'input', 'MaskDCPT', 'scratch'],
          rows: [
            ['noise', 20.1234, 28.5678, 27.9],
            ['rain', 25.5, 31.25, null],
          ],
        },
      ],
      examples: [
        {
          title: 'denoise',
          images: [
            { label: 'input', file: 'examples/lq.png' },
            { label: 'restored', file: 'examples/out.png' },
            { label: 'target', file: 'examples/gt.png' },
          ],
        },
        {
          title: 'wide',
          images: [
            { label: 'input', file: 'examples/wide-lq.png' },
            { label: 'target', file: 'examples/wide-gt.jpg' },
          ],
        },
      ],
      confusion: { labels: LABELS, matrix },
      notes: ['a tiny model: the numbers show the pipeline working'],
    }),
  );

  const evalJson = join(dir, 'eval.json');
  writeFileSync(
    evalJson,
    JSON.stringify({
      suite: '5d',
      convention: 'Y channel, crop 0',
      model: 'runs/tiny/ckpt_00000400.safetensors',
      tasks: [
        { task: 'denoise-25', psnr: 30.12, ssim: 0.8512, n: 68, niqe: 4.1 },
        { task: 'derain', psnr: 35.01, ssim: 0.9412, n: 100 },
      ],
      rows: [
        { task: 'denoise-25', image: 'bsd68/001.png', psnr: 29.9, ssim: 0.85 },
        { task: 'derain', image: 'rain100l/001.png', psnr: 35.2, ssim: 0.94 },
      ],
    }),
  );
  const evalResultFile = join(dir, 'eval-result.json');
  writeFileSync(evalResultFile, JSON.stringify(evalResult(), null, 2));
  return { runDir, reportJson, evalJson, evalResult: evalResultFile };
}
