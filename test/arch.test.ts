import { describe, expect, it } from 'vitest';
import { areaBreakdown, areaMm2, clockedAreaMm2At45nm, peakTflops, powerBreakdown, tdpW, unitEnergies } from '../src/arch/cost.js';
import type { Design } from '../src/arch/design.js';
import { PRESET_NAMES, presetDesign, presetInfo } from '../src/arch/presets.js';
import { readTechFile, sramPJPerByte45, loadTechTables } from '../src/arch/tech.js';
import { validateDesign } from '../src/arch/validate.js';
import { presetRows } from '../src/validation/fidelity.js';
import { InputError } from '../src/errors.js';

const a100 = (): Design => presetDesign('a100');

describe('technology tables', () => {
  it('give every constant a source', () => {
    const missing: string[] = [];
    const walk = (x: unknown, path: string) => {
      if (x && typeof x === 'object') {
        const o = x as Record<string, unknown>;
        if ('value' in o && typeof o.value === 'number') {
          if (typeof o.source !== 'string' || o.source.length < 8) missing.push(path);
          return;
        }
        for (const [k, v] of Object.entries(o)) if (!k.startsWith('_')) walk(v, `${path}.${k}`);
      }
    };
    walk(readTechFile(), 'tech');
    expect(missing).toEqual([]);
  });

  it('SRAM energy per byte grows with capacity and reproduces Horowitz 45 nm points', () => {
    const t = loadTechTables();
    expect(sramPJPerByte45(t, 8 * 1024)).toBeCloseTo(1.25, 6); // 10 pJ per 64-bit read of 8 KB
    expect(sramPJPerByte45(t, 1024 * 1024)).toBeCloseTo(12.5, 1); // 100 pJ per 64-bit read of 1 MB
    let prev = 0;
    for (const kib of [1, 8, 32, 256, 1024, 4096, 65536]) {
      const e = sramPJPerByte45(t, kib * 1024);
      expect(e).toBeGreaterThan(prev);
      prev = e;
    }
  });

  it('have a 12 nm node: 16 nm density and memory, 25% less energy per operation; the V100 is on it', () => {
    const t = loadTechTables();
    const { energyScale: e12, ...rest12 } = t.nodes[12];
    const { energyScale: e16, ...rest16 } = t.nodes[16];
    expect(e12).toBeCloseTo(0.75 * e16, 10);
    expect(rest12).toEqual(rest16);
    expect(presetDesign('v100').techNm).toBe(12);
    // same design on 16 nm: the same area, more energy per step
    const v100 = presetDesign('v100');
    const on16: Design = { ...v100, techNm: 16 };
    expect(areaMm2(v100)).toBeCloseTo(areaMm2(on16), 9);
    expect(unitEnergies(v100).macPJ).toBeCloseTo(0.75 * unitEnergies(on16).macPJ, 9);
    expect(tdpW(v100)).toBeLessThan(tdpW(on16));
  });
});

