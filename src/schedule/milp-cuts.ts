/**
 * Valid cuts of the exact scheduler's MILP, for both formulations (they only remove fractional points; see
 * ilp.ts's header): area bounds per pool, over descendants, ancestors and the ops between two related ops;
 * energetic reasoning on fixed intervals; and free pairs whose core counts exceed K sequenced.
 */
import { Lin } from './mip-builder.js';
import { aExpr, dExpr, startExpr, type ModelContext } from './milp-model.js';

/**
 * Per pool p: Σ_i k_i d_i ≤ K (C − minhead − mintail); for every op i, its descendants in p run in [S_i + d_i,
 * C − their smallest tail], its ancestors in p in [their smallest head, S_i], and the ops between i and a
 * descendant j in [S_i + d_i, S_j], so their area fits in K_p times that span.
 */
export function addAreaCuts(c: ModelContext): void {
  const { n, pool, cores: K } = c.inst;
  const { desc, est, tail } = c.w;
  const { m, Ccol } = c;
  const S = (i: number) => startExpr(c, i);
  for (const p of [0, 1]) {
    const P = c.poolOps[p];
    if (P.length === 0) continue;
    const e = new Lin().add(Ccol, K[p]);
    for (const i of P) e.addLin(aExpr(c, i), -1);
    m.ge(e, K[p] * (Math.min(...P.map((i) => est[i])) + Math.min(...P.map((i) => tail[i]))));
    for (let i = 0; i < n; i++) {
      const D = P.filter((j) => desc[i][j]);
      if (D.length > 0) {
        const e1 = new Lin().add(Ccol, K[p]).addLin(S(i), -K[p]).addLin(dExpr(c, i), -K[p]);
        for (const j of D) e1.addLin(aExpr(c, j), -1);
        m.ge(e1, K[p] * Math.min(...D.map((j) => tail[j])));
        if (pool[i] === p) {
          const e2 = new Lin().add(Ccol, K[p]).addLin(S(i), -K[p]).addLin(aExpr(c, i), -1);
          for (const j of D) e2.addLin(aExpr(c, j), -1);
          m.ge(e2, K[p] * Math.min(tail[i], ...D.map((j) => tail[j])));
        }
      }
      // ops between i and a descendant j run in [S_i + d_i, S_j]
      for (let j = 0; j < n; j++) {
        if (!desc[i][j]) continue;
        const B = P.filter((l) => desc[i][l] && desc[l][j]);
        if (B.length < 2) continue;
        const e4 = new Lin().addLin(S(j), K[p]).addLin(S(i), -K[p]).addLin(dExpr(c, i), -K[p]);
        for (const l of B) e4.addLin(aExpr(c, l), -1);
        m.ge(e4, 0);
      }
      const A = P.filter((j) => desc[j][i]);
      if (A.length > 0) {
        const e3 = new Lin().addLin(S(i), K[p]);
        for (const j of A) e3.addLin(aExpr(c, j), -1);
        m.ge(e3, K[p] * Math.min(...A.map((j) => est[j])));
      }
    }
  }
}

/**
 * Energetic reasoning on fixed intervals [t1, t2] (heads and latest completions under the bound UB): the part
 * of op i that must run inside, whatever its start in [est_i, lst_i], is k_o · max(0, min(d_o, t2 − t1,
 * est_i + d_o − t1, t2 − lct_i + d_o)) for option o; those parts fit in K (t2 − t1). Only rows that can bind.
 */
export function addEnergeticCuts(c: ModelContext): void {
  const { cores: K } = c.inst;
  const { UB, eps, est, tail, keep, du, coresOf } = c.w;
  for (const p of [0, 1]) {
    const P = c.poolOps[p];
    const lct = (i: number) => UB - tail[i];
    const t1s = [...new Set(P.map((i) => est[i]))].sort((a, b) => a - b);
    const t2s = [...new Set(P.map(lct))].sort((a, b) => a - b);
    for (const t1 of t1s) for (const t2 of t2s) {
      if (t2 <= t1 + eps) continue;
      const e = new Lin();
      let maxLhs = 0;
      for (const i of P) {
        let most = 0;
        for (const o of keep[i]) {
          const d = du[i][o];
          const part = Math.max(0, Math.min(d, t2 - t1, est[i] + d - t1, t2 - lct(i) + d));
          if (part <= 0) continue;
          const v = coresOf(i, o) * part;
          most = Math.max(most, v);
          if (keep[i].length > 1) e.add(c.xcol[i].get(o)!, v); else e.c += v;
        }
        maxLhs += most;
      }
      if (maxLhs <= K[p] * (t2 - t1) * (1 + 1e-9)) continue;
      c.m.le(e, K[p] * (t2 - t1));
    }
  }
}

/** Two free ops whose chosen core counts add up to more than K run one after the other: y_ij + y_ji ≥ x_io + Σ_big x_jo' − 1. */
export function addPairCuts(c: ModelContext): void {
  const { n, cores: K } = c.inst;
  const { keep, coresOf } = c.w;
  for (const p of [0, 1]) {
    for (const [i, j] of c.freeByPool[p]) {
      const yij = c.yOf.get(i * n + j), yji = c.yOf.get(j * n + i);
      for (const o of keep[i]) {
        const big = keep[j].filter((o2) => coresOf(i, o) + coresOf(j, o2) > K[p]);
        if (big.length === 0) continue;
        // y_ij + y_ji ≥ x_io + Σ_big x_jo' − 1
        const e = new Lin();
        if (yij !== undefined) e.add(yij, 1);
        if (yji !== undefined) e.add(yji, 1);
        if (keep[i].length > 1) e.add(c.xcol[i].get(o)!, -1); else e.c -= 1;
        if (keep[j].length > 1) for (const o2 of big) e.add(c.xcol[j].get(o2)!, -1); else e.c -= 1;
        if (e.isConst && e.c >= -1) continue;
        c.m.ge(e, -1);
      }
    }
  }
}
