import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { flattenOps } from '../src/engine/flatten.js';
import { compileKernel, Kernel } from '../src/engine/kernel.js';
import * as L from '../src/engine/layout.js';
import { RS_SCRATCHPAD_BYTES } from '../src/arch/design.js';
import * as CL from '../src/engine/climb-layout.js';
import { NOC_MM2_PER_GBS_45NM } from '../src/arch/cost.js';
import { PRECISIONS, TECH_NODES, type Design } from '../src/arch/design.js';
import { BUILTIN_SPACES, designFromChoice, randomChoice, rng, SPACE_PARAMS } from '../src/arch/space.js';
import { PRESET_NAMES, presetDesign } from '../src/arch/presets.js';
import { OBJECTIVES } from '../src/evaluation/objectives.js';
import { foldCycles, OFFCHIP_SUSTAINED_FRACTION, refEvalOp, refEvaluateStep } from '../src/engine/reference.js';
import { loadTechTables } from '../src/arch/tech.js';
import type { Op } from '../src/workload/ir.js';

const {
  D_CLOCK_GHZ, D_ELEMENT_BYTES, D_GLOBAL_BUFFER_BYTES, D_GLOBAL_BUFFER_GBS, D_LOCAL_BUFFER_BYTES, D_MAC_PJ,
  D_NOC_GBS, D_OFFCHIP_GBS, D_TC_COLS, D_TC_ROWS, D_TENSOR_CORES, DESIGN_STRIDE, DF_IS, DF_OS, DF_WS, O_BYTES,
  O_ELEMENT_BYTES, OP_STRIDE, R_BOUND, R_COMPUTE_CYCLES, R_CYCLES, R_ENERGY_J, R_GLOBAL_BYTES, R_MACS, R_NOC_BYTES,
  R_OFFCHIP_BYTES, RESULT_STRIDE, STEP_STRIDE,
} = L;

let kernel: Kernel;
beforeAll(() => {
  kernel = new Kernel();
});

// ------------------------------------------------------------------------------------------------
// generators
// ------------------------------------------------------------------------------------------------
const logInt = (lo: number, hi: number) =>
  fc.double({ min: Math.log2(lo), max: Math.log2(hi), noNaN: true }).map((x) => Math.max(lo, Math.min(hi, Math.round(2 ** x))));
const logReal = (lo: number, hi: number) => fc.double({ min: Math.log2(lo), max: Math.log2(hi), noNaN: true }).map((x) => 2 ** x);

const designArb: fc.Arbitrary<Float64Array> = fc
  .record({
    tensorCores: logInt(1, 64),
    tcRows: logInt(1, 256),
    tcCols: logInt(1, 256),
    vectorCores: logInt(1, 64),
    vectorLanes: logInt(1, 256),
    localBufferBytes: logInt(256, 64 << 20),
    globalBufferBytes: logInt(1 << 12, 1 << 30),
    globalBufferGBs: logReal(1, 20000),
    offChipBytes: logInt(1 << 30, 2 ** 40),
    offChipGBs: logReal(1, 5000),
    nocGBs: logReal(1, 20000),
    clockGHz: logReal(0.1, 3),
    precision: fc.constantFrom('fp32', 'bf16', 'fp16', 'fp8', 'int8' as const),
    dataflow: fc.constantFrom('ws', 'os', 'is', 'rs' as const),
    techNm: fc.constantFrom(45, 16, 7, 5 as const),
    macPJ: logReal(0.01, 10),
    vectorOpPJ: logReal(0.01, 10),
    localBufferPJPerByte: logReal(0.01, 5),
    globalBufferPJPerByte: logReal(0.01, 10),
    nocPJPerByte: logReal(0.01, 10),
    offChipPJPerByte: logReal(1, 100),
    leakageW: logReal(0.01, 100),
    clockW: logReal(0.01, 100),
  })
  .map((r) => L.designRecord(r as Design, r));

const gemmArb: fc.Arbitrary<Float64Array> = fc
  .record({
    b: logInt(1, 256),
    m: logInt(1, 1 << 17),
    n: logInt(1, 1 << 15),
    k: logInt(1, 1 << 17),
    eb: fc.constantFrom(1, 2, 4),
    bytesFactor: fc.double({ min: 0.1, max: 3, noNaN: true }),
    conv: fc.boolean(),
  })
  .map(({ b, m, n, k, eb, bytesFactor, conv }) => {
    const r = L.gemmRecord(b, m, n, k, eb);
    if (conv) {
      r[L.O_KIND] = L.K_CONV2D;
      r[O_BYTES] *= bytesFactor;
    }
    return r;
  });

const vectorArb: fc.Arbitrary<Float64Array> = fc
  .record({
    kind: fc.constantFrom(L.K_ELEMENTWISE, L.K_NORM, L.K_SOFTMAX, L.K_POOL, L.K_EMBEDDING, L.K_CONCAT, L.K_RESHAPE, L.K_TRANSPOSE, L.K_OPTIMIZER),
    elements: logInt(1, 1 << 28),
    flopsPer: fc.constantFrom(0, 1, 4, 12),
    bytesPer: fc.constantFrom(0, 2, 6, 16),
    eb: fc.constantFrom(1, 2, 4),
  })
  .map(({ kind, elements, flopsPer, bytesPer, eb }) => L.vectorRecord(kind, elements, elements * flopsPer, elements * bytesPer, eb));