describe('area, power and peak', () => {
  it('peak is 2 FLOPs per MAC per cycle', () => {
    const d = a100();
    expect(peakTflops(d)).toBeCloseTo((2 * d.tensorCores * d.tcRows * d.tcCols * d.clockGHz) / 1e3, 9);
  });

  it('area is the sum of its parts and grows with every resource', () => {
    const d = a100();
    const b = areaBreakdown(d);
    expect(b.totalMm2).toBeCloseTo(b.tensorMm2 + b.vectorMm2 + b.laneOverheadMm2 + b.sramMm2 + b.phyMm2 + b.nocMm2, 9);
    const grow: Partial<Design>[] = [
      { tensorCores: d.tensorCores * 2 }, { tcRows: d.tcRows * 2 }, { vectorLanes: d.vectorLanes * 2 },
      { globalBufferBytes: d.globalBufferBytes * 2 }, { localBufferBytes: d.localBufferBytes * 8 }, { offChipGBs: d.offChipGBs * 2 },
    ];
    for (const g of grow) expect(areaMm2({ ...d, ...g })).toBeGreaterThan(areaMm2(d));
  });

  it('a newer node is smaller and lower power for the same design', () => {
    const d = { ...a100(), techNm: 16 as const };
    expect(areaMm2({ ...d, techNm: 7 })).toBeLessThan(areaMm2(d));
    expect(tdpW({ ...d, techNm: 7 })).toBeLessThan(tdpW(d));
  });

  it('TDP = leakage + clock/control + the more power-hungry of the tensor and vector classes', () => {
    for (const d of [a100(), presetDesign('eyeriss'), presetDesign('tpu-v4'), { ...a100(), vectorLanes: 4096, tcRows: 4, tcCols: 4 }]) {
      const p = powerBreakdown(d);
      const e = unitEnergies(d);
      expect(p.tensorW).toBeCloseTo(d.tensorCores * d.tcRows * d.tcCols * d.clockGHz * 1e9 * e.macPJ * 1e-12, 9);
      expect(p.offChipW).toBeCloseTo(d.offChipGBs * 0.833 * 1e9 * e.offChipPJPerByte * 1e-12, 9);
      const memory = p.globalBufferW + p.nocW + p.offChipW;
      expect(p.tensorClassW).toBeCloseTo(p.tensorW + p.localBufferW + memory, 9);
      expect(p.vectorClassW).toBeCloseTo(p.vectorW + memory, 9);
      expect(p.tdpW).toBeCloseTo(p.leakageW + p.clockW + Math.max(p.tensorClassW, p.vectorClassW), 9);
      expect(p.tdpClass).toBe(p.tensorClassW >= p.vectorClassW ? 'tensor' : 'vector');
    }
    expect(powerBreakdown({ ...a100(), vectorLanes: 4096, tcRows: 4, tcCols: 4 }).tdpClass).toBe('vector');
  });

  it('clock/control power = the calibrated constant × 45 nm-equivalent area × energy scale × clock', () => {
    const t = loadTechTables();
    const d = a100();
    const a = areaBreakdown(d);
    const eq = (a.tensorMm2 + a.vectorMm2 + a.laneOverheadMm2 + a.nocMm2) / t.nodes[7].logicAreaScale + (a.sramMm2 / t.nodes[7].sramMm2PerMiB) * t.nodes[45].sramMm2PerMiB;
    expect(clockedAreaMm2At45nm(d)).toBeCloseTo(eq, 9);
    expect(unitEnergies(d).clockW).toBeCloseTo(t.clockControlPJPerCycleMm2 * eq * t.nodes[7].energyScale * d.clockGHz * 1e9 * 1e-12, 9);
    expect(readTechFile().calibration.clockControlPJPerCycleMm2.source).toBe('calibrated');
  });

  it('a row-stationary design prices its local level per scratchpad, below a systolic design\'s shared buffer', () => {
    const rs = presetDesign('eyeriss');
    const e = unitEnergies(rs);
    expect(e.localBufferPJPerByte).toBeLessThan(unitEnergies({ ...rs, dataflow: 'os' }).localBufferPJPerByte);
    // bigger scratchpads cost more per access
    expect(unitEnergies({ ...rs, localBufferBytes: rs.localBufferBytes * 4 }).localBufferPJPerByte).toBeGreaterThan(e.localBufferPJPerByte);
  });

  it('MAC energy orders by precision', () => {
    const e = (precision: Design['precision']) => unitEnergies({ ...a100(), precision }).macPJ;
    expect(e('int8')).toBeLessThan(e('fp8'));
    expect(e('fp8')).toBeLessThan(e('bf16'));
    expect(e('bf16')).toBeLessThan(e('fp32'));
  });
});

