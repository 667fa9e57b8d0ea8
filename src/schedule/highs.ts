/**
 * HiGHS (npm `highs`) for the exact scheduler: the solver loaded once per process, and one run of a built MIP
 * (its arrays handed over as they are, the warm start set when there is one, fixed solver options).
 */
import type { MipBuilder } from './mip-builder.js';

export type HighsRuntime = import('highs').Highs;

/** HiGHS model status codes the scheduler tells apart. */
export const HIGHS_OPTIMAL = 7;
export const HIGHS_INFEASIBLE = 8;
export const HIGHS_TIME_LIMIT = 13;

let highsPromise: Promise<HighsRuntime> | null = null;
/** HiGHS, loaded once per process (~50 ms). */
export function loadHighs(): Promise<HighsRuntime> {
  // the package's ESM build exports the loader as default; its CommonJS-typed .d.ts makes TS see the module there
  highsPromise ??= import('highs').then((m) => (m.default as unknown as () => Promise<HighsRuntime>)());
  return highsPromise;
}

export interface MipRun {
  /** HiGHS's model status code */
  status: number;
  /** column values of the best solution found, or null when there is none */
  colValue: Float64Array | null;
  /** HiGHS's MIP dual bound (model units) */
  dual: number;
  /** performance.now() once the model was handed to HiGHS (the end of building) */
  builtAt: number;
  /** seconds in HiGHS's run */
  solveS: number;
}

/**
 * One HiGHS run of the model in `m` (minimising), from its warm-start values when `warm`. HiGHS's presolve can
 * fail on a model with a start (`run` returns an error, e.g. MobileNetV2 features.11 backward at batch 32 on the
 * a100 preset): such a run is repeated once with presolve off, keeping the start.
 */
export async function runMip(m: MipBuilder, limits: { timeLimitS: number; mipRelGap: number }, warm: boolean): Promise<MipRun> {
  try {
    return await runMipOnce(m, limits, warm, true);
  } catch (e) {
    if (!warm) throw e;
    return runMipOnce(m, limits, warm, false);
  }
}

async function runMipOnce(m: MipBuilder, limits: { timeLimitS: number; mipRelGap: number }, warm: boolean, presolve: boolean): Promise<MipRun> {
  const highs = await loadHighs();
  const nc = m.names.length, nr = m.rlo.length;
  const inf = highs.infinity;
  const fin = (v: number) => (v === Infinity ? inf : v === -Infinity ? -inf : v);
  const model = highs.createModel({
    numCols: nc, numRows: nr, sense: highs.constants.objectiveSense.minimize, offset: 0,
    colCost: Float64Array.from(m.cost), colLower: Float64Array.from(m.lb), colUpper: Float64Array.from(m.ub),
    rowLower: Float64Array.from(m.rlo, fin), rowUpper: Float64Array.from(m.rhi, fin),
    matrix: { format: 'csr', numRows: nr, numCols: nc, starts: Int32Array.from(m.starts), indices: Int32Array.from(m.idx), values: Float64Array.from(m.val) },
    integrality: Int32Array.from(m.integ), colNames: m.names,
  });
  const builtAt = performance.now();
  let status: number, colValue: Float64Array | null = null, dual = NaN, solveS = 0;
  try {
    model.options.set({ output_flag: false, time_limit: limits.timeLimitS, mip_rel_gap: limits.mipRelGap, random_seed: 0 });
    if (!presolve) model.options.set('presolve', 'off');
    if (warm) model.setSolution({ colValue: Float64Array.from(m.warm, (f) => f()) });
    const t1 = performance.now();
    model.run();
    solveS = (performance.now() - t1) / 1000;
    status = model.getModelStatus();
    const primal = Number(model.info.get('primal_solution_status'));
    if (primal === 2) colValue = model.getSolution().colValue;
    dual = Number(model.info.get('mip_dual_bound'));
  } finally {
    model.dispose();
  }
  return { status, colValue, dual, builtAt, solveS };
}
