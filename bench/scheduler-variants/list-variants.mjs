// standalone list scheduler on a ScheduleInstance {n, pool, cores, options, dur, deps}
export function listSched(inst, variant = {}) {
  const { n, pool, cores, options, dur } = inst;
  const MARGIN = variant.margin ?? 0.02;
  const succ = Array.from({ length: n }, () => []);
  const indeg = new Int32Array(n);
  for (const [a, b] of inst.deps) { succ[a].push(b); indeg[b]++; }
  // topo
  const topo = []; const ind = indeg.slice();
  for (let i = 0; i < n; i++) if (ind[i] === 0) topo.push(i);
  for (let h = 0; h < topo.length; h++) for (const s of succ[topo[h]]) if (--ind[s] === 0) topo.push(s);
  const latFull = dur.map((d) => d[d.length - 1]);
  const pd = variant.prioDur ? dur.map((d, i) => variant.prioDur(i, d)) : latFull;
  const bl = new Float64Array(n);
  for (let j = n - 1; j >= 0; j--) { const i = topo[j]; let m = 0; for (const s of succ[i]) m = Math.max(m, bl[s]); bl[i] = pd[i] + m; }
  if (variant.perturb) { let x = variant.perturb >>> 0; const rnd = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 4294967296; }; for (let i = 0; i < n; i++) bl[i] *= 1 + variant.amp * (rnd() - 0.5); }
  const tail = Float64Array.from(bl, (b, i) => b - pd[i]);
  const start = new Float64Array(n), fin = new Float64Array(n), kOf = new Int32Array(n);
  const asapS = new Float64Array(n);
  { const pr = Array.from({ length: n }, () => []); for (const [a, b] of inst.deps) pr[b].push(a);
    for (const i of topo) { let a = 0; for (const q of pr[i]) a = Math.max(a, asapS[q] + latFull[q]); asapS[i] = a; } }
  let cpL = 0; for (let i = 0; i < n; i++) cpL = Math.max(cpL, bl[i]);
  const crit = Uint8Array.from({ length: n }, (_, i) => (pool[i] !== 2 && asapS[i] + bl[i] >= cpL * (1 - 1e-9)) ? 1 : 0);
  const critList = [0, 1].map((p) => topo.filter((i) => crit[i] && pool[i] === p).sort((a, b) => asapS[a] - asapS[b] || a - b));
  const critPtr = [0, 0];
  const disp = new Uint8Array(n);
  let delay = 0;
  // preferred cores of op c: smallest option within the margin of its fastest
  const prefK = (c) => { const kl = options[pool[c]]; let bk = 0, bl2 = Infinity; for (let ki = 0; ki < kl.length; ki++) { const l = dur[c][ki]; if (bl2 === Infinity || l < bl2 - MARGIN * bl2) { bl2 = l; bk = ki; } } return kl[bk]; };
  const groups = [0, 1].map((p) => ({ t: [0], c: [cores[p]], o: [-1] }));
  const readyT = new Float64Array(n), pred = new Int32Array(n).fill(-1);
  const release = variant.release ?? null;
  const ready = [[], []];
  let cpLen = 0; for (let i = 0; i < n; i++) cpLen = Math.max(cpLen, bl[i]);
  const target = variant.cpFactor ? cpLen * variant.cpFactor : (variant.target ?? Infinity);
  const events = [];
  const udeg = indeg.slice();
  const isReady = new Uint8Array(n);
  const foreseen = [[], []];
  const rfore = new Float64Array(n);
  const preds = Array.from({ length: n }, () => []);
  for (const [a, b] of inst.deps) preds[b].push(a);
  const dispatched = new Uint8Array(n);
  const onDispatched = (r) => { dispatched[r] = 1; };
  const onReady = (r) => {
    if (!variant.lookahead) return;
    for (const s of succ[r]) if (--udeg[s] === 0 && pool[s] !== 2) foreseen[pool[s]].push(s);
  };
  const estReady = (s, t) => { let rt = 0; for (const q of preds[s]) rt = Math.max(rt, dispatched[q] ? fin[q] : t + latFull[q]); return rt; };
  const before = (x, y) => bl[x] > bl[y] || (bl[x] === bl[y] && x < y);
  // j's earliest finish (margin rule) on pool state g (after i's reservation) from time r
  const jFinish = (g, kl, j, r) => {
    let bestF = Infinity, gi = 0, cum = g.c[0];
    for (let ki = 0; ki < kl.length; ki++) {
      const k = kl[ki];
      while (cum < k) cum += g.c[++gi];
      const st = Math.max(g.t[gi], r);
      if (st >= bestF) break;
      const f = st + dur[j][ki];
      if (bestF === Infinity || f < bestF - MARGIN * (bestF - r)) bestF = f;
    }
    return bestF;
  };
  const reserve = (g, k, f) => {
    const t2 = g.t.slice(), c2 = g.c.slice();
    let rem = k, idx = 0;
    while (rem > 0) { if (c2[idx] <= rem) { rem -= c2[idx]; idx++; } else { c2[idx] -= rem; rem = 0; } }
    t2.splice(0, idx); c2.splice(0, idx);
    let pos = t2.length; while (pos > 0 && t2[pos - 1] > f) pos--;
    t2.splice(pos, 0, f); c2.splice(pos, 0, k);
    return { t: t2, c: c2 };
  };
  const relq = [];
  const makeReady = (i, t) => {
    isReady[i] = 1; onReady(i); readyT[i] = t;
    if (release && release[i] > t) { relq.push(i); return; }
    if (pool[i] === 2) { start[i] = t; fin[i] = t + latFull[i]; events.push(i); onDispatched(i); }
    else ready[pool[i]].push(i);
  };
  const dispatch = (p, t) => {
    const g = groups[p], kl = options[p];
    const h = ready[p];
    h.sort(variant.critFirst ? (x, y) => (crit[y] - crit[x]) || (bl[y] - bl[x]) || (x - y) : (x, y) => (bl[y] - bl[x]) || (x - y));
    const deferred = []; const deferredSet = new Set();
    while (h.length > 0 && g.t[0] <= t) {
      const i = h.shift();
      let limitKi = kl.length - 1;
      if (variant.reserve && !crit[i]) {
        while (critPtr[p] < critList[p].length && disp[critList[p][critPtr[p]]]) critPtr[p]++;
        if (critPtr[p] < critList[p].length) {
          const c = critList[p][critPtr[p]];
          const eC = Math.max(asapS[c] + delay, t);
          const lfI = cpL + delay - (bl[i] - latFull[i]);
          const kc = prefK(c);
          // options of i that finish by eC are free; others may use only K - kc cores
          const freeNow = g.t.reduce((a, tt, q) => a + (tt <= t ? g.c[q] : 0), 0);
          let okFast = false; for (let ki = 0; ki < kl.length && kl[ki] <= freeNow; ki++) if (t + dur[i][ki] <= eC + (variant.tolCp ?? 0) * cpL + (variant.tolOp ?? 0) * dur[i][ki]) okFast = true;
          if (!okFast) {
            let lim = -1;
            if (variant.freeAt) {
              // cores free at eC (groups freeing by then), less what i would still hold then
              let freeAtC = 0; for (let q = 0; q < g.t.length; q++) if (g.t[q] <= eC) freeAtC += g.c[q];
              for (let ki = 0; ki < kl.length; ki++) if (freeAtC - kl[ki] >= kc) lim = ki;
            } else for (let ki = 0; ki < kl.length; ki++) if (kl[ki] <= kl[kl.length - 1] - kc) lim = ki;
            // forced when waiting would push i past its latest finish
            let forced = t + dur[i][kl.length - 1] >= lfI;
            if (variant.exchange) {
              // exchange argument: lateness if i runs now (the critical op waits) vs after c
              const nowImpact = t + dur[i][kl.length - 1] - eC;
              const cDur = dur[c][options[pool[c]].indexOf(kc)];
              const laterImpact = eC + cDur + dur[i][kl.length - 1] - lfI;
              forced = nowImpact <= laterImpact;
            }
            if (!forced) { if (lim < 0) { deferred.push(i); deferredSet.add(i); continue; } limitKi = lim; }
          }
        }
      }
      let bestF = Infinity, bestKi = 0, bestA = 0, bestO = -1;
      let gi = 0, cum = g.c[0];
      const cand = [];
      const kmaxI = limitKi < kl.length - 1 ? limitKi : variant.eff && !(variant.effNonCrit && crit[i]) ? (() => { let c = 0; for (let ki = 1; ki < kl.length; ki++) if (dur[i][0] / (kl[ki] * dur[i][ki]) >= variant.eff) c = ki; return c; })() : variant.cap ? variant.cap[i] ?? kl.length - 1 : kl.length - 1;
      for (let ki = 0; ki <= kmaxI; ki++) {
        const k = kl[ki];
        while (cum < k) cum += g.c[++gi];
        const a = g.t[gi];
        const st = a > t ? a : t;
        const f = st + dur[i][ki];
        cand.push({ ki, a, f });
        if (st >= bestF) continue;
        if (bestF === Infinity || f < bestF - MARGIN * (bestF - t)) { bestF = f; bestKi = ki; bestA = a; bestO = g.o[gi]; }
      }
      if (variant.pair && h.length > 0 && (!variant.pairOnly || h.length === 1)) {
        // the next ready op of this pool takes what i leaves: choose i's option minimising the pair's lateness
        const j = h[0];
        if (!deferredSet.has(j)) {
          const objOf = (c) => { const g2 = reserve(g, kl[c.ki], c.f); const fj = jFinish(g2, kl, j, t); return [Math.max(c.f + tail[i], fj + tail[j]), Math.min(c.f + tail[i], fj + tail[j])]; };
          const tol = variant.pairTol ?? 1e-9;
          const better = (a, b) => a[0] < b[0] * (1 - tol) || (a[0] <= b[0] * (1 + tol) && a[1] < b[1] * (1 - 1e-9));
          let bo = objOf({ ki: bestKi, f: bestF }), bc = null;
          for (const c of cand) { if (c.ki === bestKi || c.ki > kmaxI || !(c.f < Infinity)) continue; const o = objOf(c); if (better(o, bo)) { bo = o; bc = c; } }
          if (bc) { bestF = bc.f; bestKi = bc.ki; bestA = bc.a; }
        }
      }
      if (variant.lookahead) {
        let j = -1;
        for (const x of foreseen[p]) if (!isReady[x] && (rfore[x] = estReady(x, t)) < bestF && (j < 0 || before(x, j))) j = x;
        if (j >= 0) {
          const objOf = (c) => { const g2 = reserve(g, kl[c.ki], c.f); const fj = jFinish(g2, kl, j, Math.max(rfore[j], t)); return Math.max(c.f + tail[i], fj + tail[j]); };
          let bo = objOf({ ki: bestKi, f: bestF }), bc = null;
          for (const c of cand) { if (c.ki === bestKi || !(c.f < Infinity)) continue; const o = objOf(c); if (o < bo * (1 - 1e-12)) { bo = o; bc = c; } }
          if (bc) { bestF = bc.f; bestKi = bc.ki; bestA = bc.a; }
        }
      }
      if (target < Infinity) {
        // smallest k whose finish + tail fits the target
        for (const c of cand) if (c.f + tail[i] <= target * (1 + 1e-12)) { if (c.ki < bestKi) { bestF = c.f; bestKi = c.ki; bestA = c.a; } break; }
      }
      const k = kl[bestKi];
      let rem = k, idx = 0;
      while (rem > 0) { if (g.c[idx] <= rem) { rem -= g.c[idx]; idx++; } else { g.c[idx] -= rem; rem = 0; } }
      g.t.splice(0, idx); g.c.splice(0, idx); g.o.splice(0, idx);
      let pos = g.t.length; while (pos > 0 && g.t[pos - 1] > bestF) pos--;
      g.t.splice(pos, 0, bestF); g.c.splice(pos, 0, k); g.o.splice(pos, 0, i);
      if (bestA > readyT[i]) pred[i] = bestO;
      start[i] = Math.max(bestA, t); fin[i] = bestF; kOf[i] = k; events.push(i); onDispatched(i); disp[i] = 1; if (crit[i]) delay = Math.max(delay, start[i] - asapS[i]);
    }
    for (const x of deferred) h.push(x);
  };
  for (let i = 0; i < n; i++) if (indeg[i] === 0) makeReady(i, 0);
  const deg = indeg.slice();
  let t = 0, mk = 0;
  for (;;) {
    if (ready[0].length) dispatch(0, t);
    if (ready[1].length) dispatch(1, t);
    if (!events.length && !relq.length) {
      if (ready[0].length || ready[1].length) { const sv = variant.reserve; variant.reserve = false; if (ready[0].length) dispatch(0, t); if (ready[1].length) dispatch(1, t); variant.reserve = sv; continue; }
      break;
    }
    events.sort((x, y) => (fin[x] - fin[y]) || (x - y));
    const tr = relq.length ? Math.min(...relq.map((x) => release[x])) : Infinity;
    const te = events.length ? fin[events[0]] : Infinity;
    if (tr <= te) { t = tr; for (const x of relq.filter((x) => release[x] <= t)) { relq.splice(relq.indexOf(x), 1); ready[pool[x]].push(x); } continue; }
    t = te;
    while (events.length && fin[events[0]] === t) {
      const j = events.shift(); mk = Math.max(mk, fin[j]);
      for (const s of succ[j]) if (--deg[s] === 0) makeReady(s, t);
    }
  }
  // critical path walk: last finisher back via pred (core holder) or the latest-finishing dep
  let last = 0; for (let i = 0; i < n; i++) if (fin[i] > fin[last] || (fin[i] === fin[last] && i > last)) last = i;
  const cp = []; const links = [];
  for (let x = last; x >= 0;) { cp.push(x); if (pred[x] >= 0 && start[x] > readyT[x]) { links.push([x, pred[x]]); x = pred[x]; continue; }
    let b = -1; for (const q of preds[x]) if (b < 0 || fin[q] > fin[b] || (fin[q] === fin[b] && q > b)) b = q; x = b; }
  return { makespan: mk, start, fin, kOf, readyT, links, cp };
}
