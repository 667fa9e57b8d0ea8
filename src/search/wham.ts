/**
 * `wham`: critical-path tightening (our reconstruction of WHAM's search, docs/search.md).
 *
 * Several climbs run side by side so every ask fills the pool. One climb:
 *  1. start from a random design inside the area/TDP budget (seeded);
 *  2. evaluate it and read its scheduled critical path split by bound (tensor, vector, local buffer, NoC,
 *     global buffer, off-chip);
 *  3. propose: grow each parameter of the dominant resource one step (and of the runner-up); where a grow
 *     breaks the budget, pair it with a one-step shrink of each parameter of the least critical resources;
 *     shrink the least critical resources alone (pays for perf/W and perf/mm² objectives); try the other
 *     dataflows;
 *  4. accept the best proposal that improves the objective; go to 3;
 *  5. when none improves, try every one-step move on every axis once (the full neighbourhood); if that fails
 *     too, the design is a local optimum: record it and restart from a new seed.
 * The top-k distinct designs seen are kept by the orchestrator.
 * `search` runs the same climb inside the kernel (assembly/tighten.ts), which also tries, before declaring a
 * local optimum, the array shapes that best fit the critical GEMMs; this ask/tell form has no such move.
 * test/tighten.test.ts checks the two: from the same start they rise through the same designs until the
 * kernel re-arranges its processing elements. This form stays for library users who drive their own
 * evaluator (the Strategy interface); `search` and `compare` use the kernel's.
 */
import type { Design } from '../arch/design.js';
import { designFromChoice, randomChoice, rng, SPACE_PARAMS, spaceAxes, type DesignSpace, type Param } from '../arch/space.js';
import type { Bound } from '../engine/layout.js';
import { RESOURCE_PARAMS } from '../arch/resources.js';
import type { DesignResult } from '../evaluation/evaluator.js';
import type { Strategy, StrategyContext } from './strategy.js';


const RESOURCES: Bound[] = ['tensor', 'vector', 'local-buffer', 'noc', 'global-buffer', 'off-chip'];

interface Climb {
  choice: Int32Array;
  current: DesignResult | null;
  /** 'cp': critical-path moves pending; 'full': full neighbourhood pending */
  mode: 'start' | 'cp' | 'full';
  proposals: Int32Array[];
}

export interface WhamOptions {
  /** climbs run side by side (default 8) */
  parallelClimbs?: number;
  /** random draws to find a starting design inside the budget */
  seedTries?: number;
}

/**
 * A climb's start: random designs of the space (from `rand`) until one is inside the budget, at most `tries`;
 * when nothing random fits, the smallest design of the space.
 */
export function randomStart(space: DesignSpace, rand: () => number, budgetOk: (d: Design) => boolean, tries: number): Int32Array {
  for (let t = 0; t < tries; t++) {
    const c = randomChoice(space, rand);
    if (budgetOk(designFromChoice(space, c))) return c;
  }
  return new Int32Array(SPACE_PARAMS.length);
}

