/**
 * The 'flow' formulation of the exact scheduler's MILP (resource flow, Artigues, Michelon and Reusser, EJOR
 * 2003; see ilp.ts's header): f_ij ≥ 0 cores handed from i to j where i may finish before j starts, each op
 * taking in and passing on its k_i cores, a source and a sink carrying the pool's K.
 */
import { Lin } from './mip-builder.js';
import { kExpr, type ModelContext } from './milp-model.js';
import { warmFlows } from './milp-warm-start.js';

/** A free pair is ordered at most one way: y_ij + y_ji ≤ 1. */
export function addOneOrder(c: ModelContext, i: number, j: number): void {
  const { n } = c.inst;
  const yij = c.yOf.get(i * n + j), yji = c.yOf.get(j * n + i);
  if (yij !== undefined && yji !== undefined) c.m.le(new Lin().add(yij, 1).add(yji, 1), 1);
}

/**
 * The core flow of pool p: arcs f_ij ≤ min(kmax_i, kmax_j) y_ij (no y: ordered by dependencies or windows),
 * Σ_j f_ij + f_i,sink = k_i = Σ_j f_ji + f_source,i, and the source and the sink carrying K (f_source,sink the
 * cores no op uses).
 */
export function addFlowCapacity(c: ModelContext, p: number): void {
  const { n, cores: K } = c.inst;
  const { desc, kmax } = c.w;
  const m = c.m;
  const P = c.poolOps[p];
  // resource flow: arcs i → j where i may finish before j starts
  const can = (i: number, j: number) => desc[i][j] === 1 || c.fixedBefore.some(([a, b]) => a === i && b === j) || c.yOf.has(i * n + j);
  const flowIn = new Map<number, Lin>(P.map((i) => [i, new Lin()]));
  const flowOut = new Map<number, Lin>(P.map((i) => [i, new Lin()]));
  const src = new Lin(), snk = new Lin();
  const wf = warmFlows(c.inst, c.w, c.ws, P, K[p]);
  for (const i of P) for (const j of P) {
    if (i === j || !can(i, j)) continue;
    const cap = Math.min(kmax[i], kmax[j]);
    const f = m.col(`f${i}_${j}`, 0, cap, false, () => wf().arc.get(i * n + j) ?? 0);
    flowOut.get(i)!.add(f, 1);
    flowIn.get(j)!.add(f, 1);
    const y = c.yOf.get(i * n + j);
    if (y !== undefined) m.le(new Lin().add(f, 1).add(y, -cap), 0);
  }
  for (const i of P) {
    const fs = m.col(`fs${i}`, 0, kmax[i], false, () => wf().src.get(i) ?? 0);
    const ft = m.col(`ft${i}`, 0, kmax[i], false, () => wf().snk.get(i) ?? 0);
    src.add(fs, 1);
    snk.add(ft, 1);
    m.eq(flowOut.get(i)!.add(ft, 1).addLin(kExpr(c, i), -1), 0);
    m.eq(flowIn.get(i)!.add(fs, 1).addLin(kExpr(c, i), -1), 0);
  }
  if (P.length > 0) {
    const fst = m.col(`fst${p}`, 0, K[p], false, () => wf().through);
    m.eq(src.add(fst, 1), K[p]);
    m.eq(snk.add(fst, 1), K[p]);
  }
}
