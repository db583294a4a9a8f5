/**
 * MATLAB-style bicubic imresize against BasicSR's port (torch float32; values recorded by
 * tools/metrics-oracle.py in oracle.json) and against properties of the cubic kernel.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { contributions, imresize } from '../../src/metrics/imresize.js';

const oracle = JSON.parse(readFileSync(fileURLToPath(new URL('./oracle.json', import.meta.url)), 'utf8'));

/** The plane tools/metrics-oracle.py builds: ((7x + 13y) mod 17) / 16 + 0.03 y, in float32. */
function ramp(h: number, w: number): Float32Array {
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = ((x * 7 + y * 13) % 17) / 16 + 0.03 * y;
  return out;
}

describe('imresize', () => {
  for (const c of oracle.imresize as {
    height: number;
    width: number;
    scale: number;
    out_height: number;
    out_width: number;
    values: number[];
  }[]) {
    it(`matches BasicSR for ${c.height}x${c.width} at scale ${c.scale}`, () => {
      const src = { data: ramp(c.height, c.width), width: c.width, height: c.height };
      const f64 = imresize(src, c.scale);
      const f32 = imresize(src, c.scale, { precision: 'float32' });
      assert.equal(f64.width, c.out_width);
      assert.equal(f64.height, c.out_height);
      let worst = 0;
      for (let i = 0; i < c.values.length; i++)
        worst = Math.max(worst, Math.abs((f64.data[i] as number) - (c.values[i] as number)));
      // BasicSR accumulates in float32: values ~1, so a few ulp of float32.
      assert.ok(worst < 2e-6, `float64 vs BasicSR: ${worst}`);
      if (c.scale === 0.5) {
        // The float32 mode reproduces BasicSR bit for bit on its factor-1/2 path (NIQE's).
        assert.deepEqual(Array.from(f32.data), c.values);
      }
    });
  }

  it('output size is ceil(size * scale), or the size asked for', () => {
    const src = { data: new Float64Array(13 * 7), width: 7, height: 13 };
    const a = imresize(src, 0.5);
    assert.deepEqual([a.width, a.height], [4, 7]);
    const b = imresize(src, { width: 10, height: 3 });
    assert.deepEqual([b.width, b.height], [10, 3]);
  });

  it('keeps constants and reproduces linear ramps away from the borders', () => {
    const w = 40;
    const h = 30;
    const c = imresize({ data: new Float64Array(w * h).fill(0.25), width: w, height: h }, 0.5);
    for (const v of c.data) assert.ok(Math.abs(v - 0.25) < 1e-15);
    // Cubic convolution is exact for linear functions when the taps sit symmetrically around the
    // sample point: always when enlarging, and for the antialiased kernel at integer shrink factors.
    const lin = new Float64Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) lin[y * w + x] = 0.5 * x + 0.25 * y;
    for (const scale of [0.5, 0.25, 2, 3]) {
      const r = imresize({ data: lin, width: w, height: h }, scale);
      for (let oy = 4; oy < r.height - 4; oy++) {
        for (let ox = 4; ox < r.width - 4; ox++) {
          // Output pixel centre maps to input coordinate (o + 0.5) / scale - 0.5.
          const want = 0.5 * ((ox + 0.5) / scale - 0.5) + 0.25 * ((oy + 0.5) / scale - 0.5);
          assert.ok(Math.abs((r.data[oy * r.width + ox] as number) - want) < 1e-12, `scale ${scale} at ${ox},${oy}`);
        }
      }
    }
  });

  it('weights: rows sum to 1, the antialiased 1/2 kernel is the stretched Keys cubic', () => {
    const c = contributions(20, 10, 0.5, true);
    assert.equal(c.taps, 8);
    for (let o = 0; o < 10; o++) {
      let s = 0;
      for (let j = 0; j < c.taps; j++) s += c.weights[o * c.taps + j] as number;
      assert.ok(Math.abs(s - 1) < 1e-15);
    }
    const expected = [
      -0.01171875, -0.03515625, 0.11328125, 0.43359375, 0.43359375, 0.11328125, -0.03515625, -0.01171875,
    ];
    assert.deepEqual(Array.from(c.weights.subarray(5 * 8, 6 * 8)), expected);
    // Symmetric padding: output 0 reads input indices 2, 1, 0, 0, 1, 2, 3, 4 (mirrored at the edge).
    assert.deepEqual(Array.from(c.indices.subarray(0, 8)), [2, 1, 0, 0, 1, 2, 3, 4]);
  });

  it('rejects bad arguments', () => {
    const src = { data: new Float64Array(4), width: 2, height: 2 };
    assert.throws(() => imresize(src, 0), /scale must be positive/);
    assert.throws(() => imresize(src, { width: 0, height: 2 }), /invalid output size/);
    assert.throws(() => imresize({ data: new Float64Array(3), width: 2, height: 2 }, 2), /invalid 2x2 plane/);
  });
});
