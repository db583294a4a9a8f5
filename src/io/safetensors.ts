/**
 * safetensors reader and writer (https://github.com/huggingface/safetensors, format section):
 * 8-byte little-endian header length N, N bytes of UTF-8 JSON (padded with spaces to a multiple of 8), then the raw
 * little-endian row-major tensor data, back to back in header order. `__metadata__` maps strings to strings.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic.js';
import { type DType, elementSize, fromBytes, type HostTensor, numel, plainBytes, toBytes } from './host-tensor.js';

export interface SafetensorsContent {
  tensors: Map<string, HostTensor>;
  metadata: Record<string, string>;
}

/** The official implementation refuses headers above 100 MB; so do we (it also bounds JSON.parse work). */
const MAX_HEADER = 100_000_000;

const CODE_TO_DTYPE: Record<string, DType> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};
const DTYPE_TO_CODE = Object.fromEntries(Object.entries(CODE_TO_DTYPE).map(([k, v]) => [v, k])) as Record<
  DType,
  string
>;

/** Reads a file (or decodes bytes already in memory; `name` labels errors then). */
export async function readSafetensors(pathOrBuffer: string | Uint8Array, name?: string): Promise<SafetensorsContent> {
  if (typeof pathOrBuffer === 'string') {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(pathOrBuffer);
    } catch (err) {
      throw new Error(`cannot read safetensors file ${pathOrBuffer}: ${(err as Error).message}`);
    }
    return decodeSafetensors(bytes, name ?? pathOrBuffer);
  }
  return decodeSafetensors(pathOrBuffer, name ?? '<buffer>');
}

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Decodes safetensors bytes. Tensors are zero-copy views into `bytes` where their offset is aligned for the
 * element type, copies otherwise. Everything is validated; errors name `label` and the problem.
 */
export function decodeSafetensors(input: Uint8Array, label = '<buffer>'): SafetensorsContent {
  const bytes = plainBytes(input);
  const fail = (problem: string) => new Error(`invalid safetensors file ${label}: ${problem}`);
  if (bytes.byteLength < 8) throw fail(`only ${bytes.byteLength} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.byteLength - 8)) {
    throw fail(`header length ${n64} exceeds the ${bytes.byteLength - 8} bytes after the length field (truncated?)`);
  }
  const n = Number(n64);
  if (n > MAX_HEADER) throw fail(`header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  if (n < 2) throw fail(`header length ${n} is too small for a JSON object`);

  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
    if (!text.startsWith('{')) throw new Error('it does not start with "{"');
    header = JSON.parse(text);
  } catch (err) {
    throw fail(`header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw fail('header is not a JSON object');
  }

  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info)) throw fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw fail(`__metadata__ value for "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(name, info, fail));
  }

  // Offsets must tile the data area exactly: no gaps, no overlaps, nothing left over.
  const dataStart = 8 + n;
  const dataLength = bytes.byteLength - dataStart;
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin !== cursor) {
      throw fail(`tensor "${e.name}" starts at data offset ${e.begin}, expected ${cursor} (gap or overlap)`);
    }
    if (e.end > dataLength) {
      throw fail(`tensor "${e.name}" ends at data offset ${e.end}, beyond the ${dataLength} data bytes (truncated?)`);
    }
    cursor = e.end;
  }
  if (cursor !== dataLength) throw fail(`tensors cover ${cursor} data bytes but the file holds ${dataLength}`);

  const tensors = new Map<string, HostTensor>();
  for (const e of entries) {
    tensors.set(e.name, fromBytes(e.dtype, e.shape, bytes.subarray(dataStart + e.begin, dataStart + e.end)));
  }
  return { tensors, metadata };
}

function parseEntry(name: string, info: unknown, fail: (p: string) => Error): Entry {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw fail(`entry "${name}" is not an object`);
  const { dtype: code, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof code !== 'string') throw fail(`tensor "${name}" has no dtype`);
  const dtype = CODE_TO_DTYPE[code];
  if (!dtype) {
    throw fail(`tensor "${name}" has unsupported dtype "${code}" (known: ${Object.keys(CODE_TO_DTYPE).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw fail(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  let count: number;
  try {
    count = numel(shape);
  } catch {
    throw fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
  }
  const expected = count * elementSize(dtype);
  if (end - begin !== expected) {
    throw fail(
      `tensor "${name}" (${code} [${shape.join(', ')}]) needs ${expected} bytes but data_offsets span ${end - begin}`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/**
 * Encodes tensors as safetensors chunks (header, then each tensor's bytes in the given order).
 * `__metadata__` is written first and only when non-empty, as the reference implementation does.
 */
export function encodeSafetensors(
  tensors: Iterable<[string, HostTensor]>,
  metadata: Record<string, string> = {},
): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`safetensors metadata value for "${k}" must be a string`);
    }
    header.__metadata__ = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new Error('safetensors: "__metadata__" cannot be a tensor name');
    if (Object.hasOwn(header, name)) throw new Error(`safetensors: duplicate tensor name "${name}"`);
    const bytes = toBytes(t);
    const expected = numel(t.shape) * elementSize(t.dtype);
    if (bytes.byteLength !== expected) {
      throw new RangeError(`safetensors: tensor "${name}" has ${bytes.byteLength} bytes, shape needs ${expected}`);
    }
    header[name] = { dtype: DTYPE_TO_CODE[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    offset += bytes.byteLength;
    chunks.push(bytes);
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const head = new Uint8Array(8 + padded).fill(0x20);
  new DataView(head.buffer).setBigUint64(0, BigInt(padded), true);
  head.set(json, 8);
  return [head, ...chunks];
}

/** Writes tensors (in iteration order) and string metadata to `path` atomically. */
export async function writeSafetensors(
  path: string,
  tensors: Iterable<[string, HostTensor]>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
