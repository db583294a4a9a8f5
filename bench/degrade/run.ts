/**
 * Degradation throughput: pairs/s on 256² RGB crops for every registered type (random levels), plus the four
 * single degradations that performance.md §3 timed in Python and Real-ESRGAN's second order, re-timed here
 * against bench/degrade/reference.py (numpy + OpenCV, same crops, same process invocation) and printed as ratios
 * (> 1 = TypeScript faster).
 *
 * Each matched piece alternates with its reference for `--rounds` rounds (TS, then Python right after), so a load
 * spike from other jobs hits both sides of a round alike; the ratio reported is the median of the per-round ratios.
 *
 * Usage: node --import tsx bench/degrade/run.ts [--rounds 3] [--crops 24] [--passes 3] [--size 256]
 *        [--py-threads 1] [--types noise,jpeg] [--no-reference] [--matched-only] [--json]
 * The Python side needs Debian's python3 with numpy + OpenCV (python3-opencv); set MASKDCPT_PYTHON to override.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { jpegRoundTrip, toUint8 } from '../../src/degrade/jpeg.js';
import { mosaicDegrade } from '../../src/degrade/mosaic.js';
import { addGaussianNoise } from '../../src/degrade/noise.js';
import { DEGRADATIONS, getDegradation, synthesize } from '../../src/degrade/registry.js';
import { createRaster, cropRaster, type Raster } from '../../src/io/raster.js';
import { Rng } from '../../src/tensor/rng.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
if (flag('help')) {
  console.log(
    'Usage: node --import tsx bench/degrade/run.ts [--rounds 3] [--crops 24] [--passes 3] [--size 256]\n' +
      '       [--py-threads 1] [--types noise,jpeg] [--no-reference] [--matched-only] [--json]',
  );
  process.exit(0);
}

const nCrops = Number(arg('crops', '24'));
const passes = Number(arg('passes', '3'));
const rounds = Number(arg('rounds', '3'));
const size = Number(arg('size', '256'));
const pyThreads = Number(arg('py-threads', '1'));
const only = arg('types', '')
  .split(',')
  .filter((s) => s.length > 0);

async function loadCrops(): Promise<Raster[]> {
  const rng = new Rng('bench-crops');
  const dir = fileURLToPath(new URL('../../../shared/data/kodak24/', import.meta.url));
  const out: Raster[] = [];
  for (let i = 0; i < nCrops; i++) {
    const name = `kodim${String((i % 24) + 1).padStart(2, '0')}.png`;
    const { data, info } = await sharp(join(dir, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const img = createRaster(info.width, info.height, 3);
    for (let k = 0; k < data.length; k++) img.data[k] = (data[k] as number) / 255;
    out.push(cropRaster(img, rng.int(0, info.height - size), rng.int(0, info.width - size), size, size));
  }
  return out;
}

/** Median over passes of (pass time / pairs), after a warm-up of up to 8 pairs. */
async function timeIt(crops: Raster[], fn: (img: Raster, i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(8, crops.length); i++) await fn(crops[i] as Raster, i);
  const per: number[] = [];
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    for (let i = 0; i < crops.length; i++) await fn(crops[i] as Raster, i);
    per.push((performance.now() - t0) / crops.length);
  }
  return median(per);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

