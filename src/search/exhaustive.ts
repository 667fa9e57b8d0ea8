/** `exhaustive`: every design of the space in index order, in batches; the ground truth on small spaces. */
import { designAt, spaceSize } from '../arch/space.js';
import type { Design } from '../arch/design.js';
import type { Strategy, StrategyContext } from './strategy.js';

export function exhaustive(ctx: StrategyContext): Strategy {
  const total = spaceSize(ctx.space);
  let next = 0;
  return {
    name: 'exhaustive',
    ask(max: number): Design[] {
      const out: Design[] = [];
      while (out.length < max && next < total) out.push(designAt(ctx.space, next++));
      return out;
    },
    tell() {},
  };
}
