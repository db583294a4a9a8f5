/**
 * Models by name. One folder holds installed weights, so the CLI, scripts and apps find the same files
 * (upscayl #1140: CLI and GUI looked in different places):
 *
 *   $MASKDCPT_HOME/models   (MASKDCPT_HOME defaults to <user cache dir>/maskdcpt, e.g. ~/.cache/maskdcpt)
 *
 * A name resolves to, in order: `<name>.safetensors` (ours, self-describing), `<name>/` (a training run
 * directory: its newest checkpoint), or an official MaskDCPT release's `.pth` under its official file name
 * (its architecture is known from the table below).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { presets } from '../archs/registry.js';

/** Where the official weights are published (linked from github.com/MILab-PKU/MaskDCPT's README). */
export const RELEASES_URL = 'https://huggingface.co/Jiakui/MaskDCPT';

export interface Release {
  /** Our name for it: what `-n` takes and the file name `convert` should write (`<name>.safetensors`). */
  name: string;
  /** The official file name, as the official test configs reference it (`pretrained_models/<file>`). */
  file: string;
  /** Our preset that matches the official `network_g`. */
  arch: string;
  /** Which weights of the BasicSR checkpoint the official configs load (`param_key_g`). */
  key: 'params' | 'params_ema';
  tasks: string;
}

/** The official fine-tuned releases (options/all_in_one/test/*.yml at MaskDCPT e6a1f18). */
export const RELEASES: readonly Release[] = [
  {
    name: 'nafnet-maskdcpt-5d',
    file: 'nafnet_maskdcpt_5d.pth',
    arch: 'nafnet-64-5d',
    key: 'params_ema',
    tasks: '5D all-in-one: rain, noise σ25, haze, low-light, motion blur',
  },
  {
    name: 'nafnet-maskdcpt-12d',
    file: 'nafnet_maskdcpt_12d.pth',
    arch: 'nafnet-64-5d',
    key: 'params_ema',
    tasks: '12D all-in-one: + real noise, defocus, JPEG, snow, mosaic, moiré, raindrop, Gaussian blur, UDC',
  },
  {
    name: 'nafnet-maskdcpt-mixed',
    file: 'nafnet_maskdcpt_mixed.pth',
    arch: 'nafnet-64-5d',
    key: 'params_ema',
    tasks: 'mixed degradations (low-light + haze + rain/snow, blur + noise)',
  },
  {
    name: 'restormer-maskdcpt-5d',
    file: 'restormer_maskdcpt_5d.pth',
    arch: 'restormer-5d',
    key: 'params_ema',
    tasks: '5D all-in-one',
  },
  {
    name: 'promptir-maskdcpt-5d',
    file: 'promptir_maskdcpt_5d.pth',
    arch: 'promptir-5d',
    key: 'params_ema',
    tasks: '5D all-in-one',
  },
  // test_SwinIR_5d.yml sets no param_key_g, so BasicSR loads 'params'.
  {
    name: 'swinir-maskdcpt-5d',
    file: 'swinir_maskdcpt_5d.pth',
    arch: 'swinir-5d',
    key: 'params',
    tasks: '5D all-in-one',
  },
];

/** The user's cache folder by platform convention. */
function cacheDir(env: NodeJS.ProcessEnv): string {
  if (process.platform === 'win32') return env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches');
  return env.XDG_CACHE_HOME || join(homedir(), '.cache');
}

/** MASKDCPT_HOME, or `<cache>/maskdcpt`. */
export function maskdcptHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.MASKDCPT_HOME || join(cacheDir(env), 'maskdcpt');
}

export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(maskdcptHome(env), 'models');
}

/** What `loadModel` needs to load a resolved name. */
export interface ModelSource {
  name: string;
  path: string;
  /** Set for official .pth files (they do not say which architecture they hold). */
  arch?: string;
  key?: string;
}

export function findRelease(name: string): Release | undefined {
  return RELEASES.find((r) => r.name === name || r.file === name || r.file === `${name}.pth`);
}

/** The newest checkpoint of a training run directory (its `latest` pointer, else the highest ckpt_N). */
export function newestCheckpoint(dir: string): string | null {
  const latest = join(dir, 'latest');
  if (existsSync(latest)) {
    try {
      const { file } = JSON.parse(readFileSync(latest, 'utf8')) as { file?: string };
      // The pointer may hold a path relative to where training ran; the file itself sits in the run dir.
      if (file && existsSync(join(dir, basename(file)))) return join(dir, basename(file));
    } catch {
      // a damaged pointer: fall back to the file names
    }
  }
  const ckpts = readdirSync(dir)
    .filter((f) => /^ckpt_\d+\.safetensors$/.test(f))
    .sort((a, b) => Number(a.slice(5, -12)) - Number(b.slice(5, -12)));
  const last = ckpts[ckpts.length - 1];
  return last ? join(dir, last) : null;
}