describe('presets (data/reference/chips.json)', () => {
  it('cover the eight named chips', () => {
    expect([...PRESET_NAMES].sort()).toEqual(['a100', 'eyeriss', 'h100', 'nvdla', 'tpu-v2', 'tpu-v3', 'tpu-v4', 'v100']);
  });

  // TPU v2/v3 publish TDPs only through secondary sources (chips.json); the power model meets the issue's
  // measured-power bounds for v3 instead (test/power-model.test.ts), and these two rows are reported, not held
  const SECONDARY_TDP = ['tpu-v2', 'tpu-v3'];
  it.each(PRESET_NAMES.map((n) => [n]))('%s: peak equals the published figure exactly, area and TDP within 25%%', (n) => {
    const p = presetInfo(n);
    if (p.published.peakTflops !== null) expect(Math.abs(p.peakTflops - p.published.peakTflops)).toBeLessThan(1e-9 * p.published.peakTflops);
    // the derived clock stays within 3% of the published clock
    if (p.published.clockGHz !== null) expect(Math.abs(p.design.clockGHz / p.published.clockGHz - 1)).toBeLessThan(0.03);
    if (p.published.areaMm2 !== null) expect(Math.abs(p.areaMm2 / p.published.areaMm2 - 1)).toBeLessThanOrEqual(0.25);
    if (p.published.tdpW !== null && !SECONDARY_TDP.includes(n)) expect(Math.abs(p.tdpW / p.published.tdpW - 1)).toBeLessThanOrEqual(0.25);
    expect(validateDesign(p.design, n)).toEqual(p.design);
  });

  it('preset rows of the fidelity table all pass but the secondary TPU TDPs', () => {
    const rows = presetRows();
    // 7 published peaks, 4 published areas, the TPU v2/v3 TDPs (the GPUs' TDPs are power rows, ±20%)
    expect(rows.map((r) => r.case).filter((c) => / TDP/.test(c))).toEqual(['tpu-v2 TDP vs published', 'tpu-v3 TDP vs published']);
    expect(rows).toHaveLength(13);
    expect(rows.filter((r) => !r.pass && !SECONDARY_TDP.map((n) => `${n} TDP vs published`).includes(r.case))).toEqual([]);
  });

  it('unknown preset names suggest the nearest', () => {
    expect(() => presetDesign('a10')).toThrow(/unknown preset 'a10' \(did you mean 'a100'\?\)/);
  });
});

