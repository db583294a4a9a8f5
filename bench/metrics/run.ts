/**
 * SSIM and NIQE speed on kodim01 (768x512) against the Python references, measured in the same run:
 * BasicSR calculate_ssim / calculate_niqe and scikit-image structural_similarity
 * (bench/metrics/reference.py). Prints medians and the ratio ours / reference (target <= 1).
 *   node --import tsx bench/metrics/run.ts [--python /usr/bin/python3] [--image ../shared/data/kodak24/kodim01.png]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { Raster } from '../../src/io/raster.js';
import { niqe } from '../../src/metrics/niqe.js';
import { type SsimOptions, ssim } from '../../src/metrics/ssim.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values: args } = parseArgs({
  options: {
    python: { type: 'string', default: process.env.PYTHON ?? '/usr/bin/python3' },
    image: { type: 'string', default: join(here, '../../../shared/data/kodak24/kodim01.png') },
  },
});

async function load(file: string): Promise<Raster> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const out = new Float32Array(info.width * info.height * 3);
  for (let i = 0; i < info.width * info.height; i++) {
    for (let k = 0; k < 3; k++) out[i * 3 + k] = (data[i * info.channels + k] as number) / 255;
  }
  return { data: out, width: info.width, height: info.height, channels: 3 };
}

function timed(f: () => number, warm: number, reps: number): { ms: number; value: number } {
  for (let i = 0; i < warm; i++) f();
  const ts: number[] = [];
  let value = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    value = f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { ms: ts[Math.floor(reps / 2)] as number, value };
}

interface Ref {
  ms: number;
  value: number;
}

const dir = mkdtempSync(join(tmpdir(), 'metrics-bench-'));
try {
  const lqPath = join(dir, 'lq.png');
  const refJson = execFileSync(args.python, [join(here, 'reference.py'), args.image, lqPath], { encoding: 'utf8' });
  const ref = JSON.parse(refJson) as Record<string, Ref> & { basicsr: string };
  const gt = await load(args.image);
  const lq = await load(lqPath);
  const ssimWith = (o: SsimOptions) => () => ssim(lq, gt, o);
  const rows: [string, { ms: number; value: number }, string][] = [
    ['SSIM basicsr (uint8 path)', timed(ssimWith({ convention: 'basicsr' }), 2, 9), 'basicsr_ssim'],
    ['SSIM maskdcpt (default)', timed(ssimWith({}), 2, 9), 'basicsr_ssim'],
    ['SSIM skimage vs uint8', timed(ssimWith({ convention: 'skimage' }), 2, 9), 'skimage_ssim_u8'],
    ['SSIM skimage vs float32', timed(ssimWith({ convention: 'skimage' }), 2, 9), 'skimage_ssim_f32'],
    ['NIQE distorted', timed(() => niqe(lq), 1, 5), 'basicsr_niqe_lq'],
    ['NIQE clean', timed(() => niqe(gt), 1, 5), 'basicsr_niqe_gt'],
  ];
  console.log(`kodim01 ${gt.width}x${gt.height}; reference: ${args.python} (BasicSR ${ref.basicsr}); medians`);
  console.log(
    `${'metric'.padEnd(27)}${'ours ms'.padStart(9)}${'ref ms'.padStart(9)}${'ratio'.padStart(8)}   value ours / ref`,
  );
  for (const [name, ours, key] of rows) {
    const r = ref[key] as Ref;
    console.log(
      `${name.padEnd(27)}${ours.ms.toFixed(1).padStart(9)}${r.ms.toFixed(1).padStart(9)}${(ours.ms / r.ms).toFixed(2).padStart(8)}   ${ours.value.toFixed(6)} / ${r.value.toFixed(6)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
