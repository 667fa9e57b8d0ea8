/**
 * The ONE TypeScript definition of the flat records that cross the WebAssembly boundary for evaluation (design, op,
 * op result, step, per-op schedule); the climb's records (choice, space, technology, climb results) are the second
 * pair, ./climb-layout.ts and assembly/climb-layout.ts, under the same parse test.
 *
 * `assembly/layout.ts` mirrors every constant here; `test/kernel.test.ts` parses that file and checks
 * that both agree. All records are Float64 (f64) arrays; offsets are in f64 slots, not bytes.
 * Over 600 lines on purpose: one concern (every record layout, its writers and decoders), kept in one file so the
 * parse test can hold it against its AssemblyScript mirror.
 */
import type { Dataflow, Design, Precision } from '../arch/design.js';
import { rsView, type RsView } from './rs-view.js';
import { attentionLiveShare, attentionMacs, attentionVectorFlops, type AttentionAttrs, convAsGemm, DTYPE_BYTES, type Conv2dAttrs, PHASES, OP_KINDS, type Op, type OpKind, type Phase } from '../workload/ir.js';

/**
 * Sustained share of peak off-chip bandwidth (data/tech/technology.json `offChipSustainedFraction`): every
 * off-chip transfer is costed at this share. assembly/model.ts holds the same constant; the kernel host checks
 * both agree when it instantiates the module.
 */
export const OFFCHIP_SUSTAINED_FRACTION = 0.833;

/**
 * Share of a ReLU output's elements that are zero, while training (data/tech/technology.json
 * `reluZeroFraction`, calibrated; a test checks the two agree). Written into O_RS_ZEROS of convolutions that
 * stream a ReLU output.
 */
export const RELU_ZERO_FRACTION = 0.8;

/** Per-unit energies of a design (pJ per MAC / op / byte, leakage in W); computed by `src/arch/cost.ts`. */
export interface UnitEnergies {
  macPJ: number;
  vectorOpPJ: number;
  localBufferPJPerByte: number;
  globalBufferPJPerByte: number;
  nocPJPerByte: number;
  offChipPJPerByte: number;
  leakageW: number;
  /** clock tree and control power while the chip runs a step (W); see src/arch/cost.ts */
  clockW: number;
}

// ---------------------------------------------------------------------------------------------
// Design record: one design + its unit energies, DESIGN_STRIDE f64 slots.
// ---------------------------------------------------------------------------------------------
export const D_TENSOR_CORES = 0;
export const D_TC_ROWS = 1;
export const D_TC_COLS = 2;
export const D_VECTOR_CORES = 3;
export const D_VECTOR_LANES = 4;
export const D_LOCAL_BUFFER_BYTES = 5;
export const D_GLOBAL_BUFFER_BYTES = 6;
export const D_GLOBAL_BUFFER_GBS = 7;
export const D_OFFCHIP_BYTES = 8;
export const D_OFFCHIP_GBS = 9;
export const D_NOC_GBS = 10;
export const D_CLOCK_GHZ = 11;
export const D_PRECISION = 12;
export const D_ELEMENT_BYTES = 13;
export const D_DATAFLOW = 14;
export const D_TECH_NM = 15;
export const D_MAC_PJ = 16;
export const D_VECTOR_OP_PJ = 17;
export const D_LOCAL_PJ_PER_BYTE = 18;
export const D_GLOBAL_PJ_PER_BYTE = 19;
export const D_NOC_PJ_PER_BYTE = 20;
export const D_OFFCHIP_PJ_PER_BYTE = 21;
export const D_LEAKAGE_W = 22;
/** clock tree + control power while running (W), added over the step's time like leakage */
export const D_CLOCK_W = 23;
export const DESIGN_STRIDE = 24;
/** the design's own fields, D_TENSOR_CORES … D_TECH_NM: what writeDesignFields writes and readDesign reads */
export const DESIGN_FIELDS = 16;

/** dataflow codes */
export const DF_WS = 0;
export const DF_OS = 1;
export const DF_IS = 2;
/** row-stationary (Eyeriss): see the RS notes at the op record and assembly/model.ts rsOp */
export const DF_RS = 3;
export const DATAFLOW_CODES = { ws: DF_WS, os: DF_OS, is: DF_IS, rs: DF_RS } as const;

/**
 * Row-stationary scratchpads: each PE's share of a tensor core's local buffer (localBufferBytes / PEs) is
 * split among its filter, ifmap and psum scratchpads in Eyeriss v1's proportions (448 : 24 : 48 bytes).
 */
