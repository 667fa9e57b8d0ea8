/**
 * HyPar (Song et al., HPCA 2019) and AccPar (HPCA 2020): layer-wise parallelism for an array of 2^h
 * accelerators, from the papers' communication model and hierarchical dynamic program (docs/distributed.md).
 *
 * Each weighted layer l is F(l+1) = F(l)·W(l). Tensors (rows × cols × spatial factor):
 *   F(l)   batch × in-channels × in-pixels        E(l) like F(l)
 *   W(l)   in-channels × out-channels × kernel    ΔW(l) like W(l)
 *   F(l+1) batch × out-channels × out-pixels      E(l+1) like F(l+1)
 * A(X) = rows × cols × spatial at the current level. Types: I (0) data parallel, II (1) split in-channels,
 * III (2, AccPar) split out-channels.
 *   intra(l, I) = A(ΔW(l)); intra(l, II) = A(F(l+1)); intra(l, III) = A(E(l))
 *   inter(l, t′ → t) on layer l's inputs: I→I 0; I→II ¼A(F)+¼A(E); I→III ½A(F); II→I ½A(E); II→II ½A(E);
 *     II→III 0; III→I ¼A(F)+¼A(E); III→II 0; III→III ½A(F)   (F, E = F(l), E(l))
 *   one level: c[l][t] = intra(l,t) + min_t′ (c[l−1][t′] + inter(l,t′,t)); c[0][t] = intra(0,t); backtrack.
 *   h levels: after each level every layer's tensors are halved as its type splits them (I: rows of F(l),
 *   F(l+1); II: cols of F(l), rows of W; III: cols of W, cols of F(l+1)) and the next level is solved on them.
 * Total over the hierarchy: level i (1 = top) is solved once but happens in 2^(i−1) groups of accelerators at
 * once, each group moving the level's cost, so total = Σ_i 2^(i−1) × cost_i (the communication the whole
 * array moves; HyPar's "total communication").
 */
export interface Tensor3 {
  rows: number;
  cols: number;
  spatial: number;
}

export interface HyparLayer {
  name: string;
  kind: 'conv' | 'fc';
  fin: Tensor3;
  w: Tensor3;
  fout: Tensor3;
}

export type ParType = 0 | 1 | 2;
export const TYPE_NAMES = ['I', 'II', 'III'] as const;

const A = (t: Tensor3) => t.rows * t.cols * t.spatial;

export function intraCost(l: HyparLayer, t: ParType): number {
  return t === 0 ? A(l.w) : t === 1 ? A(l.fout) : A(l.fin);
}

/** Communication on layer l's inputs when the previous layer has type `from` and l has type `to`. */
export function interCost(l: HyparLayer, from: ParType, to: ParType): number {
  const F = A(l.fin), E = A(l.fin);
  const table: number[][] = [
    [0, F / 4 + E / 4, F / 2],
    [E / 2, E / 2, 0],
    [F / 4 + E / 4, 0, F / 2],
  ];
  return table[from][to];
}

export interface LevelResult {
  types: ParType[];
  cost: number;
}

/** One level's dynamic program over `allowed` types. */
export function solveLevel(layers: HyparLayer[], allowed: ParType[]): LevelResult {
  const n = layers.length;
  const c = layers.map(() => [Infinity, Infinity, Infinity]);
  const from = layers.map(() => [-1, -1, -1]);
  for (const t of allowed) c[0][t] = intraCost(layers[0], t);
  for (let l = 1; l < n; l++) {
    for (const t of allowed) {
      for (const p of allowed) {
        const v = c[l - 1][p] + interCost(layers[l], p, t);
        if (v < c[l][t]) { c[l][t] = v; from[l][t] = p; }
      }
      c[l][t] += intraCost(layers[l], t);
    }
  }
  let t = allowed[0];
  for (const a of allowed) if (c[n - 1][a] < c[n - 1][t]) t = a;
  const cost = c[n - 1][t];
  const types: ParType[] = new Array(n);
  for (let l = n - 1; l >= 0; l--) { types[l] = t as ParType; t = from[l][t] as ParType; }
  return { types, cost };
}

/** Cost of fixed types at one level (the baselines). */
export function levelCost(layers: HyparLayer[], types: ParType[]): number {
  let s = intraCost(layers[0], types[0]);
  for (let l = 1; l < layers.length; l++) s += interCost(layers[l], types[l - 1], types[l]) + intraCost(layers[l], types[l]);
  return s;
}

/** Halves each layer's tensors as its type splits them. */
export function splitLayers(layers: HyparLayer[], types: ParType[]): HyparLayer[] {
  return layers.map((l, i) => {
    const fin = { ...l.fin }, w = { ...l.w }, fout = { ...l.fout };
    if (types[i] === 0) { fin.rows /= 2; fout.rows /= 2; }
    else if (types[i] === 1) { fin.cols /= 2; w.rows /= 2; }
    else { w.cols /= 2; fout.cols /= 2; }
    return { ...l, fin, w, fout };
  });
}

export interface HierarchyResult {
  levels: LevelResult[];
  totalCost: number;
}

/** HyPar/AccPar over `levels` levels: `choose` gives each level's types (the DP, or a fixed baseline). */
function hierarchy(layers: HyparLayer[], levels: number, choose: (ls: HyparLayer[]) => LevelResult): HierarchyResult {
  const out: LevelResult[] = [];
  let cur = layers;
  let total = 0;
  for (let i = 0; i < levels; i++) {
    const r = choose(cur);
    out.push(r);
    total += 2 ** i * r.cost;
    cur = splitLayers(cur, r.types);
  }
  return { levels: out, totalCost: total };
}

export interface HyparReport extends HierarchyResult {
  layers: string[];
  dataParallel: HierarchyResult;
  modelParallel: HierarchyResult;
  trick: HierarchyResult;
}

export function hypar(layers: HyparLayer[], levels: number, types: 2 | 3): HyparReport {
  const allowed: ParType[] = types === 3 ? [0, 1, 2] : [0, 1];
  const fixed = (f: (l: HyparLayer) => ParType) => (ls: HyparLayer[]) => { const t = ls.map(f); return { types: t, cost: levelCost(ls, t) }; };
  return {
    layers: layers.map((l) => l.name),
    ...hierarchy(layers, levels, (ls) => solveLevel(ls, allowed)),
    dataParallel: hierarchy(layers, levels, fixed(() => 0)),
    modelParallel: hierarchy(layers, levels, fixed(() => 1)),
    trick: hierarchy(layers, levels, fixed((l) => (l.kind === 'conv' ? 0 : 1))),
  };
}