/** fused attention passes: batch × heads (grouped-query when kvHeads < heads), causal or not, forward or backward */
const attentionArb: fc.Arbitrary<Float64Array> = fc
  .record({
    batch: fc.integer({ min: 1, max: 8 }), kvHeads: fc.integer({ min: 1, max: 8 }), group: fc.constantFrom(1, 2, 8),
    seq: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constantFrom(128, 512, 2048)), headDim: fc.constantFrom(16, 64, 80, 128),
    causal: fc.boolean(), dropout: fc.boolean(), backward: fc.boolean(), eb: fc.constantFrom(1, 2, 4),
  })
  .map((a) => L.attentionRecord({
    batch: a.batch, heads: a.kvHeads * a.group, kvHeads: a.kvHeads, seqQ: a.seq, seqKv: a.seq, headDim: a.headDim,
    causal: a.causal, dropout: a.dropout, backward: a.backward,
  }, a.eb));

const opArb = fc.oneof(gemmArb, gemmArb, attentionArb, vectorArb, fc.constant(L.vectorRecord(L.K_COLLECTIVE, 0, 0, 1e6)));

function rel(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

function refOp(d: Float64Array, o: Float64Array, cores = d[D_TENSOR_CORES]): Float64Array {
  const r = new Float64Array(RESULT_STRIDE);
  refEvalOp(d, 0, o, 0, cores, r, 0);
  return r;
}

function withField(d: Float64Array, field: number, value: number): Float64Array {
  const c = d.slice();
  c[field] = value;
  return c;
}

const NOT_SLOWER = 1 + 1e-12;

// ------------------------------------------------------------------------------------------------
describe('layout', () => {
  it('the ReLU zero share written into rs op records is the calibrated one of data/tech/technology.json', () => {
    expect(loadTechTables().reluZeroFraction).toBe(L.RELU_ZERO_FRACTION);
    expect(L.RELU_ZERO_FRACTION).toBeGreaterThan(0);
    expect(L.RELU_ZERO_FRACTION).toBeLessThanOrEqual(0.8);
  });
  it('the row-stationary scratchpad split of the kernel\'s mapping is the cost model\'s (Eyeriss 448 : 24 : 48 B)', () => {
    expect([L.RS_SPAD_FILTER_BYTES, L.RS_SPAD_IFMAP_BYTES, L.RS_SPAD_PSUM_BYTES]).toEqual([RS_SCRATCHPAD_BYTES.filter, RS_SCRATCHPAD_BYTES.ifmap, RS_SCRATCHPAD_BYTES.psum]);
  });
  it('kernel, reference and data/tech/technology.json hold one sustained off-chip bandwidth share (750 of 900 GB/s)', () => {
    expect(loadTechTables().offChipSustainedFraction).toBe(OFFCHIP_SUSTAINED_FRACTION);
    expect(OFFCHIP_SUSTAINED_FRACTION).toBeCloseTo(750 / 900, 3);
    // the kernel refuses to start when its constant differs (checked at instantiation)
    expect(() => new Kernel()).not.toThrow();
  });

  /** The `export const NAME: i32|f64 = literal;` constants of an AssemblyScript layout file. */
  const asConstants = (file: string) => {
    const src = readFileSync(new URL(`../assembly/${file}`, import.meta.url), 'utf8');
    const consts = new Map<string, number>();
    for (const m of src.matchAll(/^export const ([A-Z][A-Z0-9_]*): (?:i32|f64) = (-?[\d.]+);/gm)) consts.set(m[1], Number(m[2]));
    // every exported constant must be a literal the pattern above reads
    expect(src.match(/^export const /gm)!.length, file).toBe(consts.size + (file === 'layout.ts' ? 1 : 0));
    return { src, consts };
  };
  const tsConstants = (mod: object) => Object.entries(mod).filter(([k, v]) => /^[A-Z][A-Z0-9_]*$/.test(k) && typeof v === 'number');

  // every record layout is one of these pairs: the TypeScript definition and its AssemblyScript mirror
  for (const [asFile, tsFile, mod, atLeast] of [
    ['layout.ts', 'src/engine/layout.ts', L, 80],
    ['climb-layout.ts', 'src/engine/climb-layout.ts', CL, 80],
  ] as const) {
    it(`assembly/${asFile} mirrors ${tsFile} constant for constant`, () => {
      const { consts } = asConstants(asFile);
      const ts = tsConstants(mod);
      expect(ts.length).toBeGreaterThan(atLeast);
      for (const [k, v] of ts) expect(consts.get(k), k).toBe(v);
      expect(consts.size).toBe(ts.length);
    });
  }

  it('the per-kind vector cost table of assembly/layout.ts is the TypeScript one', () => {
    const table = /VEC_CYCLES_PER_FLOP: StaticArray<f64> = \[([^\]]*)\]/.exec(asConstants('layout.ts').src);
    expect(table).not.toBeNull();
    expect(table![1].split(',').map(Number)).toEqual([...L.VEC_CYCLES_PER_FLOP]);
    expect(L.VEC_CYCLES_PER_FLOP.length).toBe(L.KIND_COUNT);
  });

  it('the climb records follow the host orders and fit their strides', () => {
    // choices in SPACE_PARAMS order, objective ids in OBJECTIVES order, resources in bound-code order
    const P = { tensorCores: CL.P_TENSOR_CORES, tcRows: CL.P_TC_ROWS, tcCols: CL.P_TC_COLS, vectorCores: CL.P_VECTOR_CORES,
      vectorLanes: CL.P_VECTOR_LANES, localBufferBytes: CL.P_LOCAL_BUFFER_BYTES, globalBufferBytes: CL.P_GLOBAL_BUFFER_BYTES,
      globalBufferGBs: CL.P_GLOBAL_BUFFER_GBS, offChipBytes: CL.P_OFFCHIP_BYTES, offChipGBs: CL.P_OFFCHIP_GBS, nocGBs: CL.P_NOC_GBS,
      clockGHz: CL.P_CLOCK_GHZ, precision: CL.P_PRECISION, dataflow: CL.P_DATAFLOW, techNm: CL.P_TECH_NM };
    expect(SPACE_PARAMS.map((p) => P[p as keyof typeof P])).toEqual(SPACE_PARAMS.map((_, i) => i));
    expect(SPACE_PARAMS.length).toBe(CL.CHOICE_PARAMS);
    expect([CL.OBJ_THROUGHPUT, CL.OBJ_PERF_PER_TDP, CL.OBJ_PERF_PER_AREA, CL.OBJ_ENERGY, CL.OBJ_EDP].map((i) => OBJECTIVES[i]))
      .toEqual(['throughput', 'perf-per-tdp', 'perf-per-area', 'energy', 'edp']);
    expect(CL.CLIMB_RESOURCES).toBe(L.B_OFFCHIP + 1);
    expect(CL.RES_STRIDE).toBe(CL.RES_MAX + 1);
    expect(CL.TIE_STRIDE).toBe(3);
    expect(CL.H_BEST_GOODNESS).toBe(CL.H_FINAL_CHOICE + CL.CHOICE_PARAMS);
    expect(CL.REC_CHOICE + CL.CHOICE_PARAMS).toBeLessThanOrEqual(CL.REC_HEAD + CL.CHOICE_PARAMS);
    expect(CL.TECH_MAX).toBe(CL.T_NODES + CL.TECH_MAX_NODES * CL.TN_STRIDE);
    expect(CL.T_MAC_AREA_UM2 - CL.T_MAC_PJ).toBe(PRECISIONS.length);
    expect(TECH_NODES.length).toBeLessThanOrEqual(CL.TECH_MAX_NODES);
    expect(CL.SH_WEIGHT).toBeLessThan(CL.SH_STRIDE);
    // the technology record: every slot written, nodes in TECH_NODES order
    const t = CL.techRecord({ tables: loadTechTables(), nocMm2PerGBs45nm: NOC_MM2_PER_GBS_45NM });
    expect(t.length).toBe(CL.T_NODES + TECH_NODES.length * CL.TN_STRIDE);
    expect(t[CL.T_NODE_COUNT]).toBe(TECH_NODES.length);
    expect(TECH_NODES.map((_, i) => t[CL.T_NODES + i * CL.TN_STRIDE + CL.TN_NM])).toEqual([...TECH_NODES]);
    expect([...t].filter((v) => !(Number.isFinite(v) && v > 0))).toEqual([]);
  });

  it('kind and phase codes follow the IR orders; record fields fit their strides', () => {
    expect(L.KIND_CODES.gemm).toBe(L.K_GEMM);
    expect(L.KIND_CODES.optimizer).toBe(L.K_OPTIMIZER);
    expect(L.KIND_CODES.collective).toBe(L.K_COLLECTIVE);
    expect(L.D_LEAKAGE_W).toBeLessThan(DESIGN_STRIDE);
    expect(L.O_UNIT).toBeLessThan(OP_STRIDE);
    expect(L.R_UTILIZATION).toBeLessThan(RESULT_STRIDE);
    expect(L.S_BOUND_CYCLES + L.BOUND_COUNT).toBeLessThanOrEqual(L.S_NONOVERLAP_CYCLES);
    expect(L.S_VALID).toBeLessThan(STEP_STRIDE);
  });

  it('readDesign inverts writeDesignFields (how the pool ships designs): every preset and space design, field for field', () => {
    expect(L.DESIGN_FIELDS).toBe(L.D_TECH_NM + 1);
    const rand = rng(3);
    const designs = [...PRESET_NAMES.map((n) => presetDesign(n)), ...Array.from({ length: 500 }, () => designFromChoice(BUILTIN_SPACES.large, randomChoice(BUILTIN_SPACES.large, rand)))];
    const packed = new Float64Array(designs.length * L.DESIGN_FIELDS);
    designs.forEach((d, i) => L.writeDesignFields(packed, i * L.DESIGN_FIELDS, d));
    designs.forEach((d, i) => expect(L.readDesign(packed, i * L.DESIGN_FIELDS)).toStrictEqual(d));
    // fields in the order of a space's designs
    expect(Object.keys(L.readDesign(packed, 0))).toEqual(Object.keys(designs.at(-1)!));
    // the record's own fields are the same numbers writeDesign writes
    const full = L.designRecord(designs[0], { macPJ: 1, vectorOpPJ: 1, localBufferPJPerByte: 1, globalBufferPJPerByte: 1, nocPJPerByte: 1, offChipPJPerByte: 1, leakageW: 1, clockW: 1 });
    expect([...full.subarray(0, L.DESIGN_FIELDS)]).toEqual([...packed.subarray(0, L.DESIGN_FIELDS)]);
  });

  it('a precompiled module can be shared (as pool workers do)', () => {
    const k2 = new Kernel({ module: compileKernel() });
    expect(k2.systolicCycles(DF_OS, 4, 4, 4, 4, 8)).toBe(14);
  });

  it('the debug build (assertions on) computes the same numbers', () => {
    const dbg = new Kernel({ build: 'debug' });
    fc.assert(
      fc.property(designArb, opArb, (d, o) => {
        const a = dbg.evaluateOpRecord(d, o);
        const b = kernel.evaluateOpRecord(d, o);
        for (let i = 0; i < RESULT_STRIDE; i++) expect(rel(a[i], b[i])).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});

// ------------------------------------------------------------------------------------------------
/**
 * Independent count of SCALE-Sim v2's compute cycles: per fold the number of rows of its demand matrices
 * (prefix/suffix padding plus the skew of R−1 rows), summed over folds.
 *  OS: ifmap demand = T rows + (C−1) drain rows, skewed by R−1           → T + C − 1 + R − 1
 *  WS: ifmap demand = R weight-load rows + T rows + (C−1) rows, skew R−1 → 2R + C + T − 2
 *  IS: ifmap demand = R rows (flipped) + (R + C + T − 2) rows, no skew    → 2R + C + T − 2
 */
function scaleSimRows(df: number, R: number, C: number, m: number, n: number, k: number): number {
  let sr: number, sc: number, T: number;
  if (df === DF_OS) [sr, sc, T] = [m, n, k];
  else if (df === DF_WS) [sr, sc, T] = [k, n, m];
  else [sr, sc, T] = [k, m, n];
  let total = 0;
  for (let fc_ = 0; fc_ < Math.ceil(sc / C); fc_++) {
    for (let fr = 0; fr < Math.ceil(sr / R); fr++) {
      let rows: number;
      if (df === DF_OS) rows = T + (C - 1) + (R - 1);
      else if (df === DF_WS) rows = R + T + (C - 1) + (R - 1);
      else rows = R + (R + C + T - 2);
      total += rows;
    }
  }
  return total;
}

describe('systolic fold timing (SCALE-Sim v2)', () => {
  it('hand-checked tiny GEMMs, per dataflow', () => {
    // OS: Sr=M, Sc=N, T=K. 4×4 array, 4×8·8×4: one fold of 8+4+4−2 = 14 cycles
    expect(kernel.systolicCycles(DF_OS, 4, 4, 4, 4, 8)).toBe(14);
    // OS: M=6 → two row folds of 3+4+4−2 = 9 → 18
    expect(kernel.systolicCycles(DF_OS, 4, 4, 6, 4, 3)).toBe(18);
    // WS: Sr=K=8 (2 folds), Sc=N=6 (2 folds), T=M=5: 4 × (2·4+4+5−2) = 60
    expect(kernel.systolicCycles(DF_WS, 4, 4, 5, 6, 8)).toBe(60);
    // WS: 1×1 array, M=N=K=1: 2+1+1−2 = 2
    expect(kernel.systolicCycles(DF_WS, 1, 1, 1, 1, 1)).toBe(2);
    // IS: Sr=K=4 (R=2: 2 folds), Sc=M=6 (C=4: 2 folds), T=N=3: 4 × (4+4+3−2) = 36
    expect(kernel.systolicCycles(DF_IS, 2, 4, 6, 3, 4)).toBe(36);
    // IS: one fold, 8×8 array, M=8, N=16, K=8: 16+8+16−2 = 38
    expect(kernel.systolicCycles(DF_IS, 8, 8, 8, 16, 8)).toBe(38);
  });

  it('matches the demand-matrix row count on random small GEMMs', () => {
    fc.assert(
      fc.property(fc.constantFrom(DF_WS, DF_OS, DF_IS), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }),
        (df, R, C, m, n, k) => {
          expect(kernel.systolicCycles(df, R, C, m, n, k)).toBe(scaleSimRows(df, R, C, m, n, k));
          expect(foldCycles(df, R, C, m, n, k)).toBe(scaleSimRows(df, R, C, m, n, k));
        }),
      { numRuns: 300, seed: 1 },
    );
  });

  it('a lone big GEMM on one huge-buffer array is compute-bound at the fold count', () => {
    const d = L.designRecord(
      { tensorCores: 1, tcRows: 128, tcCols: 128, vectorCores: 1, vectorLanes: 128, localBufferBytes: 2 ** 40, globalBufferBytes: 2 ** 41,
        globalBufferGBs: 1e9, offChipBytes: 2 ** 40, offChipGBs: 1e9, nocGBs: 1e9, clockGHz: 1, precision: 'bf16', dataflow: 'os', techNm: 7 },
      { macPJ: 1, vectorOpPJ: 1, localBufferPJPerByte: 0, globalBufferPJPerByte: 0, nocPJPerByte: 0, offChipPJPerByte: 0, leakageW: 0, clockW: 0 },
    );
    const c = kernel.evaluateOp(d, null, L.gemmRecord(1, 1024, 1024, 1024));
    expect(c.computeCycles).toBe(8 * 8 * (1024 + 128 + 128 - 2));
    expect(c.bound).toBe('tensor');
    expect(c.cycles).toBeCloseTo(c.computeCycles, 0);
    expect(c.energyJ).toBeCloseTo(1024 ** 3 * 1e-12, 15);
  });
});

// ------------------------------------------------------------------------------------------------
describe('WASM kernel vs TypeScript reference', () => {
  it('agree to 1e-9 relative on random ops and designs (every result field)', () => {
    fc.assert(
      fc.property(designArb, opArb, logInt(1, 64), (d, o, cores) => {
        const c = Math.min(cores, d[D_TENSOR_CORES]);
        const a = kernel.evaluateOpRecord(d, o, c);
        const b = refOp(d, o, c);
        for (let i = 0; i < RESULT_STRIDE; i++) expect(rel(a[i], b[i]), `field ${i}`).toBeLessThanOrEqual(1e-9);
      }),
      { numRuns: 1000, seed: 42 },
    );
  });

  it('agree on whole-step batches, including batches that force new memory reservations', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 30 }), fc.array(designArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 5 }),
        (ops, designs, count) => {
          const table = new Float64Array(ops.length * OP_STRIDE);
          ops.forEach((o, i) => {
            table.set(o, i * OP_STRIDE);
            table[i * OP_STRIDE + L.O_COUNT] = ((i % count) + 1);
          });
          const graph = {
            ops: table, nUnique: ops.length, nOps: ops.length, opSlot: Int32Array.from(ops.keys()), opPhase: new Int32Array(ops.length),
            depOffsets: new Int32Array(ops.length + 1), depIndex: new Int32Array(0), slotKeys: ops.map((_, i) => String(i)), slotFirstOp: Int32Array.from(ops.keys()),
          };
          kernel.loadGraph(graph);
          const batch = new Float64Array(designs.length * DESIGN_STRIDE);
          designs.forEach((d, i) => batch.set(d, i * DESIGN_STRIDE));
          const got = kernel.evaluateStep(batch);
          const want = new Float64Array(designs.length * STEP_STRIDE);
          refEvaluateStep(batch, designs.length, graph, want);
          for (let i = 0; i < want.length; i++) expect(rel(got[i], want[i]), `slot ${i}`).toBeLessThanOrEqual(1e-9);
        }),
      { numRuns: 100, seed: 3 },
    );
    // a batch far beyond the reserved capacity: the kernel reserves more and re-creates its views
    const big = 5000;
    const designs = fc.sample(designArb, { numRuns: 50, seed: 9 });
    const batch = new Float64Array(big * DESIGN_STRIDE);
    for (let i = 0; i < big; i++) batch.set(designs[i % designs.length], i * DESIGN_STRIDE);
    const got = kernel.evaluateStep(batch);
    const g = kernel.graph!;
    const want = new Float64Array(big * STEP_STRIDE);
    refEvaluateStep(batch, big, g, want);
    for (let i = 0; i < want.length; i++) expect(rel(got[i], want[i])).toBeLessThanOrEqual(1e-9);
  });
});