/** Writes the crops once (uint8 RGB, as reference.py reads them); returns the file and a cleanup. */
function writeCrops(crops: Raster[]): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'degrade-bench-'));
  const file = join(dir, 'crops.u8');
  const all = new Uint8Array(crops.length * size * size * 3);
  crops.forEach((c, i) => {
    all.set(toUint8(c), i * size * size * 3);
  });
  writeFileSync(file, all);
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs reference.py on the crops for the named pieces; median ms per pair by name, or an error line. */
function runReference(file: string, n: number, names: readonly string[]): Record<string, number> | string {
  const python = process.env.MASKDCPT_PYTHON ?? '/usr/bin/python3';
  const script = fileURLToPath(new URL('./reference.py', import.meta.url));
  const env = { ...process.env, OMP_NUM_THREADS: String(pyThreads), OPENBLAS_NUM_THREADS: String(pyThreads) };
  const args = [script, file, String(n), String(size), String(passes), String(pyThreads), names.join(',')];
  const r = spawnSync(python, args, { encoding: 'utf8', env });
  if (r.status !== 0) return `reference failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout) as Record<string, number>;
}

const crops = await loadCrops();
const rng = new Rng('bench');
interface Row {
  name: string;
  /** Median ms per pair over rounds (TS), and over the reference's rounds (Python). */
  ts: number;
  py?: number;
  /** Py/TS of each round. */
  ratios?: number[];
}
const rows: Row[] = [];

// The pieces with a Python reference (performance.md §3a–3d and the Real-ESRGAN pipeline, same random ranges).
const matched: [string, (img: Raster, i: number) => unknown][] = [
  ['gaussian_noise', (img) => addGaussianNoise(img, rng.uniform(0, 75) / 255, rng)],
  [
    'basicsr_blur',
    (img) =>
      getDegradation('gaussian_blur').apply(
        img,
        getDegradation('gaussian_blur').sample(rng, 'gaussian_blur.basicsr.mixed').params,
        rng,
      ),
  ],
  ['jpeg', (img) => jpegRoundTrip(img, rng.int(10, 90))],
  ['mosaic', (img) => mosaicDegrade(img)],
  // BasicSR's realesrnet_x4plus ranges (level s1), as reference.py's realesrgan draws them.
  [
    'realesrgan',
    (img) =>
      getDegradation('realesrgan').apply(img, getDegradation('realesrgan').sample(rng, 'realesrgan.x1.s1').params, rng),
  ],
];
// Each round times every matched piece in TS and then, right after, the same piece in Python, so both sides
// of one ratio see nearly the same machine load; a failed reference stops the Python side.
const loadBefore = load();
let note = '';
if (only.length === 0) {
  const ts = matched.map(() => [] as number[]);
  const py = matched.map(() => [] as number[]);
  const ratios = matched.map(() => [] as number[]);
  const ref = flag('no-reference') ? null : writeCrops(crops);
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [k, [name, fn]] of matched.entries()) {
        const t = await timeIt(crops, fn);
        ts[k]?.push(t);
        if (!ref || note.startsWith('reference failed')) continue;
        const out = runReference(ref.file, crops.length, [name]);
        if (typeof out === 'string') {
          note = out;
          continue;
        }
        if (out._sinc === 0 || (out as Record<string, unknown>)._sinc === false)
          note = 'reference: scipy missing, sinc kernels skipped';
        const v = out[name];
        if (v === undefined) continue;
        py[k]?.push(v);
        ratios[k]?.push(v / t);
      }
    }
  } finally {
    ref?.cleanup();
  }
  for (const [k, [name]] of matched.entries()) {
    const row: Row = { name, ts: median(ts[k] as number[]) };
    if ((py[k] as number[]).length > 0) {
      row.py = median(py[k] as number[]);
      row.ratios = ratios[k] as number[];
    }
    rows.push(row);
  }
}

for (const d of DEGRADATIONS) {
  if (flag('matched-only') || (only.length > 0 && !only.includes(d.name))) continue;
  rows.push({ name: `${d.id}:${d.name}`, ts: await timeIt(crops, (img) => synthesize(img, d.name, rng)) });
}

if (flag('json')) {
  console.log(
    JSON.stringify({ size, crops: nCrops, passes, rounds, pyThreads, load: [loadBefore, load()], rows, note }),
  );
} else {
  console.log(
    `degradation throughput, ${size}² RGB crops, ${nCrops} crops × ${passes} passes (median ms/pair), ` +
      `${rounds} alternating rounds; Python ${pyThreads} thread(s); load average ${loadBefore} → ${load()}`,
  );
  console.log(
    `${'type'.padEnd(30)} ${'TS ms'.padStart(8)} ${'TS pairs/s'.padStart(11)} ${'Py ms'.padStart(8)} ${'Py/TS'.padStart(7)}  per-round Py/TS`,
  );
  for (const r of rows) {
    const py = r.py !== undefined ? r.py.toFixed(2).padStart(8) : '       -';
    const ratio = r.ratios ? median(r.ratios).toFixed(2).padStart(7) : '      -';
    const each = r.ratios ? `  ${r.ratios.map((v) => v.toFixed(2)).join(' ')}` : '';
    console.log(
      `${r.name.padEnd(30)} ${r.ts.toFixed(2).padStart(8)} ${(1000 / r.ts).toFixed(1).padStart(11)} ${py} ${ratio}${each}`,
    );
  }
  if (note) console.log(note);
}
