/**
 * What a kernel climb optimises and on what: the objective and the area / TDP limits (tightenSetObjective),
 * the objective as a goodness (goodnessOf, the kernel's one definition), and the workloads' graphs
 * (tightenAddGraph) with the one the scheduler has loaded (useGraph).
 */
import { allocF64, lf, sf } from './mem';
import { setGraph } from './step';
import { gMaxSlots } from './climb-state';
import { OBJ_ENERGY, OBJ_PERF_PER_AREA, OBJ_PERF_PER_TDP, OBJ_THROUGHPUT } from './climb-layout';
// ---------------------------------------------------------------------------------------------
// objective, limits, workloads
// ---------------------------------------------------------------------------------------------
export let gObjective: i32 = 0;
export let gAreaLimit: f64 = Infinity;
export let gTdpLimit: f64 = Infinity;

export function tightenSetObjective(objective: i32, areaLimitMm2: f64, tdpLimitW: f64): void {
  gObjective = objective;
  gAreaLimit = areaLimitMm2;
  gTdpLimit = tdpLimitW;
}

export const MAX_GRAPHS: i32 = 256;
export const G_STRIDE: i32 = 10; // ops, nUnique, slotRes, opSlot, opPhase, depOff, deps, nOps, batch, memoryPeakBytes
export let gGraphs: usize = 0; // f64 [MAX_GRAPHS × G_STRIDE]
export let gNGraphs: i32 = 0;
export let gLoaded: i32 = -1;

export function tightenClearGraphs(): void {
  gNGraphs = 0;
  gLoaded = -1;
}

/**
 * Adds a workload: its graph's arrays (as for setGraph; they stay in host-reserved memory), batch size and
 * training-state bytes (off-chip capacity check). Returns the ops in topological order (< nOps: a cycle),
 * or -1 when there is no room for another graph.
 */
export function tightenAddGraph(ops: usize, nOps: i32, slotResults: usize, opSlot: usize, opPhase: usize, depOffsets: usize, deps: usize, nAllOps: i32, batch: f64, memoryPeakBytes: f64): i32 {
  if (gGraphs == 0) gGraphs = allocF64(MAX_GRAPHS * G_STRIDE);
  if (gNGraphs >= MAX_GRAPHS) return -1;
  const g = gGraphs + (<usize>(gNGraphs * G_STRIDE) << 3);
  sf(g, 0, <f64>ops);
  sf(g, 1, <f64>nOps);
  sf(g, 2, <f64>slotResults);
  sf(g, 3, <f64>opSlot);
  sf(g, 4, <f64>opPhase);
  sf(g, 5, <f64>depOffsets);
  sf(g, 6, <f64>deps);
  sf(g, 7, <f64>nAllOps);
  sf(g, 8, batch);
  sf(g, 9, memoryPeakBytes);
  gNGraphs++;
  gLoaded = gNGraphs - 1;
  if (nOps > gMaxSlots) gMaxSlots = nOps;
  return setGraph(ops, nOps, slotResults, opSlot, opPhase, depOffsets, deps, nAllOps);
}

/** Makes graph `w` the one evaluateSteps schedules (re-points the scheduler: successors, order, memo). */
export function useGraph(w: i32): void {
  if (gLoaded == w) return;
  const g = gGraphs + (<usize>(w * G_STRIDE) << 3);
  setGraph(<usize>lf(g, 0), <i32>lf(g, 1), <usize>lf(g, 2), <usize>lf(g, 3), <usize>lf(g, 4), <usize>lf(g, 5), <usize>lf(g, 6), <i32>lf(g, 7));
  gLoaded = w;
}

/**
 * The objective of one workload as a goodness (higher is better: energy and EDP inverted), the kernel's one
 * definition of it; src/evaluation/objectives.ts `goodness` is the host's, and test/tighten.test.ts checks the
 * two agree for every objective.
 */
export function goodnessOf(batch: f64, stepTimeS: f64, energyJ: f64, area: f64, tdp: f64): f64 {
  const throughput = batch / stepTimeS;
  const energyPerSampleJ = energyJ / batch;
  if (gObjective == OBJ_THROUGHPUT) return throughput;
  if (gObjective == OBJ_PERF_PER_TDP) return throughput / tdp;
  if (gObjective == OBJ_PERF_PER_AREA) return throughput / area;
  if (gObjective == OBJ_ENERGY) return 1 / energyPerSampleJ;
  return 1 / (energyPerSampleJ / throughput);
}