describe('graph slots (one kernel host, several graphs)', () => {
  it('keeps one graph per slot: switching re-points without copying, a different graph is copied, results never depend on the order', () => {
    const opsA = tinyGraph();
    const a = flattenOps(opsA);
    const b = flattenOps([...opsA, op(5, { kind: 'gemm', attrs: { b: 4, m: 256, n: 4096, k: 1024 }, flops: 2 * 4 * 256 * 4096 * 1024, bytes: 4e7, repeatKey: 'gemm:big' }, [4])]);
    const designs = fc.sample(designArb, { numRuns: 12, seed: 31 });
    const batch = new Float64Array(designs.length * DESIGN_STRIDE);
    designs.forEach((d, i) => batch.set(d, i * DESIGN_STRIDE));
    const alone = (g: typeof a) => {
      const k = new Kernel();
      k.loadGraph(g);
      return Array.from(k.evaluateStep(batch));
    };
    const [wantA, wantB] = [alone(a), alone(b)];
    const k = new Kernel();
    k.useGraph(a, 0);
    k.useGraph(b, 1);
    expect(k.graph).toBe(b);
    expect(Array.from(k.evaluateStep(batch))).toEqual(wantB);
    k.useGraph(a, 0);
    expect(k.graph).toBe(a);
    expect(Array.from(k.evaluateStep(batch))).toEqual(wantA);
    expect(k.slotResults().length).toBe(a.nUnique * RESULT_STRIDE);
    k.useGraph(b, 0); // slot 0 overwritten (a larger graph: its regions grow)
    expect(Array.from(k.evaluateStep(batch))).toEqual(wantB);
    k.useGraph(a, 1);
    expect(Array.from(k.evaluateStep(batch))).toEqual(wantA);
    expect(() => k.useGraph(a, 3)).toThrow(/graph slot 3/);
  });
});