export const RS_SPAD_FILTER_BYTES = 448;
export const RS_SPAD_IFMAP_BYTES = 24;
export const RS_SPAD_PSUM_BYTES = 48;
/**
 * CALIBRATED: the share of the global buffer that holds one image's ifmap tile of a row-stationary pass (the q·r
 * channels of one strip's input rows, strip = at most array-columns ofmap rows plus the filter's R − 1 halo rows);
 * the rest holds partial sums. Eyeriss's mapper spends its buffer on the psums of many filters (each ifmap read
 * serves many filters) and accumulates few channels per pass: its VGG-16 global-buffer accesses decompose into
 * psum passes of 1, 1, 2, ~4 and ~7 channels at ofmap widths 224, 112, 56, 28 and 14, where a traffic-minimising
 * mapping keeps 4 channels a pass on one PE set. Fitted on the global-buffer accesses of Eyeriss's AlexNet CONV1-5
 * and VGG-16 CONV1-1 to CONV5-3 (data/reference): every share from 0.038 to 0.067 gives the same mappings on all
 * 18 layers; 1/16. One value for every layer and network.
 */
export const RS_GLB_IFMAP_SHARE = 0.0625;

/** precision codes (element bytes are stored separately in D_ELEMENT_BYTES) */
export const PRECISION_CODES = { fp32: 0, bf16: 1, fp16: 2, fp8: 3, int8: 4 } as const;
export const PRECISION_ELEMENT_BYTES = [4, 2, 2, 1, 1] as const;
/** names by code: the inverses of PRECISION_CODES and DATAFLOW_CODES (readDesign) */
const PRECISION_NAMES = codeNames<Precision>(PRECISION_CODES);
const DATAFLOW_NAMES = codeNames<Dataflow>(DATAFLOW_CODES);

function codeNames<T extends string>(codes: Record<T, number>): T[] {
  const names: T[] = [];
  for (const [name, code] of Object.entries(codes) as [T, number][]) names[code] = name;
  return names;
}

// ---------------------------------------------------------------------------------------------
// Op record: one unique operator shape, OP_STRIDE f64 slots.
// ---------------------------------------------------------------------------------------------
export const O_KIND = 0;
export const O_B = 1;
export const O_M = 2;
export const O_N = 3;
export const O_K = 4;
export const O_ELEMENTS = 5;
export const O_FLOPS = 6;
export const O_BYTES = 7;
export const O_ELEMENT_BYTES = 8;
export const O_PHASE = 9;
export const O_SLOT = 10;
export const O_COUNT = 11;
export const O_UNIT = 12;
/**
 * The op as a convolution, for the row-stationary dataflow (per instance of O_B; writeOp fills them for
 * tensor ops, see rsView): filter rows R (mapped on PE rows), filter row length S (one PE's 1-D
 * convolution), ofmap rows E (mapped on PE columns), channels C, filters M, images N, and the ifmap, filter
 * and ofmap volumes in elements over all instances. A record with O_RS_R = 0 is read as a plain GEMM.
 */
export const O_RS_R = 13;
export const O_RS_S = 14;
export const O_RS_E = 15;
export const O_RS_C = 16;
export const O_RS_M = 17;
export const O_RS_N = 18;
export const O_RS_I = 19;
export const O_RS_W = 20;
export const O_RS_O = 21;
/** share of the streamed ifmap that is zero (RELU_ZERO_FRACTION for a ReLU output, else 0); rs PEs gate on it */
export const O_RS_ZEROS = 22;
/**
 * A fused attention op (kind K_ATTENTION) reads O_B = batch × key/value heads instances, O_M = query rows per
 * instance (query heads per key/value head × query length), O_N = head dim, O_K = key length, and these slots
 * (which conv records use for O_RS_*): backward pass (1) or forward (0), the share of query–key pairs computed
 * (below 1 under a causal mask), and the softmax's vector FLOPs.
 */
export const O_ATT_BACKWARD = 13;
export const O_ATT_LIVE = 14;
export const O_ATT_VECTOR_FLOPS = 15;
export const OP_STRIDE = 24;

