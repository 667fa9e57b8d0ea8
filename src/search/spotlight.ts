/**
 * `spotlight`: a Spotlight-style (Sakhuja et al., HPCA 2023) domain-aware Bayesian optimisation baseline.
 *
 *  - Features (domain-aware): log2 of every numeric parameter, log2 total MACs, log2 on-chip bytes per MAC,
 *    log2 off-chip bandwidth per MAC-cycle, log2 array aspect ratio, one-hot dataflow and precision; each
 *    standardised over the observations (constant features drop out).
 *  - Surrogate: a Gaussian process on log(goodness), RBF kernel with one length-scale; length-scale and noise
 *    chosen by maximising the log marginal likelihood over a grid. Cholesky factor by ml-matrix.
 *  - Staying fast at thousands of observations: the GP is fitted on at most `maxTrain` points (the best half
 *    and a seeded random half of the rest), so a fit is O(maxTrain³) whatever the history.
 *  - Acquisition: expected improvement maximised over sampled feasible candidates (random designs inside the
 *    area/TDP budget plus one-step neighbours of the best designs).
 *  - Batches: kriging believer. After each pick, the GP is extended with (pick, its predicted mean) by appending
 *    one row to the Cholesky factor (O(n) per candidate), so a batch of b picks costs one fit, not b.
 *  - Infeasible observations (training state does not fit) get the worst observed value minus one.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import type { Design } from '../arch/design.js';
import { designFromChoice, randomChoice, rng, SPACE_PARAMS, spaceAxes } from '../arch/space.js';
import type { DesignResult } from '../evaluation/evaluator.js';
import type { Strategy, StrategyContext } from './strategy.js';

export interface SpotlightOptions {
  /** random designs evaluated before the GP takes over */
  initial?: number;
  /** most observations the GP is fitted on */
  maxTrain?: number;
  /** candidates scored by EI per batch */
  candidates?: number;
  /** designs proposed per ask (kriging believer batch) */
  batch?: number;
}

const NUMERIC: (keyof Design)[] = [
  'tensorCores', 'tcRows', 'tcCols', 'vectorCores', 'vectorLanes', 'localBufferBytes', 'globalBufferBytes', 'globalBufferGBs',
  'offChipBytes', 'offChipGBs', 'nocGBs', 'clockGHz',
];
const DATAFLOW_ONE_HOT = ['ws', 'os', 'is', 'rs'];
const PRECISION_ONE_HOT = ['fp32', 'bf16', 'fp16', 'fp8', 'int8'];

/** Domain-aware raw features of a design (before standardisation). */
export function spotlightFeatures(d: Design): number[] {
  const f: number[] = NUMERIC.map((k) => Math.log2(Math.max(1e-9, d[k] as number)));
  const macs = d.tensorCores * d.tcRows * d.tcCols;
  f.push(Math.log2(macs));
  f.push(Math.log2(Math.max(1, d.tensorCores * d.localBufferBytes + d.globalBufferBytes) / macs));
  f.push(Math.log2(d.offChipGBs / (macs * d.clockGHz)));
  f.push(Math.log2(d.tcRows / d.tcCols));
  for (const v of DATAFLOW_ONE_HOT) f.push(d.dataflow === v ? 1 : 0);
  for (const v of PRECISION_ONE_HOT) f.push(d.precision === v ? 1 : 0);
  return f;
}

