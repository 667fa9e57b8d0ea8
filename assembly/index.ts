/**
 * accelmine kernel: the WebAssembly exports. Numbers only; layouts in ./layout (mirror of src/engine/layout.ts).
 */
import * as L from './layout';
import { evalOp, foldCycles, designValid, OFFCHIP_SUSTAINED_FRACTION } from './model';

export { setGraph, evaluateSteps, graphOpCount } from './step';
export { scheduleDetail, setExecution, setLaunchOverhead, setSchedulePasses } from './schedule';
export { setArrayRate } from './model';
export { tightenSetTech } from './design-cost';
export { tightenSetSpace, tightenCost } from './climb-space';
export { tightenSetObjective, tightenClearGraphs, tightenAddGraph } from './climb-workloads';
export { climb, climbHeader, climbTop, climbTrace, climbLog, climbHeaderSize, climbRecordHead } from './tighten';

/** Reserves `bytes` of linear memory (8-byte aligned, never freed: the host reserves once and reuses). */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** One op record on one design record with `cores` tensor cores; writes a result record at `out`. */
export function evaluateOp(design: usize, op: usize, cores: f64, out: usize): void {
  evalOp(design, op, cores, out);
}

/** Evaluates `n` op records (consecutive) on one design; results consecutive at `out`. */
export function evaluateOps(design: usize, ops: usize, n: i32, cores: f64, out: usize): void {
  for (let i = 0; i < n; i++) {
    evalOp(design, ops + ((<usize>i * <usize>L.OP_STRIDE) << 3), cores, out + ((<usize>i * <usize>L.RESULT_STRIDE) << 3));
  }
}

export function systolicCycles(df: f64, R: f64, C: f64, m: f64, n: f64, k: f64): f64 {
  return foldCycles(df, R, C, m, n, k);
}

export function isDesignValid(design: usize): bool {
  return designValid(design);
}

/** layout strides, for the host's agreement check */
export function layoutDesignStride(): i32 { return L.DESIGN_STRIDE; }
export function offChipSustainedFraction(): f64 { return OFFCHIP_SUSTAINED_FRACTION; }
export function layoutOpStride(): i32 { return L.OP_STRIDE; }
export function layoutResultStride(): i32 { return L.RESULT_STRIDE; }
export function layoutStepStride(): i32 { return L.STEP_STRIDE; }
export function layoutOpSchedStride(): i32 { return L.OPSCHED_STRIDE; }