/** op kind codes: the index in OP_KINDS (gemm 0 … optimizer 11, attention 12) */
export const K_GEMM = 0;
export const K_CONV2D = 1;
export const K_ELEMENTWISE = 2;
export const K_NORM = 3;
export const K_SOFTMAX = 4;
export const K_POOL = 5;
export const K_EMBEDDING = 6;
export const K_CONCAT = 7;
export const K_RESHAPE = 8;
export const K_TRANSPOSE = 9;
export const K_COLLECTIVE = 10;
export const K_OPTIMIZER = 11;
export const K_ATTENTION = 12;
export const KIND_COUNT = 13;

/** which unit executes an op */
export const U_TENSOR = 0;
export const U_VECTOR = 1;
export const U_NONE = 2;
export const U_NETWORK = 3;

/**
 * Vector-core cycles per FLOP of each kind (index = kind code). The op's FLOPs already count the per-element
 * work of its kind (ir.ts / op-metrics.ts); this table is the per-kind issue cost on a lane (1 = one FLOP per
 * lane per cycle). Copies (concat/reshape/transpose) have no FLOPs and are bandwidth-bound.
 */
export const VEC_CYCLES_PER_FLOP = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1] as const;

// ---------------------------------------------------------------------------------------------
// Op result record, RESULT_STRIDE f64 slots.
// ---------------------------------------------------------------------------------------------
export const R_CYCLES = 0;
export const R_COMPUTE_CYCLES = 1;
export const R_ENERGY_J = 2;
export const R_BOUND = 3;
export const R_LOCAL_BYTES = 4;
export const R_NOC_BYTES = 5;
export const R_GLOBAL_BYTES = 6;
export const R_OFFCHIP_BYTES = 7;
export const R_NONOVERLAP_CYCLES = 8;
export const R_MACS = 9;
export const R_CORES_USED = 10;
export const R_SPLIT = 11;
export const R_VECTOR_FLOPS = 12;
export const R_UTILIZATION = 13;
/** MACs whose operands were live: all of them, except the zero-gated ones of a row-stationary op (priced at MAC energy) */
export const R_LIVE_MACS = 14;
export const RESULT_STRIDE = 16;

/** bound codes */
export const B_TENSOR = 0;
export const B_VECTOR = 1;
export const B_LOCAL = 2;
export const B_NOC = 3;
export const B_GLOBAL = 4;
export const B_OFFCHIP = 5;
export const B_NETWORK = 6;
export const B_NONE = 7;
export const BOUND_COUNT = 8;
/**
 * How the ops of a step share the chip: `concurrent` list-schedules them on the tensor and vector core pools,
 * several at once; `single-stream` runs them one at a time on all cores, as a framework launching one kernel
 * after another on one stream does (assembly/schedule.ts setExecution).
 */
export const EXECUTIONS = ['concurrent', 'single-stream'] as const;
export type Execution = (typeof EXECUTIONS)[number];


export const BOUND_NAMES = ['tensor', 'vector', 'local-buffer', 'noc', 'global-buffer', 'off-chip', 'network', 'none'] as const;
export type Bound = (typeof BOUND_NAMES)[number];

/** split dimension codes (R_SPLIT); -1 = not split */
export const SPLIT_B = 0;
export const SPLIT_M = 1;
export const SPLIT_N = 2;
export const SPLIT_K = 3;
export const SPLIT_NAMES = ['b', 'm', 'n', 'k'] as const;