function normCdf(z: number): number {
  // Abramowitz-Stegun 7.1.26 via erf
  const t = 1 / (1 + 0.3275911 * Math.abs(z / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}
const normPdf = (z: number) => Math.exp(-(z * z) / 2) / Math.sqrt(2 * Math.PI);

/** Expected improvement over `best` for a maximised target with predictive mean mu and std sigma. */
export function expectedImprovement(mu: number, sigma: number, best: number, xi = 0.01): number {
  if (sigma <= 1e-12) return Math.max(0, mu - best - xi);
  const z = (mu - best - xi) / sigma;
  return (mu - best - xi) * normCdf(z) + sigma * normPdf(z);
}

interface Fit {
  X: number[][];
  L: Float64Array[]; // lower-triangular rows
  w: number[]; // L⁻¹ y
  ell: number;
  noise: number;
}

function kernel(a: number[], b: number[], ell: number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.exp(-s / (2 * ell * ell));
}

function forwardSolve(L: Float64Array[], b: number[]): number[] {
  const n = b.length;
  const x = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const row = L[i];
    for (let j = 0; j < i; j++) s -= row[j] * x[j];
    x[i] = s / row[i];
  }
  return x;
}

/** Fits the GP for each grid point and keeps the best log marginal likelihood; null if no factor exists. */
function fitGp(X: number[][], y: number[], dims: number): Fit | null {
  const n = X.length;
  let best: Fit | null = null;
  let bestLml = -Infinity;
  const base = Math.sqrt(Math.max(1, dims));
  for (const scale of [0.25, 0.5, 1, 2]) {
    for (const noise of [1e-4, 1e-2, 1e-1]) {
      const ell = scale * base;
      const K = new Matrix(n, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          const k = kernel(X[i], X[j], ell) + (i === j ? noise : 0);
          K.set(i, j, k);
          K.set(j, i, k);
        }
      }
      const ch = new CholeskyDecomposition(K);
      if (!ch.isPositiveDefinite()) continue;
      const Lm = ch.lowerTriangularMatrix;
      const L = Array.from({ length: n }, (_, i) => Float64Array.from(Lm.getRow(i)));
      const w = forwardSolve(L, y);
      let logDet = 0;
      for (let i = 0; i < n; i++) logDet += Math.log(L[i][i]);
      const lml = -0.5 * w.reduce((s, v) => s + v * v, 0) - logDet - (n / 2) * Math.log(2 * Math.PI);
      if (lml > bestLml) {
        bestLml = lml;
        best = { X, L, w, ell, noise };
      }
    }
  }
  return best;
}