/** Resolves a model name in the models folder; unknown names get a message that says what to do. */
export function resolveModelName(name: string, dir: string = modelsDir(), prefer?: 'onnx'): ModelSource {
  const st = join(dir, `${name}.safetensors`);
  const onnx = join(dir, `${name}.onnx`);
  if (prefer === 'onnx') {
    if (existsSync(onnx)) return { name, path: onnx };
    throw new Error(
      `model '${name}': no ${onnx} for --backend onnx${existsSync(st) ? `; export it: maskdcpt export --weights ${st} -o ${onnx}` : ''}`,
    );
  }
  if (existsSync(st)) return { name, path: st };
  // An exported model alone (a machine without libtorch installs only these).
  if (existsSync(onnx)) return { name, path: onnx };
  const run = join(dir, name);
  if (existsSync(run) && statSync(run).isDirectory()) {
    const ckpt = newestCheckpoint(run);
    if (!ckpt) throw new Error(`model '${name}': ${run} holds no checkpoint (ckpt_<iter>.safetensors)`);
    return { name, path: ckpt };
  }
  const release = findRelease(name);
  if (release && existsSync(join(dir, release.file))) {
    return { name: release.name, path: join(dir, release.file), arch: release.arch, key: release.key };
  }
  if (existsSync(join(dir, `${name}.pth`))) {
    throw new Error(
      `model '${name}': ${join(dir, `${name}.pth`)} does not say its architecture; convert it: ` +
        `maskdcpt convert ${join(dir, `${name}.pth`)} --arch <preset> -o ${st}`,
    );
  }
  if (release) {
    throw new Error(
      `model '${name}' is not installed in ${dir}: download ${release.file} from ${RELEASES_URL} and run ` +
        `maskdcpt convert ${release.file} --arch ${release.arch} --key ${release.key} -o ${join(dir, `${release.name}.safetensors`)}`,
    );
  }
  if (presets.has(name)) {
    throw new Error(
      `'${name}' is an architecture preset, not trained weights; pass --weights <file> (with --arch ${name} for an official .pth), or install weights as ${st}`,
    );
  }
  const installed = listInstalled(dir).map((m) => m.name);
  throw new Error(
    `model '${name}' is not installed in ${dir} (installed: ${installed.length ? installed.join(', ') : 'none'}); see \`maskdcpt models\``,
  );
}

export interface InstalledModel {
  name: string;
  path: string;
  kind: 'weights' | 'checkpoint' | 'run' | 'official' | 'unconverted' | 'onnx';
  /** Architecture from the file's metadata (or the release table); '' when unknown. */
  arch: string;
  bytes: number;
}

/**
 * Metadata of a safetensors file from its header alone: the weights themselves can be hundreds of MB, and
 * listing models must stay instant.
 */
export async function safetensorsMetadata(path: string): Promise<Record<string, string>> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    await fh.read(head, 0, 8, 0);
    const n = Number(head.readBigUInt64LE(0));
    if (n <= 0 || n > 100_000_000) return {};
    const json = Buffer.alloc(n);
    await fh.read(json, 0, n, 8);
    return (JSON.parse(json.toString('utf8')) as { __metadata__?: Record<string, string> }).__metadata__ ?? {};
  } catch {
    return {};
  } finally {
    await fh.close();
  }
}

/** Everything installed in the models folder (architectures are filled in by `describeInstalled`). */
export function listInstalled(dir: string = modelsDir()): InstalledModel[] {
  if (!existsSync(dir)) return [];
  const out: InstalledModel[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) {
      const ckpt = newestCheckpoint(path);
      if (ckpt) out.push({ name: entry.name, path: ckpt, kind: 'run', arch: '', bytes: statSync(ckpt).size });
    } else if (entry.name.endsWith('.safetensors')) {
      out.push({ name: entry.name.slice(0, -12), path, kind: 'weights', arch: '', bytes: statSync(path).size });
    } else if (entry.name.endsWith('.onnx')) {
      out.push({ name: entry.name.slice(0, -5), path, kind: 'onnx', arch: '', bytes: statSync(path).size });
    } else if (entry.name.endsWith('.pth')) {
      const r = findRelease(entry.name);
      out.push({
        name: r ? r.name : entry.name.slice(0, -4),
        path,
        kind: r ? 'official' : 'unconverted',
        arch: r ? r.arch : '',
        bytes: statSync(path).size,
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** `listInstalled` with architectures read from the safetensors headers. */
export async function describeInstalled(dir: string = modelsDir()): Promise<InstalledModel[]> {
  const list = listInstalled(dir);
  for (const m of list) {
    if (m.kind !== 'weights' && m.kind !== 'run') continue;
    const meta = await safetensorsMetadata(m.path);
    m.arch = meta.arch ?? '';
    if (m.kind === 'weights' && meta.format?.startsWith('maskdcpt-checkpoint')) m.kind = 'checkpoint';
  }
  return list;
}