// ---------------------------------------------------------------------------------------------
// Step result record (one per design of a batch), STEP_STRIDE f64 slots.
// Every op is costed at the core count the scheduler gave it (see the scheduler notes below): energies,
// busy cycles, traffic and bound cycles are sums over ops at their chosen k; S_CYCLES is the makespan.
// ---------------------------------------------------------------------------------------------
/** makespan of the list schedule (cycles) */
export const S_CYCLES = 0;
export const S_TIME_S = 1;
export const S_ENERGY_J = 2;
export const S_DYNAMIC_J = 3;
export const S_LEAKAGE_J = 4;
/** Σ compute cycles of tensor ops (per core of their split) / of vector ops */
export const S_TENSOR_BUSY = 5;
export const S_VECTOR_BUSY = 6;
export const S_MACS = 7;
export const S_LOCAL_BYTES = 8;
export const S_NOC_BYTES = 9;
export const S_GLOBAL_BYTES = 10;
export const S_OFFCHIP_BYTES = 11;
/** S_BOUND_CYCLES + bound code: cycles of ops bound by that resource */
export const S_BOUND_CYCLES = 12;
export const S_NONOVERLAP_CYCLES = 20;
export const S_VALID = 21;
/** Σ op cycles with every op on all cores of its type, one after another (the pre-scheduler step time) */
export const S_SERIAL_CYCLES = 22;
/** ASAP critical-path length: the longest dependency chain with each op at its all-cores latency */
export const S_CRITICAL_PATH_CYCLES = 23;
/** core-cycles held by ops / (cores × makespan), per pool */
export const S_TENSOR_UTILIZATION = 24;
export const S_VECTOR_UTILIZATION = 25;
/** Σ cores held × op cycles, per pool */
export const S_TENSOR_CORE_CYCLES = 26;
export const S_VECTOR_CORE_CYCLES = 27;
/** number of ops on the scheduled critical path */
export const S_CP_OPS = 28;
/** S_CP_BOUND_CYCLES + bound code: cycles of the scheduled critical path spent in ops bound by that resource */
export const S_CP_BOUND_CYCLES = 29;
/** Σ vector-lane FLOPs of the step */
export const S_VECTOR_FLOPS = 37;
/** clock tree + control energy of the step (D_CLOCK_W × step time) */
export const S_CLOCK_J = 38;
/** Σ R_LIVE_MACS: the MACs the step pays MAC energy for */
export const S_LIVE_MACS = 39;
export const STEP_STRIDE = 40;

// ---------------------------------------------------------------------------------------------
// Per-op schedule record (scheduleDetail of one design), OPSCHED_STRIDE f64 slots per op.
//
// The scheduler (assembly/schedule.ts, reference in reference-schedule.ts) in brief:
//  - pools: the design's tensor cores and its vector cores. An op of a pool may take k of its K cores,
//    k ∈ {1, 2, 4, …, < K} ∪ {K} (malleable tasks); ops with zero cycles on all cores (views without copy)
//    and collectives/'none' ops take their time on no core.
//  - bandwidth sharing rule: an op holding k of the K cores of its pool is costed on a design whose
//    global-buffer, NoC and off-chip bandwidths are k/K of the design's (its proportional share) and with
//    k cores; the tensor pool and the vector pool may each use the full bandwidth at the same time
//    (optimistic overlap). Buffer capacities are not divided. With k = K the op is costed exactly as the
//    serial model costs it. A tensor op whose split dimension keeps only p < k cores busy still holds k.
//  - priority = bottom level (longest path to a sink, all-cores latencies), ties by lower op index.
//  - list scheduling by events (op finishes): at each event time, for each pool, while a core is free
//    the highest-priority ready op takes the k that finishes earliest (a larger k must beat the best smaller
//    one by more than 2% of its duration: CORE_MARGIN), counting for each k the time its
//    k earliest-free cores are free (it may reserve cores that free later); ties → fewer cores.
//  - critical path: from the last op to finish (largest index on ties) back through the op that decided
//    each start: the core holder whose release it waited for, else the dependency that finished last
//    (the one whose completion made it ready). The chain is gapless, so its cycles sum to the makespan.
// ---------------------------------------------------------------------------------------------
export const X_START = 0;
export const X_FINISH = 1;
export const X_CYCLES = 2;
/** cores held (0 for ops on no core) */
export const X_CORES = 3;
export const X_POOL = 4;
export const X_BOUND = 5;
export const X_ENERGY_J = 6;
/** time all dependencies had finished */
export const X_READY = 7;
/** ASAP / ALAP start with all-cores latencies and unlimited cores; mobility = ALAP − ASAP */
export const X_ASAP = 8;
export const X_ALAP = 9;
export const X_MOBILITY = 10;
/** op index that decided this op's start on the scheduled critical path walk (-1: none) */
export const X_PRED = 11;
export const OPSCHED_STRIDE = 12;

/** pool codes */
export const P_TENSOR = 0;
export const P_VECTOR = 1;
export const P_NONE = 2;
export const POOL_NAMES = ['tensor', 'vector', 'none'] as const;

// ---------------------------------------------------------------------------------------------
// Helpers (TS side only)
// ---------------------------------------------------------------------------------------------
export const KIND_CODES: Record<OpKind, number> = Object.fromEntries(OP_KINDS.map((k, i) => [k, i])) as Record<OpKind, number>;
export const PHASE_CODES: Record<Phase, number> = Object.fromEntries(PHASES.map((p, i) => [p, i])) as Record<Phase, number>;

