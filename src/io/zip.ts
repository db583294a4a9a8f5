/**
 * A minimal ZIP reader for checkpoints: the central directory (with ZIP64 sizes and offsets), stored and deflate
 * entries, CRC-32 checks. No encryption, no multi-disk archives. Stored entries are returned as zero-copy views.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { plainBytes } from './host-tensor.js';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;

export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  private readonly view: DataView;

  /** `label` (usually the file path) names the archive in error messages. */
  readonly bytes: Uint8Array;

  constructor(
    bytes: Uint8Array,
    readonly label = '<buffer>',
  ) {
    this.bytes = plainBytes(bytes);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readCentralDirectory();
  }

  private fail(problem: string): Error {
    return new Error(`invalid zip archive ${this.label}: ${problem}`);
  }

  private u16(o: number): number {
    return this.view.getUint16(o, true);
  }

  private u32(o: number): number {
    return this.view.getUint32(o, true);
  }

  private u64(o: number): number {
    const v = this.view.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.fail(`64-bit field ${v} is too large`);
    return Number(v);
  }

  private inRange(o: number, len: number, what: string): void {
    if (o < 0 || o + len > this.bytes.byteLength) throw this.fail(`${what} lies outside the file (truncated?)`);
  }

  /** The end-of-central-directory record sits in the last 22 + up to 65535 (comment) bytes. */
  private findEocd(): number {
    const end = this.bytes.byteLength;
    const stop = Math.max(0, end - 22 - U16_MAX);
    for (let o = end - 22; o >= stop; o--) {
      if (this.u32(o) === SIG_EOCD && o + 22 + this.u16(o + 20) === end) return o;
    }
    throw this.fail('no end-of-central-directory record (not a zip file, or truncated)');
  }

  private readCentralDirectory(): void {
    if (this.bytes.byteLength < 22) throw this.fail(`only ${this.bytes.byteLength} bytes`);
    const eocd = this.findEocd();
    if (this.u16(eocd + 4) !== 0 || this.u16(eocd + 6) !== 0) throw this.fail('multi-disk archives are not supported');
    let count = this.u16(eocd + 10);
    let cdSize = this.u32(eocd + 12);
    let cdOffset = this.u32(eocd + 16);
    if (count === U16_MAX || cdSize === U32_MAX || cdOffset === U32_MAX) {
      const loc = eocd - 20;
      if (loc < 0 || this.u32(loc) !== SIG_EOCD64_LOCATOR) throw this.fail('ZIP64 locator missing');
      const rec = this.u64(loc + 8);
      this.inRange(rec, 56, 'ZIP64 end-of-central-directory record');
      if (this.u32(rec) !== SIG_EOCD64) throw this.fail('bad ZIP64 end-of-central-directory signature');
      count = this.u64(rec + 32);
      cdSize = this.u64(rec + 40);
      cdOffset = this.u64(rec + 48);
    }
    this.inRange(cdOffset, cdSize, 'central directory');
    let o = cdOffset;
    for (let i = 0; i < count; i++) {
      this.inRange(o, 46, 'central directory entry');
      if (this.u32(o) !== SIG_CENTRAL) throw this.fail(`bad central directory signature at entry ${i}`);
      const flags = this.u16(o + 8);
      const method = this.u16(o + 10);
      const crc = this.u32(o + 16);
      let compressedSize = this.u32(o + 20);
      let size = this.u32(o + 24);
      const nameLen = this.u16(o + 28);
      const extraLen = this.u16(o + 30);
      const commentLen = this.u16(o + 32);
      let localHeaderOffset = this.u32(o + 42);
      this.inRange(o + 46, nameLen + extraLen + commentLen, 'central directory entry');
      const name = new TextDecoder().decode(this.bytes.subarray(o + 46, o + 46 + nameLen));
      if (flags & 1) throw this.fail(`entry ${name} is encrypted`);
      // ZIP64 extended information: only the fields saturated in the fixed part are present, in this order.
      let e = o + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = this.u16(e);
        const len = this.u16(e + 2);
        if (id === 0x0001) {
          let p = e + 4;
          if (size === U32_MAX) {
            size = this.u64(p);
            p += 8;
          }
          if (compressedSize === U32_MAX) {
            compressedSize = this.u64(p);
            p += 8;
          }
          if (localHeaderOffset === U32_MAX) localHeaderOffset = this.u64(p);
        }
        e += 4 + len;
      }
      if (this.entries.has(name)) throw this.fail(`duplicate entry ${name}`);
      this.entries.set(name, { name, method, compressedSize, size, crc32: crc, localHeaderOffset });
      o += 46 + nameLen + extraLen + commentLen;
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Where the entry's (possibly compressed) data starts: after the local header, whose extra field may differ. */
  dataOffset(entry: ZipEntry): number {
    const o = entry.localHeaderOffset;
    this.inRange(o, 30, `local header of ${entry.name}`);
    if (this.u32(o) !== SIG_LOCAL) throw this.fail(`bad local header signature for ${entry.name}`);
    const start = o + 30 + this.u16(o + 26) + this.u16(o + 28);
    this.inRange(start, entry.compressedSize, `data of ${entry.name}`);
    return start;
  }

  /** The entry's bytes: a view for stored entries, a fresh buffer for deflated ones. CRC-checked. */
  read(name: string, { verify = true } = {}): Uint8Array {
    const entry = this.entries.get(name);
    if (!entry) throw this.fail(`no entry named ${name}`);
    const start = this.dataOffset(entry);
    const raw = this.bytes.subarray(start, start + entry.compressedSize);
    let out: Uint8Array;
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.size) throw this.fail(`stored entry ${name} has mismatched sizes`);
      out = raw;
    } else if (entry.method === 8) {
      try {
        // Bounded by the declared size, so a lying entry cannot inflate without limit (zip bomb).
        out = plainBytes(inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) }));
      } catch (err) {
        throw this.fail(`entry ${name} does not inflate (${(err as Error).message})`);
      }
      if (out.byteLength !== entry.size)
        throw this.fail(`entry ${name} inflates to ${out.byteLength}, expected ${entry.size}`);
    } else {
      throw this.fail(
        `entry ${name} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`,
      );
    }
    if (verify && crc32(out) >>> 0 !== entry.crc32) throw this.fail(`CRC-32 mismatch in entry ${name} (corrupted)`);
    return out;
  }
}

/** ZIP files start with a local header (or, when empty, the end record). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 4) return false;
  const sig = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  return sig === SIG_LOCAL || sig === SIG_EOCD;
}
