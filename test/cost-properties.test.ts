/**
 * Property tests of the per-operator cost model (the WebAssembly kernel, and its TypeScript reference with the
 * same properties), as the issue states them:
 *  - cycles are never below max(MACs / active PEs, bytes / bandwidth at each level);
 *  - more bandwidth, more buffer or more cores never make an op slower (for the best mapping the model finds);
 *  - energy ≥ MACs × MAC energy;
 *  - every output is finite (and ≥ 0) for every valid input;
 *  - invalid input is rejected with a clear message.
 * Every property runs with a fixed seed, so failures reproduce.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATAFLOWS, PRECISIONS, TECH_NODES, type Design } from '../src/arch/design.js';
import { DESIGN_FIELD_RULES, validateDesign } from '../src/arch/validate.js';
import type { FlatGraph } from '../src/engine/flatten.js';
import { Kernel } from '../src/engine/kernel.js';
import * as L from '../src/engine/layout.js';
import { refDesignValid, refEvalOp } from '../src/engine/reference.js';
import { InputError, MAX_DIM } from '../src/errors.js';
import { attentionMacs } from '../src/workload/ir.js';

const {
  D_CLOCK_GHZ, D_ELEMENT_BYTES, D_GLOBAL_BUFFER_BYTES, D_GLOBAL_BUFFER_GBS, D_LOCAL_BUFFER_BYTES, D_NOC_GBS,
  D_OFFCHIP_GBS, D_TC_COLS, D_TC_ROWS, D_TENSOR_CORES, D_VECTOR_CORES, D_VECTOR_LANES, O_BYTES,
  O_ELEMENT_BYTES, O_FLOPS, O_KIND, R_CORES_USED, R_COMPUTE_CYCLES, R_CYCLES, R_ENERGY_J, R_GLOBAL_BYTES, R_LOCAL_BYTES,
  R_MACS, R_NOC_BYTES, R_NONOVERLAP_CYCLES, R_OFFCHIP_BYTES, R_UTILIZATION, R_VECTOR_FLOPS, RESULT_STRIDE,
} = L;

/** fixed unit energies (not src/arch/cost.ts: the model must hold for any non-negative energies) */
const ENERGIES: L.UnitEnergies = {
  macPJ: 0.5,
  vectorOpPJ: 0.3,
  localBufferPJPerByte: 0.1,
  globalBufferPJPerByte: 1,
  nocPJPerByte: 0.5,
  offChipPJPerByte: 20,
  leakageW: 1,
  clockW: 1,
};

/** relative slack of every inequality (float rounding of the model's sums) */
const SLACK = 1e-9;
const atLeast = (a: number, b: number, what: string) => expect(a * (1 + SLACK), what).toBeGreaterThanOrEqual(b);
const atMost = (a: number, b: number, what: string) => expect(a, what).toBeLessThanOrEqual(b * (1 + SLACK));

// ------------------------------------------------------------------------------------------------
// generators (the ranges of the issue)
// ------------------------------------------------------------------------------------------------
const logInt = (lo: number, hi: number) =>
  fc.double({ min: Math.log2(lo), max: Math.log2(hi), noNaN: true }).map((x) => Math.max(lo, Math.min(hi, Math.round(2 ** x))));
const logReal = (lo: number, hi: number) =>
  fc.double({ min: Math.log2(lo), max: Math.log2(hi), noNaN: true }).map((x) => Math.max(lo, Math.min(hi, 2 ** x)));

/** array sides: powers of two, common non-powers (Eyeriss 12×14, 3, 6, 24, …) and anything in 1..256 */
const sideArb = fc.oneof(
  fc.constantFrom(1, 2, 4, 8, 16, 32, 64, 128, 256),
  fc.constantFrom(3, 5, 6, 12, 14, 24, 48, 96, 100, 160, 200, 255),
  fc.integer({ min: 1, max: 256 }),
);

const designArb: fc.Arbitrary<Design> = fc.record({
  tensorCores: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(1, 2, 3, 4, 8, 64)),
  tcRows: sideArb,
  tcCols: sideArb,
  vectorCores: fc.integer({ min: 1, max: 64 }),
  vectorLanes: fc.oneof(fc.integer({ min: 1, max: 256 }), fc.constantFrom(1, 16, 32, 256)),
  localBufferBytes: logInt(1 << 10, 8 << 20),
  globalBufferBytes: logInt(64 << 10, 256 << 20),
  globalBufferGBs: logReal(10, 20000),
  offChipBytes: fc.constantFrom(2 ** 30, 2 ** 34, 2 ** 37),
  offChipGBs: logReal(10, 20000),
  nocGBs: logReal(10, 20000),
  clockGHz: logReal(0.2, 2),
  precision: fc.constantFrom(...PRECISIONS),
  dataflow: fc.constantFrom(...DATAFLOWS),
  techNm: fc.constantFrom(...TECH_NODES),
});