export function unitOfKind(kind: number): number {
  if (kind === K_GEMM || kind === K_CONV2D || kind === K_ATTENTION) return U_TENSOR;
  if (kind === K_COLLECTIVE) return U_NETWORK;
  return U_VECTOR;
}

/** Writes a design and its unit energies into `out` at `offset` (f64 slots). */
export function writeDesign(out: Float64Array, offset: number, d: Design, e: UnitEnergies): void {
  writeDesignFields(out, offset, d);
  out[offset + D_MAC_PJ] = e.macPJ;
  out[offset + D_VECTOR_OP_PJ] = e.vectorOpPJ;
  out[offset + D_LOCAL_PJ_PER_BYTE] = e.localBufferPJPerByte;
  out[offset + D_GLOBAL_PJ_PER_BYTE] = e.globalBufferPJPerByte;
  out[offset + D_NOC_PJ_PER_BYTE] = e.nocPJPerByte;
  out[offset + D_OFFCHIP_PJ_PER_BYTE] = e.offChipPJPerByte;
  out[offset + D_LEAKAGE_W] = e.leakageW;
  out[offset + D_CLOCK_W] = e.clockW;
  for (let i = D_CLOCK_W + 1; i < DESIGN_STRIDE; i++) out[offset + i] = 0;
}

/**
 * Writes a design's own fields (DESIGN_FIELDS slots from D_TENSOR_CORES: the design record without its unit
 * energies; also how the pool ships batches of designs to its workers).
 */
export function writeDesignFields(out: Float64Array, offset: number, d: Design): void {
  const p = PRECISION_CODES[d.precision];
  out[offset + D_TENSOR_CORES] = d.tensorCores;
  out[offset + D_TC_ROWS] = d.tcRows;
  out[offset + D_TC_COLS] = d.tcCols;
  out[offset + D_VECTOR_CORES] = d.vectorCores;
  out[offset + D_VECTOR_LANES] = d.vectorLanes;
  out[offset + D_LOCAL_BUFFER_BYTES] = d.localBufferBytes;
  out[offset + D_GLOBAL_BUFFER_BYTES] = d.globalBufferBytes;
  out[offset + D_GLOBAL_BUFFER_GBS] = d.globalBufferGBs;
  out[offset + D_OFFCHIP_BYTES] = d.offChipBytes;
  out[offset + D_OFFCHIP_GBS] = d.offChipGBs;
  out[offset + D_NOC_GBS] = d.nocGBs;
  out[offset + D_CLOCK_GHZ] = d.clockGHz;
  out[offset + D_PRECISION] = p;
  out[offset + D_ELEMENT_BYTES] = PRECISION_ELEMENT_BYTES[p];
  out[offset + D_DATAFLOW] = DATAFLOW_CODES[d.dataflow];
  out[offset + D_TECH_NM] = d.techNm;
}

/** The design whose fields a record holds at `offset` (the inverse of writeDesignFields). */
export function readDesign(r: Float64Array, offset: number): Design {
  return {
    tensorCores: r[offset + D_TENSOR_CORES], tcRows: r[offset + D_TC_ROWS], tcCols: r[offset + D_TC_COLS],
    vectorCores: r[offset + D_VECTOR_CORES], vectorLanes: r[offset + D_VECTOR_LANES], localBufferBytes: r[offset + D_LOCAL_BUFFER_BYTES],
    globalBufferBytes: r[offset + D_GLOBAL_BUFFER_BYTES], globalBufferGBs: r[offset + D_GLOBAL_BUFFER_GBS], offChipBytes: r[offset + D_OFFCHIP_BYTES],
    offChipGBs: r[offset + D_OFFCHIP_GBS], nocGBs: r[offset + D_NOC_GBS], clockGHz: r[offset + D_CLOCK_GHZ],
    precision: PRECISION_NAMES[r[offset + D_PRECISION]], dataflow: DATAFLOW_NAMES[r[offset + D_DATAFLOW]], techNm: r[offset + D_TECH_NM] as Design['techNm'],
  };
}

export function designRecord(d: Design, e: UnitEnergies): Float64Array {
  const r = new Float64Array(DESIGN_STRIDE);
  writeDesign(r, 0, d, e);
  return r;
}

/** Element bytes an op's `bytes` were counted at (its first output's dtype; 2 when it has none). */
export function opElementBytes(op: Op): number {
  const t = op.outputs[0] ?? op.inputs[0];
  if (!t) return 2;
  return DTYPE_BYTES[t.dtype] ?? 2;
}