// ------------------------------------------------------------------------------------------------
describe('properties of the cost model', () => {
  it('cycles ≥ MACs / active PEs and ≥ traffic / bandwidth at every level; energy ≥ MACs × MAC energy; all finite', () => {
    fc.assert(
      fc.property(designArb, opArb, (d, o) => {
        const r = kernel.evaluateOpRecord(d, o);
        for (let i = 0; i < RESULT_STRIDE; i++) expect(Number.isFinite(r[i]), `field ${i}`).toBe(true);
        const cyc = r[R_CYCLES] * NOT_SLOWER;
        const clk = d[D_CLOCK_GHZ];
        const pes = d[D_TENSOR_CORES] * d[D_TC_ROWS] * d[D_TC_COLS];
        expect(cyc).toBeGreaterThanOrEqual(r[R_MACS] / pes);
        expect(cyc).toBeGreaterThanOrEqual(r[R_COMPUTE_CYCLES]);
        expect(cyc).toBeGreaterThanOrEqual((r[R_NOC_BYTES] * clk) / d[D_NOC_GBS]);
        expect(cyc).toBeGreaterThanOrEqual((r[R_GLOBAL_BYTES] * clk) / d[D_GLOBAL_BUFFER_GBS]);
        expect(cyc).toBeGreaterThanOrEqual((r[R_OFFCHIP_BYTES] * clk) / d[D_OFFCHIP_GBS]);
        if (o[L.O_UNIT] === L.U_TENSOR) {
          // the op's own bytes (rescaled to the design's precision) cross the off-chip interface at least once
          const bytes = (o[O_BYTES] * d[D_ELEMENT_BYTES]) / o[O_ELEMENT_BYTES];
          expect(cyc).toBeGreaterThanOrEqual((bytes * clk) / d[D_OFFCHIP_GBS]);
        }
        expect(r[R_ENERGY_J] * NOT_SLOWER).toBeGreaterThanOrEqual(r[R_MACS] * d[D_MAC_PJ] * 1e-12);
        expect(r[R_ENERGY_J]).toBeGreaterThanOrEqual(0);
        expect(r[R_GLOBAL_BYTES] * NOT_SLOWER).toBeGreaterThanOrEqual(r[R_OFFCHIP_BYTES]);
      }),
      { numRuns: 1000, seed: 5 },
    );
  });

  const moreOf = (field: number, integer: boolean) =>
    fc.property(designArb, opArb, fc.double({ min: 1, max: 64, noNaN: true }), (d, o, f) => {
      const bigger = integer ? Math.ceil(d[field] * f) : d[field] * f;
      const a = kernel.evaluateOpRecord(d, o)[R_CYCLES];
      const b = kernel.evaluateOpRecord(withField(d, field, bigger), o)[R_CYCLES];
      expect(b).toBeLessThanOrEqual(a * NOT_SLOWER);
    });

  it('more bandwidth (NoC, global buffer, off-chip) never makes an op slower', () => {
    for (const f of [D_NOC_GBS, D_GLOBAL_BUFFER_GBS, D_OFFCHIP_GBS]) fc.assert(moreOf(f, false), { numRuns: 300, seed: f });
  });

  it('more buffer (local, global) never makes an op slower', () => {
    for (const f of [D_LOCAL_BUFFER_BYTES, D_GLOBAL_BUFFER_BYTES]) fc.assert(moreOf(f, true), { numRuns: 400, seed: f });
  });

  it('more tensor cores never make an op slower', () => {
    fc.assert(moreOf(D_TENSOR_CORES, true), { numRuns: 400, seed: 11 });
    // one more core at a time, too (non-divisor splits)
    fc.assert(
      fc.property(designArb, gemmArb, (d, o) => {
        let prev = Infinity;
        for (let c = 1; c <= 12; c++) {
          const cyc = kernel.evaluateOpRecord(d, o, c)[R_CYCLES];
          expect(cyc).toBeLessThanOrEqual(prev * NOT_SLOWER);
          prev = cyc;
        }
      }),
      { numRuns: 100, seed: 12 },
    );
  });

  it('vector ops: lanes × cycles-per-flop vs bandwidth; copies without data cost nothing; collectives are network', () => {
    const d = L.designRecord(
      { tensorCores: 1, tcRows: 8, tcCols: 8, vectorCores: 2, vectorLanes: 16, localBufferBytes: 1 << 16, globalBufferBytes: 1 << 20,
        globalBufferGBs: 1000, offChipBytes: 2 ** 34, offChipGBs: 100, nocGBs: 1000, clockGHz: 1, precision: 'bf16', dataflow: 'ws', techNm: 7 },
      { macPJ: 1, vectorOpPJ: 2, localBufferPJPerByte: 0, globalBufferPJPerByte: 0, nocPJPerByte: 0, offChipPJPerByte: 0, leakageW: 0, clockW: 0 },
    );
    const gelu = kernel.evaluateOp(d, null, L.vectorRecord(L.K_ELEMENTWISE, 1000, 8000, 10, 2));
    expect(gelu.computeCycles).toBe(Math.ceil(8000 / 32));
    expect(gelu.bound).toBe('vector');
    expect(gelu.energyJ).toBeCloseTo(8000 * 2e-12, 20);
    const add = kernel.evaluateOp(d, null, L.vectorRecord(L.K_ELEMENTWISE, 1e6, 1e6, 6e6, 2));
    expect(add.bound).toBe('off-chip');
    // 6 MB at 1 GHz over the sustained share of 100 GB/s
    expect(add.cycles).toBeCloseTo((6e6 * 1) / (100 * OFFCHIP_SUSTAINED_FRACTION), 6);
    const view = kernel.evaluateOp(d, null, L.vectorRecord(L.K_RESHAPE, 1e6, 0, 0, 2));
    expect(view.cycles).toBe(0);
    expect(view.bound).toBe('none');
    const ar = kernel.evaluateOp(d, null, L.vectorRecord(L.K_COLLECTIVE, 0, 0, 1e9, 2));
    expect(ar.cycles).toBe(0);
    expect(ar.bound).toBe('network');
    // precision rescales activation bytes (fp32 design, bf16 graph → twice the bytes) but not optimizer state
    const d32 = withField(d, D_ELEMENT_BYTES, 4);
    expect(kernel.evaluateOp(d32, null, L.vectorRecord(L.K_ELEMENTWISE, 1e6, 1e6, 6e6, 2)).traffic.offChipBytes).toBe(12e6);
    expect(kernel.evaluateOp(d32, null, L.vectorRecord(L.K_OPTIMIZER, 1e6, 12e6, 16e6, 4)).traffic.offChipBytes).toBe(16e6);
  });

  it('an invalid design record is flagged, not NaN', () => {
    const d = fc.sample(designArb, { numRuns: 1, seed: 1 })[0];
    const bad = withField(d, D_TENSOR_CORES, 0);
    const g = flattenOps(tinyGraph());
    kernel.loadGraph(g);
    const [m] = kernel.stepMetrics(bad);
    expect(m.valid).toBe(false);
    expect(m.stepCycles).toBe(0);
  });
});