const dimArb = fc.oneof(logInt(1, 8192), fc.integer({ min: 1, max: 300 }), fc.constantFrom(1, 2, 3, 127, 128, 129, 4096, 8192));

const gemmArb: fc.Arbitrary<Float64Array> = fc
  .record({
    b: fc.oneof(logInt(1, 64), fc.constant(1)),
    m: dimArb,
    n: dimArb,
    k: dimArb,
    eb: fc.constantFrom(1, 2, 4),
  })
  .map(({ b, m, n, k, eb }) => L.gemmRecord(b, m, n, k, eb));

/** every vector-unit kind (2..11) except collectives (10), which are costed on the network */
const vectorKinds = [
  L.K_ELEMENTWISE, L.K_NORM, L.K_SOFTMAX, L.K_POOL, L.K_EMBEDDING, L.K_CONCAT, L.K_RESHAPE, L.K_TRANSPOSE, L.K_OPTIMIZER,
];
const vectorArb: fc.Arbitrary<Float64Array> = fc
  .record({
    kind: fc.constantFrom(...vectorKinds),
    elements: logInt(1, 1 << 28),
    flopsPer: fc.constantFrom(0, 1, 2, 4, 8, 12),
    bytesPer: fc.constantFrom(0, 1, 2, 4, 6, 16),
    eb: fc.constantFrom(1, 2, 4),
  })
  .map(({ kind, elements, flopsPer, bytesPer, eb }) => L.vectorRecord(kind, elements, elements * flopsPer, elements * bytesPer, eb));

const record = (d: Design) => L.designRecord(d, ENERGIES);

/** any design the validator accepts: every numeric field over its whole allowed range, bounds included */
const anyValidDesignArb: fc.Arbitrary<Design> = fc.record({
  ...(Object.fromEntries(
    Object.entries(DESIGN_FIELD_RULES).map(([field, r]) => {
      const lo = r.min > 0 ? r.min : 1;
      const spread = fc.double({ min: Math.log2(lo), max: Math.log2(r.max), noNaN: true })
        .map((x) => Math.max(r.min, Math.min(r.max, r.integer ? Math.round(2 ** x) : 2 ** x)));
      return [field, fc.oneof(fc.constantFrom(r.min, r.max), spread)];
    }),
  ) as { [F in keyof typeof DESIGN_FIELD_RULES]: fc.Arbitrary<number> }),
  precision: fc.constantFrom(...PRECISIONS),
  dataflow: fc.constantFrom(...DATAFLOWS),
  techNm: fc.constantFrom(...TECH_NODES),
});

/** any GEMM the op parsers accept: dims up to MAX_DIM (2^31) */
const anyDim = fc.oneof(fc.constantFrom(1, MAX_DIM), fc.double({ min: 0, max: 31, noNaN: true }).map((x) => Math.round(2 ** x)));
const anyGemmArb = fc
  .tuple(anyDim, anyDim, anyDim, anyDim, fc.constantFrom(1, 2, 4))
  .map(([b, m, n, k, eb]) => L.gemmRecord(b, m, n, k, eb));

// ------------------------------------------------------------------------------------------------
// both implementations: the WebAssembly kernel (what the search runs) and the TypeScript reference
// ------------------------------------------------------------------------------------------------
type Evaluate = (d: Float64Array, o: Float64Array, cores: number) => Float64Array;

let kernel: Kernel;
beforeAll(() => {
  kernel = new Kernel();
});

const IMPLS: [string, () => Evaluate][] = [
  ['WASM kernel', () => (d, o, cores) => kernel.evaluateOpRecord(d, o, cores)],
  [
    'TypeScript reference',
    () => (d, o, cores) => {
      const r = new Float64Array(RESULT_STRIDE);
      refEvalOp(d, 0, o, 0, cores, r, 0);
      return r;
    },
  ],
];

/** runs per property; PROPERTY_RUNS=20000 PROPERTY_SEED=n fuzzes deeper (the defaults keep the file fast and fixed) */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
const SEED = Number(process.env.PROPERTY_SEED ?? 0);

