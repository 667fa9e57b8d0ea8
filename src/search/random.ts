/** `random`: uniform over the feasible part of the space (designs over the area/TDP budget are redrawn). */
import type { Design } from '../arch/design.js';
import { designFromChoice, randomChoice, rng } from '../arch/space.js';
import type { Strategy, StrategyContext } from './strategy.js';

/** Draws per design before giving up on finding one inside the budget. */
const TRIES = 1000;

export function randomSearch(ctx: StrategyContext): Strategy {
  const rand = rng(ctx.seed);
  const seen = new Set<string>();
  return {
    name: 'random',
    ask(max: number): Design[] {
      const out: Design[] = [];
      for (let i = 0; i < max; i++) {
        for (let t = 0; t < TRIES; t++) {
          const c = randomChoice(ctx.space, rand);
          const k = c.join(',');
          if (seen.has(k)) continue;
          const d = designFromChoice(ctx.space, c);
          if (!ctx.budgetOk(d)) continue;
          seen.add(k);
          out.push(d);
          break;
        }
      }
      return out;
    },
    tell() {},
  };
}
