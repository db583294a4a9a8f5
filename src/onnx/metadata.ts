/**
 * What an exported model says about itself: ONNX `metadata_props` (ModelProto field 14, key/value strings),
 * read by scanning the top-level protobuf fields and skipping the graph. onnxruntime's JS API does not expose
 * custom metadata, and decoding the whole ModelProto would copy every weight. Pure TS with no Node imports:
 * the browser demo bundles this file too.
 *
 * Keys, as `maskdcpt export` (src/export/export.ts) writes them; one table here so both sides agree:
 */
export const META = {
  /** Architecture family, e.g. 'nafnet'. */
  arch: 'arch',
  /** The preset or name it was exported as, e.g. 'nafnet-small' (preferred over `arch` for display). */
  model: 'model',
  /** Input height and width must be multiples of this (tiles are padded to it). */
  sizeMultiple: 'size_multiple',
  /** JSON array of degradation label names, in the order of the `logits` output (diagnose). */
  labels: 'labels',
} as const;

/** Output names the runtime looks for: the restored image, and the classifier's logits when exported. */
export const OUTPUT_IMAGE = 'output';
export const OUTPUT_LOGITS = 'logits';

/** Reads a base-128 varint at `pos`; returns [value, next position]. Values above 2^53 lose precision. */
function varint(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let scale = 1;
  for (let i = pos; i < b.length; i++) {
    const byte = b[i] as number;
    v += (byte & 0x7f) * scale;
    if (byte < 0x80) return [v, i + 1];
    scale *= 128;
  }
  throw new Error('truncated varint');
}

/** Calls `field(number, start, end)` for each length-delimited field of one message; skips the others. */
function scan(b: Uint8Array, start: number, end: number, field: (n: number, s: number, e: number) => void): void {
  let p = start;
  while (p < end) {
    const [tag, q] = varint(b, p);
    const wire = tag % 8;
    const n = Math.floor(tag / 8);
    if (wire === 0) p = varint(b, q)[1];
    else if (wire === 1) p = q + 8;
    else if (wire === 5) p = q + 4;
    else if (wire === 2) {
      const [len, r] = varint(b, q);
      if (r + len > end) throw new Error(`field ${n} runs past the end (${r + len} > ${end})`);
      field(n, r, r + len);
      p = r + len;
    } else throw new Error(`unsupported protobuf wire type ${wire} (field ${n})`);
  }
}

/**
 * The `metadata_props` of a serialized ONNX model. Throws, naming `file`, when the bytes are not a protobuf
 * message (an HTML error page, a truncated download).
 */
export function readOnnxMetadata(bytes: Uint8Array, file = 'model'): Record<string, string> {
  const out: Record<string, string> = {};
  const text = new TextDecoder();
  let sawGraph = false;
  try {
    scan(bytes, 0, bytes.length, (n, s, e) => {
      if (n === 7) sawGraph = true;
      if (n !== 14) return;
      let key = '';
      let value = '';
      scan(bytes, s, e, (k, a, z) => {
        if (k === 1) key = text.decode(bytes.subarray(a, z));
        else if (k === 2) value = text.decode(bytes.subarray(a, z));
      });
      out[key] = value;
    });
  } catch (err) {
    throw new Error(`${file} is not a valid ONNX model (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!sawGraph) throw new Error(`${file} is not an ONNX model (no graph in it)`);
  return out;
}

/** What the runtime needs from the metadata, with defaults for models exported by other tools. */
export interface OnnxModelInfo {
  /** The exported name (preset) or, failing that, the architecture. */
  arch: string;
  sizeMultiple: number;
  /** Degradation label names for the logits output; empty when the model has no classifier. */
  labels: string[];
}

export function modelInfo(meta: Record<string, string>, file = 'model'): OnnxModelInfo {
  // Absent (a model exported by another tool): 16 covers every backbone we ship (NAFNet/Restormer/PromptIR
  // need 16, SwinIR 8) at the cost of a little padding.
  const m = Number(meta[META.sizeMultiple] ?? '16');
  if (!Number.isInteger(m) || m < 1)
    throw new Error(`${file}: ${META.sizeMultiple} must be a positive integer, got '${meta[META.sizeMultiple]}'`);
  let labels: string[] = [];
  const raw = meta[META.labels];
  if (raw) {
    const parsed = JSON.parse(raw) as unknown;
    if (!Array.isArray(parsed) || !parsed.every((l) => typeof l === 'string'))
      throw new Error(`${file}: ${META.labels} must be a JSON array of label names`);
    labels = parsed;
  }
  return { arch: meta[META.model] ?? meta[META.arch] ?? 'unknown', sizeMultiple: m, labels };
}