export function spotlight(ctx: StrategyContext, opts: SpotlightOptions = {}): Strategy {
  const initial = opts.initial ?? 32;
  const maxTrain = opts.maxTrain ?? 256;
  const nCand = opts.candidates ?? 512;
  const batch = opts.batch ?? 16;
  const rand = rng(ctx.seed);
  const space = ctx.space;
  const axes = spaceAxes(space).map((p) => SPACE_PARAMS.indexOf(p));
  const radix = SPACE_PARAMS.map((p) => space.values[p].length);
  const seen = new Set<string>();
  const obs: { genes: Int32Array; feats: number[]; y: number | null }[] = [];
  let pending: Int32Array[] = [];
  const fits = (g: Int32Array) => ctx.budgetOk(designFromChoice(space, g));

  const randomFeasible = (): Int32Array | null => {
    for (let t = 0; t < 1000; t++) {
      const g = randomChoice(space, rand);
      if (!seen.has(g.join(',')) && fits(g)) return g;
    }
    return null;
  };

  const propose = (max: number): Int32Array[] => {
    const scored = obs.filter((o) => o.y !== null) as { genes: Int32Array; feats: number[]; y: number }[];
    if (scored.length < Math.min(initial, 4)) return [];
    const worst = Math.min(...scored.map((o) => o.y));
    const all = obs.map((o) => ({ ...o, y: o.y ?? worst - 1 }));
    // training subset: the best half and a seeded random half of the rest
    let train = all;
    if (all.length > maxTrain) {
      const sorted = [...all].sort((a, b) => b.y - a.y);
      const top = sorted.slice(0, maxTrain / 2);
      const rest = sorted.slice(maxTrain / 2);
      for (let i = rest.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [rest[i], rest[j]] = [rest[j], rest[i]]; }
      train = [...top, ...rest.slice(0, maxTrain / 2)];
    }
    // standardise features and target over the training set
    const dims = train[0].feats.length;
    const mean = new Array(dims).fill(0), std = new Array(dims).fill(0);
    for (const o of train) o.feats.forEach((v, i) => (mean[i] += v / train.length));
    for (const o of train) o.feats.forEach((v, i) => (std[i] += (v - mean[i]) ** 2 / train.length));
    const active = std.map((s) => s > 1e-12);
    const z = (f: number[]) => f.flatMap((v, i) => (active[i] ? [(v - mean[i]) / Math.sqrt(std[i])] : []));
    const yMean = train.reduce((s, o) => s + o.y, 0) / train.length;
    const yStd = Math.sqrt(train.reduce((s, o) => s + (o.y - yMean) ** 2, 0) / train.length) || 1;
    const X = train.map((o) => z(o.feats));
    const y = train.map((o) => (o.y - yMean) / yStd);
    const gp = fitGp(X, y, X[0].length);
    if (!gp) return [];
    const fBest = Math.max(...y);
    // candidates: random feasible designs + one-step neighbours of the five best observations
    const cands: Int32Array[] = [];
    const candKeys = new Set<string>();
    const addCand = (g: Int32Array | null) => {
      if (!g) return;
      const k = g.join(',');
      if (seen.has(k) || candKeys.has(k) || !fits(g)) return;
      candKeys.add(k);
      cands.push(g);
    };
    for (const o of [...scored].sort((a, b) => b.y - a.y).slice(0, 5)) {
      for (const a of axes) for (const d of [-1, 1]) {
        const g = o.genes.slice();
        g[a] += d;
        if (g[a] >= 0 && g[a] < radix[a]) addCand(g);
      }
    }
    for (let t = 0; t < nCand * 4 && cands.length < nCand; t++) addCand(randomChoice(space, rand));
    if (cands.length === 0) return [];
    const Z = cands.map((g) => z(spotlightFeatures(designFromChoice(space, g))));
    // V[c] = L⁻¹ k(X, c); mean = V[c]·w; var = 1 − |V[c]|²
    const V = Z.map((zc) => forwardSolve(gp.L, gp.X.map((x) => kernel(x, zc, gp.ell))));
    const w = [...gp.w];
    const L = gp.L;
    const picked: Int32Array[] = [];
    const used = new Set<number>();
    for (let b = 0; b < max; b++) {
      let bestEi = -1, bestC = -1, bestMu = 0;
      for (let c = 0; c < cands.length; c++) {
        if (used.has(c)) continue;
        const v = V[c];
        let mu = 0, vv = 0;
        for (let i = 0; i < v.length; i++) { mu += v[i] * w[i]; vv += v[i] * v[i]; }
        const ei = expectedImprovement(mu, Math.sqrt(Math.max(1e-12, 1 + gp.noise - vv)), fBest);
        if (ei > bestEi) { bestEi = ei; bestC = c; bestMu = mu; }
      }
      if (bestC < 0) break;
      used.add(bestC);
      picked.push(cands[bestC]);
      // kriging believer: append (pick, predicted mean) to the factor; update every candidate's V row in O(n)
      const l = V[bestC];
      const d = Math.sqrt(Math.max(1e-10, 1 + gp.noise - l.reduce((s, v) => s + v * v, 0)));
      const row = new Float64Array(l.length + 1);
      row.set(l);
      row[l.length] = d;
      L.push(row);
      w.push((bestMu - l.reduce((s, v, i) => s + v * w[i], 0)) / d);
      const zs = Z[bestC];
      for (let c = 0; c < cands.length; c++) {
        const v = V[c];
        const kc = kernel(zs, Z[c], gp.ell) + (c === bestC ? gp.noise : 0);
        let s = kc;
        for (let i = 0; i < l.length; i++) s -= l[i] * v[i];
        v.push(s / d);
      }
      gp.X.push(zs);
    }
    return picked;
  };

  return {
    name: 'spotlight',
    ask(max: number): Design[] {
      const n = Math.min(max, batch);
      pending = obs.length < initial ? [] : propose(n);
      while (pending.length < n) {
        const g = randomFeasible();
        if (!g) break;
        pending.push(g);
        seen.add(g.join(','));
      }
      for (const g of pending) seen.add(g.join(','));
      return pending.map((g) => designFromChoice(space, g));
    },
    tell(results: DesignResult[]): void {
      results.forEach((r, i) => obs.push({ genes: pending[i], feats: spotlightFeatures(r.design), y: r.feasible && r.score > 0 ? Math.log(r.score) : null }));
    },
  };
}
