/**
 * AccPar's heterogeneous arrays, costed in time by our cost model: two groups of accelerators of different
 * kinds (each a preset or design) joined by a link. Per layer a type (I, II, III) and a split ratio α of the
 * work given to kind A (0.05 … 0.95), by dynamic programming over (type, α) states.
 *
 *  compute(l, α)  = max(α · t_A(l), (1 − α) · t_B(l)), t_X(l) = the layer's forward + data-gradient +
 *                   weight-gradient GEMMs on all of kind X's tensor cores (kernel cost model)
 *  traffic(l)     = intra(l, t) + inter(l, t′ → t) in elements, HyPar's model generalised to an uneven split:
 *                   the partial sums of the intra terms are full-size whatever α; an inter term of ¼A moves
 *                   α(1 − α)·A, one of ½A moves 2α(1 − α)·A (equal to HyPar's at α = ½)
 *  time(l)        = compute + traffic × element bytes / link bandwidth
 */
import { unitEnergies } from '../arch/cost.js';
import type { Design } from '../arch/design.js';
import { presetDesign } from '../arch/presets.js';
import { DESIGN_FIELD_RULES, validateDesign } from '../arch/validate.js';
import type { Kernel } from '../engine/kernel.js';
import { gemmRecord, PRECISION_CODES, PRECISION_ELEMENT_BYTES } from '../engine/layout.js';
import { describe, InputError } from '../errors.js';
import { readJsonFile } from '../json-file.js';
import { intraCost, type HyparLayer, type ParType } from './hypar-model.js';

export interface HeteroArray {
  kinds: [{ name: string; design: Design }, { name: string; design: Design }];
  linkGBs: number;
  elementBytes: number;
}

export function readHeteroFile(path: string): HeteroArray {
  const raw = readJsonFile(path) as any;
  if (!raw || !Array.isArray(raw.kinds) || raw.kinds.length !== 2) throw new InputError(`${path}: "kinds" must list exactly two accelerator kinds, each {"name", "preset"} or {"name", "design"}`);
  const kinds = raw.kinds.map((k: any, i: number) => {
    // optional; given, a name (a number or null was replaced by "kind i" without a word)
    if (k?.name !== undefined && (typeof k.name !== 'string' || k.name.trim() === '')) throw new InputError(`${path}: kinds.${i}.name must be a non-empty string, got ${describe(k.name)}`);
    const name = typeof k?.name === 'string' ? k.name : `kind ${i}`;
    if (typeof k?.preset === 'string') return { name, design: presetDesign(k.preset) };
    if (k?.design) return { name, design: validateDesign(k.design, `${path}: kinds.${i}.design`) };
    throw new InputError(`${path}: kinds.${i} needs "preset" or "design", got ${describe(k)}`);
  });
  // the bounds of a design's on-chip network bandwidth: 1e-320 GB/s made every transfer Infinity s
  const { min, max } = DESIGN_FIELD_RULES.nocGBs;
  if (typeof raw.linkGBs !== 'number' || !(raw.linkGBs >= min && raw.linkGBs <= max)) throw new InputError(`${path}: linkGBs must be a number from ${min} to ${max} (GB/s), got ${describe(raw.linkGBs)}`);
  return { kinds: kinds as HeteroArray['kinds'], linkGBs: raw.linkGBs, elementBytes: 2 };
}

/** Training time of one layer (fwd, dgrad, wgrad GEMMs) on a design, seconds. */
export function layerTimeS(l: HyparLayer, d: Design, kernel: Kernel): number {
  const e = PRECISION_ELEMENT_BYTES[PRECISION_CODES[d.precision]];
  const M = l.fout.rows * l.fout.spatial, N = l.fout.cols, K = l.w.rows * l.w.spatial;
  const en = unitEnergies(d);
  const t = (m: number, n: number, k: number) => kernel.evaluateOp(d, en, gemmRecord(1, m, n, k, e)).cycles;
  return (t(M, N, K) + t(M, K, N) + t(K, N, M)) / (d.clockGHz * 1e9);
}

const RATIOS = Array.from({ length: 19 }, (_, i) => (i + 1) * 0.05);

function interElements(l: HyparLayer, from: ParType, to: ParType, a: number): number {
  const F = l.fin.rows * l.fin.cols * l.fin.spatial, E = F;
  const q = a * (1 - a), h = 2 * a * (1 - a);
  const table = [
    [0, q * F + q * E, h * F],
    [h * E, h * E, 0],
    [q * F + q * E, 0, h * F],
  ];
  return table[from][to];
}

export interface HeteroPlan {
  layers: { name: string; type: string; ratioA: number; computeS: number; commS: number }[];
  totalS: number;
}

export function accparHetero(layers: HyparLayer[], arr: HeteroArray, kernel: Kernel, types: ParType[], ratios = RATIOS): HeteroPlan {
  const tA = layers.map((l) => layerTimeS(l, arr.kinds[0].design, kernel));
  const tB = layers.map((l) => layerTimeS(l, arr.kinds[1].design, kernel));
  const perElementS = arr.elementBytes / (arr.linkGBs * 1e9);
  const states: { t: ParType; a: number }[] = [];
  for (const t of types) for (const a of ratios) states.push({ t, a });
  const n = layers.length;
  const cost = layers.map(() => new Float64Array(states.length).fill(Infinity));
  const from = layers.map(() => new Int32Array(states.length).fill(-1));
  const own = (l: number, s: { t: ParType; a: number }) => Math.max(s.a * tA[l], (1 - s.a) * tB[l]) + intraCost(layers[l], s.t) * perElementS;
  states.forEach((s, j) => (cost[0][j] = own(0, s)));
  for (let l = 1; l < n; l++) {
    states.forEach((s, j) => {
      let best = Infinity, arg = -1;
      states.forEach((p, i) => {
        const v = cost[l - 1][i] + interElements(layers[l], p.t, s.t, s.a) * perElementS;
        if (v < best) { best = v; arg = i; }
      });
      cost[l][j] = best + own(l, s);
      from[l][j] = arg;
    });
  }
  let j = 0;
  for (let i = 1; i < states.length; i++) if (cost[n - 1][i] < cost[n - 1][j]) j = i;
  const totalS = cost[n - 1][j];
  const pick: number[] = new Array(n);
  for (let l = n - 1; l >= 0; l--) { pick[l] = j; j = from[l][j]; }
  const TYPE = ['I', 'II', 'III'];
  return {
    totalS,
    layers: layers.map((l, i) => {
      const s = states[pick[i]];
      const prev = i > 0 ? states[pick[i - 1]] : null;
      const commS = (intraCost(l, s.t) + (prev ? interElements(l, prev.t, s.t, s.a) : 0)) * perElementS;
      return { name: l.name, type: TYPE[s.t], ratioA: Math.round(s.a * 100) / 100, computeS: Math.max(s.a * tA[i], (1 - s.a) * tB[i]), commS };
    }),
  };
}
