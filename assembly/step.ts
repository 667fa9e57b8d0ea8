/**
 * Whole-step evaluation for a batch of designs over the loaded graph (unique op shapes with counts).
 * Serial schedule for now (the scheduler of the next issue replaces the summation, not the interface):
 * step cycles = Σ count × op cycles; energy = Σ count × op energy + leakage × step time.
 * Mirrors refEvaluateStep in src/engine/reference.ts.
 */
import {
  D_CLOCK_GHZ, D_LEAKAGE_W, D_TENSOR_CORES, DESIGN_STRIDE, O_COUNT, O_UNIT, OP_STRIDE, R_BOUND, R_COMPUTE_CYCLES,
  R_CYCLES, R_ENERGY_J, R_GLOBAL_BYTES, R_LOCAL_BYTES, R_MACS, R_NOC_BYTES, R_NONOVERLAP_CYCLES, R_OFFCHIP_BYTES,
  RESULT_STRIDE, S_BOUND_CYCLES, S_CYCLES, S_DYNAMIC_J, S_ENERGY_J, S_GLOBAL_BYTES, S_LEAKAGE_J, S_LOCAL_BYTES,
  S_MACS, S_NOC_BYTES, S_NONOVERLAP_CYCLES, S_OFFCHIP_BYTES, S_TENSOR_BUSY, S_TIME_S, S_VALID, S_VECTOR_BUSY,
  STEP_STRIDE, U_TENSOR, U_VECTOR,
} from './layout';
import { designValid, evalOp, rd, wr } from './model';

/** the loaded graph: unique op records, their count, and the per-slot results of the last design */
let gOps: usize = 0;
let gNOps: i32 = 0;
let gSlotResults: usize = 0;
/** per-op arrays kept for the scheduler (next issue): slot of each op, phase, deps CSR */
let gOpSlot: usize = 0;
let gOpPhase: usize = 0;
let gDepOffsets: usize = 0;
let gDeps: usize = 0;
let gNAllOps: i32 = 0;

export function setGraph(ops: usize, nOps: i32, slotResults: usize, opSlot: usize, opPhase: usize, depOffsets: usize, deps: usize, nAllOps: i32): void {
  gOps = ops;
  gNOps = nOps;
  gSlotResults = slotResults;
  gOpSlot = opSlot;
  gOpPhase = opPhase;
  gDepOffsets = depOffsets;
  gDeps = deps;
  gNAllOps = nAllOps;
}

export function graphOpCount(): i32 {
  return gNAllOps;
}

export function evaluateSteps(designs: usize, nDesigns: i32, out: usize): void {
  const ops = gOps;
  const nOps = gNOps;
  const res = gSlotResults;
  for (let i = 0; i < nDesigns; i++) {
    const d = designs + ((<usize>i * <usize>DESIGN_STRIDE) << 3);
    const so = out + ((<usize>i * <usize>STEP_STRIDE) << 3);
    for (let j = 0; j < STEP_STRIDE; j++) wr(so, j, 0);
    if (!designValid(d)) continue;
    const cores = rd(d, D_TENSOR_CORES);
    let cycles: f64 = 0, dyn: f64 = 0, tBusy: f64 = 0, vBusy: f64 = 0, macs: f64 = 0;
    let local: f64 = 0, noc: f64 = 0, gb: f64 = 0, off: f64 = 0, non: f64 = 0;
    for (let u = 0; u < nOps; u++) {
      const o = ops + ((<usize>u * <usize>OP_STRIDE) << 3);
      const r = res + ((<usize>u * <usize>RESULT_STRIDE) << 3);
      evalOp(d, o, cores, r);
      const c = rd(o, O_COUNT);
      const cyc = c * rd(r, R_CYCLES);
      cycles += cyc;
      dyn += c * rd(r, R_ENERGY_J);
      const unit = rd(o, O_UNIT);
      if (unit == <f64>U_TENSOR) tBusy += c * rd(r, R_COMPUTE_CYCLES);
      else if (unit == <f64>U_VECTOR) vBusy += c * rd(r, R_COMPUTE_CYCLES);
      macs += c * rd(r, R_MACS);
      local += c * rd(r, R_LOCAL_BYTES);
      noc += c * rd(r, R_NOC_BYTES);
      gb += c * rd(r, R_GLOBAL_BYTES);
      off += c * rd(r, R_OFFCHIP_BYTES);
      non += c * rd(r, R_NONOVERLAP_CYCLES);
      const bi = S_BOUND_CYCLES + <i32>rd(r, R_BOUND);
      wr(so, bi, rd(so, bi) + cyc);
    }
    const timeS = cycles / (rd(d, D_CLOCK_GHZ) * 1e9);
    const leak = rd(d, D_LEAKAGE_W) * timeS;
    wr(so, S_CYCLES, cycles);
    wr(so, S_TIME_S, timeS);
    wr(so, S_ENERGY_J, dyn + leak);
    wr(so, S_DYNAMIC_J, dyn);
    wr(so, S_LEAKAGE_J, leak);
    wr(so, S_TENSOR_BUSY, tBusy);
    wr(so, S_VECTOR_BUSY, vBusy);
    wr(so, S_MACS, macs);
    wr(so, S_LOCAL_BYTES, local);
    wr(so, S_NOC_BYTES, noc);
    wr(so, S_GLOBAL_BYTES, gb);
    wr(so, S_OFFCHIP_BYTES, off);
    wr(so, S_NONOVERLAP_CYCLES, non);
    wr(so, S_VALID, 1);
  }
}
