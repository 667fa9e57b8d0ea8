/**
 * The arrays' rate cap (Kernel.setArrayRate, EvaluateOptions.arrayRateFraction, `--array-rate`): a vendor GEMM
 * library that sustains a share f of the arrays' peak. Every split of an array op then takes at least
 * MACs / (cores × R × C × f) compute cycles; at f = 1 nothing changes. And the binned BERT phase-2 length the
 * seq-512 throughput rows run (LDDL_PHASE2_PADDED_SEQ), re-derived from LDDL's published speedup.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ARRAY_RATE_FRACTION, presetDesign, presetInfo, PRESET_NAMES } from '../src/arch/presets.js';
import { unitEnergies } from '../src/arch/cost.js';
import { Kernel } from '../src/engine/kernel.js';
import * as L from '../src/engine/layout.js';
import { refEvalOp, setRefArrayRate } from '../src/engine/reference.js';
import { evaluateDesign, prepareWorkload } from '../src/evaluate.js';
import { runDistributed } from '../src/distributed/run.js';
import { NETWORKS } from '../src/distributed/network.js';
import { LDDL_BIN64_SPEEDUP, LDDL_PHASE2_PADDED_SEQ } from '../src/validation/fidelity.js';
import { loadTrainingGraph } from '../src/workload/load.js';

const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env: { ...process.env, ACCELMINE_DEBUG: '' } });

let kernel: Kernel;
beforeAll(() => {
  kernel = new Kernel();
});

/** One 128 × 128 output-stationary array per core with buffers and links that never bound. */
function bigArray(cores: number): Float64Array {
  return L.designRecord(
    { tensorCores: cores, tcRows: 128, tcCols: 128, vectorCores: 1, vectorLanes: 128, localBufferBytes: 2 ** 40, globalBufferBytes: 2 ** 41,
      globalBufferGBs: 1e9, offChipBytes: 2 ** 40, offChipGBs: 1e9, nocGBs: 1e9, clockGHz: 1, precision: 'bf16', dataflow: 'os', techNm: 7 },
    { macPJ: 1, vectorOpPJ: 1, localBufferPJPerByte: 0, globalBufferPJPerByte: 0, nocPJPerByte: 0, offChipPJPerByte: 0, leakageW: 0, clockW: 0 },
  );
}

function capped<T>(f: number, fn: () => T): T {
  kernel.setArrayRate(f);
  try {
    return fn();
  } finally {
    kernel.setArrayRate(1);
  }
}

describe('the arrays\' rate cap on one op (hand counts)', () => {
  it('a 1024³ GEMM on one 128 × 128 array: the folds (81,792 cycles) until the cap is slower, then MACs / (R·C·f)', () => {
    const d = bigArray(1);
    const op = L.gemmRecord(1, 1024, 1024, 1024);
    const folds = 8 * 8 * (1024 + 128 + 128 - 2);
    expect(kernel.evaluateOp(d, null, op).computeCycles).toBe(folds);
    // 1024³ / 16,384 = 65,536 cycles at the peak: f = 0.9 allows 72,818, still under the folds
    expect(capped(0.9, () => kernel.evaluateOp(d, null, op).computeCycles)).toBe(folds);
    const half = capped(0.5, () => kernel.evaluateOp(d, null, op));
    expect(half.computeCycles).toBe(131072);
    expect(half.cycles).toBeCloseTo(131072, 0);
    expect(half.bound).toBe('tensor');
    // the same MACs, the same energy: the cap slows the array, it adds no work
    expect(half.energyJ).toBeCloseTo(kernel.evaluateOp(d, null, op).energyJ, 15);
  });

  it('split over cores, the floor is per core: a batch of 4 on 4 cores at f = 0.5 takes 131,072 cycles', () => {
    const c = capped(0.5, () => kernel.evaluateOp(bigArray(4), null, L.gemmRecord(4, 1024, 1024, 1024)));
    expect(c.coresUsed).toBe(4);
    expect(c.computeCycles).toBe(131072);
  });

  it('a new kernel and f = 1 are the uncapped model; f outside (0, 1] is refused, naming what is allowed', () => {
    expect(new Kernel().arrayRateFraction).toBe(1);
    for (const bad of [0, -0.5, 1.5, Number.NaN, Infinity]) {
      expect(() => kernel.setArrayRate(bad)).toThrow(/array rate must be a fraction above 0 and at most 1, got/);
    }
    expect(kernel.arrayRateFraction).toBe(1);
  });
});

