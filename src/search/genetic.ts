/**
 * `genetic`: a population search in the spirit of GAMMA/DiGamma. Genes = the value index of each axis.
 * Each generation: tournament selection (3), uniform crossover, mutation (each gene with probability 1/axes:
 * one step up or down, or a random value one time in four), constraint repair (shrink a random axis one step
 * until the design fits the area/TDP budget), elitism (the best `elites` survive unchanged).
 */
import type { Design } from '../arch/design.js';
import { designFromChoice, randomChoice, rng, SPACE_PARAMS, spaceAxes } from '../arch/space.js';
import type { DesignResult } from '../evaluation/evaluator.js';
import type { Strategy, StrategyContext } from './strategy.js';

export interface GeneticOptions {
  population?: number;
  elites?: number;
}

interface Member {
  genes: Int32Array;
  score: number;
}

export function genetic(ctx: StrategyContext, opts: GeneticOptions = {}): Strategy {
  const P = opts.population ?? 32;
  const E = opts.elites ?? 2;
  const rand = rng(ctx.seed);
  const space = ctx.space;
  const axes = spaceAxes(space).map((p) => SPACE_PARAMS.indexOf(p));
  const radix = SPACE_PARAMS.map((p) => space.values[p].length);
  let population: Member[] = [];
  let pending: Int32Array[] = [];
  const fits = (g: Int32Array) => ctx.budgetOk(designFromChoice(space, g));

  const repair = (g: Int32Array): Int32Array | null => {
    for (let t = 0; t < 64 && !fits(g); t++) {
      const a = axes[Math.floor(rand() * axes.length)];
      if (g[a] > 0) g[a]--;
    }
    return fits(g) ? g : null;
  };
  const randomMember = (): Int32Array => {
    for (let t = 0; t < 1000; t++) {
      const g = randomChoice(space, rand);
      if (fits(g)) return g;
    }
    return repair(randomChoice(space, rand)) ?? new Int32Array(SPACE_PARAMS.length);
  };
  const tournament = (): Member => {
    let best = population[Math.floor(rand() * population.length)];
    for (let i = 1; i < 3; i++) {
      const c = population[Math.floor(rand() * population.length)];
      if (c.score > best.score) best = c;
    }
    return best;
  };
  const child = (): Int32Array => {
    const a = tournament().genes, b = tournament().genes;
    const g = a.slice();
    for (const i of axes) {
      if (rand() < 0.5) g[i] = b[i];
      if (rand() < 1 / axes.length) {
        if (rand() < 0.25) g[i] = Math.floor(rand() * radix[i]);
        else g[i] = Math.min(radix[i] - 1, Math.max(0, g[i] + (rand() < 0.5 ? -1 : 1)));
      }
    }
    return repair(g) ?? randomMember();
  };

  return {
    name: 'genetic',
    ask(max: number): Design[] {
      if (population.length === 0) pending = Array.from({ length: Math.min(max, P) }, randomMember);
      else pending = Array.from({ length: Math.min(max, P - E) }, child);
      return pending.map((g) => designFromChoice(space, g));
    },
    tell(results: DesignResult[]): void {
      const born = results.map((r, i) => ({ genes: pending[i], score: r.feasible ? r.score : 0 }));
      const elites = [...population].sort((x, y) => y.score - x.score).slice(0, E);
      population = population.length === 0 ? born : [...elites, ...born];
    },
  };
}
