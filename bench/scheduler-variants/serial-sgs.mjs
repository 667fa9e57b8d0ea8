// serial schedule generation: ops in priority order (eligible = deps placed), each at the earliest time its
// option's cores are free for its whole duration (capacity profile), option with the earliest finish (2% margin)
export function serialSched(inst, variant = {}) {
  const { n, pool, cores, options, dur } = inst;
  const MARGIN = variant.margin ?? 0.02;
  const succ = Array.from({ length: n }, () => []), preds = Array.from({ length: n }, () => []);
  const indeg = new Int32Array(n);
  for (const [a, b] of inst.deps) { succ[a].push(b); preds[b].push(a); indeg[b]++; }
  const topo = []; const ind = indeg.slice();
  for (let i = 0; i < n; i++) if (ind[i] === 0) topo.push(i);
  for (let h = 0; h < topo.length; h++) for (const s of succ[topo[h]]) if (--ind[s] === 0) topo.push(s);
  const latFull = dur.map((d) => d[d.length - 1]);
  const bl = new Float64Array(n);
  for (let j = n - 1; j >= 0; j--) { const i = topo[j]; let m = 0; for (const s of succ[i]) m = Math.max(m, bl[s]); bl[i] = latFull[i] + m; }
  // profile per pool: times T[] (ascending, T[0] = 0) and free cores F[] on [T[q], T[q+1])
  const prof = [0, 1].map((p) => ({ T: [0], F: [cores[p]] }));
  const earliest = (pr, est, k, d) => {
    // earliest t >= est with F >= k on [t, t + d)
    let q = 0; while (q + 1 < pr.T.length && pr.T[q + 1] <= est) q++;
    let t = est;
    for (;;) {
      // check window from t
      let ok = true, r = q;
      while (r < pr.T.length && (r === q || pr.T[r] < (t + d) * (1 - 1e-9))) { if (pr.F[r] < k) { ok = false; break; } r++; }
      if (ok) return t;
      // move t to the end of the blocking segment r
      q = r + 1; if (q >= pr.T.length) return Infinity; t = pr.T[q];
      // skip segments still blocked
    }
  };
  const reserve = (pr, t, d, k) => {
    const split = (x) => { let q = 0; while (q + 1 < pr.T.length && pr.T[q + 1] <= x) q++; if (pr.T[q] !== x) { pr.T.splice(q + 1, 0, x); pr.F.splice(q + 1, 0, pr.F[q]); return q + 1; } return q; };
    const a = split(t), b = split(t + d);
    for (let q = a; q < b; q++) pr.F[q] -= k;
  };
  const start = new Float64Array(n), fin = new Float64Array(n), kOf = new Int32Array(n);
  const placed = new Uint8Array(n); const left = indeg.slice(); const elig = [];
  for (let i = 0; i < n; i++) if (left[i] === 0) elig.push(i);
  const asap = new Float64Array(n);
  for (const i of topo) { let a = 0; for (const q of preds[i]) a = Math.max(a, asap[q] + latFull[q]); asap[i] = a; }
  const dur1 = dur.map((d) => d[0]);
  const blw = new Float64Array(n);
  for (let j = n - 1; j >= 0; j--) { const i = topo[j]; let m = 0; for (const s of succ[i]) m = Math.max(m, blw[s]); blw[i] = (pool[i] === 2 ? 0 : dur1[i] / (pool[i] === 0 ? cores[0] : cores[1])) + m; }
  const kinds = {
    bl: (x) => bl[x],
    tail: (x) => bl[x] - latFull[x],
    work: (x) => blw[x],
    asap: (x) => -asap[x] * 1e6 + bl[x] * 1e-6,
  };
  const prio = kinds[variant.prioKind ?? 'bl'];
  const effCap = (i) => { const kl = options[pool[i]]; let c = 0; for (let ki = 1; ki < kl.length; ki++) if (dur[i][0] / (kl[ki] * dur[i][ki]) >= variant.eff) c = ki; return c; };
  let mk = 0;
  while (elig.length) {
    elig.sort((x, y) => (prio(y) - prio(x)) || (x - y));
    const i = elig.shift();
    let est = 0; for (const q of preds[i]) est = Math.max(est, fin[q]);
    if (pool[i] === 2) { start[i] = est; fin[i] = est + latFull[i]; }
    else {
      const pr = prof[pool[i]], kl = options[pool[i]];
      let bestF = Infinity, bestS = 0, bestK = 0, bestSc = Infinity;
      const capI = variant.eff ? effCap(i) : kl.length - 1;
      for (let ki = 0; ki <= capI; ki++) {
        const s = earliest(pr, est, kl[ki], dur[i][ki]);
        const f = s + dur[i][ki];
        const lam = variant.lambda ?? 0;
        const sc = f + lam * kl[ki] * dur[i][ki] / kl[kl.length - 1];
        if (lam > 0) { if (bestF === Infinity || sc < bestSc) { bestSc = sc; bestF = f; bestS = s; bestK = kl[ki]; } }
        else if (bestF === Infinity || f < bestF - MARGIN * (bestF - est)) { bestF = f; bestS = s; bestK = kl[ki]; }
      }
      reserve(pr, bestS, bestF - bestS, bestK);
      start[i] = bestS; fin[i] = bestF; kOf[i] = bestK;
    }
    mk = Math.max(mk, fin[i]);
    for (const s of succ[i]) if (--left[s] === 0) elig.push(s);
  }
  return { makespan: mk, start, fin, kOf };
}
