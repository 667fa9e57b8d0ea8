// The row-stationary dataflow in the kernel (assembly/model.ts rsOp, reference src/engine/reference.ts) and
// the Eyeriss AlexNet rows that `accelmine validate` reads through it (data/reference/eyeriss-alexnet.csv).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unitEnergies } from '../src/arch/cost.js';
import { presetDesign } from '../src/arch/presets.js';
import { defaultKernel } from '../src/engine/kernel.js';
import * as L from '../src/engine/layout.js';
import { refEvalOp } from '../src/engine/reference.js';
import { eyerissLayers, eyerissPredictions, eyerissRows } from '../src/validation/eyeriss.js';
import type { Conv2dAttrs } from '../src/workload/ir.js';

const kernel = defaultKernel();
const eyeriss = presetDesign('eyeriss');
const eyerissRec = L.designRecord(eyeriss, unitEnergies(eyeriss));

function both(design: Float64Array, op: Float64Array, cores: number) {
  const wasm = kernel.evaluateOpRecord(design, op, cores).slice();
  const ref = new Float64Array(L.RESULT_STRIDE);
  refEvalOp(design, 0, op, 0, cores, ref, 0);
  return { wasm, ref };
}

describe('row-stationary mapping (Eyeriss, JSSC 2017) in the kernel', () => {
  const layers = eyerissLayers();
  const cost = (i: number) => L.decodeOpResult(kernel.evaluateOpRecord(eyerissRec, L.convRecord(layers[i].attrs, 2), 1));

  it('the eyeriss preset is a row-stationary design whose PEs hold 448/24/48-byte scratchpads', () => {
    expect(eyeriss.dataflow).toBe('rs');
    expect(eyeriss.localBufferBytes / (eyeriss.tcRows * eyeriss.tcCols)).toBe(L.RS_SPAD_FILTER_BYTES + L.RS_SPAD_IFMAP_BYTES + L.RS_SPAD_PSUM_BYTES);
  });

  it('compute cycles = MACs × (1 + 1/(q·S)) / active PEs with Table V\'s active PEs (CONV2 135, CONV3 156, CONV1 four strips)', () => {
    // CONV1: 11 × 55 set in four strips of at most 14 columns, one band at a time; q = 1 (12-word ifmap spad / 11)
    expect(cost(0).computeCycles).toBeCloseTo((cost(0).macs * (1 + 1 / 11)) / ((11 * 55) / 4), 3);
    // CONV2: two strips of a 5 × 27 set in two bands; q = 2
    expect(cost(1).computeCycles).toBeCloseTo((cost(1).macs * (1 + 1 / 10)) / 135, 3);
    // CONV3: four 3 × 13 sets; q = 4
    expect(cost(2).computeCycles).toBeCloseTo((cost(2).macs * (1 + 1 / 12)) / 156, 3);
  });

  it('global-buffer traffic = ifmap × filter passes + filters × images + psums × (2 × channel passes − 1) + off-chip', () => {
    // CONV3: q = 4, p = ⌊224 / 12⌋ = 18, four sets as 2 channel × 2 filter sets: 11 filter passes, 32 channel passes
    const a = layers[2].attrs;
    const I = a.batch * a.inC * a.inH * a.inW;
    const W = a.outC * a.inC * a.kH * a.kW;
    const O = a.batch * a.outC * a.outH * a.outW;
    const c = cost(2);
    expect(c.traffic.offChipBytes).toBe((I + W + O) * 2);
    expect(c.traffic.globalBytes).toBeCloseTo((I * 11 + W * 4 + O * (2 * 32 - 1)) * 2 + c.traffic.offChipBytes, 0);
    // CONV3 reads a ReLU output: per MAC the ifmap read, and the filter read and psum read/write of live MACs
    const live = 1 - L.RELU_ZERO_FRACTION;
    expect(c.traffic.localBytes).toBeCloseTo(((1 + 3 * live) * c.macs + I * 11 + W * 4 + O * 63) * 2, 0);
    expect(c.liveMacs).toBeCloseTo(live * c.macs, 0);
  });

  it('zero gating on a ReLU input saves the MAC and three scratchpad accesses per zero, and no cycles', () => {
    const gated = layers[3].attrs;
    expect(gated.inputZeros).toBe(true);
    const dense = { ...gated, inputZeros: false };
    const on = cost(3);
    const off = L.decodeOpResult(kernel.evaluateOpRecord(eyerissRec, L.convRecord(dense, 2), 1));
    const u = unitEnergies(eyeriss);
    const zeros = L.RELU_ZERO_FRACTION * on.macs;
    expect(on.cycles).toBe(off.cycles);
    expect(on.traffic.globalBytes).toBe(off.traffic.globalBytes);
    expect(off.liveMacs).toBe(off.macs);
    expect(off.traffic.localBytes - on.traffic.localBytes).toBeCloseTo(3 * zeros * 2, 0);
    const savedJ = (zeros * u.macPJ + 3 * zeros * 2 * u.localBufferPJPerByte) * 1e-12;
    expect((off.energyJ - on.energyJ) / savedJ).toBeCloseTo(1, 9);
    // the first layer reads the image: nothing to gate
    expect(layers[0].attrs.inputZeros).toBeUndefined();
    expect(cost(0).liveMacs).toBe(cost(0).macs);
  });

  it('WASM equals the TypeScript reference on forward, data- and weight-gradient convolutions and plain GEMMs', () => {
    const conv = fc.record({
      batch: fc.integer({ min: 1, max: 8 }), inC: fc.integer({ min: 1, max: 64 }), outC: fc.integer({ min: 1, max: 64 }),
      k: fc.integer({ min: 1, max: 11 }), out: fc.integer({ min: 1, max: 60 }), stride: fc.integer({ min: 1, max: 4 }),
      pass: fc.constantFrom('fwd', 'dgrad', 'wgrad' as const),
    });
    const design = fc.record({
      tensorCores: fc.integer({ min: 1, max: 16 }), tcRows: fc.integer({ min: 1, max: 32 }), tcCols: fc.integer({ min: 1, max: 32 }),
      spad: fc.integer({ min: 16, max: 4096 }), cores: fc.integer({ min: 1, max: 16 }),
    });
    fc.assert(
      fc.property(conv, design, (c, g) => {
        const inH = (c.out - 1) * c.stride + c.k;
        const a = { batch: c.batch, inC: c.inC, inH, inW: inH, outC: c.outC, outH: c.out, outW: c.out, kH: c.k, kW: c.k, strideH: c.stride, strideW: c.stride, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, pass: c.pass } as Conv2dAttrs;
        const d = { ...eyeriss, tensorCores: g.tensorCores, tcRows: g.tcRows, tcCols: g.tcCols, localBufferBytes: g.spad * g.tcRows * g.tcCols };
        const rec = L.designRecord(d, unitEnergies(d));
        for (const op of [L.convRecord(a, 2), L.gemmRecord(1, c.out * c.batch, c.outC, c.inC * c.k)]) {
          const { wasm, ref } = both(rec, op, Math.min(g.cores, g.tensorCores));
          // cycles cover compute; energy covers the MACs
          expect(wasm[L.R_CYCLES]).toBeGreaterThanOrEqual(wasm[L.R_COMPUTE_CYCLES]);
          expect(wasm[L.R_ENERGY_J]).toBeGreaterThanOrEqual(wasm[L.R_MACS] * rec[L.D_MAC_PJ] * 1e-12 * (1 - 1e-12));
          for (let i = 0; i < L.RESULT_STRIDE; i++) {
            expect(Math.abs(wasm[i] - ref[i]) / Math.max(1, Math.abs(ref[i])), `slot ${i}`).toBeLessThanOrEqual(1e-9);
          }
        }
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('a pass\'s ifmap and psum tiles must fit the global buffer: VGG-16 CONV2-2 (E = 112) runs q = 1, p = 7, not q = 4, p = 18', () => {
    // 3 images of 128 × 114² in, 128 × 128 × 3² filters, 3 × 128 × 112² out; sets of 3 × 112 in 8 strips on 4 bands:
    // 56 of the 112 ofmap rows in flight, so per channel half an ifmap plane (6498) and per filter half an ofmap
    // plane (6272) in the 54,000-element buffer. The q·r channels of a pass must fit the ifmap share of the buffer
    // (RS_GLB_IFMAP_SHARE × 54,000 = 3,375) with one strip's input rows each (14 + 2 rows of 114 = 1,824): q = 1.
    // Then p = ⌊(54000 − 6498) / 6272⌋ = 7 filters a pass, and every psum is read and written once per channel.
    const vgg = eyerissLayers('vgg16');
    expect(vgg[3].layer).toBe('CONV2-2');
    expect(L.RS_GLB_IFMAP_SHARE * 54000).toBeLessThan(2 * 1824);
    const c = L.decodeOpResult(kernel.evaluateOpRecord(eyerissRec, L.convRecord(vgg[3].attrs, 2), 1));
    const I = 3 * 128 * 114 * 114, W = 128 * 128 * 9, O = 3 * 128 * 112 * 112;
    const arrayIn = I * Math.ceil(128 / 7) + W * 3 + O * (2 * 128 - 1);
    expect(c.traffic.globalBytes).toBeCloseTo(arrayIn * 2 + (I + W + O) * 2, 0);
    // the chip measured 2,402.3 MB of global-buffer accesses on this layer: within 11%
    expect(c.traffic.globalBytes / 1e6 / 2402.3).toBeCloseTo(1.11, 2);
    // a buffer that holds everything keeps the spad-bound p = ⌊224 / (4·3)⌋ = 18: fewer ifmap passes
    const big = { ...eyeriss, globalBufferBytes: 64 * 1024 * 1024 };
    const cb = L.decodeOpResult(kernel.evaluateOpRecord(L.designRecord(big, unitEnergies(big)), L.convRecord(vgg[3].attrs, 2), 1));
    expect(cb.traffic.globalBytes).toBeCloseTo((I * Math.ceil(128 / 18) + W * 3 + O * 63) * 2 + (I + W + O) * 2, 0);
    // and the layer is bound by the global buffer's 16 B per cycle, as the chip measured it
    expect(c.bound).toBe('global-buffer');
    expect(c.cycles).toBeGreaterThanOrEqual(c.traffic.globalBytes / (eyeriss.globalBufferGBs / eyeriss.clockGHz));
  });

  it('one more core never slows a layer whose tiles crowd the buffer (the whole buffer bounds a core\'s pass; one set is tried)', () => {
    // 16 cores of 4 × 16 PEs, a 108 KB global buffer; the data gradient of a 56 × 56, 64 → 64 layer. With the buffer
    // divided among the cores (and every set kept on the array), 16 cores took 696,038 cycles against 335,969 on 15
    const d = { ...eyeriss, tensorCores: 16, tcRows: 4, tcCols: 16, localBufferBytes: 262144, globalBufferGBs: 64, offChipGBs: 1000, nocGBs: 500, clockGHz: 1 };
    const rec = L.designRecord(d, unitEnergies(d));
    const op = L.convRecord({ ...eyerissLayers('vgg16')[5].attrs, batch: 1, inC: 64, inH: 58, inW: 58, outC: 64, outH: 56, outW: 56, pass: 'dgrad' }, 2);
    const cycles = Array.from({ length: 16 }, (_, i) => L.decodeOpResult(kernel.evaluateOpRecord(rec, op, i + 1)).cycles);
    expect(cycles.filter((c, i) => i > 0 && c > cycles[i - 1] * (1 + 1e-12))).toEqual([]);
    expect(cycles[15]).toBeLessThan(cycles[0] / 4);
  });

  it('a bigger global buffer never adds global-buffer traffic to a row-stationary op', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 20, max: 2000 }), fc.integer({ min: 2, max: 8 }), (li, kb, times) => {
        const all = [...eyerissLayers(), ...eyerissLayers('vgg16')];
        const op = L.convRecord(all[li].attrs, 2);
        const at = (bytes: number) => {
          const d = { ...eyeriss, globalBufferBytes: bytes };
          return L.decodeOpResult(kernel.evaluateOpRecord(L.designRecord(d, unitEnergies(d)), op, 1)).traffic.globalBytes;
        };
        expect(at(kb * 1000 * times)).toBeLessThanOrEqual(at(kb * 1000) * (1 + 1e-12));
      }),
      { seed: 5, numRuns: 60 },
    );
  });

  it('a filter taller than the array folds its rows instead of failing', () => {
    const small = { ...eyeriss, tcRows: 4, localBufferBytes: 4 * 14 * 520 };
    const rec = L.designRecord(small, unitEnergies(small));
    const c = L.decodeOpResult(kernel.evaluateOpRecord(rec, L.convRecord(layers[0].attrs, 2), 1));
    // CONV1's 11 filter rows on 4 PE rows: sets of 4 × 55 in four strips, one band: 55 active PEs on average
    expect(c.computeCycles).toBeCloseTo((c.macs * (1 + 1 / 11)) / 55, 3);
    expect(c.cycles).toBeGreaterThanOrEqual(c.computeCycles);
  });
});

