/**
 * A small protocol-2 pickler (the protocol torch.save uses) for plain data: None, bool, int, float, str, list,
 * tuple, dict, collections.OrderedDict (with instance attributes through BUILD). Tensors are handed to a
 * callback, which emits whatever reconstructs them (see pth-write.ts). Integer-valued JS numbers become Python
 * ints, other numbers floats.
 */
import type { HostTensor } from './host-tensor.js';
import { isHostTensor, PyDict, PyTuple } from './pytypes.js';

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | HostTensor
  | PickleValue[]
  | PyTuple
  | PyDict
  | ReadonlyMap<string, PickleValue>
  | { readonly [key: string]: PickleValue };

export class Pickler {
  private parts: Uint8Array[] = [];
  private buf = new Uint8Array(1 << 16);
  private len = 0;
  private readonly enc = new TextEncoder();

  constructor(private readonly saveTensor: (p: Pickler, t: HostTensor) => void) {}

  private ensure(n: number): void {
    if (this.len + n <= this.buf.byteLength) return;
    this.parts.push(this.buf.subarray(0, this.len));
    this.buf = new Uint8Array(Math.max(1 << 16, n));
    this.len = 0;
  }

  byte(...bs: number[]): void {
    this.ensure(bs.length);
    for (const b of bs) this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.byteLength);
    this.buf.set(b, this.len);
    this.len += b.byteLength;
  }

  private u32(v: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer).setUint32(this.len, v, true);
    this.len += 4;
  }

  mark(): void {
    this.byte(0x28);
  }

  /** GLOBAL "module\nname\n". */
  global(module: string, name: string): void {
    this.byte(0x63);
    this.bytes(this.enc.encode(`${module}\n${name}\n`));
  }

  /** Pops the argument tuple and the callable, pushes the call result. */
  reduce(): void {
    this.byte(0x52);
  }

  tupleFromMark(): void {
    this.byte(0x74);
  }

  binpersid(): void {
    this.byte(0x51);
  }

  int(v: number | bigint): void {
    const b = BigInt(v);
    if (b >= 0n && b < 256n) this.byte(0x4b, Number(b));
    else if (b >= 0n && b < 65536n) this.byte(0x4d, Number(b) & 0xff, Number(b) >> 8);
    else if (b >= -(2n ** 31n) && b < 2n ** 31n) {
      this.byte(0x4a);
      this.u32(Number(BigInt.asUintN(32, b)));
    } else {
      // LONG1: minimal little-endian two's complement.
      const out: number[] = [];
      let x = b;
      for (;;) {
        out.push(Number(x & 0xffn));
        x >>= 8n;
        const signBit = (out[out.length - 1]! & 0x80) !== 0;
        if ((x === 0n && !signBit) || (x === -1n && signBit)) break;
      }
      this.byte(0x8a, out.length, ...out);
    }
  }

  float(v: number): void {
    this.ensure(9);
    this.buf[this.len] = 0x47;
    new DataView(this.buf.buffer).setFloat64(this.len + 1, v, false);
    this.len += 9;
  }

  str(s: string): void {
    const b = this.enc.encode(s);
    this.byte(0x58);
    this.u32(b.byteLength);
    this.bytes(b);
  }

  save(v: PickleValue): void {
    if (v === null) this.byte(0x4e);
    else if (v === true) this.byte(0x88);
    else if (v === false) this.byte(0x89);
    else if (typeof v === 'bigint') this.int(v);
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) this.int(v);
      else this.float(v);
    } else if (typeof v === 'string') this.str(v);
    else if (Array.isArray(v)) {
      this.byte(0x5d); // EMPTY_LIST
      if (v.length) {
        this.mark();
        for (const x of v) this.save(x);
        this.byte(0x65); // APPENDS
      }
    } else if (v instanceof PyTuple) {
      this.mark();
      for (const x of v.items) this.save(x as PickleValue);
      this.tupleFromMark();
    } else if (isHostTensor(v)) this.saveTensor(this, v);
    else if (v instanceof PyDict) {
      this.dict(v, v.pyClass === 'collections.OrderedDict');
      if (v.attrs.size) {
        // BUILD with a dict state sets instance attributes, as torch.save does for a state dict's _metadata.
        this.byte(0x7d);
        this.setItems(v.attrs);
        this.byte(0x62);
      }
    } else if (v instanceof Map) this.dict(v, true);
    else if (v instanceof Uint8Array || ArrayBuffer.isView(v)) {
      throw new TypeError('pickle writer: raw byte arrays are not supported; wrap numbers in a HostTensor');
    } else if (typeof v === 'object') this.dict(new Map(Object.entries(v)), false);
    else throw new TypeError(`pickle writer: cannot save a ${typeof v}`);
  }

  /** A dict (EMPTY_DICT) or an OrderedDict (OrderedDict() via REDUCE), then its items. */
  private dict(m: ReadonlyMap<unknown, unknown>, ordered: boolean): void {
    if (ordered) {
      this.global('collections', 'OrderedDict');
      this.byte(0x29); // EMPTY_TUPLE
      this.reduce();
    } else {
      this.byte(0x7d);
    }
    this.setItems(m);
  }

  private setItems(m: ReadonlyMap<unknown, unknown>): void {
    if (m.size === 0) return;
    this.mark();
    for (const [k, x] of m) {
      if (k !== null && typeof k === 'object') throw new TypeError('pickle writer: dict keys must be scalars');
      this.save(k as PickleValue);
      this.save(x as PickleValue);
    }
    this.byte(0x75); // SETITEMS
  }

  /** PROTO 2, the value, STOP. */
  dump(v: PickleValue): Uint8Array {
    this.byte(0x80, 2);
    this.save(v);
    this.byte(0x2e);
    const all = [...this.parts, this.buf.subarray(0, this.len)];
    const out = new Uint8Array(all.reduce((s, p) => s + p.byteLength, 0));
    let o = 0;
    for (const p of all) {
      out.set(p, o);
      o += p.byteLength;
    }
    this.parts = [];
    this.len = 0;
    return out;
  }
}
