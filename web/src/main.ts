/**
 * The demo page: loads `model.onnx` from the page's folder (or one the user picks), decodes the user's photo
 * without colour conversion, sends it to the worker for a tiled restore, shows progress and a before/after
 * slider, and runs diagnose when the model carries a classifier. State is mirrored on `window.maskdcptDemo`
 * for scripts and the browser test.
 *
 * URL parameters: ?backend=auto|wasm|webgpu, ?threads=N (used only when the page is cross-origin isolated),
 * ?model=<file> (default model.onnx).
 */
import type { Backend, FromWorker, ModelSummary, ToWorker } from './protocol.js';

interface DemoState {
  status: 'loading' | 'ready' | 'busy' | 'restored' | 'diagnosed' | 'error' | 'no-model';
  message: string;
  model?: ModelSummary;
  input?: { width: number; height: number; data: Float32Array };
  output?: { width: number; height: number; data: Float32Array; tiles: number; seconds: number };
  predictions?: { name: string; probability: number }[];
}
const state: DemoState = { status: 'loading', message: '' };
(window as unknown as { maskdcptDemo: DemoState }).maskdcptDemo = state;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const backend = (params.get('backend') ?? 'auto') as Backend;
const threads = Math.max(1, Math.min(Number(params.get('threads') ?? navigator.hardwareConcurrency ?? 1), 8));
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

function setStatus(status: DemoState['status'], message: string): void {
  state.status = status;
  state.message = message;
  const el = $('status');
  el.textContent = message;
  el.className = status === 'error' ? 'error' : '';
  const ready = status !== 'loading' && status !== 'busy' && status !== 'no-model' && state.model !== undefined;
  $<HTMLInputElement>('photo').disabled = !ready;
  $<HTMLButtonElement>('restore').disabled = !ready || !state.input;
  $<HTMLButtonElement>('diagnose').disabled = !ready || !state.input || !state.model?.canDiagnose;
}

function loadModel(bytes: ArrayBuffer, name: string): void {
  setStatus('loading', `loading ${name} (${(bytes.byteLength / 1e6).toFixed(1)} MB)…`);
  send({ type: 'load', model: bytes, name, backend, threads }, [bytes]);
}

async function fetchModel(): Promise<void> {
  const file = params.get('model') ?? 'model.onnx';
  try {
    const r = await fetch(file);
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    loadModel(await r.arrayBuffer(), file);
  } catch (err) {
    $('model-info').textContent =
      `no ${file} next to this page (${err instanceof Error ? err.message : err}); pick a model file.`;
    setStatus('no-model', 'pick an .onnx model to start');
  }
}

/** RGB floats in [0, 1], HWC, exactly the file's 8-bit values (no colour management, no premultiplied alpha). */
async function decode(file: Blob): Promise<{ width: number; height: number; data: Float32Array }> {
  const bmp = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const canvas = new OffscreenCanvas(bmp.width, bmp.height);
  const ctx = canvas.getContext('2d', { colorSpace: 'srgb' }) as OffscreenCanvasRenderingContext2D;
  ctx.drawImage(bmp, 0, 0);
  const rgba = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
  const data = new Float32Array(bmp.width * bmp.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    data[j] = (rgba[i] as number) / 255;
    data[j + 1] = (rgba[i + 1] as number) / 255;
    data[j + 2] = (rgba[i + 2] as number) / 255;
  }
  return { width: bmp.width, height: bmp.height, data };
}

function draw(canvas: HTMLCanvasElement, img: { width: number; height: number; data: Float32Array }): void {
  canvas.width = img.width;
  canvas.height = img.height;
  const px = new ImageData(img.width, img.height);
  for (let i = 0, j = 0; j < img.data.length; i += 4, j += 3) {
    px.data[i] = Math.round((img.data[j] as number) * 255);
    px.data[i + 1] = Math.round((img.data[j + 1] as number) * 255);
    px.data[i + 2] = Math.round((img.data[j + 2] as number) * 255);
    px.data[i + 3] = 255;
  }
  (canvas.getContext('2d') as CanvasRenderingContext2D).putImageData(px, 0, 0);
}

