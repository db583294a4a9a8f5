/**
 * Writes PyTorch zip-format checkpoints that torch.load (>= 1.6) accepts, e.g. BasicSR's
 * `{params: OrderedDict, params_ema: OrderedDict}`. Layout as torch.save makes it: `<stem>/data.pkl`
 * (protocol 2), `<stem>/byteorder`, one `<stem>/data/<key>` per storage (64-byte aligned), `<stem>/version`.
 * Tensors are rebuilt by torch._utils._rebuild_tensor_v2 from contiguous storages; the same typed array used
 * twice (e.g. a weight shared by params and params_ema) is written once and shared on load, as in torch.
 */
import { basename, extname } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { type DType, type HostTensor, numel, toBytes } from './host-tensor.js';
import { type PickleValue, Pickler } from './pickle-write.js';
import { encodeZip, type ZipInput } from './zip-write.js';

const STORAGE_CLASS: Record<DType, string> = {
  float32: 'FloatStorage',
  float64: 'DoubleStorage',
  float16: 'HalfStorage',
  bfloat16: 'BFloat16Storage',
  int64: 'LongStorage',
  int32: 'IntStorage',
  int16: 'ShortStorage',
  int8: 'CharStorage',
  uint8: 'ByteStorage',
  bool: 'BoolStorage',
};

/** Encodes `obj` as checkpoint chunks; `folder` is the archive's top-level folder (torch uses the file stem). */
export function encodePth(obj: PickleValue, folder = 'archive'): Uint8Array[] {
  if (!/^[A-Za-z0-9_.-]+$/.test(folder)) throw new Error(`writePth: unsuitable archive folder name '${folder}'`);
  const storages: ZipInput[] = [];
  const keys = new Map<HostTensor['data'], string>();
  const pickler = new Pickler((p, t) => {
    const n = numel(t.shape);
    if (t.data.length !== n) throw new Error(`writePth: tensor data has ${t.data.length} elements, shape needs ${n}`);
    let key = keys.get(t.data);
    if (key === undefined) {
      key = String(storages.length);
      keys.set(t.data, key);
      storages.push({ name: `${folder}/data/${key}`, data: toBytes(t) });
    }
    const stride: number[] = [];
    for (let d = t.shape.length - 1, s = 1; d >= 0; d--) {
      stride.unshift(s);
      s *= t.shape[d]!;
    }
    // _rebuild_tensor_v2(('storage', torch.<X>Storage, key, 'cpu', numel), 0, size, stride, False, OrderedDict())
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.mark();
    p.mark();
    p.str('storage');
    p.global('torch', STORAGE_CLASS[t.dtype]);
    p.str(key);
    p.str('cpu');
    p.int(n);
    p.tupleFromMark();
    p.binpersid();
    p.int(0);
    p.mark();
    for (const d of t.shape) p.int(d);
    p.tupleFromMark();
    p.mark();
    for (const s of stride) p.int(s);
    p.tupleFromMark();
    p.save(false);
    p.save(new Map());
    p.tupleFromMark();
    p.reduce();
  });
  const pkl = pickler.dump(obj);
  const text = (s: string) => new TextEncoder().encode(s);
  return encodeZip([
    { name: `${folder}/data.pkl`, data: pkl },
    { name: `${folder}/byteorder`, data: text('little') },
    ...storages,
    { name: `${folder}/version`, data: text('3\n') },
  ]);
}

/**
 * Writes a checkpoint atomically. JS Maps become OrderedDicts (state dicts), plain objects dicts, arrays lists;
 * PyDict/PyTuple values (as read by readPth) keep their Python types and attributes.
 */
export async function writePth(path: string, obj: PickleValue): Promise<void> {
  const stem = basename(path, extname(path)).replace(/[^A-Za-z0-9_.-]/g, '_') || 'archive';
  await writeFileAtomic(path, encodePth(obj, stem));
}