describe('Eyeriss AlexNet fidelity rows (validate)', () => {
  const rows = eyerissRows().filter((r) => !r.case.startsWith('eyeriss VGG-16 '));
  const byCase = new Map(rows.map((r) => [r.case, r]));
  it('four rows a layer: latency ±15%, chip power ±20%, global-buffer and DRAM accesses ±25%', () => {
    expect(rows.map((r) => r.case)).toEqual(
      ['CONV1', 'CONV2', 'CONV3', 'CONV4', 'CONV5'].flatMap((l) => [`eyeriss ${l} processing latency`, `eyeriss ${l} chip power`, `eyeriss ${l} global-buffer accesses`, `eyeriss ${l} DRAM accesses`]),
    );
    for (const r of rows) {
      const pct = /latency/.test(r.case) ? 15 : /power/.test(r.case) ? 20 : 25;
      expect(r.allowed).toBe(`±${pct}%`);
      expect(r.pass).toBe(r.predicted >= r.allowedMin - 1e-9 && r.predicted <= r.allowedMax + 1e-9);
    }
  });
  it('holds processing latency within 15% and global-buffer accesses within 25% on every layer', () => {
    for (const l of ['CONV1', 'CONV2', 'CONV3', 'CONV4', 'CONV5']) {
      expect(Math.abs(byCase.get(`eyeriss ${l} processing latency`)!.errorPct)).toBeLessThanOrEqual(15);
      expect(Math.abs(byCase.get(`eyeriss ${l} global-buffer accesses`)!.errorPct)).toBeLessThanOrEqual(25);
    }
  });
  it('chip power is the op\'s energy without DRAM over its time, plus clock/control and leakage', () => {
    const e = unitEnergies(eyeriss);
    for (const p of eyerissPredictions()) {
      const t = p.processingLatencyMs / 1e3;
      const onChip = p.cost.energyJ - p.cost.traffic.offChipBytes * e.offChipPJPerByte * 1e-12;
      expect(p.chipPowerMw).toBeCloseTo((onChip / t + e.clockW + e.leakageW) * 1e3, 6);
    }
  });
});

