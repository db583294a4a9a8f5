/**
 * Regenerates the model parameters shipped in src/metrics/models/ from their originals:
 *   - NIQE pristine MVG (LIVE release): BasicSR's niqe_pris_params.npz (default ../shared/data/niqe/);
 *   - BRISQUE LIVE SVR and feature ranges: OpenCV's brisque_model_live.yml and brisque_range_live.yml
 *     (Debian `opencv-data`: /usr/share/opencv4/quality/).
 * Usage: node --import tsx tools/metrics-models.ts [--npz FILE] [--model FILE] [--range FILE] [--check]
 * With --check nothing is written; it fails if the shipped files differ from what would be generated.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    npz: { type: 'string', default: `${root}../shared/data/niqe/niqe_pris_params.npz` },
    model: { type: 'string', default: '/usr/share/opencv4/quality/brisque_model_live.yml' },
    range: { type: 'string', default: '/usr/share/opencv4/quality/brisque_range_live.yml' },
    check: { type: 'boolean', default: false },
  },
});

const LIVE_NOTICE = `Copyright (c) 2011 The University of Texas at Austin
All rights reserved.

Permission is hereby granted, without written agreement and without license
or royalty fees, to use, copy, modify, and distribute this code (the source
files) and its documentation for any purpose, provided that the copyright
notice in its entirety appear in all copies of this code, and the original
source of this code, Laboratory for Image and Video Engineering (LIVE,
http://live.ece.utexas.edu) and Center for Perceptual Systems (CPS,
http://www.cps.utexas.edu) at the University of Texas at Austin (UT Austin,
http://www.utexas.edu), is acknowledged in any publication that reports
research using this code.

IN NO EVENT SHALL THE UNIVERSITY OF TEXAS AT AUSTIN BE LIABLE TO ANY PARTY
FOR DIRECT, INDIRECT, SPECIAL, INCIDENTAL, OR CONSEQUENTIAL DAMAGES ARISING
OUT OF THE USE OF THIS DATABASE AND ITS DOCUMENTATION, EVEN IF THE UNIVERSITY
OF TEXAS AT AUSTIN HAS BEEN ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

THE UNIVERSITY OF TEXAS AT AUSTIN SPECIFICALLY DISCLAIMS ANY WARRANTIES,
INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND
FITNESS FOR A PARTICULAR PURPOSE. THE DATABASE PROVIDED HEREUNDER IS ON AN
"AS IS" BASIS, AND THE UNIVERSITY OF TEXAS AT AUSTIN HAS NO OBLIGATION TO
PROVIDE MAINTENANCE, SUPPORT, UPDATES, ENHANCEMENTS, OR MODIFICATIONS.`;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Entries of a zip archive (stored or deflated), read through the central directory. */
async function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  const { inflateRawSync } = await import('node:zlib');
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('npz: not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('npz: bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    out.set(name, method === 0 ? Buffer.from(raw) : inflateRawSync(raw));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** A little-endian float64 .npy array, returned in C (row-major) order. */
function parseNpy(buf: Buffer, name: string): { shape: number[]; data: Float64Array } {
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${name}: not a .npy file`);
  const major = buf[6] as number;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const offset = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', offset, offset + headerLen);
  if (!header.includes("'descr': '<f8'")) throw new Error(`${name}: expected <f8 data, header ${header}`);
  const fortran = header.includes("'fortran_order': True");
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .filter((s) => s.trim())
    .map(Number);
  const body = buf.subarray(offset + headerLen);
  const data = new Float64Array(body.length / 8);
  for (let i = 0; i < data.length; i++) data[i] = body.readDoubleLE(i * 8);
  if (!fortran || shape.length < 2) return { shape, data };
  if (shape.length !== 2) throw new Error(`${name}: Fortran-ordered arrays must be 2-D`);
  const [rows, cols] = shape as [number, number];
  const c = new Float64Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) c[i * cols + j] = data[j * rows + i] as number;
  return { shape, data: c };
}

const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g;
const numbers = (s: string): number[] => (s.match(NUMBER) ?? []).map(Number);
function scalar(text: string, key: string): number {
  const m = new RegExp(`\\b${key}:\\s*(${NUMBER.source})`).exec(text);
  if (!m?.[1]) throw new Error(`brisque model: no '${key}'`);
  return Number(m[1]);
}
function between(text: string, from: string, to: string): string {
  const a = text.indexOf(from);
  const b = text.indexOf(to, a + from.length);
  if (a < 0 || b < 0) throw new Error(`brisque model: cannot find '${from}' ... '${to}'`);
  return text.slice(a + from.length, b);
}

const b64 = (a: Float32Array | Float64Array): string =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const commentBlock = (s: string): string =>
  s
    .split('\n')
    .map((l) => ` *${l ? ` ${l}` : ''}`)
    .join('\n');

async function niqeModule(): Promise<string> {
  const file = readFileSync(args.npz);
  const entries = await unzip(file);
  const get = (k: string) => {
    const e = entries.get(`${k}.npy`);
    if (!e) throw new Error(`npz: no ${k}`);
    return parseNpy(e, k);
  };
  const mu = get('mu_pris_param');
  const cov = get('cov_pris_param');
  const win = get('gaussian_window');
  if (mu.data.length !== 36 || cov.data.length !== 36 * 36 || win.data.length !== 49) {
    throw new Error('npz: unexpected shapes');
  }
  return `/**
 * NIQE pristine multivariate-Gaussian model (LIVE NIQE release, 125 pristine images, 96x96 patches),
 * exactly as BasicSR ships it in basicsr/metrics/niqe_pris_params.npz.
 * GENERATED by tools/metrics-models.ts from ${basename(args.npz)} (sha256 ${sha256(file)}); do not edit.
 *
 * Source: A. Mittal, R. Soundararajan and A. C. Bovik, "NIQE Software Release", LIVE, UT Austin,
 * http://live.ece.utexas.edu/research/quality/niqe_release.zip ("Making a Completely Blind Image
 * Quality Analyzer", IEEE SPL 2012).
 *
${commentBlock(LIVE_NOTICE)}
 */

/** float64 little-endian arrays, base64 (decode with ./decode.ts). */
export const NIQE_PRISTINE = {
  /** Mean of the 36 pristine features (18 per scale). */
  mu:
    '${b64(mu.data)}',
  /** 36x36 covariance of the pristine features, row-major. */
  cov:
    '${b64(cov.data)}',
  /** The 7x7 Gaussian window (sigma 7/6) BasicSR uses for the MSCN coefficients, row-major. */
  window:
    '${b64(win.data)}',
} as const;
`;
}

function brisqueModule(): string {
  const modelBuf = readFileSync(args.model);
  const rangeBuf = readFileSync(args.range);
  const model = modelBuf.toString('utf8');
  const range = rangeBuf.toString('utf8');
  if (!/svmType:\s*EPS_SVR/.test(model) || !/type:\s*RBF/.test(model))
    throw new Error('brisque: expected EPS_SVR + RBF');
  const varCount = scalar(model, 'var_count');
  const svTotal = scalar(model, 'sv_total');
  const sv = Float32Array.from(numbers(between(model, 'support_vectors:', 'decision_functions:')));
  const df = model.slice(model.indexOf('decision_functions:'));
  if (scalar(df, 'sv_count') !== svTotal || /\bindex:/.test(df))
    throw new Error('brisque: expected one dense decision function');
  const alpha = Float64Array.from(numbers(between(df, 'alpha:', ']')));
  if (sv.length !== varCount * svTotal || alpha.length !== svTotal)
    throw new Error('brisque: support vector count mismatch');
  const r = numbers(between(range, 'data:', ']'));
  if (r.length !== 2 * varCount) throw new Error('brisque: range must be 2 x var_count');
  return `/**
 * BRISQUE quality model of OpenCV's quality module (opencv_contrib, modules/quality/samples): an
 * EPS-SVR with RBF kernel trained on the LIVE IQA database, and the per-feature min/max used to scale
 * the 36 features to [-1, 1]. Support vectors and the range are float32 as OpenCV stores them.
 * GENERATED by tools/metrics-models.ts from ${basename(args.model)} (sha256 ${sha256(modelBuf)})
 * and ${basename(args.range)} (sha256 ${sha256(rangeBuf)}); do not edit.
 *
 * BRISQUE: A. Mittal, A. K. Moorthy and A. C. Bovik, "No-Reference Image Quality Assessment in the
 * Spatial Domain", IEEE TIP 2012; "BRISQUE Software Release", LIVE, UT Austin, 2011.
 *
${commentBlock(LIVE_NOTICE)}
 */

export const BRISQUE_LIVE = {
  gamma: ${scalar(model, 'gamma')},
  c: ${scalar(model, 'C')},
  p: ${scalar(model, 'p')},
  varCount: ${varCount},
  svTotal: ${svTotal},
  rho: ${scalar(df, 'rho')},
  /** svTotal x varCount float32, little-endian, base64. */
  supportVectors:
    '${b64(sv)}',
  /** svTotal float64 dual coefficients, little-endian, base64. */
  alpha:
    '${b64(alpha)}',
  /** Per-feature minimum (row 0 of the range file), float32 little-endian, base64. */
  rangeMin:
    '${b64(Float32Array.from(r.slice(0, varCount)))}',
  /** Per-feature maximum (row 1 of the range file), float32 little-endian, base64. */
  rangeMax:
    '${b64(Float32Array.from(r.slice(varCount)))}',
} as const;
`;
}

const outputs: [string, string][] = [
  [`${root}src/metrics/models/niqe-pristine.ts`, await niqeModule()],
  [`${root}src/metrics/models/brisque-live.ts`, brisqueModule()],
];
let stale = 0;
for (const [file, text] of outputs) {
  if (args.check) {
    let old = '';
    try {
      old = readFileSync(file, 'utf8');
    } catch {}
    // Formatters may re-wrap the file; only the tokens matter.
    const norm = (t: string) => t.replace(/\s+/g, '').replace(/,([\]}])/g, '$1');
    if (norm(old) !== norm(text)) {
      console.error(`stale: ${file}`);
      stale++;
    }
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${file} (${text.length} bytes)`);
  }
}
if (stale) process.exit(1);
if (!args.check) {
  // Leave the files as the project's formatter would (it decides where long strings wrap).
  execFileSync(`${root}node_modules/.bin/biome`, ['format', '--write', ...outputs.map(([f]) => f)], {
    stdio: 'ignore',
  });
}