describe('the arrays\' rate cap: invariants (random ops and designs)', () => {
  const designs = PRESET_NAMES.map((n) => { const d = presetDesign(n); return L.designRecord(d, unitEnergies(d)); });
  const opArb = fc.oneof(
    fc.record({ b: fc.integer({ min: 1, max: 8 }), m: fc.integer({ min: 1, max: 4096 }), n: fc.integer({ min: 1, max: 4096 }), k: fc.integer({ min: 1, max: 4096 }) })
      .map((g) => L.gemmRecord(g.b, g.m, g.n, g.k)),
    fc.record({ seq: fc.integer({ min: 16, max: 2048 }), backward: fc.boolean(), causal: fc.boolean() })
      .map((a) => L.attentionRecord({ batch: 2, heads: 16, kvHeads: 16, seqQ: a.seq, seqKv: a.seq, headDim: 64, causal: a.causal, dropout: false, backward: a.backward })),
    fc.record({ c: fc.integer({ min: 3, max: 256 }), m: fc.integer({ min: 8, max: 256 }), hw: fc.integer({ min: 7, max: 56 }) })
      .map((v) => L.convRecord({
        batch: 4, inC: v.c, inH: v.hw, inW: v.hw, outC: v.m, outH: v.hw, outW: v.hw, kH: 3, kW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1,
        dilationH: 1, dilationW: 1, groups: 1, pass: 'fwd',
      })),
  );

  it('never faster than MACs / (cores used × R × C × f); a lower f is never faster; the TS reference agrees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: designs.length - 1 }), opArb, fc.double({ min: 0.05, max: 1, noNaN: true }), (di, op, f) => {
        const d = designs[di];
        const free = kernel.evaluateOp(d, null, op);
        const c = capped(f, () => kernel.evaluateOp(d, null, op));
        // the cap moves the compute term only: the op still takes at least its compute, and at least the uncapped op
        expect(c.cycles * (1 + 1e-12)).toBeGreaterThanOrEqual(c.computeCycles);
        if (c.liveMacs > 0) expect(c.computeCycles * (1 + 1e-12)).toBeGreaterThanOrEqual(c.liveMacs / (c.coresUsed * d[L.D_TC_ROWS] * d[L.D_TC_COLS] * f));
        expect(c.cycles * (1 + 1e-12)).toBeGreaterThanOrEqual(free.cycles);
        const ref = new Float64Array(L.RESULT_STRIDE);
        setRefArrayRate(f);
        try {
          refEvalOp(d, 0, op, 0, d[L.D_TENSOR_CORES], ref, 0);
        } finally {
          setRefArrayRate(1);
        }
        expect(Math.abs(ref[L.R_CYCLES] - c.cycles) / Math.max(c.cycles, 1)).toBeLessThan(1e-9);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('the presets\' rates and where they apply', () => {
  it('v100 sustains 83 of its 125 TFLOP/s (Markidis et al. 2018); every other preset is uncapped', () => {
    expect(ARRAY_RATE_FRACTION).toEqual({ v100: 83 / 125 });
    for (const n of PRESET_NAMES) expect(presetInfo(n).arrayRateFraction, n).toBe(n === 'v100' ? 83 / 125 : 1);
  });

  it('evaluateDesign applies it in single-stream execution only, and reports what it applied', () => {
    const w = prepareWorkload(loadTrainingGraph({ model: 'resnet18', batch: 32 }));
    const d = presetDesign('v100');
    const single = (f?: number) => evaluateDesign(d, w, undefined, { execution: 'single-stream', arrayRateFraction: f });
    expect(single().arrayRateFraction).toBe(1);
    const slow = single(0.5);
    expect(slow.arrayRateFraction).toBe(0.5);
    expect(slow.stepTimeS).toBeGreaterThan(single().stepTimeS);
    const conc = evaluateDesign(d, w, undefined, { execution: 'concurrent', arrayRateFraction: 0.5 });
    expect(conc.arrayRateFraction).toBe(1);
    expect(conc.stepTimeS).toBe(evaluateDesign(d, w).stepTimeS);
  });

  it('distributed runs take it too: the v100 step is slower capped than uncapped', async () => {
    const req = (f: number) => runDistributed({
      model: 'gpt2', devices: 2, tp: 1, pp: 1, dp: 2, microbatch: 4, globalBatch: 8, recompute: 'none', interleave: 1, sequenceParallel: false, zero: 0, ep: 1,
      arrayRateFraction: f, autoParallel: false, design: presetDesign('v100'), network: NETWORKS['nvlink-ib'], optimizer: 'adam', precision: 'bf16',
    });
    const [free, cap] = [await req(1), await req(83 / 125)];
    expect(cap.stepTimeS).toBeGreaterThan(free.stepTimeS);
    await expect(req(0)).rejects.toThrow(/^arrayRateFraction must be a number from 0.001 to 1, got 0$/);
  });
});

describe('--array-rate on the CLI', () => {
  it('evaluate --preset v100 single stream says the cap it ran; --array-rate overrides it', () => {
    const r = run('evaluate', '--preset', 'v100', '--model', 'resnet18', '--batch', '8', '--execution', 'single-stream');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('resnet18: batch 8 on v100, single stream (4.0 µs launch gap per kernel; arrays at most 66.4% of peak)');
    const j = JSON.parse(run('evaluate', '--preset', 'v100', '--model', 'resnet18', '--batch', '8', '--execution', 'single-stream', '--array-rate', '1', '--json').stdout);
    expect(j.arrayRateFraction).toBe(1);
  });

  it('bad values and the concurrent schedule are one line naming the flag, exit code 2', () => {
    for (const [args, msg] of [
      [['--array-rate', '0', '--execution', 'single-stream'], /^accelmine: --array-rate must be a number above 0 and at most 1, got "0"$/],
      [['--array-rate', 'abc', '--execution', 'single-stream'], /^accelmine: --array-rate must be a number above 0 and at most 1, got "abc"$/],
      [['--array-rate', '0.5'], /^accelmine: --array-rate applies to --execution single-stream/],
    ] as const) {
      const r = run('evaluate', '--preset', 'v100', '--model', 'resnet18', '--batch', '8', ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toEqual([expect.stringMatching(msg)]);
    }
  });
});

describe('LDDL_PHASE2_PADDED_SEQ: the binned phase-2 length, re-derived from LDDL\'s 1.73x', () => {
  it('of the 64-token bin tops, 320 brings the model\'s a100 phase-2 micro-batch nearest 1/1.73 of its step at 512', () => {
    const { launchOverheadS, arrayRateFraction } = presetInfo('a100');
    const step = (seq: number) => evaluateDesign(presetDesign('a100'), prepareWorkload(loadTrainingGraph(
      { model: 'bert-large', batch: 32, seq, attention: 'unfused', precision: 'bf16' }, { optimizer: 'lamb', gradAccumulationSteps: 128 },
    )), undefined, { execution: 'single-stream', launchOverheadS, arrayRateFraction }).stepTimeS;
    const at512 = step(512);
    const speedups = [256, 320, 384, 448].map((s) => ({ s, x: at512 / step(s) }));
    const nearest = speedups.reduce((a, b) => (Math.abs(b.x - LDDL_BIN64_SPEEDUP) < Math.abs(a.x - LDDL_BIN64_SPEEDUP) ? b : a));
    expect(nearest.s).toBe(LDDL_PHASE2_PADDED_SEQ);
    expect(Math.abs(nearest.x / LDDL_BIN64_SPEEDUP - 1)).toBeLessThan(0.05);
  });
});