// ------------------------------------------------------------------------------------------------
function op(id: number, partial: Partial<Op> & Pick<Op, 'kind' | 'attrs'>, deps: number[] = []): Op {
  return {
    id, name: `op${id}`, phase: 'fwd', layer: 'l', inputs: [], outputs: [{ name: `t${id}`, shape: [1], dtype: 'bf16' }], weights: [], deps,
    flops: 0, bytes: 0, repeatKey: `k${id}`, ...partial,
  } as Op;
}

function tinyGraph(): Op[] {
  const g = (id: number, deps: number[]) =>
    op(id, { kind: 'gemm', attrs: { b: 1, m: 512, n: 1024, k: 1024 }, flops: 2 * 512 * 1024 * 1024, bytes: 2 * (512 * 1024 * 2 + 1024 * 1024), repeatKey: 'gemm:512x1024x1024' }, deps);
  return [
    g(0, []),
    op(1, { kind: 'elementwise', attrs: { fn: 'gelu', elements: 512 * 1024, arity: 1 }, flops: 8 * 512 * 1024, bytes: 4 * 512 * 1024, repeatKey: 'gelu' }, [0]),
    g(2, [1]),
    op(3, { kind: 'elementwise', attrs: { fn: 'gelu', elements: 512 * 1024, arity: 1 }, flops: 8 * 512 * 1024, bytes: 4 * 512 * 1024, repeatKey: 'gelu', phase: 'dgrad' }, [2]),
    op(4, { kind: 'reshape', attrs: { elements: 512 * 1024, copies: false }, repeatKey: 'view' }, [3, 1]),
  ];
}

