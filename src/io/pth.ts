/**
 * Reads PyTorch checkpoints (torch.save's zip format, torch >= 1.6) without Python and without executing
 * anything: the archive's data.pkl goes through the restricted unpickler, storages come from its data/ entries.
 * BasicSR checkpoints are dicts {params, params_ema} of state dicts; pickStateDict chooses one like BasicSR does.
 *
 * Tensors are zero-copy views into the file's bytes when contiguous (torch aligns storages to 64 bytes), so
 * tensors that share a storage in the file (promptir.pth) share memory here too, as they do in torch.
 */
import { readFile } from 'node:fs/promises';
import { elementSize, type HostTensor } from './host-tensor.js';
import { unpickle } from './pickle.js';
import { isHostTensor, PyDict, PyGlobal, PyTuple, type PyValue } from './pytypes.js';
import { type StorageClassTag, type StorageRef, torchGlobals } from './torch-globals.js';
import { looksLikeZip, ZipReader } from './zip.js';

export interface ReadPthOptions {
  /** Pick this state dict (BasicSR style, with the 'params' fallback); without it the whole object is returned. */
  key?: string;
}

export function readPth(path: string): Promise<PyValue>;
export function readPth(path: string, opts: { key: string }): Promise<Map<string, HostTensor>>;
export function readPth(path: string, opts?: ReadPthOptions): Promise<PyValue | Map<string, HostTensor>>;
export async function readPth(path: string, opts: ReadPthOptions = {}): Promise<PyValue | Map<string, HostTensor>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new Error(`cannot read checkpoint ${path}: ${(err as Error).message}`);
  }
  const obj = decodePth(bytes, path);
  return opts.key === undefined ? obj : pickStateDict(obj, opts.key, { label: path });
}

/** Decodes a checkpoint already in memory. `label` names it in errors. */
export function decodePth(bytes: Uint8Array, label = '<buffer>'): PyValue {
  const fail = (problem: string) => new Error(`cannot load checkpoint ${label}: ${problem}`);
  if (!looksLikeZip(bytes)) {
    if (isLegacyTorchFile(bytes)) {
      throw fail(
        'it uses the legacy (pre-1.6, non-zip) torch.save format, which is not supported; re-save it with a ' +
          'newer PyTorch: torch.save(torch.load(path), new_path)',
      );
    }
    throw fail('not a zip-format PyTorch checkpoint');
  }
  const zip = new ZipReader(bytes, label);
  // torch puts every record under one top-level folder, named after the file stem or 'archive'.
  const pkls = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkls.length !== 1) {
    throw fail(pkls.length ? `several data.pkl records (${pkls.join(', ')})` : 'no <folder>/data.pkl record');
  }
  const prefix = pkls[0]!.slice(0, -'data.pkl'.length);
  for (const rec of [`${prefix}byteorder`, `${prefix}.data/byteorder`]) {
    if (zip.has(rec)) {
      const order = new TextDecoder().decode(zip.read(rec)).trim();
      if (order !== 'little') throw fail(`byte order '${order}' is not supported (only little-endian)`);
    }
  }

  const storages = new Map<string, StorageRef>();
  const persistentLoad = (pid: PyValue): StorageRef => {
    const items = pid instanceof PyTuple ? pid.items : null;
    if (items?.[0] !== 'storage' || items.length !== 5) throw new Error('unexpected persistent id');
    const [, cls, key, , count] = items;
    const tag = cls instanceof PyGlobal ? (cls.tag as StorageClassTag | undefined) : undefined;
    if (!tag || !('storageDtype' in tag)) throw fail('persistent id does not name a storage class');
    if (typeof key !== 'string' || typeof count !== 'number') throw fail('malformed storage persistent id');
    const cached = storages.get(key);
    if (cached) return cached;
    const entry = `${prefix}data/${key}`;
    if (!zip.has(entry)) throw fail(`storage ${key} is referenced but ${entry} is missing`);
    const data = zip.read(entry);
    const need = count * (tag.storageDtype ? elementSize(tag.storageDtype) : 1);
    if (data.byteLength < need) throw fail(`storage ${key} has ${data.byteLength} bytes, expected ${need}`);
    const ref: StorageRef = { key, dtype: tag.storageDtype, bytes: data.subarray(0, need) };
    storages.set(key, ref);
    return ref;
  };

  const result = unpickle(zip.read(pkls[0]!), { label, globals: torchGlobals(), persistentLoad });
  return result as PyValue;
}

/** Legacy torch.save files are a raw pickle stream (magic number first) or, older still, a tar archive. */
function isLegacyTorchFile(bytes: Uint8Array): boolean {
  const isPickle = bytes[0] === 0x80 && (bytes[1] ?? 99) <= 5;
  const isTar = bytes.byteLength > 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar';
  return isPickle || isTar;
}

function isTensorDict(v: unknown): v is PyDict {
  return v instanceof PyDict && [...v.entries()].every(([k, t]) => typeof k === 'string' && isHostTensor(t));
}

function asStateDict(v: PyValue | undefined, what: string, label: string): Map<string, HostTensor> {
  if (!(v instanceof PyDict)) throw new Error(`${label}: ${what} is not a dict of tensors`);
  const out = new Map<string, HostTensor>();
  for (const [k, t] of v) {
    if (typeof k !== 'string' || !isHostTensor(t)) {
      throw new Error(`${label}: ${what} entry ${String(k)} is not a tensor`);
    }
    out.set(k, t);
  }
  return out;
}

/**
 * Chooses a state dict the way BasicSR's load_network does: `obj[key]`, falling back to `obj['params']` when
 * `key` is absent (reported through `onFallback`). Without `key`, `obj` must itself be a state dict.
 * Errors name the checkpoint (`label`) and list the available keys.
 */
export function pickStateDict(
  obj: PyValue,
  key?: string,
  opts: { label?: string; onFallback?: (requested: string) => void } = {},
): Map<string, HostTensor> {
  const label = opts.label ? `checkpoint ${opts.label}` : 'checkpoint';
  if (key === undefined) {
    if (isTensorDict(obj)) return asStateDict(obj, 'the state dict', label);
    const keys = obj instanceof PyDict ? [...obj.keys()].map(String) : [];
    throw new Error(`${label} is not a bare state dict; choose one of its keys: ${keys.join(', ') || '(none)'}`);
  }
  if (!(obj instanceof PyDict)) throw new Error(`${label} is not a dict, so it has no key '${key}'`);
  if (obj.has(key)) return asStateDict(obj.get(key), `'${key}'`, label);
  if (obj.has('params')) {
    opts.onFallback?.(key);
    return asStateDict(obj.get('params'), `'params' (fallback for missing '${key}')`, label);
  }
  const keys = [...obj.keys()].map(String);
  const shown = keys.length > 12 ? [...keys.slice(0, 12), `… (${keys.length} in all)`] : keys;
  const hint = isTensorDict(obj) ? ' (it looks like a bare state dict; read it without a key)' : '';
  throw new Error(`${label} has no key '${key}' and no 'params'; available keys: ${shown.join(', ')}${hint}`);
}
