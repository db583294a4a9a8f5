/**
 * A minimal ZIP writer for checkpoints: stored (uncompressed) entries whose data start on `align`-byte
 * boundaries, padded through the local header's extra field the way torch.save does (id "FB", filler 'Z').
 * Aligned data lets readers take zero-copy views (and torch mmap the file). No ZIP64: archives stay below 4 GiB.
 */
import { crc32 } from 'node:zlib';

export interface ZipInput {
  name: string;
  data: Uint8Array;
}

const U32_MAX = 0xffffffff;
/** 1980-01-01 00:00: a fixed, valid DOS timestamp keeps the output reproducible. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const FLAG_UTF8 = 0x0800;

/** Returns the archive as chunks (headers interleaved with views on the entry data; nothing is copied). */
export function encodeZip(entries: readonly ZipInput[], align = 64): Uint8Array[] {
  if (entries.length > 0xffff) throw new Error('zip writer: more than 65535 entries needs ZIP64, not supported');
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = enc.encode(name);
    const crc = crc32(data) >>> 0;
    const headerEnd = offset + 30 + nameBytes.byteLength;
    // The padding record itself takes 4 bytes (id + length), so reserve them before rounding up.
    const pad = align > 1 ? (align - ((headerEnd + 4) % align)) % align : -4;
    const extraLen = pad + 4;
    const local = new Uint8Array(30 + nameBytes.byteLength + extraLen);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true); // version needed: 2.0
    lv.setUint16(6, FLAG_UTF8, true);
    lv.setUint16(8, 0, true); // stored
    lv.setUint16(10, 0, true);
    lv.setUint16(12, DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.byteLength, true);
    lv.setUint32(22, data.byteLength, true);
    lv.setUint16(26, nameBytes.byteLength, true);
    lv.setUint16(28, extraLen, true);
    local.set(nameBytes, 30);
    if (extraLen > 0) {
      const e = 30 + nameBytes.byteLength;
      lv.setUint16(e, 0x4246, true); // "FB"
      lv.setUint16(e + 2, pad, true);
      local.fill(0x5a, e + 4); // 'Z'
    }

    const cd = new Uint8Array(46 + nameBytes.byteLength);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true); // made by: MS-DOS, 2.0
    cv.setUint16(6, 20, true);
    cv.setUint16(8, FLAG_UTF8, true);
    cv.setUint16(10, 0, true);
    cv.setUint16(12, 0, true);
    cv.setUint16(14, DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.byteLength, true);
    cv.setUint32(24, data.byteLength, true);
    cv.setUint16(28, nameBytes.byteLength, true);
    cv.setUint32(42, offset, true);
    cd.set(nameBytes, 46);
    central.push(cd);

    chunks.push(local, data);
    offset += local.byteLength + data.byteLength;
    if (offset > U32_MAX) throw new Error('zip writer: archive exceeds 4 GiB, which needs ZIP64 (not supported)');
  }
  const cdSize = central.reduce((s, c) => s + c.byteLength, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  if (offset + cdSize > U32_MAX)
    throw new Error('zip writer: archive exceeds 4 GiB, which needs ZIP64 (not supported)');
  return [...chunks, ...central, eocd];
}