describe('flatten and whole-step evaluation', () => {
  it('unique shapes by repeatKey with counts, op slots, phases and deps as CSR', () => {
    const f = flattenOps(tinyGraph());
    expect(f.nOps).toBe(5);
    expect(f.nUnique).toBe(3);
    expect([...f.opSlot]).toEqual([0, 1, 0, 1, 2]);
    expect([...f.opPhase]).toEqual([0, 0, 0, 1, 0]);
    expect(f.ops[0 * OP_STRIDE + L.O_COUNT]).toBe(2);
    expect(f.ops[1 * OP_STRIDE + L.O_COUNT]).toBe(2);
    expect(f.ops[2 * OP_STRIDE + L.O_COUNT]).toBe(1);
    expect([...f.depOffsets]).toEqual([0, 0, 1, 2, 3, 5]);
    expect([...f.depIndex]).toEqual([0, 1, 2, 3, 1]);
    expect(f.ops[0 * OP_STRIDE + L.O_M]).toBe(512);
  });

  it('serialCycles = Σ op costs; the scheduled step is no longer; energy = Σ chosen op energies + leakage × makespan', () => {
    const ops = tinyGraph();
    const f = flattenOps(ops);
    kernel.loadGraph(f);
    const designs = fc.sample(designArb, { numRuns: 20, seed: 21 });
    const batch = new Float64Array(designs.length * DESIGN_STRIDE);
    designs.forEach((d, i) => batch.set(d, i * DESIGN_STRIDE));
    const metrics = kernel.stepMetrics(batch);
    designs.forEach((d, i) => {
      let cycles = 0, energy = 0;
      for (const o of ops) {
        const c = kernel.evaluateOp(d, null, o);
        cycles += c.cycles;
        energy += c.energyJ;
      }
      const m = metrics[i];
      expect(m.valid).toBe(true);
      expect(rel(m.serialCycles, cycles)).toBeLessThan(1e-12);
      expect(m.stepCycles).toBeLessThanOrEqual(cycles * NOT_SLOWER);
      const t = m.stepCycles / (d[D_CLOCK_GHZ] * 1e9);
      expect(rel(m.stepTimeS, t)).toBeLessThan(1e-12);
      // this graph is a chain (4 depends on 3 and 1): each op runs alone on all its cores
      expect(rel(m.stepCycles, cycles)).toBeLessThan(1e-12);
      expect(rel(m.energyJ, energy + (d[L.D_LEAKAGE_W] + d[L.D_CLOCK_W]) * t)).toBeLessThan(1e-12);
      expect(rel(m.clockEnergyJ, d[L.D_CLOCK_W] * t)).toBeLessThan(1e-12);
      const boundSum = Object.values(m.boundCycles).reduce((a, b) => a + b, 0);
      expect(rel(boundSum, m.stepCycles)).toBeLessThan(1e-12);
      const cpSum = Object.values(m.criticalPath.boundCycles).reduce((a, b) => a + b, 0);
      expect(rel(cpSum, m.stepCycles)).toBeLessThan(1e-12);
      expect(m.macs).toBe(2 * 512 * 1024 * 1024);
    });
    // the slot results left behind are the last design's per-shape costs
    const slots = kernel.slotResults();
    const last = designs[designs.length - 1];
    const want = refOp(last, f.ops.subarray(0, OP_STRIDE));
    expect(rel(slots[R_CYCLES], want[R_CYCLES])).toBeLessThan(1e-12);
    expect(slots[2 * RESULT_STRIDE + R_BOUND]).toBe(L.B_NONE);
    expect(slots[R_GLOBAL_BYTES]).toBeGreaterThan(0);
    expect(slots[R_NOC_BYTES]).toBeGreaterThan(0);
    expect(slots[R_OFFCHIP_BYTES]).toBeGreaterThan(0);
  });
});

