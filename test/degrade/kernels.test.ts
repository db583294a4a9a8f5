import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { besselJ1 } from '../../src/degrade/bessel.js';
import {
  BASICSR_MIXED,
  bivariateGaussian,
  bivariateGeneralizedGaussian,
  bivariatePlateau,
  buildKernel,
  circularLowpassKernel,
  type Kernel,
  padKernel,
  sampleBasicsrBlurKernel,
  sampleMixedKernel,
} from '../../src/degrade/kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { readSafetensors, sharedPath } from './helpers.js';

interface Entry {
  name: string;
  function: string;
  args: Record<string, number | boolean>;
  post?: string;
  shape: [number, number];
}

const meta = JSON.parse(readFileSync(sharedPath('fixtures/degradations/kernels.json'), 'utf8')) as { entries: Entry[] };
const tensors = readSafetensors(sharedPath('fixtures/degradations/kernels.safetensors'));

function fromEntry(e: Entry): Kernel {
  const a = e.args as {
    kernel_size: number;
    sig_x: number;
    sig_y: number;
    theta: number;
    beta: number;
    cutoff: number;
    pad_to: number;
    isotropic: boolean;
  };
  let k: Kernel;
  switch (e.function) {
    case 'bivariate_Gaussian':
      k = bivariateGaussian(a.kernel_size, a.sig_x, a.sig_y, a.theta, a.isotropic);
      break;
    case 'bivariate_generalized_Gaussian':
      k = bivariateGeneralizedGaussian(a.kernel_size, a.sig_x, a.sig_y, a.theta, a.beta, a.isotropic);
      break;
    case 'bivariate_plateau':
      k = bivariatePlateau(a.kernel_size, a.sig_x, a.sig_y, a.theta, a.beta, a.isotropic);
      break;
    case 'circular_lowpass_kernel':
      k = circularLowpassKernel(a.cutoff, a.kernel_size, a.pad_to);
      break;
    default:
      throw new Error(`unknown function ${e.function}`);
  }
  return e.post ? padKernel(k, 21) : k;
}

test('all 98 BasicSR fixture kernels reproduce to 1e-12 (float64)', (t) => {
  assert.equal(meta.entries.length, 98);
  let worst = 0;
  for (const e of meta.entries) {
    const ref = tensors.get(e.name);
    assert.ok(ref, e.name);
    const k = fromEntry(e);
    assert.deepEqual([k.size, k.size], e.shape, e.name);
    let m = 0;
    for (let i = 0; i < k.data.length; i++) m = Math.max(m, Math.abs((k.data[i] as number) - (ref.data[i] as number)));
    assert.ok(m <= 1e-12, `${e.name}: max abs diff ${m}`);
    worst = Math.max(worst, m);
  }
  assert.ok(worst < 1e-12);
  t.diagnostic(`worst kernel max abs diff ${worst}`);
});

test('besselJ1 matches known values and zeros', () => {
  // Abramowitz & Stegun table 9.1 and the first two zeros j_{1,1}, j_{1,2}.
  assert.ok(Math.abs(besselJ1(1) - 0.44005058574493355) < 1e-15);
  assert.ok(Math.abs(besselJ1(2) - 0.5767248077568734) < 1e-15);
  assert.ok(Math.abs(besselJ1(10) - 0.04347274616886144) < 1e-15);
  assert.ok(Math.abs(besselJ1(3.8317059702075125)) < 1e-15);
  assert.ok(Math.abs(besselJ1(7.015586669815619)) < 1e-15);
  assert.equal(besselJ1(-2), -besselJ1(2));
});

test('kernel specs rebuild exactly and sampled kernels are valid', () => {
  const rng = new Rng(3);
  const seen = new Set<string>();
  for (let i = 0; i < 400; i++) {
    const spec = sampleBasicsrBlurKernel(rng);
    seen.add(spec.family);
    const k = buildKernel(spec);
    assert.equal(k.size, 21);
    let s = 0;
    for (const v of k.data) s += v;
    assert.ok(Math.abs(s - 1) < 1e-12);
    const again = buildKernel(JSON.parse(JSON.stringify(spec)));
    assert.deepEqual(again.data, k.data);
    // point symmetry about the centre (all families are even functions of (x, y))
    for (let j = 0; j < k.data.length; j++) {
      assert.ok(Math.abs((k.data[j] as number) - (k.data[k.data.length - 1 - j] as number)) < 1e-15);
    }
  }
  assert.equal(seen.size, 7, `families seen: ${[...seen].join(',')}`);
});

test('mixed-kernel family frequencies follow BasicSR probabilities', () => {
  const rng = new Rng(11);
  const counts = new Map<string, number>();
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const f = sampleMixedKernel(rng, 21).family;
    counts.set(f, (counts.get(f) ?? 0) + 1);
  }
  BASICSR_MIXED.families.forEach((f, i) => {
    const p = BASICSR_MIXED.probs[i] as number;
    const sd = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs((counts.get(f) ?? 0) / n - p) < 5 * sd, `${f}`);
  });
});
