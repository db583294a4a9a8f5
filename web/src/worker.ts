/**
 * The demo's inference worker: onnxruntime-web (WebGPU when the browser has an adapter, else wasm) behind the
 * very tiling code the Node CLI runs (src/restore/tiling.ts: same windows, reflect padding and feathered
 * blend), so a photo restored here matches `maskdcpt restore` up to float rounding. Runs off the main thread so
 * the page, its progress bar and slider stay responsive.
 */
import * as ort from 'onnxruntime-web';
import { createRaster } from '../../src/io/raster.js';
import { modelInfo, OUTPUT_IMAGE, OUTPUT_LOGITS, readOnnxMetadata } from '../../src/onnx/metadata.js';
import { axisLayout, checkTile, fillWindow, runTiles } from '../../src/restore/tiling.js';
import type { FromWorker, ModelSummary, ToWorker } from './protocol.js';

interface WorkerScope {
  postMessage(m: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

let session: ort.InferenceSession | undefined;
let model: ModelSummary | undefined;

async function hasWebGpu(): Promise<boolean> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

async function load(m: Extract<ToWorker, { type: 'load' }>): Promise<void> {
  const bytes = new Uint8Array(m.model);
  const info = modelInfo(readOnnxMetadata(bytes, m.name), m.name);
  // The wasm binary sits next to this script (copied by web/build.ts): no CDN, works offline.
  ort.env.wasm.wasmPaths = new URL('./', import.meta.url).href;
  // Threads need SharedArrayBuffer, i.e. a cross-origin-isolated page (serve-demo sends COOP/COEP).
  ort.env.wasm.numThreads = self.crossOriginIsolated ? m.threads : 1;
  const gpu = m.backend === 'webgpu' || (m.backend === 'auto' && (await hasWebGpu()));
  await session?.release();
  session = await ort.InferenceSession.create(bytes, {
    executionProviders: gpu ? ['webgpu', 'wasm'] : ['wasm'],
    graphOptimizationLevel: 'all',
  });
  model = {
    name: m.name,
    arch: info.arch,
    sizeMultiple: info.sizeMultiple,
    labels: info.labels,
    backend: gpu ? 'webgpu' : 'wasm',
    threads: ort.env.wasm.numThreads ?? 1,
    canDiagnose: session.outputNames.includes(OUTPUT_LOGITS) && info.labels.length > 0,
  };
  post({ type: 'loaded', model });
}

async function run(name: string, input: Float32Array, shape: readonly number[]): Promise<Float32Array> {
  if (!session) throw new Error('no model loaded');
  const feeds = { [session.inputNames[0] as string]: new ort.Tensor('float32', input, [...shape]) };
  const res = await session.run(feeds, [name]);
  const t = res[name];
  if (!t) throw new Error(`the model has no '${name}' output`);
  const out = new Float32Array((await t.getData()) as Float32Array);
  t.dispose();
  return out;
}

/** A fixed-size export (the exporter's default) takes one window size: tile around it, as Node does. */
function fixedWindow(s: ort.InferenceSession): readonly [number, number] | undefined {
  const meta = s.inputMetadata[0];
  const shape = meta?.isTensor ? meta.shape : [];
  const [fh, fw] = [shape[2], shape[3]];
  return typeof fh === 'number' && typeof fw === 'number' ? [fh, fw] : undefined;
}

async function restore(m: Extract<ToWorker, { type: 'restore' }>): Promise<void> {
  if (!session || !model) throw new Error('no model loaded');
  const t0 = performance.now();
  const out = session.outputNames.includes(OUTPUT_IMAGE)
    ? OUTPUT_IMAGE
    : (session.outputNames.find((n) => n !== OUTPUT_LOGITS) as string);
  const window = fixedWindow(session);
  const res = await runTiles(createRaster(m.width, m.height, 3, m.data), (x, s) => run(out, x, s), {
    tile: m.tile,
    pad: m.pad,
    multiple: model.sizeMultiple,
    modelChannels: 3,
    ...(window ? { window } : {}),
    onTile: (index, total) => post({ type: 'progress', index, total }),
  });
  const d = res.raster.data;
  // As restoreDecoded: clamp to [0, 1], NaN to 0.
  // biome-ignore lint/complexity/useMathMinMax: Math.min/max would keep NaN
  for (let i = 0; i < d.length; i++) d[i] = (d[i] as number) > 0 ? ((d[i] as number) < 1 ? (d[i] as number) : 1) : 0;
  const seconds = (performance.now() - t0) / 1000;
  post({ type: 'restored', data: d, width: m.width, height: m.height, tiles: res.tiles, seconds }, [d.buffer]);
}

/** As src/restore/diagnose.ts: tiles without overlap, each classified, softmax probabilities averaged. */
async function diagnose(m: Extract<ToWorker, { type: 'diagnose' }>): Promise<void> {
  if (!session || !model) throw new Error('no model loaded');
  if (!model.canDiagnose) throw new Error(`${model.name} has no degradation classifier ('logits' output)`);
  const t0 = performance.now();
  const raster = createRaster(m.width, m.height, 3, m.data);
  const mult = model.sizeMultiple;
  const tile = checkTile(m.tile, mult);
  const window = fixedWindow(session);
  const ys = axisLayout(m.height, tile, 0, mult, window?.[0]);
  const xs = axisLayout(m.width, tile, 0, mult, window?.[1]);
  const reflect = ys.window - m.height < m.height && xs.window - m.width < m.width;
  const buf = new Float32Array(3 * ys.window * xs.window);
  const sum = new Float64Array(model.labels.length);
  const total = ys.tiles.length * xs.tiles.length;
  let index = 0;
  for (const ty of ys.tiles) {
    for (const tx of xs.tiles) {
      fillWindow(raster, ty.win0, tx.win0, ys.window, xs.window, 3, reflect, buf);
      const logits = await run(OUTPUT_LOGITS, buf, [1, 3, ys.window, xs.window]);
      const max = Math.max(...logits);
      const e = Array.from(logits, (v) => Math.exp(v - max));
      const z = e.reduce((a, b) => a + b, 0);
      for (let k = 0; k < sum.length; k++) sum[k] = (sum[k] as number) + (e[k] as number) / z / total;
      post({ type: 'progress', index: ++index, total });
    }
  }
  const predictions = model.labels
    .map((name, k) => ({ name, probability: sum[k] as number }))
    .sort((a, b) => b.probability - a.probability);
  post({ type: 'diagnosis', predictions, tiles: total, seconds: (performance.now() - t0) / 1000 });
}

scope.onmessage = (e) => {
  const m = e.data;
  const job = m.type === 'load' ? load(m) : m.type === 'restore' ? restore(m) : diagnose(m);
  job.catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};
