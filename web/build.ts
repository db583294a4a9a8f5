/**
 * Builds the browser demo into web/dist: esbuild bundles web/src (and the shared src/ files it imports:
 * tiling, raster, ONNX metadata) as ES modules; index.html and onnxruntime-web's wasm binary are copied next to
 * the bundles, so the folder works offline from any static server (`maskdcpt serve-demo`).
 *
 *   npm run build:web            (node --import tsx web/build.ts [--out web/dist])
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { out: { type: 'string', default: join(here, 'dist') } } });
const out = values.out as string;
const ortDist = join(here, '..', 'node_modules', 'onnxruntime-web', 'dist');
// The default onnxruntime-web bundle runs both the wasm and the WebGPU (JSEP) providers from this binary.
const WASM = ['ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.jsep.mjs'];

export async function buildWeb(dest: string = out): Promise<string> {
  // Built beside the target and swapped in, so a server never sees a half-written folder.
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await build({
    entryPoints: { main: join(here, 'src', 'main.ts'), worker: join(here, 'src', 'worker.ts') },
    outdir: tmp,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'index.html'), join(tmp, 'index.html'));
  for (const f of WASM) {
    if (!existsSync(join(ortDist, f))) throw new Error(`${join(ortDist, f)} is missing: run npm ci`);
    copyFileSync(join(ortDist, f), join(tmp, f));
  }
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
  return dest;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const dest = await buildWeb();
  console.log(`web demo built in ${dest} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
