/** Decoding of the base64 little-endian arrays in the generated model modules. */

function bytes(b64: string): ArrayBuffer {
  const b = Buffer.from(b64, 'base64');
  const out = new ArrayBuffer(b.length); // own, aligned buffer
  new Uint8Array(out).set(b);
  return out;
}

export const decodeFloat32 = (b64: string): Float32Array => new Float32Array(bytes(b64));
export const decodeFloat64 = (b64: string): Float64Array => new Float64Array(bytes(b64));
