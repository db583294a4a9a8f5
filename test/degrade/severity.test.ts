/**
 * Severity is monotone: over a few real photos (Kodak, downscaled, centre crops), the mean PSNR of the degraded
 * image falls as the level rank rises, within every series of every type. Each level is drawn and applied with
 * the same seeds (common random numbers), so only the severity differs between levels.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEGRADATIONS } from '../../src/degrade/registry.js';
import { Rng } from '../../src/tensor/rng.js';
import { kodakCrops, psnr } from './helpers.js';

const crops = await kodakCrops(['kodim05', 'kodim14', 'kodim23'], 64);

for (const d of DEGRADATIONS) {
  test(`${d.id} ${d.name}: mean PSNR decreases with the level in every series`, async (t) => {
    const bySeries = new Map<string, { level: string; rank: number; psnr: number }[]>();
    for (const l of d.levels) {
      let sum = 0;
      for (const [i, img] of crops.entries()) {
        const s = d.sample(new Rng(`params-${i}`), l.name);
        const out = await d.apply(img, s.params, new Rng(`apply-${i}`));
        sum += psnr(out, img);
      }
      const rows = bySeries.get(l.series) ?? [];
      rows.push({ level: l.name, rank: l.rank, psnr: sum / crops.length });
      bySeries.set(l.series, rows);
    }
    for (const [series, rows] of bySeries) {
      rows.sort((a, b) => a.rank - b.rank);
      t.diagnostic(`${series}: ${rows.map((r) => r.psnr.toFixed(2)).join(' > ')}`);
      for (let i = 1; i < rows.length; i++) {
        const prev = rows[i - 1];
        const cur = rows[i];
        assert.ok(prev && cur);
        assert.ok(
          cur.psnr < prev.psnr,
          `${cur.level} (${cur.psnr.toFixed(3)} dB) not below ${prev.level} (${prev.psnr.toFixed(3)} dB)`,
        );
      }
      // The mildest level still degrades.
      assert.ok(Number.isFinite(rows[0]?.psnr), `${series}: mildest level is the identity`);
    }
  });
}
