/**
 * The 'overlap' formulation of the exact scheduler's MILP (see ilp.ts's header): u_ij "i starts no later than j"
 * orders the starts of each free pair, w_ab counts the cores of b busy when a starts, and each pool's capacity is
 * checked at every op's start; the u's form a linear order (3-cycle cuts).
 */
import { Lin } from './mip-builder.js';
import { kExpr, startExpr, W, type ModelContext } from './milp-model.js';
import { wsBefore, wsFirst } from './milp-warm-start.js';

/**
 * U = [i starts no later than j] for a free pair (i < j): a constant when the windows decide it, else a column
 * u_ij with S_j ≥ S_i − M1 (1 − u_ij), S_i ≥ S_j − M2 u_ij; then y_ij ≤ U and y_ji ≤ 1 − U.
 */
export function addStartOrder(c: ModelContext, i: number, j: number): void {
  const { n } = c.inst;
  const { est, lst } = c.w;
  const m = c.m;
  const yij = c.yOf.get(i * n + j), yji = c.yOf.get(j * n + i);
  let U: Lin; // U = [i starts no later than j]
  if (lst[i] < est[j]) { U = Lin.of(1); c.uConst.set(i * n + j, 1); }
  else if (lst[j] < est[i]) { U = Lin.of(0); c.uConst.set(i * n + j, 0); }
  else {
    const u = m.col(`u${i}_${j}`, 0, 1, true, () => wsFirst(W(c), i, j));
    c.uOf.set(i * n + j, u);
    U = new Lin().add(u, 1);
    const M1 = lst[i] - est[j], M2 = lst[j] - est[i];
    m.ge(startExpr(c, j).addLin(startExpr(c, i), -1).add(u, -M1), -M1);
    m.ge(startExpr(c, i).addLin(startExpr(c, j), -1).add(u, M2), 0);
  }
  if (yij !== undefined) m.ge(new Lin().addLin(U).add(yij, -1), 0);
  if (yji !== undefined) m.le(new Lin().addLin(U).add(yji, 1), 1);
}

/**
 * Capacity of pool p at every op's start: for each free pair and direction, r = [b starts first] − y_ba (b runs
 * at S_a), w_ab ≥ k_b − kmax_b (1 − r), w_ab ≥ kmin_b r; then k_a + Σ_b w_ab ≤ K at every op a of the pool.
 */
export function addOverlapCapacity(c: ModelContext, p: number): void {
  const { n, cores: K } = c.inst;
  const { kmax, kmin, coresOf, UB } = c.w;
  const m = c.m;
  const P = c.poolOps[p];
  // w[a][b]: cores of b busy at S_a
  const load = new Map<number, Lin>(P.map((i) => [i, kExpr(c, i)]));
  for (const [i, j] of c.freeByPool[p]) {
    const Uij = c.uOf.has(i * n + j) ? new Lin().add(c.uOf.get(i * n + j)!, 1) : Lin.of(c.uConst.get(i * n + j)!);
    for (const [a, b] of [[i, j], [j, i]]) {
      // r = [b starts first] − y_ba
      const r = a === i ? Lin.of(1).addLin(Uij, -1) : new Lin().addLin(Uij);
      const yba = c.yOf.get(b * n + a);
      if (yba !== undefined) r.add(yba, -1);
      if (r.isConst && r.c <= 0) continue;
      const w = m.col(`w${a}_${b}`, 0, kmax[b], false, () => {
        const first = a === i ? 1 - wsFirst(W(c), i, j) : wsFirst(W(c), i, j);
        const run = first - (yba !== undefined ? wsBefore(W(c), UB, b, a) : 0);
        return run > 0 ? coresOf(b, W(c).o[b]) : 0;
      });
      m.ge(new Lin().add(w, 1).addLin(kExpr(c, b), -1).addLin(r, -kmax[b]), -kmax[b]);
      m.ge(new Lin().add(w, 1).addLin(r, -kmin[b]), 0);
      load.get(a)!.add(w, 1);
    }
  }
  for (const i of P) if (!load.get(i)!.isConst) m.le(load.get(i)!, K[p]);
}

/** The starts of pool p form a linear order: u_ab + u_bc + u_ca ∈ [1, 2] on triples whose three u's are columns. */
export function addStartOrderTriangles(c: ModelContext, p: number): void {
  const { n } = c.inst;
  const P = c.poolOps[p];
  const U = (a: number, b: number): Lin | null => {
    const key = a < b ? a * n + b : b * n + a;
    const u = c.uOf.get(key);
    if (u === undefined) return null;
    return a < b ? new Lin().add(u, 1) : Lin.of(1).add(u, -1);
  };
  for (let a = 0; a < P.length; a++) for (let b = a + 1; b < P.length; b++) {
    const uab = U(P[a], P[b]);
    if (!uab) continue;
    for (let cc = b + 1; cc < P.length; cc++) {
      const ubc = U(P[b], P[cc]), uca = U(P[cc], P[a]);
      if (!ubc || !uca) continue;
      const e = new Lin().addLin(uab).addLin(ubc).addLin(uca);
      c.m.row(e, 1, 2);
    }
  }
}