export function wham(ctx: StrategyContext, opts: WhamOptions = {}): Strategy {
  const space = ctx.space;
  const rand = rng(ctx.seed);
  const axes = new Set(spaceAxes(space));
  const pIndex = (p: Param) => SPACE_PARAMS.indexOf(p);
  const nClimbs = opts.parallelClimbs ?? 8;
  const seedTries = opts.seedTries ?? 2000;
  const seen = new Set<string>();
  const key = (c: Int32Array) => c.join(',');
  let climbs: Climb[] = [];
  let pendingOf: { climb: Climb; choice: Int32Array }[] = [];

  const moved = (c: Int32Array, p: Param, delta: number): Int32Array | null => {
    if (!axes.has(p)) return null;
    const i = pIndex(p);
    const v = c[i] + delta;
    if (v < 0 || v >= space.values[p].length) return null;
    const n = c.slice();
    n[i] = v;
    return n;
  };

  const newClimb = (): Climb => ({ choice: randomStart(space, rand, ctx.budgetOk, seedTries), current: null, mode: 'start', proposals: [] });

  const cpProposals = (cl: Climb): Int32Array[] => {
    const share = cl.current!.criticalShare;
    const ranked = RESOURCES.filter((r) => RESOURCE_PARAMS[r].some((p) => axes.has(p))).sort((a, b) => share[b] - share[a]);
    if (ranked.length === 0) return [];
    const grow = ranked.slice(0, 2);
    const least = ranked.slice(-2).reverse();
    const out: Int32Array[] = [];
    for (const r of grow) {
      for (const p of RESOURCE_PARAMS[r]) {
        const g = moved(cl.choice, p, +1);
        if (!g) continue;
        if (ctx.budgetOk(designFromChoice(space, g))) out.push(g);
        else
          for (const l of least)
            for (const q of RESOURCE_PARAMS[l]) {
              if (q === p) continue;
              const s = moved(g, q, -1);
              if (s) out.push(s);
            }
      }
    }
    for (const l of least) for (const q of RESOURCE_PARAMS[l]) { const s = moved(cl.choice, q, -1); if (s) out.push(s); }
    for (const p of ['dataflow', 'precision'] as Param[]) {
      if (!axes.has(p)) continue;
      for (let v = 0; v < space.values[p].length; v++) {
        if (v === cl.choice[pIndex(p)]) continue;
        const n = cl.choice.slice();
        n[pIndex(p)] = v;
        out.push(n);
      }
    }
    return out;
  };

  const fullProposals = (cl: Climb): Int32Array[] => {
    const out: Int32Array[] = [];
    for (const p of axes) for (const d of [-1, +1]) { const n = moved(cl.choice, p, d); if (n) out.push(n); }
    return out;
  };

  /** Keeps proposals in budget and not evaluated before by any climb. */
  const fresh = (cs: Int32Array[]): Int32Array[] => {
    const out: Int32Array[] = [];
    for (const c of cs) {
      const k = key(c);
      if (seen.has(k)) continue;
      seen.add(k);
      if (ctx.budgetOk(designFromChoice(space, c))) out.push(c);
    }
    return out;
  };

  return {
    name: 'wham',
    ask(max: number): Design[] {
      while (climbs.length < nClimbs) climbs.push(newClimb());
      pendingOf = [];
      for (const cl of climbs) {
        if (pendingOf.length >= max) break;
        if (cl.current === null) {
          const k = key(cl.choice);
          seen.add(k);
          pendingOf.push({ climb: cl, choice: cl.choice });
          continue;
        }
        let props: Int32Array[] = [];
        while (props.length === 0) {
          props = fresh(cl.mode === 'full' ? fullProposals(cl) : cpProposals(cl));
          if (props.length > 0) break;
          if (cl.mode === 'cp') cl.mode = 'full';
          else {
            // local optimum: restart this climb
            Object.assign(cl, newClimb());
            const k = key(cl.choice);
            if (!seen.has(k)) {
              seen.add(k);
              props = [cl.choice];
            } else props = [];
            if (props.length === 0) break;
          }
        }
        cl.proposals = props;
        for (const c of props) pendingOf.push({ climb: cl, choice: c });
      }
      return pendingOf.map((p) => designFromChoice(space, p.choice));
    },
    tell(results: DesignResult[]): void {
      const bestOf = new Map<Climb, { r: DesignResult; c: Int32Array }>();
      results.forEach((r, i) => {
        const { climb, choice } = pendingOf[i];
        if (climb.current === null && choice === climb.choice) {
          climb.current = r;
          climb.mode = 'cp';
          return;
        }
        const b = bestOf.get(climb);
        if (r.feasible && (!b || r.score > b.r.score)) bestOf.set(climb, { r, c: choice });
      });
      for (const cl of climbs) {
        const b = bestOf.get(cl);
        if (cl.current && b && b.r.score > cl.current.score) {
          cl.current = b.r;
          cl.choice = b.c;
          cl.mode = 'cp';
        } else if (cl.proposals.length > 0 && cl.current && cl.mode === 'cp' && !(b && b.r.score > cl.current.score)) {
          cl.mode = 'full';
        } else if (cl.proposals.length > 0 && cl.mode === 'full') {
          // the full neighbourhood did not improve: local optimum, restart
          Object.assign(cl, newClimb());
        }
        cl.proposals = [];
      }
      // a started climb whose start is infeasible restarts
      climbs = climbs.map((cl) => (cl.current && !cl.current.feasible ? newClimb() : cl));
    },
  };
}