describe('Eyeriss VGG-16 fidelity rows (validate)', () => {
  const rows = eyerissRows().filter((r) => r.case.startsWith('eyeriss VGG-16 '));
  const layers = eyerissLayers('vgg16');
  it('thirteen layers at batch 3, four rows each, then the whole processing latency and average chip power', () => {
    expect(layers.map((l) => l.layer)).toEqual(['CONV1-1', 'CONV1-2', 'CONV2-1', 'CONV2-2', 'CONV3-1', 'CONV3-2', 'CONV3-3', 'CONV4-1', 'CONV4-2', 'CONV4-3', 'CONV5-1', 'CONV5-2', 'CONV5-3']);
    expect(layers.map((l) => [l.attrs.batch, l.attrs.groups, l.attrs.kH])).toEqual(layers.map(() => [3, 1, 3]));
    expect(rows).toHaveLength(13 * 4 + 2);
    expect(rows.slice(-2).map((r) => [r.case, r.allowed])).toEqual([
      ['eyeriss VGG-16 all layers processing latency', '±15%'],
      ['eyeriss VGG-16 all layers average chip power', '±20%'],
    ]);
  });
  it('the whole latency is the sum of the layers\' and the measured one the table\'s total, 3755.2 ms', () => {
    const total = rows.find((r) => r.case === 'eyeriss VGG-16 all layers processing latency')!;
    expect(total.measured).toBeCloseTo(3755.2, 1);
    const perLayer = rows.filter((r) => / CONV\d-\d processing latency$/.test(r.case));
    expect(total.predicted).toBeCloseTo(perLayer.reduce((a, r) => a + r.predicted, 0), 6);
  });
  it('holds processing latency within 15% and global-buffer accesses within 25% on every layer, and the whole latency within 15%', () => {
    const missed = rows.filter((r) => / (processing latency|global-buffer accesses)$/.test(r.case) && !r.pass);
    expect(missed.map((r) => r.case)).toEqual([]);
    expect(rows.filter((r) => / CONV\d-\d (processing latency|global-buffer accesses)$/.test(r.case))).toHaveLength(26);
  });
  it('the wide layers accumulate few channels a pass, as the chip\'s accesses say: psum passes = channels / (q·r)', () => {
    // measured accesses / (2 × ofmap elements) ≈ psum passes: CONV2-2 (C = 128, E = 112) 125, one channel a pass;
    // CONV3-2 (C = 256, E = 56) 126, two; the model's traffic follows (its psum passes set the layer's time)
    const glb = (l: string) => rows.find((r) => r.case === `eyeriss VGG-16 ${l} global-buffer accesses`)!;
    const ofmapWords = (l: string) => { const a = layers.find((x) => x.layer === l)!.attrs; return a.batch * a.outC * a.outH * a.outW; };
    expect((glb('CONV2-2').measured * 1e6) / 2 / ofmapWords('CONV2-2') / 2).toBeCloseTo(124.7, 0);
    expect((glb('CONV3-2').measured * 1e6) / 2 / ofmapWords('CONV3-2') / 2).toBeCloseTo(126.1, 0);
    expect(glb('CONV2-2').predicted / glb('CONV2-2').measured).toBeGreaterThan(1);
    expect(glb('CONV2-2').predicted / glb('CONV2-2').measured).toBeLessThan(1.15);
  });
  it('the 14 × 14 layers (CONV5, every set on the array at once) hold latency within 15% and traffic within 25%', () => {
    for (const l of ['CONV5-1', 'CONV5-2', 'CONV5-3']) {
      const of = (what: string) => rows.find((r) => r.case === `eyeriss VGG-16 ${l} ${what}`)!;
      expect([of('processing latency'), of('global-buffer accesses'), of('DRAM accesses')].filter((r) => !r.pass)).toEqual([]);
    }
  });
});