function startRestore(): void {
  const input = state.input;
  if (!input) return;
  setStatus('busy', 'restoring…');
  $<HTMLProgressElement>('progress').value = 0;
  const tile = Number($<HTMLInputElement>('tile').value);
  const pad = Number($<HTMLInputElement>('pad').value);
  const data = input.data.slice(); // the original stays here for the slider and diagnose
  send({ type: 'restore', data, width: input.width, height: input.height, tile, pad }, [data.buffer]);
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  if (m.type === 'loaded') {
    state.model = m.model;
    const cls = m.model.canDiagnose ? `classifier: ${m.model.labels.length} labels` : 'no classifier (restore only)';
    $('model-info').textContent =
      `${m.model.name}: ${m.model.arch}, size multiple ${m.model.sizeMultiple}, ${cls}; ` +
      `running on ${m.model.backend}${m.model.backend === 'wasm' ? ` (${m.model.threads} thread${m.model.threads > 1 ? 's' : ''})` : ''}`;
    setStatus('ready', 'model ready: pick a photo');
  } else if (m.type === 'progress') {
    $<HTMLProgressElement>('progress').value = m.index / m.total;
    $('status').textContent = `tile ${m.index}/${m.total}`;
  } else if (m.type === 'restored') {
    state.output = { width: m.width, height: m.height, data: m.data, tiles: m.tiles, seconds: m.seconds };
    draw($('after'), state.output);
    $('result').hidden = false;
    $<HTMLCanvasElement>('after').toBlob((b) => {
      if (b) $<HTMLAnchorElement>('download').href = URL.createObjectURL(b);
    }, 'image/png');
    setStatus(
      'restored',
      `restored ${m.width}x${m.height} in ${m.tiles} tile${m.tiles > 1 ? 's' : ''}, ${m.seconds.toFixed(2)} s`,
    );
  } else if (m.type === 'diagnosis') {
    state.predictions = m.predictions;
    const rows = m.predictions.map(
      (p) =>
        `<tr><td>${p.name.replace(/_/g, ' ')}</td><td>${p.probability.toFixed(3)}</td>` +
        `<td><span class="bar" style="width:${(p.probability * 200).toFixed(0)}px"></span></td></tr>`,
    );
    $('predictions').innerHTML = rows.join('');
    $('diagnosis').hidden = false;
    setStatus('diagnosed', `diagnosed in ${m.tiles} tile${m.tiles > 1 ? 's' : ''}, ${m.seconds.toFixed(2)} s`);
  } else {
    setStatus('error', `error: ${m.message}`);
  }
};
worker.onerror = (e) => setStatus('error', `worker error: ${e.message}`);

$<HTMLInputElement>('model-file').addEventListener('change', async (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) loadModel(await f.arrayBuffer(), f.name);
});
$<HTMLInputElement>('photo').addEventListener('change', async (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (!f) return;
  try {
    state.input = await decode(f);
  } catch (err) {
    setStatus('error', `cannot decode ${f.name}: ${err instanceof Error ? err.message : err}`);
    return;
  }
  draw($('before'), state.input);
  startRestore();
});
$('restore').addEventListener('click', startRestore);
$('diagnose').addEventListener('click', () => {
  const input = state.input;
  if (!input) return;
  setStatus('busy', 'diagnosing…');
  const data = input.data.slice();
  const tile = Number($<HTMLInputElement>('tile').value);
  send({ type: 'diagnose', data, width: input.width, height: input.height, tile }, [data.buffer]);
});
$<HTMLInputElement>('split').addEventListener('input', (e) => {
  $('after').style.clipPath = `inset(0 0 0 ${(e.target as HTMLInputElement).value}%)`;
});

void fetchModel();
