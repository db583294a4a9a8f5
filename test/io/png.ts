/**
 * A tiny PNG encoder/decoder for tests, written from the PNG specification (no sharp), so image tests have an
 * independent way to make exact inputs (16-bit, palette, grey+alpha) and to inspect what writeImage produced.
 * Non-interlaced only.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

export interface Png {
  width: number;
  height: number;
  bitDepth: 8 | 16;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: 0 | 2 | 3 | 4 | 6;
  /** Interleaved samples (palette indices for type 3). */
  samples: Uint8Array | Uint16Array;
  palette?: Uint8Array;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.byteLength, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
  return Buffer.concat([head, data, crc]);
}

export function encodePng(p: Png): Buffer {
  const ch = CHANNELS[p.colorType]!;
  const bps = p.bitDepth / 8;
  const stride = p.width * ch * bps;
  const raw = Buffer.alloc((stride + 1) * p.height);
  for (let y = 0; y < p.height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    for (let i = 0; i < p.width * ch; i++) {
      const v = p.samples[y * p.width * ch + i]!;
      const o = y * (stride + 1) + 1 + i * bps;
      if (bps === 2) raw.writeUInt16BE(v, o);
      else raw[o] = v;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(p.width, 0);
  ihdr.writeUInt32BE(p.height, 4);
  ihdr[8] = p.bitDepth;
  ihdr[9] = p.colorType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(p.palette ? [chunk('PLTE', p.palette)] : []),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export function decodePng(bytes: Uint8Array): Png {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 8;
  let colorType = 0;
  let palette: Uint8Array | undefined;
  const idat: Buffer[] = [];
  while (o < b.length) {
    const len = b.readUInt32BE(o);
    const type = b.toString('latin1', o + 4, o + 8);
    const data = b.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data[8]!;
      colorType = data[9]!;
      if (data[12] !== 0) throw new Error('interlaced PNGs are not supported by this helper');
    } else if (type === 'PLTE') palette = new Uint8Array(data);
    else if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  if (bitDepth !== 8 && bitDepth !== 16) throw new Error(`bit depth ${bitDepth} not supported by this helper`);
  const ch = CHANNELS[colorType]!;
  const bpp = (ch * bitDepth) / 8;
  const stride = width * bpp;
  const raw = inflateSync(Buffer.concat(idat));
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= bpp ? out[y * stride + x - bpp]! : 0;
      const up = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp]! : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = up;
      else if (filter === 3) pred = (a + up) >> 1;
      else if (filter === 4) {
        const p = a + up - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
      }
      out[y * stride + x] = (v + pred) & 0xff;
    }
  }
  const n = width * height * ch;
  const samples = bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) samples[i] = bitDepth === 16 ? out.readUInt16BE(i * 2) : out[i]!;
  return {
    width,
    height,
    bitDepth: bitDepth as 8 | 16,
    colorType: colorType as Png['colorType'],
    samples,
    ...(palette ? { palette } : {}),
  };
}