describe('row-stationary in the search', () => {
  it('a space listing rs is searched: WHAM proposes rs and the result carries it', async () => {
    const { spawnSync } = await import('node:child_process');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'accelmine-rs-'));
    const space = join(dir, 'space.json');
    writeFileSync(space, JSON.stringify({ values: {
      tensorCores: [4, 16], tcRows: [12, 32], tcCols: [14, 32], vectorCores: [4], vectorLanes: [64], localBufferBytes: [87360, 262144],
      globalBufferBytes: [1048576], globalBufferGBs: [512], offChipBytes: [17179869184], offChipGBs: [256], nocGBs: [512], clockGHz: [1],
      precision: ['bf16'], dataflow: ['rs'], techNm: [7],
    } }));
    const cli = new URL('../dist/cli.js', import.meta.url).pathname;
    const p = spawnSync(process.execPath, [cli, 'search', '--model', 'resnet18', '--batch', '4', '--space', space, '--area', '200', '--tdp', '100', '--budget', '30', '--threads', '1', '--json'], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const r = JSON.parse(p.stdout);
    expect(r.best.design.dataflow).toBe('rs');
    expect(r.best.objective).toBeGreaterThan(0);
    expect(r.best.tdpW).toBeLessThanOrEqual(100);
    expect(r.best.areaMm2).toBeLessThanOrEqual(200);
  });
});