describe.each(IMPLS)('cost model properties (%s)', (_name, impl) => {
  let evaluate: Evaluate;
  beforeAll(() => {
    evaluate = impl();
  });

  // 1. roofline ----------------------------------------------------------------------------------
  it('GEMM cycles ≥ MACs / active PEs and ≥ bytes / bandwidth at every level', () => {
    fc.assert(
      fc.property(designArb, gemmArb, fc.double({ min: 0, max: 1, noNaN: true }), (design, o, frac) => {
        const d = record(design);
        // any core count from 1 to the design's cores
        const cores = 1 + Math.floor(frac * (design.tensorCores - 1));
        const r = evaluate(d, o, cores);
        const clk = d[D_CLOCK_GHZ];
        const pe = d[D_TC_ROWS] * d[D_TC_COLS];
        const cyc = r[R_CYCLES];
        const macs = o[L.O_B] * o[L.O_M] * o[L.O_N] * o[L.O_K];
        expect(r[R_MACS]).toBe(macs);
        expect(r[R_CORES_USED]).toBeGreaterThanOrEqual(1);
        expect(r[R_CORES_USED]).toBeLessThanOrEqual(cores);
        const floor = Math.max(
          macs / (r[R_CORES_USED] * pe),
          (r[R_OFFCHIP_BYTES] * clk) / d[D_OFFCHIP_GBS],
          (r[R_GLOBAL_BYTES] * clk) / d[D_GLOBAL_BUFFER_GBS],
          (r[R_NOC_BYTES] * clk) / d[D_NOC_GBS],
        );
        atLeast(cyc, floor, 'roofline of the cores used');
        atLeast(cyc, macs / (cores * pe), 'MACs / PEs of the cores given');
        atLeast(cyc, macs / (d[D_TENSOR_CORES] * pe), "MACs / PEs of all the design's cores");
        atLeast(cyc, r[R_COMPUTE_CYCLES], 'compute cycles');
        // every operand byte (at the design's precision) crosses the off-chip interface at least once
        const opBytes = (o[O_BYTES] * d[D_ELEMENT_BYTES]) / o[O_ELEMENT_BYTES];
        atLeast(r[R_OFFCHIP_BYTES], opBytes, 'off-chip bytes ≥ the op bytes');
        atLeast(r[R_GLOBAL_BYTES], r[R_OFFCHIP_BYTES], 'global-buffer bytes ≥ off-chip bytes');
        // utilization is MACs over the PE-cycles of the cores used, so at most 1
        atMost(r[R_UTILIZATION], 1, 'utilization ≤ 1');
      }),
      { numRuns: RUNS, seed: SEED + 101 },
    );
  });

  it('vector-op cycles ≥ FLOPs × cycles-per-FLOP / lanes and ≥ bytes / bandwidth at every level', () => {
    fc.assert(
      fc.property(designArb, vectorArb, (design, o) => {
        const d = record(design);
        const r = evaluate(d, o, design.tensorCores);
        const clk = d[D_CLOCK_GHZ];
        const lanes = d[D_VECTOR_CORES] * d[D_VECTOR_LANES];
        const cyc = r[R_CYCLES];
        const floor = Math.max(
          (o[O_FLOPS] * L.VEC_CYCLES_PER_FLOP[o[O_KIND]]) / lanes,
          (r[R_OFFCHIP_BYTES] * clk) / d[D_OFFCHIP_GBS],
          (r[R_GLOBAL_BYTES] * clk) / d[D_GLOBAL_BUFFER_GBS],
          (r[R_NOC_BYTES] * clk) / d[D_NOC_GBS],
        );
        atLeast(cyc, floor, 'vector roofline');
        // the op's bytes (rescaled to the design's precision, except optimizer state) all move
        const scale = o[O_KIND] === L.K_OPTIMIZER ? 1 : d[D_ELEMENT_BYTES] / o[O_ELEMENT_BYTES];
        atLeast(r[R_OFFCHIP_BYTES], o[O_BYTES] * scale, 'off-chip bytes ≥ the op bytes');
        expect(r[R_VECTOR_FLOPS]).toBe(o[O_FLOPS]);
      }),
      { numRuns: RUNS, seed: SEED + 102 },
    );
  });

  // 2. monotonicity ------------------------------------------------------------------------------
  /** more of one resource: `f` × the design's amount (whole bytes and cores rounded up) */
  const moreResources: [string, (d: Design, f: number) => Design][] = [
    ['off-chip bandwidth', (d, f) => ({ ...d, offChipGBs: f * d.offChipGBs })],
    ['global-buffer bandwidth', (d, f) => ({ ...d, globalBufferGBs: f * d.globalBufferGBs })],
    ['NoC bandwidth', (d, f) => ({ ...d, nocGBs: f * d.nocGBs })],
    ['local buffer', (d, f) => ({ ...d, localBufferBytes: Math.ceil(f * d.localBufferBytes) })],
    ['global buffer', (d, f) => ({ ...d, globalBufferBytes: Math.ceil(f * d.globalBufferBytes) })],
    ['tensor cores', (d, f) => ({ ...d, tensorCores: Math.ceil(f * d.tensorCores) })],
  ];
  /** twice as much in half the runs, any factor up to 4 in the others */
  const factorArb = fc.oneof(fc.constant(2), fc.double({ min: 1, max: 4, noNaN: true }));

  const starved = (d: Design): Design => ({ ...d, globalBufferGBs: 10, offChipGBs: 10, nocGBs: 10, clockGHz: 2 });

  it.each(moreResources.map(([name, f], i) => [name, f, i] as const))(
    'more %s (twice, or any factor up to 4) never makes a GEMM slower',
    (what, more, i) => {
      fc.assert(
        fc.property(designArb, gemmArb, factorArb, fc.boolean(), (free, o, f, starve) => {
          // half the runs on bandwidth-starved designs, where traffic (so the mapping) decides the cycles
          const design = starve ? starved(free) : free;
          const bigger = more(design, f);
          const a = evaluate(record(design), o, design.tensorCores)[R_CYCLES];
          const b = evaluate(record(bigger), o, bigger.tensorCores)[R_CYCLES];
          atMost(b, a, `${what}: ${a} → ${b} cycles`);
        }),
        { numRuns: RUNS, seed: SEED + 200 + i },
      );
    },
  );

  it('array sides are not in that list: a taller array is slower on a GEMM that cannot fill it (SCALE-Sim fill time)', () => {
    // the fold count is SCALE-Sim v2's exact count on the whole array, so each fold pays R + C + K - 2 cycles
    // however few rows the GEMM uses: 32 output rows on 4063 array rows lose to 128 rows (README, "The accelerator model")
    const base = { tensorCores: 1, tcCols: 128, vectorCores: 1, vectorLanes: 64, localBufferBytes: 2 ** 30,
      globalBufferBytes: 2 ** 34, globalBufferGBs: 1e7, offChipBytes: 2 ** 40, offChipGBs: 1e6, nocGBs: 1e7, clockGHz: 1, precision: 'bf16', dataflow: 'os', techNm: 7 } as const;
    const o = L.gemmRecord(1, 32, 1024, 1024);
    const small = evaluate(record({ ...base, tcRows: 128 }), o, 1);
    const tall = evaluate(record({ ...base, tcRows: 4063 }), o, 1);
    expect(small[R_COMPUTE_CYCLES]).toBe(Math.ceil(32 / 128) * Math.ceil(1024 / 128) * (128 + 128 + 1024 - 2));
    expect(tall[R_COMPUTE_CYCLES]).toBe(Math.ceil(32 / 4063) * Math.ceil(1024 / 128) * (4063 + 128 + 1024 - 2));
    expect(tall[R_CYCLES]).toBeGreaterThan(small[R_CYCLES]);
  });

  it('the mapping search: more buffer never costs traffic (one core, so the split cannot change)', () => {
    fc.assert(
      fc.property(designArb, gemmArb, fc.constantFrom(3, 4), factorArb, (design, o, i, f) => {
        const [, more] = moreResources[i];
        const a = evaluate(record(design), o, 1);
        const b = evaluate(record(more(design, f)), o, 1);
        atMost(b[R_OFFCHIP_BYTES], a[R_OFFCHIP_BYTES], 'off-chip bytes');
        atMost(b[R_NOC_BYTES], a[R_NOC_BYTES], 'NoC bytes');
        atMost(b[R_GLOBAL_BYTES], a[R_GLOBAL_BYTES], 'global-buffer bytes');
      }),
      // cheap and the sharpest check of the mapping search: five times the runs
      { numRuns: 5 * RUNS, seed: SEED + 209 },
    );
  });

  it('one more core at a time never makes a GEMM slower (non-divisor splits)', () => {
    fc.assert(
      fc.property(designArb, gemmArb, (design, o) => {
        const d = record({ ...design, tensorCores: 16 });
        let prev = Infinity;
        for (let c = 1; c <= 16; c++) {
          const cyc = evaluate(d, o, c)[R_CYCLES];
          atMost(cyc, prev, `${c - 1} → ${c} cores`);
          prev = cyc;
        }
      }),
      { numRuns: Math.ceil(RUNS / 3), seed: SEED + 210 },
    );
  });

  it('more bandwidth never makes a vector op slower', () => {
    fc.assert(
      fc.property(designArb, vectorArb, fc.constantFrom(0, 1, 2), factorArb, (design, o, which, f) => {
        const [, more] = moreResources[which];
        const a = evaluate(record(design), o, design.tensorCores)[R_CYCLES];
        const b = evaluate(record(more(design, f)), o, design.tensorCores)[R_CYCLES];
        atMost(b, a, 'vector op');
      }),
      { numRuns: RUNS, seed: SEED + 220 },
    );
  });

  // 3. energy ------------------------------------------------------------------------------------
  it('energy ≥ MACs × MAC energy, for any non-negative unit energies (zero included)', () => {
    const pj = (hi: number) => fc.oneof(fc.constant(0), logReal(1e-3, hi));
    const energiesArb: fc.Arbitrary<L.UnitEnergies> = fc.record({
      macPJ: pj(10), vectorOpPJ: pj(10), localBufferPJPerByte: pj(5), globalBufferPJPerByte: pj(10), nocPJPerByte: pj(10),
      offChipPJPerByte: pj(100), leakageW: pj(100), clockW: pj(100),
    });
    fc.assert(
      fc.property(designArb, energiesArb, fc.oneof(gemmArb, vectorArb), (design, e, o) => {
        const d = L.designRecord(design, e);
        const r = evaluate(d, o, design.tensorCores);
        expect(Number.isFinite(r[R_ENERGY_J])).toBe(true);
        atLeast(r[R_ENERGY_J], r[R_MACS] * e.macPJ * 1e-12, 'energy ≥ MACs × macPJ');
        // the sharper form: every MAC, vector FLOP and byte moved is paid for (each term ≥ 0, so this implies the above)
        const paid =
          r[R_MACS] * e.macPJ + r[R_VECTOR_FLOPS] * e.vectorOpPJ + r[R_LOCAL_BYTES] * e.localBufferPJPerByte +
          r[R_NOC_BYTES] * e.nocPJPerByte + r[R_GLOBAL_BYTES] * e.globalBufferPJPerByte + r[R_OFFCHIP_BYTES] * e.offChipPJPerByte;
        atLeast(r[R_ENERGY_J], paid * 1e-12, 'energy ≥ Σ work × unit energy');
      }),
      { numRuns: RUNS, seed: SEED + 301 },
    );
  });

  // 4. finite outputs ----------------------------------------------------------------------------
  it('every result field is finite and ≥ 0 for every valid input (GEMMs on any core count, vector ops)', () => {
    const corner = fc.constantFrom(
      L.gemmRecord(64, 8192, 8192, 8192, 4),
      L.gemmRecord(1, 1, 1, 1, 1),
      L.gemmRecord(64, 1, 8192, 1, 2),
      L.vectorRecord(L.K_RESHAPE, 1, 0, 0, 2),
      L.vectorRecord(L.K_OPTIMIZER, 2 ** 28, 12 * 2 ** 28, 16 * 2 ** 28, 4),
    );
    fc.assert(
      fc.property(designArb, fc.oneof(gemmArb, vectorArb, corner), fc.double({ min: 0, max: 1, noNaN: true }), (design, o, frac) => {
        const d = record(design);
        expect(refDesignValid(d, 0)).toBe(true);
        const r = evaluate(d, o, 1 + Math.floor(frac * (design.tensorCores - 1)));
        for (let i = 0; i < RESULT_STRIDE; i++) {
          expect(Number.isFinite(r[i]), `field ${i} = ${r[i]}`).toBe(true);
          if (i !== L.R_SPLIT) expect(r[i], `field ${i}`).toBeGreaterThanOrEqual(0);
        }
        expect(r[R_NONOVERLAP_CYCLES]).toBeLessThanOrEqual(r[R_CYCLES]);
      }),
      { numRuns: 2 * RUNS, seed: SEED + 401 },
    );
  });

  it('finite results over the whole range the validator accepts (zero buffers, 1e-3 GB/s, 65536 cores, dims to 2^31)', () => {
    fc.assert(
      fc.property(anyValidDesignArb, fc.oneof(anyGemmArb, vectorArb), fc.double({ min: 0, max: 1, noNaN: true }), (design, o, frac) => {
        expect(validateDesign(design, 'arb')).toEqual(design);
        const d = record(design);
        expect(refDesignValid(d, 0)).toBe(true);
        const r = evaluate(d, o, 1 + Math.floor(frac * (design.tensorCores - 1)));
        for (let i = 0; i < RESULT_STRIDE; i++) {
          expect(Number.isFinite(r[i]), `field ${i} = ${r[i]}`).toBe(true);
          if (i !== L.R_SPLIT) expect(r[i], `field ${i}`).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: RUNS, seed: SEED + 402 },
    );
  });

  it('the extreme corners of the design space give finite results', () => {
    const extremes: Design[] = [];
    for (const tc of [1, 64]) for (const side of [1, 256]) for (const buf of [1 << 10, 8 << 20]) for (const bw of [10, 20000]) {
      extremes.push({
        tensorCores: tc, tcRows: side, tcCols: side, vectorCores: tc, vectorLanes: side, localBufferBytes: buf,
        globalBufferBytes: buf === 1 << 10 ? 64 << 10 : 256 << 20, globalBufferGBs: bw, offChipBytes: 2 ** 34,
        offChipGBs: bw, nocGBs: bw, clockGHz: bw === 10 ? 2 : 0.2, precision: 'fp32', dataflow: 'ws', techNm: 7,
      });
    }
    const ops = [L.gemmRecord(64, 8192, 8192, 8192, 4), L.gemmRecord(1, 1, 1, 1, 1), L.gemmRecord(1, 8192, 1, 8192, 2)];
    for (const design of extremes) {
      for (const dataflow of DATAFLOWS) {
        for (const o of ops) {
          const r = evaluate(record({ ...design, dataflow }), o, design.tensorCores);
          for (let i = 0; i < RESULT_STRIDE; i++) expect(Number.isFinite(r[i]), `field ${i}`).toBe(true);
          expect(r[R_CYCLES]).toBeGreaterThan(0);
        }
      }
    }
  });
});

// ------------------------------------------------------------------------------------------------
// 5. invalid input is rejected with a clear message
// ------------------------------------------------------------------------------------------------
describe('invalid designs are rejected with a clear message', () => {
  it('every valid design of the generators passes validation unchanged', () => {
    fc.assert(
      fc.property(designArb, (design) => {
        expect(validateDesign(design, 'd.json')).toEqual(design);
      }),
      { numRuns: RUNS, seed: SEED + 501 },
    );
  });

  const numericFields = [
    'tensorCores', 'tcRows', 'tcCols', 'vectorCores', 'vectorLanes', 'localBufferBytes', 'globalBufferBytes',
    'globalBufferGBs', 'offChipBytes', 'offChipGBs', 'nocGBs', 'clockGHz',
  ] as const;
  const badNumber = fc.constantFrom<unknown>(NaN, Infinity, -Infinity, -1, -0.5, 1e30, '8', null, undefined, true, [4], { v: 1 });

  it('one bad numeric field: an InputError of one line naming the source, the field and the value', () => {
    fc.assert(
      fc.property(designArb, fc.constantFrom(...numericFields), badNumber, (design, field, v) => {
        const raw: Record<string, unknown> = { ...design, [field]: v };
        if (v === undefined) delete raw[field];
        let err: unknown;
        try {
          validateDesign(raw, 'd.json');
        } catch (e) {
          err = e;
        }
        expect(err, `${field} = ${String(v)}`).toBeInstanceOf(InputError);
        const msg = (err as Error).message;
        expect(msg.startsWith('d.json: ')).toBe(true);
        expect(msg).toContain(field);
        expect(msg).toMatch(/must be/);
        expect(msg).toContain('got ');
        expect(msg).not.toContain('\n');
      }),
      { numRuns: RUNS, seed: SEED + 502 },
    );
  });

  it('cores, array sides and lanes must be whole numbers ≥ 1 (0 and fractions are rejected)', () => {
    fc.assert(
      fc.property(designArb, fc.constantFrom('tensorCores', 'tcRows', 'tcCols', 'vectorCores', 'vectorLanes'), fc.constantFrom(0, 1.5, 12.25), (design, field, v) => {
        expect(() => validateDesign({ ...design, [field]: v }, 'd.json')).toThrow(new RegExp(`^d\\.json: ${field} must be an integer`));
      }),
      { numRuns: Math.ceil(RUNS / 4), seed: SEED + 503 },
    );
  });

  it('bandwidths and clock must be positive (0 is rejected)', () => {
    for (const field of ['globalBufferGBs', 'offChipGBs', 'nocGBs', 'clockGHz'] as const) {
      const design = fc.sample(designArb, { numRuns: 1, seed: SEED + 504 })[0];
      expect(() => validateDesign({ ...design, [field]: 0 }, 'd.json')).toThrow(new RegExp(`^d\\.json: ${field} must be a number`));
    }
  });

  it('bad enumerations and unknown fields name what is allowed', () => {
    fc.assert(
      fc.property(designArb, fc.constantFrom('precision', 'dataflow', 'techNm', 'extra'), (design, field) => {
        const raw: Record<string, unknown> =
          field === 'extra' ? { ...design, tensorCore: 4 } : { ...design, [field]: field === 'techNm' ? 3 : 'fp64' };
        expect(() => validateDesign(raw, 'd.json')).toThrow(InputError);
        const re =
          field === 'precision' ? /must be one of fp32, bf16/ : field === 'dataflow' ? /must be one of ws, os, is/
            : field === 'techNm' ? /must be one of 65, 45/ : /unknown design field 'tensorCore'/;
        expect(() => validateDesign(raw, 'd.json')).toThrow(re);
      }),
      { numRuns: Math.ceil(RUNS / 5), seed: SEED + 505 },
    );
  });

  it('the kernel flags a design record that bypassed validation (valid = false, no NaN) and so does the reference', () => {
    const ops = L.gemmRecord(2, 256, 512, 128, 2);
    kernel.loadGraph({
      ops, nUnique: 1, nOps: 1, opSlot: Int32Array.of(0), opPhase: Int32Array.of(0), depOffsets: Int32Array.of(0, 0),
      depIndex: new Int32Array(0), slotKeys: ['g'], slotFirstOp: Int32Array.of(0),
    } satisfies FlatGraph);
    const design = fc.sample(designArb, { numRuns: 1, seed: SEED + 506 })[0];
    const broken: [number, number][] = [
      [D_TENSOR_CORES, 0], [D_TC_ROWS, 0], [D_TC_COLS, -2], [D_VECTOR_LANES, 0], [D_CLOCK_GHZ, 0], [D_NOC_GBS, -1],
      [D_OFFCHIP_GBS, 0], [D_GLOBAL_BUFFER_GBS, 0], [D_ELEMENT_BYTES, 0], [D_LOCAL_BUFFER_BYTES, -1], [D_GLOBAL_BUFFER_BYTES, -1],
      [D_CLOCK_GHZ, NaN], [D_NOC_GBS, NaN],
    ];
    for (const [field, v] of broken) {
      const d = record(design);
      d[field] = v;
      expect(refDesignValid(d, 0), `field ${field} = ${v}`).toBe(false);
      const [m] = kernel.stepMetrics(d);
      expect(m.valid, `field ${field} = ${v}`).toBe(false);
      expect(m.stepCycles).toBe(0);
      expect(m.energyJ).toBe(0);
    }
    expect(refDesignValid(record(design), 0)).toBe(true);
    const [ok] = kernel.stepMetrics(record(design));
    expect(ok.valid).toBe(true);
    expect(ok.stepCycles).toBeGreaterThan(0);
  });
});

// ------------------------------------------------------------------------------------------------
// fused attention (FlashAttention tiles on chip): the same invariants as a GEMM
// ------------------------------------------------------------------------------------------------
const attentionAttrsArb = fc.record({
  batch: fc.integer({ min: 1, max: 8 }), kvHeads: fc.integer({ min: 1, max: 16 }), group: fc.constantFrom(1, 2, 8),
  seq: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.constantFrom(128, 512, 2048, 8192)), headDim: fc.constantFrom(16, 64, 80, 128, 256),
  causal: fc.boolean(), dropout: fc.boolean(), backward: fc.boolean(), eb: fc.constantFrom(1, 2, 4),
}).map((a) => ({
  attrs: { batch: a.batch, heads: a.kvHeads * a.group, kvHeads: a.kvHeads, seqQ: a.seq, seqKv: a.seq, headDim: a.headDim, causal: a.causal, dropout: a.dropout, backward: a.backward },
  eb: a.eb,
}));

describe.each(IMPLS)('fused attention properties (%s)', (_name, impl) => {
  let evaluate: Evaluate;
  beforeAll(() => {
    evaluate = impl();
  });

  it('cycles ≥ MACs / PEs of the cores used and ≥ bytes / bandwidth; MACs are the attention MACs; finite', () => {
    fc.assert(
      fc.property(designArb, attentionAttrsArb, fc.double({ min: 0, max: 1, noNaN: true }), (design, a, frac) => {
        const d = record(design);
        const o = L.attentionRecord(a.attrs, a.eb);
        const cores = 1 + Math.floor(frac * (design.tensorCores - 1));
        const r = evaluate(d, o, cores);
        const clk = d[D_CLOCK_GHZ];
        const pe = d[D_TC_ROWS] * d[D_TC_COLS];
        expect(r[R_MACS]).toBeCloseTo(attentionMacs(a.attrs), 0);
        for (let i = 0; i < RESULT_STRIDE; i++) expect(Number.isFinite(r[i]), `slot ${i}`).toBe(true);
        expect(r[R_CORES_USED]).toBeLessThanOrEqual(cores);
        atLeast(r[R_CYCLES], r[R_MACS] / (r[R_CORES_USED] * pe), 'MACs / PEs');
        atLeast(r[R_CYCLES], (r[R_OFFCHIP_BYTES] * clk) / d[D_OFFCHIP_GBS], 'off-chip');
        atLeast(r[R_CYCLES], (r[R_GLOBAL_BYTES] * clk) / d[D_GLOBAL_BUFFER_GBS], 'global buffer');
        atLeast(r[R_CYCLES], (r[R_NOC_BYTES] * clk) / d[D_NOC_GBS], 'NoC');
        atLeast(r[R_CYCLES], r[R_VECTOR_FLOPS] / (d[D_VECTOR_CORES] * d[D_VECTOR_LANES]), 'softmax on the vector lanes');
        atLeast(r[R_OFFCHIP_BYTES], (o[O_BYTES] * d[D_ELEMENT_BYTES]) / o[O_ELEMENT_BYTES], 'q, k, v, o and the statistics cross once');
        atMost(r[R_UTILIZATION], 1, 'utilization ≤ 1');
      }),
      { numRuns: RUNS, seed: SEED + 701 },
    );
  });

  it('more local buffer, global buffer, cores or bandwidth never makes it slower', () => {
    const more: ((d: Design, f: number) => Design)[] = [
      (d, f) => ({ ...d, localBufferBytes: Math.ceil(f * d.localBufferBytes) }),
      (d, f) => ({ ...d, globalBufferBytes: Math.ceil(f * d.globalBufferBytes) }),
      (d, f) => ({ ...d, tensorCores: Math.ceil(f * d.tensorCores) }),
      (d, f) => ({ ...d, offChipGBs: f * d.offChipGBs, nocGBs: f * d.nocGBs, globalBufferGBs: f * d.globalBufferGBs }),
    ];
    fc.assert(
      fc.property(designArb, attentionAttrsArb, fc.integer({ min: 0, max: 3 }), fc.double({ min: 1, max: 4, noNaN: true }), (design, a, i, f) => {
        const o = L.attentionRecord(a.attrs, a.eb);
        const bigger = more[i](design, f);
        const before = evaluate(record(design), o, design.tensorCores)[R_CYCLES];
        const after = evaluate(record(bigger), o, bigger.tensorCores)[R_CYCLES];
        atMost(after, before, `resource ${i}: ${before} → ${after} cycles`);
      }),
      { numRuns: RUNS, seed: SEED + 702 },
    );
  });

  it('a design whose local buffer holds no 16 × 16 tile streams k and v more often than one that does', () => {
    const base = { tensorCores: 8, tcRows: 16, tcCols: 16, vectorCores: 8, vectorLanes: 64, globalBufferBytes: 64 << 10,
      globalBufferGBs: 2000, offChipBytes: 2 ** 34, offChipGBs: 900, nocGBs: 2000, clockGHz: 1, precision: 'bf16', dataflow: 'ws', techNm: 7 } as const;
    const o = L.attentionRecord({ batch: 4, heads: 16, kvHeads: 16, seqQ: 2048, seqKv: 2048, headDim: 64, causal: false, dropout: false, backward: false });
    const tiny = evaluate(record({ ...base, localBufferBytes: 2048 }), o, 8);
    const roomy = evaluate(record({ ...base, localBufferBytes: 256 << 10 }), o, 8);
    expect(tiny[R_OFFCHIP_BYTES]).toBeGreaterThan(4 * roomy[R_OFFCHIP_BYTES]);
    expect(tiny[R_CYCLES]).toBeGreaterThan(roomy[R_CYCLES]);
  });
});

describe('fused attention against a hand count (one BERT-large layer, forward)', () => {
  // batch 1, 16 heads of 64, 512 tokens; fp16; one 128 × 128 array per core, 4 cores, output-stationary
  const a = { batch: 1, heads: 16, kvHeads: 16, seqQ: 512, seqKv: 512, headDim: 64, causal: false, dropout: false, backward: false };
  const base = { tensorCores: 4, tcRows: 128, tcCols: 128, vectorCores: 4, vectorLanes: 128, globalBufferGBs: 2000, offChipBytes: 2 ** 34,
    offChipGBs: 1000, nocGBs: 2000, clockGHz: 1, precision: 'fp16', dataflow: 'os', techNm: 7 } as const;
  const q = 16 * 512 * 64; // elements of q (= k = v = o)
  const compulsory = 4 * q * 2 + 16 * 512 * 4; // q, k, v, o in fp16 and the fp32 log-sum-exp
  const kernel = new Kernel();

  it('a local buffer that holds 512-row tiles reads each of q, k, v once and writes o and the log-sum-exp once', () => {
    // 512² + 4·512·64 = 393,216 elements fit 1 MiB of fp16: one tile per head, nothing streamed twice
    const r = L.decodeOpResult(kernel.evaluateOpRecord(record({ ...base, localBufferBytes: 1 << 20, globalBufferBytes: 1 << 20 }), L.attentionRecord(a, 2), 4));
    expect(r.traffic.offChipBytes).toBe(compulsory);
    expect(r.macs).toBe(2 * 16 * 512 * 512 * 64);
  });

  it('64-row tiles (a 64 KiB local buffer) stream k and v once per query tile: from the global buffer when a head\'s k, v fit it, else off-chip', () => {
    // T² + 4·T·64 ≤ 32,768 elements → T = 128 is too big (32,768 + 32,768), the power-of-two ladder tops at 64
    const tiles = 512 / 64;
    const kv = 2 * 512 * 64; // one head's k and v, elements
    const fits = L.decodeOpResult(kernel.evaluateOpRecord(record({ ...base, localBufferBytes: 64 << 10, globalBufferBytes: 1 << 20 }), L.attentionRecord(a, 2), 4));
    expect(fits.traffic.offChipBytes).toBe(compulsory);
    // every query tile of every head streams that head's k and v over the NoC: q and o once, k and v 8 times, lse once
    expect(fits.traffic.nocBytes).toBe(16 * (512 * (2 * 64 + 2) + kv * tiles) * 2);
    const spills = L.decodeOpResult(kernel.evaluateOpRecord(record({ ...base, localBufferBytes: 64 << 10, globalBufferBytes: 64 << 10 }), L.attentionRecord(a, 2), 4));
    expect(spills.traffic.offChipBytes).toBe(compulsory + 16 * kv * (tiles - 1) * 2);
  });
});
