/**
 * Just enough EXIF parsing to carry the descriptive text tags of IFD0 (camera, software, date, author,
 * copyright) from a source image to a restored one. sharp can attach EXIF only as such string tags, not as a raw
 * block, and the orientation must not be copied anyway because our pixels are already upright.
 */

/** Tag numbers (decimal, as biome prefers) of the ASCII tags we copy. */
const IFD0_TEXT_TAGS: Record<number, string> = {
  270: 'ImageDescription',
  271: 'Make',
  272: 'Model',
  305: 'Software',
  306: 'DateTime',
  315: 'Artist',
  33432: 'Copyright',
};

/** Returns the ASCII tags of IFD0 from a raw EXIF block (as sharp's metadata().exif gives it); {} if unparsable. */
export function exifTextTags(exif: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let base = 0;
  // sharp returns the APP1 payload, which starts with "Exif\0\0" before the TIFF header.
  if (exif.byteLength >= 6 && String.fromCharCode(...exif.subarray(0, 4)) === 'Exif') base = 6;
  if (exif.byteLength < base + 8) return out;
  const v = new DataView(exif.buffer, exif.byteOffset, exif.byteLength);
  const order = v.getUint16(base);
  if (order !== 0x4949 && order !== 0x4d4d) return out;
  const le = order === 0x4949;
  const ifd = base + v.getUint32(base + 4, le);
  if (ifd + 2 > exif.byteLength) return out;
  const count = v.getUint16(ifd, le);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > exif.byteLength) break;
    const name = IFD0_TEXT_TAGS[v.getUint16(e, le)];
    if (!name || v.getUint16(e + 2, le) !== 2) continue; // type 2 = ASCII
    const n = v.getUint32(e + 4, le);
    const at = n <= 4 ? e + 8 : base + v.getUint32(e + 8, le);
    if (at + n > exif.byteLength) continue;
    let s = '';
    for (const c of exif.subarray(at, at + n)) {
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    if (s.trim()) out[name] = s;
  }
  return out;
}