/** Writes one op into an op record at `offset` (slot and count left for the caller). */
export function writeOp(out: Float64Array, offset: number, op: Op): void {
  const kind = KIND_CODES[op.kind];
  let b = 0, m = 0, n = 0, k = 0, elements = 0;
  switch (op.kind) {
    case 'gemm':
      ({ b, m, n, k } = op.attrs);
      break;
    case 'conv2d':
      ({ b, m, n, k } = convAsGemm(op.attrs));
      break;
    case 'elementwise':
    case 'concat':
    case 'reshape':
    case 'transpose':
      elements = op.attrs.elements;
      break;
    case 'norm':
    case 'softmax':
      elements = op.attrs.rows * op.attrs.cols;
      break;
    case 'pool':
      elements = op.attrs.batch * op.attrs.channels * op.attrs.outH * op.attrs.outW;
      break;
    case 'embedding':
      elements = op.attrs.lookups * op.attrs.dim;
      break;
    case 'optimizer':
      elements = op.attrs.params;
      break;
    case 'collective':
      elements = 0;
      break;
    case 'attention': {
      const a = op.attrs;
      b = a.batch * a.kvHeads;
      m = (a.heads / a.kvHeads) * a.seqQ;
      n = a.headDim;
      k = a.seqKv;
      break;
    }
  }
  out[offset + O_KIND] = kind;
  out[offset + O_B] = b;
  out[offset + O_M] = m;
  out[offset + O_N] = n;
  out[offset + O_K] = k;
  out[offset + O_ELEMENTS] = elements;
  out[offset + O_FLOPS] = op.flops;
  out[offset + O_BYTES] = op.bytes;
  out[offset + O_ELEMENT_BYTES] = opElementBytes(op);
  out[offset + O_PHASE] = PHASE_CODES[op.phase];
  out[offset + O_SLOT] = 0;
  out[offset + O_COUNT] = 1;
  out[offset + O_UNIT] = unitOfKind(kind);
  for (let i = O_UNIT + 1; i < OP_STRIDE; i++) out[offset + i] = 0;
  if (op.kind === 'conv2d') writeRsView(out, offset, rsView(op.attrs));
  if (op.kind === 'attention') {
    out[offset + O_ATT_BACKWARD] = op.attrs.backward ? 1 : 0;
    out[offset + O_ATT_LIVE] = attentionLiveShare(op.attrs);
    out[offset + O_ATT_VECTOR_FLOPS] = attentionVectorFlops(op.attrs);
  }
}

/** Writes a convolution's row-stationary view into an op record (O_RS_*). */
function writeRsView(out: Float64Array, offset: number, v: RsView): void {
  out[offset + O_RS_R] = v.R;
  out[offset + O_RS_S] = v.S;
  out[offset + O_RS_E] = v.E;
  out[offset + O_RS_C] = v.C;
  out[offset + O_RS_M] = v.M;
  out[offset + O_RS_N] = v.N;
  out[offset + O_RS_I] = v.I;
  out[offset + O_RS_W] = v.W;
  out[offset + O_RS_O] = v.O;
  out[offset + O_RS_ZEROS] = v.zeros ? RELU_ZERO_FRACTION : 0;
}

/** A GEMM op record built from numbers (for `accelmine op --gemm` and tests). */
export function gemmRecord(b: number, m: number, n: number, k: number, elementBytes = 2): Float64Array {
  const r = new Float64Array(OP_STRIDE);
  r[O_KIND] = K_GEMM;
  r[O_B] = b;
  r[O_M] = m;
  r[O_N] = n;
  r[O_K] = k;
  r[O_FLOPS] = 2 * b * m * n * k;
  r[O_BYTES] = b * (m * k + k * n + m * n) * elementBytes;
  r[O_ELEMENT_BYTES] = elementBytes;
  r[O_COUNT] = 1;
  r[O_UNIT] = U_TENSOR;
  return r;
}

/** A convolution pass's op record built from its attributes (ifmap, filter and ofmap bytes at `elementBytes`). */
export function convRecord(a: Conv2dAttrs, elementBytes = 2): Float64Array {
  const { b, m, n, k } = convAsGemm(a);
  const r = gemmRecord(b, m, n, k, elementBytes);
  const v = rsView(a);
  r[O_KIND] = K_CONV2D;
  r[O_BYTES] = (v.I + v.W + v.O) * elementBytes;
  writeRsView(r, 0, v);
  return r;
}