describe('split over tensor cores and the IR entry point', () => {
  const design: Design = {
    tensorCores: 4, tcRows: 128, tcCols: 128, vectorCores: 4, vectorLanes: 128, localBufferBytes: 1 << 22, globalBufferBytes: 1 << 28,
    globalBufferGBs: 1e6, offChipBytes: 2 ** 36, offChipGBs: 1e6, nocGBs: 1e6, clockGHz: 1, precision: 'bf16', dataflow: 'os', techNm: 7,
  };
  const energies: L.UnitEnergies = {
    macPJ: 0.3, vectorOpPJ: 0.5, localBufferPJPerByte: 0.05, globalBufferPJPerByte: 0.3, nocPJPerByte: 0.2, offChipPJPerByte: 8, leakageW: 5, clockW: 3,
  };

  it('picks the split dimension that finishes earliest', () => {
    // OS: split m → per core 1024×128·128: 8 folds × (128+128+1024−2); split n → 32 folds of the same length
    const c = kernel.evaluateOp(design, energies, L.gemmRecord(1, 4096, 128, 1024));
    expect(c.split).toBe('m');
    expect(c.coresUsed).toBe(4);
    expect(c.computeCycles).toBe(8 * (128 + 128 + 1024 - 2));
    // a batch of independent products with ragged m and n splits over b (16 per core, 2×3 folds each;
    // split n: 64 × 2×1 folds, split m: 64 × 1×3 folds)
    const h = kernel.evaluateOp(design, energies, L.gemmRecord(64, 200, 384, 64));
    expect(h.split).toBe('b');
    expect(h.computeCycles).toBe(16 * 2 * 3 * (128 + 128 + 64 - 2));
    // fewer cores than asked when the split dimension is short
    const s = kernel.evaluateOp(design, energies, L.gemmRecord(1, 128, 256, 4096), 4);
    expect(s.coresUsed).toBeLessThanOrEqual(4);
    expect(kernel.evaluateOp(design, energies, L.gemmRecord(1, 128, 256, 4096), 1).cycles).toBeGreaterThanOrEqual(s.cycles);
  });

  it('splits the reduction (split-K) of a GEMM whose output has fewer array tiles than there are cores, and pays the partial sums', () => {
    // 128 × 128 output: one 128 × 128 array tile for 4 cores; k = 65536 split 4 ways, each core 16384 deep
    const c = kernel.evaluateOp(design, energies, L.gemmRecord(1, 128, 128, 65536));
    expect(c.split).toBe('k');
    expect(c.coresUsed).toBe(4);
    expect(c.computeCycles).toBe(128 + 128 + 16384 - 2);
    // three of the four cores write their fp32 partial sums and one reads them: 2 × 3 × 128² × 4 bytes more NoC traffic
    const one = kernel.evaluateOp(design, energies, L.gemmRecord(1, 128, 128, 65536), 1);
    expect(one.split).not.toBe('k');
    expect(c.traffic.nocBytes - one.traffic.nocBytes).toBeGreaterThanOrEqual(2 * 3 * 128 * 128 * 4 - 1e-6);
    expect(c.cycles).toBeLessThan(one.cycles / 3);
    // an output with at least as many tiles as cores is split over its rows or columns, never over k
    expect(kernel.evaluateOp(design, energies, L.gemmRecord(1, 4096, 128, 65536)).split).not.toBe('k');
  });

  it('attentionRecord (tests, benchmarks) writes what writeOp writes for the zoo\'s fused attention ops, forward and backward', async () => {
    const { findModel } = await import('../src/workload/zoo/index.js');
    const { buildTrainingStep } = await import('../src/workload/training.js');
    const g = buildTrainingStep(findModel('llama2-70b').build({ batch: 1, seq: 64, dtype: 'bf16', layers: 1 }));
    const ops = g.ops.filter((o) => o.kind === 'attention');
    expect(ops.map((o) => o.phase)).toEqual(['fwd', 'dgrad']);
    for (const op of ops) {
      if (op.kind !== 'attention') continue;
      const viaOp = new Float64Array(L.OP_STRIDE);
      L.writeOp(viaOp, 0, op);
      viaOp[L.O_PHASE] = 0; // the record helper leaves the phase to its caller
      expect([...L.attentionRecord(op.attrs, 2)], op.name).toEqual([...viaOp]);
    }
  });

  it('takes IR ops: a convolution is costed as its implicit GEMM', () => {
    const conv = op(0, {
      kind: 'conv2d',
      attrs: { batch: 2, inC: 64, inH: 56, inW: 56, outC: 128, outH: 56, outW: 56, kH: 3, kW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1,
        dilationH: 1, dilationW: 1, groups: 1, pass: 'fwd' },
      flops: 2 * 2 * 56 * 56 * 128 * 64 * 9, bytes: 2 * (2 * 64 * 56 * 56 + 128 * 64 * 9 + 2 * 128 * 56 * 56),
    });
    const c = kernel.evaluateOp(design, energies, conv);
    expect(c.macs).toBe(2 * 56 * 56 * 128 * 64 * 9);
    const g = kernel.evaluateOp(design, energies, L.gemmRecord(1, 2 * 56 * 56, 128, 64 * 9));
    expect(c.computeCycles).toBe(g.computeCycles);
    // off-chip traffic follows the op's own bytes (ifmap, not the im2col matrix)
    expect(c.traffic.offChipBytes).toBeLessThan(g.traffic.offChipBytes);
    expect(c.traffic.offChipBytes).toBeGreaterThanOrEqual(conv.bytes);
    const r = refOp(L.designRecord(design, energies), (() => { const o = new Float64Array(OP_STRIDE); L.writeOp(o, 0, conv); return o; })());
    expect(rel(r[R_CYCLES], c.cycles)).toBeLessThan(1e-12);
  });
});
