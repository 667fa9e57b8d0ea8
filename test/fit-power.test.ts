import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { presetDesign, presetInfo } from '../src/arch/presets.js';
import { loadTechTables, readTechFile } from '../src/arch/tech.js';
import { evaluateDesign, prepareWorkload } from '../src/evaluate.js';
import { powerRows } from '../src/validation/power-rows.js';
import { loadTrainingGraph } from '../src/workload/load.js';

const FIT_SCRIPT = fileURLToPath(new URL('../scripts/fit-power.mjs', import.meta.url));

describe('power calibration (scripts/fit-power.mjs)', () => {
  it('the four calibrated constants in the technology file are what the fit chooses on the 20 power rows, and all 20 hold', () => {
    const r = spawnSync(process.execPath, [FIT_SCRIPT], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const last = r.stdout.trim().split('\n').at(-1)!;
    const t = loadTechTables();
    expect(last).toContain(
      `best clockControlPJPerCycleMm2 = ${t.clockControlPJPerCycleMm2}, reluZeroFraction = ${t.reluZeroFraction}, ` +
        `16 nm energyScale = ${t.nodes[16].energyScale}, 7 nm energyScale = ${t.nodes[7].energyScale}`,
    );
    expect(last).toMatch(/^rows 20 .*\(rows within bounds 20,/);
  });

  it('marks the 16 and 7 nm energy scales calibrated (the nodes with two measured chips each), and the 12 nm node stays 0.75 × the 16', () => {
    const file = readTechFile() as { nodes: Record<string, { energyScale: { source: string; note?: string } }> };
    for (const n of ['16', '7']) {
      expect(file.nodes[n].energyScale.source, n).toBe('calibrated');
      expect(file.nodes[n].energyScale.note, n).toMatch(/scripts\/fit-power\.mjs/);
    }
    // one chip each: not fitted
    expect(file.nodes['5'].energyScale.source).not.toBe('calibrated');
    expect(file.nodes['65'].energyScale.source).not.toBe('calibrated');
    const t = loadTechTables();
    expect(t.nodes[12].energyScale).toBeCloseTo(0.75 * t.nodes[16].energyScale, 10);
  });

  it("a power row's unscaled part is exactly what the node's energy scale leaves alone (the fit moves the rest linearly)", () => {
    // the V100 on 12 nm and on 16 nm: same area, so the same leakage and off-chip energy; the rest scales 0.75×
    const step = prepareWorkload(loadTrainingGraph({ model: 'resnet18', batch: 32, precision: 'bf16' }));
    const { launchOverheadS, arrayRateFraction } = presetInfo('v100');
    const opts = { execution: 'single-stream' as const, launchOverheadS, arrayRateFraction };
    const on12 = evaluateDesign(presetDesign('v100'), step, undefined, opts);
    const on16 = evaluateDesign({ ...presetDesign('v100'), techNm: 16 }, step, undefined, opts);
    expect(on12.stepTimeS).toBeCloseTo(on16.stepTimeS, 12);
    const unscaled = (e: typeof on12.energy) => e.leakageJ + e.offChipJ;
    expect(unscaled(on12.energy)).toBeCloseTo(unscaled(on16.energy), 9);
    expect(on12.energyJ - unscaled(on12.energy)).toBeCloseTo(0.75 * (on16.energyJ - unscaled(on16.energy)), 9);
  });

  it('every power row carries its node, its clock power and its unscaled power, both inside the prediction', () => {
    const rows = powerRows();
    expect(rows).toHaveLength(15);
    for (const r of rows) {
      expect([7, 5, 12, 16], r.case).toContain(r.techNm);
      expect(r.clockW, r.case).toBeGreaterThan(0);
      expect(r.unscaledW, r.case).toBeGreaterThan(0);
      expect(r.clockW + r.unscaledW, r.case).toBeLessThan(r.predicted);
    }
    expect(rows.filter((r) => r.case.startsWith('tpu-v3')).map((r) => r.techNm)).toEqual([16, 16, 16]);
    expect(rows.filter((r) => r.case.startsWith('v100')).map((r) => r.techNm)).toEqual([12, 12, 12]);
  });
});