/** A fused attention op record built from its attributes (the bytes its IR op would count, at `elementBytes`). */
export function attentionRecord(a: AttentionAttrs, elementBytes = 2): Float64Array {
  const r = new Float64Array(OP_STRIDE);
  const q = a.batch * a.heads * a.seqQ * a.headDim;
  const kv = a.batch * a.kvHeads * a.seqKv * a.headDim;
  const lse = a.batch * a.heads * a.seqQ * 4;
  r[O_KIND] = K_ATTENTION;
  r[O_B] = a.batch * a.kvHeads;
  r[O_M] = (a.heads / a.kvHeads) * a.seqQ;
  r[O_N] = a.headDim;
  r[O_K] = a.seqKv;
  r[O_FLOPS] = 2 * attentionMacs(a) + attentionVectorFlops(a);
  // forward: q, k, v in, o and the log-sum-exp out; backward: dO, q, k, v, o, lse in, dq, dk, dv out
  r[O_BYTES] = (a.backward ? 4 * q + 4 * kv : 2 * q + 2 * kv) * elementBytes + lse;
  r[O_ELEMENT_BYTES] = elementBytes;
  r[O_COUNT] = 1;
  r[O_UNIT] = U_TENSOR;
  r[O_ATT_BACKWARD] = a.backward ? 1 : 0;
  r[O_ATT_LIVE] = attentionLiveShare(a);
  r[O_ATT_VECTOR_FLOPS] = attentionVectorFlops(a);
  return r;
}

/** A vector op record built from numbers. */
export function vectorRecord(kind: number, elements: number, flops: number, bytes: number, elementBytes = 2): Float64Array {
  const r = new Float64Array(OP_STRIDE);
  r[O_KIND] = kind;
  r[O_ELEMENTS] = elements;
  r[O_FLOPS] = flops;
  r[O_BYTES] = bytes;
  r[O_ELEMENT_BYTES] = elementBytes;
  r[O_COUNT] = 1;
  r[O_UNIT] = unitOfKind(kind);
  return r;
}

/** A readable per-op cost (what `evaluateOp` returns). */
export interface OpCost {
  cycles: number;
  computeCycles: number;
  /** dynamic energy of the op (leakage is added per step, over the step's time) */
  energyJ: number;
  bound: Bound;
  traffic: { localBytes: number; nocBytes: number; globalBytes: number; offChipBytes: number };
  nonOverlapCycles: number;
  macs: number;
  /** MACs paid at MAC energy (fewer than `macs` where a row-stationary PE gated zero operands) */
  liveMacs: number;
  coresUsed: number;
  split: 'b' | 'm' | 'n' | 'k' | 'none';
  vectorFlops: number;
  /** MACs / (cycles × PEs of the cores used) for tensor ops; 0 otherwise */
  utilization: number;
}

export function decodeOpResult(r: Float64Array, offset = 0): OpCost {
  const s = r[offset + R_SPLIT];
  return {
    cycles: r[offset + R_CYCLES],
    computeCycles: r[offset + R_COMPUTE_CYCLES],
    energyJ: r[offset + R_ENERGY_J],
    bound: BOUND_NAMES[r[offset + R_BOUND]] ?? 'none',
    traffic: {
      localBytes: r[offset + R_LOCAL_BYTES],
      nocBytes: r[offset + R_NOC_BYTES],
      globalBytes: r[offset + R_GLOBAL_BYTES],
      offChipBytes: r[offset + R_OFFCHIP_BYTES],
    },
    nonOverlapCycles: r[offset + R_NONOVERLAP_CYCLES],
    macs: r[offset + R_MACS],
    coresUsed: r[offset + R_CORES_USED],
    split: s >= 0 && s <= 3 ? SPLIT_NAMES[s] : 'none',
    vectorFlops: r[offset + R_VECTOR_FLOPS],
    utilization: r[offset + R_UTILIZATION],
    liveMacs: r[offset + R_LIVE_MACS],
  };
}

