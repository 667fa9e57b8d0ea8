/**
 * Shards: `--shard I/N` takes every N-th position of a sweep's plan, starting at I (0-based), so N processes
 * (Slurm array tasks, a Kubernetes Indexed Job's pods) each evaluate a deterministic 1/N and together evaluate
 * exactly what one unsharded sweep does. The plan of `exhaustive` is the space in index order (position =
 * design index); the plan of `random` is the sequence of distinct draws inside the area/TDP budget that the
 * seed gives (`random` search's draws), which every shard regenerates and then takes its positions of.
 * Positions are interleaved rather than cut in blocks, so that each shard gets as many large (slow) designs as
 * small ones.
 */
import type { Design } from '../arch/design.js';
import { designAt, indexOfDesign, spaceSize, type DesignSpace } from '../arch/space.js';
import { InputError } from '../errors.js';
import { withinBudget, type Constraints } from '../evaluation/objectives.js';
import { randomSearch } from '../search/random.js';

export interface Shard {
  /** 0-based, below count */
  index: number;
  count: number;
}

export const WHOLE: Shard = Object.freeze({ index: 0, count: 1 });

/** The largest shard count accepted (more shards than that is a typo, or a sweep better cut otherwise). */
export const MAX_SHARDS = 100_000;

/** Parses `I/N` (0 <= I < N <= MAX_SHARDS); the error names the flag and what is allowed. */
export function parseShard(text: string, flag = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const allowed = `I/N with 0 <= I < N <= ${MAX_SHARDS} (I is 0-based: $SLURM_ARRAY_TASK_ID of --array=0-(N-1), or $JOB_COMPLETION_INDEX)`;
  if (!m) throw new InputError(`${flag} must be ${allowed}, got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!(count >= 1 && count <= MAX_SHARDS && index < count)) throw new InputError(`${flag} must be ${allowed}, got "${text}"`);
  return { index, count };
}

export function checkShard(s: Shard): Shard {
  if (!Number.isSafeInteger(s.index) || !Number.isSafeInteger(s.count) || s.count < 1 || s.count > MAX_SHARDS || s.index < 0 || s.index >= s.count) {
    throw new InputError(`shard must be {index, count} with 0 <= index < count <= ${MAX_SHARDS}, got ${JSON.stringify(s)}`);
  }
  return s;
}

/** Strategies whose designs do not depend on results, and so can be sharded and resumed by position. */
export const PLANNED_STRATEGIES = ['exhaustive', 'random'] as const;
export type PlannedStrategy = (typeof PLANNED_STRATEGIES)[number];
export const isPlanned = (s: string): s is PlannedStrategy => (PLANNED_STRATEGIES as readonly string[]).includes(s);

/** One design of a plan: its position in the (unsharded) plan, its index in the space, the design. */
export interface PlannedDesign {
  position: number;
  index: number;
  design: Design;
}

export interface PlanOptions {
  space: DesignSpace;
  strategy: PlannedStrategy;
  seed: number;
  limits: Constraints;
  /** positions of the unsharded plan (Infinity: the whole space) */
  budget: number;
  shard: Shard;
}

/** The plan's length before sharding, when known without drawing it (random may run out of distinct draws). */
export function planLength(o: Pick<PlanOptions, 'space' | 'budget'>): number {
  return Math.min(o.budget, spaceSize(o.space));
}

/** Designs of this shard's positions, in plan order, in chunks of up to `chunk`. */
export function* shardPlan(o: PlanOptions, chunk: number): Generator<PlannedDesign[]> {
  const total = planLength(o);
  const { index, count } = o.shard;
  if (o.strategy === 'exhaustive') {
    for (let p = index; p < total; ) {
      const out: PlannedDesign[] = [];
      for (; p < total && out.length < chunk; p += count) out.push({ position: p, index: p, design: designAt(o.space, p) });
      yield out;
    }
    return;
  }
  // random: every shard draws the whole sequence (area and TDP in TypeScript: microseconds a draw) and keeps its positions
  const draws = randomSearch({ space: o.space, seed: o.seed, limits: o.limits, budgetOk: (d) => withinBudget(d, o.limits) });
  const radix = spaceRadix(o.space);
  let position = 0;
  let out: PlannedDesign[] = [];
  while (position < total) {
    const drawn = draws.ask(Math.min(4096, total - position));
    if (drawn.length === 0) break;
    for (const d of drawn) {
      if (position % count === index) out.push({ position, index: radix(d), design: d });
      position++;
      if (out.length >= chunk) {
        yield out;
        out = [];
      }
    }
  }
  if (out.length) yield out;
}

/** Design → its index in the space (every design a strategy proposes is one of the space's). */
export function spaceRadix(space: DesignSpace): (d: Design) => number {
  return (d) => {
    const i = indexOfDesign(space, d);
    if (i < 0) throw new Error(`a design outside the space '${space.name}' was proposed`);
    return i;
  };
}
