/**
 * A restricted unpickler. Python's pickle is a small stack machine whose GLOBAL/REDUCE opcodes can call any
 * importable function, which is how a malicious checkpoint runs `os.system`. Here nothing is ever imported or
 * evaluated: a global resolves only if the caller put it on an explicit allow-list, and "calling" it runs our
 * own TypeScript re-implementation (e.g. a tensor rebuilder). Anything else is refused with an error naming it.
 * Opcodes: the binary ones of protocols 2-5 plus GLOBAL/INST; no extension registry, no out-of-band buffers.
 */
import { plainBytes } from './host-tensor.js';
import { isHostTensor, PyDict, PyGlobal, type PyKey, PyTuple, type PyValue } from './pytypes.js';

export interface UnpickleOptions {
  /** Names the file in errors. */
  label?: string;
  /** Allowed globals, keyed "module.name". */
  globals: ReadonlyMap<string, PyGlobal>;
  /** Resolves persistent ids (torch uses them for storages); without it, persistent ids are refused. */
  persistentLoad?: (pid: PyValue) => unknown;
}

const MARK = Symbol('mark');

export function unpickle(input: Uint8Array, opts: UnpickleOptions): unknown {
  const bytes = plainBytes(input);
  const label = opts.label ?? '<buffer>';
  const fail = (problem: string) => new Error(`cannot unpickle ${label}: ${problem}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8');
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;

  const need = (n: number) => {
    if (pos + n > bytes.byteLength) throw fail(`truncated pickle (needed ${n} bytes at offset ${pos})`);
  };
  const u8 = () => {
    need(1);
    return bytes[pos++]!;
  };
  const u16 = () => {
    need(2);
    pos += 2;
    return view.getUint16(pos - 2, true);
  };
  const u32 = () => {
    need(4);
    pos += 4;
    return view.getUint32(pos - 4, true);
  };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.byteLength)) throw fail(`length ${v} exceeds the pickle size (truncated or corrupt)`);
    return Number(v);
  };
  const take = (n: number) => {
    need(n);
    pos += n;
    return bytes.subarray(pos - n, pos);
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw fail('truncated pickle (unterminated text argument)');
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = () => {
    if (stack.length === 0) throw fail(`stack underflow at offset ${pos}`);
    const v = stack.pop();
    if (v === MARK) throw fail(`unexpected MARK at offset ${pos}`);
    return v;
  };
  const top = () => {
    const v = stack[stack.length - 1];
    if (stack.length === 0 || v === MARK) throw fail(`stack underflow at offset ${pos}`);
    return v;
  };
  const popMark = () => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw fail(`no MARK on the stack at offset ${pos}`);
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const resolve = (module: string, name: string) => {
    const g = opts.globals.get(`${module}.${name}`);
    if (!g) {
      throw fail(
        `refusing global '${module}.${name}': it is not on the allow-list (tensor rebuilders, storages, dtypes, ` +
          'collections.OrderedDict); nothing from the file was executed',
      );
    }
    return g;
  };
  const call = (fn: unknown, args: unknown[]) => {
    if (!(fn instanceof PyGlobal) || !fn.call) throw fail(`cannot call ${describe(fn)}`);
    try {
      return fn.call(args as PyValue[]);
    } catch (err) {
      throw fail(`${fn.qualifiedName}: ${(err as Error).message}`);
    }
  };
  const key = (k: unknown): PyKey => {
    if (k === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof k)) return k as PyKey;
    throw fail(`unsupported dict key ${describe(k)}`);
  };
  const setItems = (dict: unknown, items: unknown[]) => {
    if (!(dict instanceof PyDict)) throw fail(`SETITEM on ${describe(dict)}`);
    if (items.length % 2) throw fail('odd number of items for SETITEMS');
    for (let i = 0; i < items.length; i += 2) dict.set(key(items[i]), items[i + 1] as PyValue);
  };
  const append = (list: unknown, items: unknown[]) => {
    if (!Array.isArray(list)) throw fail(`APPEND on ${describe(list)}`);
    list.push(...items);
  };
  const persistent = (pid: unknown) => {
    if (!opts.persistentLoad) throw fail('persistent ids are not allowed here');
    return opts.persistentLoad(pid as PyValue);
  };
  const int = (v: bigint): number | bigint =>
    v >= Number.MIN_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER ? Number(v) : v;
  const long = (n: number) => {
    const b = take(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return int(v);
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw fail('pickle protocol above 5');
        break;
      case 0x95: // FRAME: only a length hint
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) throw fail(`STOP with ${stack.length} items on the stack`);
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        if (stack.length === 0) throw fail('POP on an empty stack');
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(long(u8()));
        break;
      case 0x8b: // LONG4
        stack.push(long(u32()));
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8.decode(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8.decode(take(u64())));
        break;
      case 0x54: // BINSTRING (Python 2 str)
        stack.push(new TextDecoder('latin1').decode(take(u32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(new TextDecoder('latin1').decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: // APPEND
        append(stack[stack.length - 2], [pop()]);
        break;
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark() as PyValue[]));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop() as PyValue]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b] as PyValue[]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c] as PyValue[]));
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) throw fail(`memo key ${i} missing at offset ${at}`);
        stack.push(memo.get(i));
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(resolve(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL needs two strings');
        stack.push(resolve(module, name));
        break;
      }
      case 0x69: {
        // INST "module\nname\n": instantiate with the marked args
        const module = line();
        const g = resolve(module, line());
        stack.push(call(g, popMark()));
        break;
      }
      case 0x6f: {
        // OBJ: class and args after the mark
        const [cls, ...args] = popMark();
        stack.push(call(cls, args));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args), the same as a call for the classes we allow
        const args = pop();
        const fn = pop();
        if (!(args instanceof PyTuple)) throw fail(`REDUCE/NEWOBJ arguments are ${describe(args)}, not a tuple`);
        stack.push(call(fn, args.items));
        break;
      }
      case 0x62: {
        // BUILD: obj.__setstate__(state); only attribute dicts on our dict objects
        const state = pop();
        build(top(), state, fail);
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistent(pop()));
        break;
      default:
        throw fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`);
    }
  }
}

function build(obj: unknown, state: unknown, fail: (p: string) => Error): void {
  // (state, slotstate) form: both are attribute dicts (or None).
  if (state instanceof PyTuple && state.items.length === 2) {
    for (const part of state.items) if (part !== null) build(obj, part, fail);
    return;
  }
  if (isHostTensor(obj) && state instanceof PyDict && state.size === 0) return; // Parameter with no extra state
  if (!(obj instanceof PyDict) || !(state instanceof PyDict)) {
    throw fail(`BUILD of ${describe(obj)} with ${describe(state)} is not supported`);
  }
  for (const [k, v] of state) {
    if (typeof k !== 'string') throw fail('BUILD state has a non-string attribute name');
    obj.attrs.set(k, v);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyGlobal) return `global ${v.qualifiedName}`;
  if (v instanceof PyTuple) return 'a tuple';
  if (v instanceof PyDict) return `a ${v.pyClass}`;
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'bytes';
  if (isHostTensor(v)) return 'a tensor';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