/** A readable step result. */
export interface StepMetrics {
  stepCycles: number;
  stepTimeS: number;
  energyJ: number;
  dynamicEnergyJ: number;
  leakageEnergyJ: number;
  /** clock tree + control energy (clock power × step time) */
  clockEnergyJ: number;
  /** Σ vector-lane FLOPs */
  vectorFlops: number;
  tensorBusyCycles: number;
  vectorBusyCycles: number;
  macs: number;
  /** MACs paid at MAC energy (fewer than `macs` where a row-stationary PE gated zero operands) */
  liveMacs: number;
  traffic: { localBytes: number; nocBytes: number; globalBytes: number; offChipBytes: number };
  /** cycles of the step spent in ops bound by each resource */
  boundCycles: Record<Bound, number>;
  nonOverlapCycles: number;
  valid: boolean;
  /** Σ op cycles on all cores, serially (the serial-schedule step time, for comparison) */
  serialCycles: number;
  /** ASAP critical-path length (all-cores latencies, unlimited cores): a lower bound of stepCycles */
  criticalPathCycles: number;
  /** core-cycles held by ops / (cores × makespan), per pool, in [0, 1] */
  utilization: { tensor: number; vector: number };
  coreCycles: { tensor: number; vector: number };
  /** the scheduled critical path: its op count and its cycles by what bounds each op (sums to stepCycles) */
  criticalPath: { ops: number; boundCycles: Record<Bound, number> };
}

export function decodeStepResult(r: Float64Array, offset = 0): StepMetrics {
  const boundCycles = {} as Record<Bound, number>;
  const cpBoundCycles = {} as Record<Bound, number>;
  for (let i = 0; i < BOUND_COUNT; i++) {
    boundCycles[BOUND_NAMES[i]] = r[offset + S_BOUND_CYCLES + i];
    cpBoundCycles[BOUND_NAMES[i]] = r[offset + S_CP_BOUND_CYCLES + i];
  }
  return {
    stepCycles: r[offset + S_CYCLES],
    stepTimeS: r[offset + S_TIME_S],
    energyJ: r[offset + S_ENERGY_J],
    dynamicEnergyJ: r[offset + S_DYNAMIC_J],
    leakageEnergyJ: r[offset + S_LEAKAGE_J],
    clockEnergyJ: r[offset + S_CLOCK_J],
    vectorFlops: r[offset + S_VECTOR_FLOPS],
    tensorBusyCycles: r[offset + S_TENSOR_BUSY],
    vectorBusyCycles: r[offset + S_VECTOR_BUSY],
    macs: r[offset + S_MACS],
    liveMacs: r[offset + S_LIVE_MACS],
    traffic: {
      localBytes: r[offset + S_LOCAL_BYTES],
      nocBytes: r[offset + S_NOC_BYTES],
      globalBytes: r[offset + S_GLOBAL_BYTES],
      offChipBytes: r[offset + S_OFFCHIP_BYTES],
    },
    boundCycles,
    nonOverlapCycles: r[offset + S_NONOVERLAP_CYCLES],
    valid: r[offset + S_VALID] === 1,
    serialCycles: r[offset + S_SERIAL_CYCLES],
    criticalPathCycles: r[offset + S_CRITICAL_PATH_CYCLES],
    utilization: { tensor: r[offset + S_TENSOR_UTILIZATION], vector: r[offset + S_VECTOR_UTILIZATION] },
    coreCycles: { tensor: r[offset + S_TENSOR_CORE_CYCLES], vector: r[offset + S_VECTOR_CORE_CYCLES] },
    criticalPath: { ops: r[offset + S_CP_OPS], boundCycles: cpBoundCycles },
  };
}

/** A readable per-op schedule entry (scheduleDetail). */
export interface OpSchedule {
  startCycles: number;
  finishCycles: number;
  cycles: number;
  cores: number;
  pool: (typeof POOL_NAMES)[number];
  bound: Bound;
  energyJ: number;
  readyCycles: number;
  asapCycles: number;
  alapCycles: number;
  mobilityCycles: number;
  /** index of the op that decided this op's start (-1: none) */
  pred: number;
}

export function decodeOpSchedule(r: Float64Array, offset = 0): OpSchedule {
  return {
    startCycles: r[offset + X_START],
    finishCycles: r[offset + X_FINISH],
    cycles: r[offset + X_CYCLES],
    cores: r[offset + X_CORES],
    pool: POOL_NAMES[r[offset + X_POOL]] ?? 'none',
    bound: BOUND_NAMES[r[offset + X_BOUND]] ?? 'none',
    energyJ: r[offset + X_ENERGY_J],
    readyCycles: r[offset + X_READY],
    asapCycles: r[offset + X_ASAP],
    alapCycles: r[offset + X_ALAP],
    mobilityCycles: r[offset + X_MOBILITY],
    pred: r[offset + X_PRED],
  };
}