describe('design validation', () => {
  const bad: [string, unknown, RegExp][] = [
    ['not an object', 42, /a design must be a JSON object/],
    ['negative cores', { ...presetDesign('v100'), tensorCores: -1 }, /tensorCores must be an integer from 1 to 65536 \(cores\), got -1/],
    ['fractional rows', { ...presetDesign('v100'), tcRows: 1.5 }, /tcRows must be an integer/],
    ['NaN clock', { ...presetDesign('v100'), clockGHz: NaN }, /clockGHz must be a number from/],
    ['string bandwidth', { ...presetDesign('v100'), offChipGBs: '900' }, /offChipGBs must be a number .* got "900"/],
    ['huge lanes', { ...presetDesign('v100'), vectorLanes: 1e9 }, /vectorLanes must be an integer from 1 to 65536/],
    ['bad precision', { ...presetDesign('v100'), precision: 'fp64' }, /precision must be one of fp32, bf16, fp16, fp8, int8/],
    ['bad dataflow', { ...presetDesign('v100'), dataflow: 'xs' }, /dataflow must be one of ws, os, is, rs/],
    ['bad node', { ...presetDesign('v100'), techNm: 3 }, /techNm must be one of 65, 45, 16, 12, 7, 5/],
    ['unknown field', { ...presetDesign('v100'), cores: 3 }, /unknown design field 'cores'/],
  ];
  it.each(bad)('rejects %s with one line naming the field', (_n, raw, re) => {
    try {
      validateDesign(raw, 'd.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).toMatch(/^d\.json: /);
      expect((e as Error).message).toMatch(re);
      expect((e as Error).message).not.toContain('\n');
    }
  });
  it('rejects a missing field', () => {
    const { clockGHz: _c, ...rest } = presetDesign('v100');
    expect(() => validateDesign(rest, 'd.json')).toThrow(/clockGHz must be a number .* got nothing/);
  });
});

describe('training throughput against NVIDIA measurements (data/reference/training-throughput.csv)', () => {
  // Single-stream execution (one kernel at a time, as the measured PyTorch runs do), with each preset's launch gap
  // and arrays' rate cap (v100: 83 of 125 TFLOP/s, Markidis et al. 2018). The seq-512 rows were measured with
  // LDDL's 64-token bins: their micro-batches are padded to 320 tokens (LDDL_PHASE2_PADDED_SEQ). The PyTorch
  // ResNet-50 rows were fed by PyTorch's DataLoader (8 workers on the DGX-1, 16 on the DGX A100, 144.5 images/s
  // each, calibrated on the DGX-1 32GB row): both wait on it. MXNet's (DALI, batch 512) do not.
  it('bounds of ±15%, every row within it; the PyTorch ResNet-50 rows wait on their loaders, the MXNet ones do not', async () => {
    const { throughputRows, PYTORCH_LOADER_IMAGES_PER_S_PER_WORKER } = await import('../src/validation/fidelity.js');
    const rows = throughputRows();
    expect(rows.map((r) => r.case)).toEqual([
      'resnet50 on v100, batch 256, single stream, 8 loader workers training throughput',
      'resnet50 on a100, batch 256, single stream, 16 loader workers training throughput',
      'bert-large on v100, batch 64, seq 128, single stream training throughput',
      'bert-large on v100, batch 8, seq 512 binned (padded to 320), single stream training throughput',
      'bert-large on a100, batch 256, seq 128, single stream training throughput',
      'bert-large on a100, batch 32, seq 512 binned (padded to 320), single stream training throughput',
      'resnet50 on a100, batch 512, single stream training throughput (MXNet)',
      'resnet50 on v100, batch 192, single stream training throughput (MXNet)',
    ]);
    expect(rows.map((r) => r.measured)).toEqual([1200, 2470, 224, 75, 580, 210, 3410.52, 1376]);
    // the loader bounds both PyTorch rows: workers × the calibrated rate per worker
    expect(rows[0].predicted).toBeCloseTo(8 * PYTORCH_LOADER_IMAGES_PER_S_PER_WORKER, 6);
    expect(rows[1].predicted).toBeCloseTo(16 * PYTORCH_LOADER_IMAGES_PER_S_PER_WORKER, 6);
    // the chip alone would run them faster than their loaders, and the A100 below MXNet's measurement of the same network
    const { loadTrainingGraph: load } = await import('../src/workload/load.js');
    const { evaluateDesign: ev, prepareWorkload: prep } = await import('../src/evaluate.js');
    const chipOnly = (preset: string) => {
      const { launchOverheadS, arrayRateFraction } = presetInfo(preset);
      const graph = load({ model: 'resnet50', batch: 256, precision: 'bf16' }, { optimizer: 'momentum' });
      return ev(presetDesign(preset), prep(graph), undefined, { execution: 'single-stream', launchOverheadS, arrayRateFraction }).throughput;
    };
    expect(chipOnly('v100')).toBeGreaterThan(rows[0].predicted);
    expect(chipOnly('a100')).toBeGreaterThan(rows[1].predicted);
    expect(rows[6].predicted).toBeLessThan(rows[6].measured);
    for (const row of rows) expect(row.predicted, row.case).toBeGreaterThan(0);
    for (const row of rows) expect(row.allowed).toBe('±15%');
    for (const row of rows) expect(Math.abs(row.errorPct), row.case).toBeLessThanOrEqual(15);
    expect(rows.filter((r) => !r.pass)).toEqual([]);
    // the measured code's attention: the same rows with FlashAttention-style fused attention are faster
    const { loadTrainingGraph } = await import('../src/workload/load.js');
    const { evaluateDesign, prepareWorkload } = await import('../src/evaluate.js');
    const { launchOverheadS, arrayRateFraction } = presetInfo('v100');
    const step = (attention: 'fused' | 'unfused') =>
      evaluateDesign(presetDesign('v100'), prepareWorkload(loadTrainingGraph({ model: 'bert-large', batch: 8, seq: 320, attention, precision: 'bf16' }, { optimizer: 'lamb', gradAccumulationSteps: 256 })), undefined, { execution: 'single-stream', launchOverheadS, arrayRateFraction }).throughput;
    expect(rows[3].predicted).toBeCloseTo(step('unfused'), 6);
    expect(step('fused')).toBeGreaterThan(1.1 * rows[3].predicted);
  });
});

