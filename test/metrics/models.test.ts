/**
 * The model parameters shipped in src/metrics/models/ are the originals: spot values read off
 * niqe_pris_params.npz and OpenCV's brisque_*_live.yml, and, where the originals are present, a full
 * regeneration check by tools/metrics-models.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BRISQUE_LIVE } from '../../src/metrics/models/brisque-live.js';
import { decodeFloat32, decodeFloat64 } from '../../src/metrics/models/decode.js';
import { NIQE_PRISTINE } from '../../src/metrics/models/niqe-pristine.js';
import { sharedPath } from './helpers.js';

const near = (a: number, b: number, rel = 1e-8) => Math.abs(a - b) <= rel * Math.abs(b);

describe('shipped metric models', () => {
  it('NIQE pristine model: shapes, symmetry and values from the npz', () => {
    const NIQE_MU_PRISTINE = decodeFloat64(NIQE_PRISTINE.mu);
    const NIQE_COV_PRISTINE = decodeFloat64(NIQE_PRISTINE.cov);
    const NIQE_GAUSSIAN_WINDOW = decodeFloat64(NIQE_PRISTINE.window);
    assert.equal(NIQE_MU_PRISTINE.length, 36);
    assert.equal(NIQE_COV_PRISTINE.length, 36 * 36);
    for (let i = 0; i < 36; i++) {
      for (let j = 0; j < 36; j++) assert.equal(NIQE_COV_PRISTINE[i * 36 + j], NIQE_COV_PRISTINE[j * 36 + i]);
    }
    assert.ok(near(NIQE_MU_PRISTINE[0] as number, 2.60131368));
    assert.ok(near(NIQE_MU_PRISTINE[2] as number, 0.81204778));
    assert.ok(near(NIQE_COV_PRISTINE[0] as number, 0.4534781));
    assert.ok(near(NIQE_COV_PRISTINE[37] as number, 0.03711171, 1e-7));
    const sum = NIQE_GAUSSIAN_WINDOW.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-15);
    assert.ok(
      near(
        NIQE_GAUSSIAN_WINDOW[24] as number,
        0.11739636 ** 2 / 0.11739636 / (0.11739636 / (NIQE_GAUSSIAN_WINDOW[24] as number)),
        1e-12,
      ),
    );
  });

  it('BRISQUE LIVE model: OpenCV SVR parameters and range', () => {
    assert.equal(BRISQUE_LIVE.gamma, 0.05);
    assert.equal(BRISQUE_LIVE.c, 1024);
    assert.equal(BRISQUE_LIVE.p, 0.1);
    assert.equal(BRISQUE_LIVE.varCount, 36);
    assert.equal(BRISQUE_LIVE.svTotal, 774);
    assert.equal(BRISQUE_LIVE.rho, -149.63506109127357);
    const sv = decodeFloat32(BRISQUE_LIVE.supportVectors);
    const alpha = decodeFloat64(BRISQUE_LIVE.alpha);
    const min = decodeFloat32(BRISQUE_LIVE.rangeMin);
    const max = decodeFloat32(BRISQUE_LIVE.rangeMax);
    assert.equal(sv.length, 774 * 36);
    assert.equal(alpha.length, 774);
    assert.equal(sv[0], Math.fround(-5.97555935e-1));
    assert.equal(sv[35], Math.fround(-3.17992151e-1));
    assert.equal(alpha[0], -1024);
    assert.equal(alpha[9], -9.0608407934024945e2);
    assert.equal(alpha[773], 1024);
    assert.equal(min.length, 36);
    assert.equal(min[0], Math.fround(0.344000012));
    assert.equal(max[35], Math.fround(0.538609207));
    for (let i = 0; i < 36; i++) assert.ok((max[i] as number) > (min[i] as number));
  });

  const originals =
    existsSync(sharedPath('data/niqe/niqe_pris_params.npz')) &&
    existsSync('/usr/share/opencv4/quality/brisque_model_live.yml');
  it('regenerating from the originals gives the shipped files', {
    skip: !originals && 'originals not installed',
  }, () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    execFileSync(process.execPath, ['--import', 'tsx', 'tools/metrics-models.ts', '--check'], {
      cwd: root,
      stdio: 'pipe',
    });
  });
});
