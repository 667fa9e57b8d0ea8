/**
 * A problem with what the user gave us (a file, a flag, a field). The CLI prints its message as one
 * line and exits non-zero; it never carries a stack trace to the user.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Largest dimension we accept anywhere: beyond this, products overflow float64 integer precision. */
export const MAX_DIM = 2 ** 31;

/**
 * The most worker threads a pool takes (each holds its own kernel and graphs: 1000 threads took 5 GB). Here with
 * the other input limits, so that the CLI checks `--threads` without loading the pool.
 */
export const MAX_THREADS = 256;

/** The most distinct designs a search keeps (`--top-k`, SearchOptions.topK): the kernel's climbs hold them in linear memory. */
export const MAX_TOP_K = 10000;

/** The most PE rows or columns of one array (a design's tcRows and tcCols; `op --tc` checks it without loading the design rules). */
export const MAX_ARRAY_SIDE = 4096;

/** The most micro-batches per optimizer update (`--grad-accumulation`, TrainingOptions.gradAccumulationSteps). */
export const MAX_GRAD_ACCUMULATION = 2 ** 20;

/** The most devices of a distributed run (`--devices`, DistributedRequest.devices). */
export const MAX_DEVICES = 65536;

/** The most runs per strategy of a comparison (`compare --repeats`, CompareOptions.repeats): 99999999999 ran (and kept every run's trace) until killed. */
export const MAX_REPEATS = 1000;

/**
 * The smallest share a fraction option takes (`--array-rate`, DistributedRequest.arrayRateFraction): op times are
 * divided by it (1e-320 made them Infinity, the energies NaN).
 */
export const MIN_FRACTION = 1e-3;

/** Checks that `value` is a positive integer no larger than `max`; `field` names it in the error. */
export function requirePositiveInt(field: string, value: unknown, max = MAX_DIM): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value) || value <= 0 || value > max) {
    throw new InputError(`${field} must be a positive integer no larger than ${max}, got ${describe(value)}`);
  }
  return value;
}

export function requireNonNegativeInt(field: string, value: unknown, max = MAX_DIM): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new InputError(`${field} must be a non-negative integer no larger than ${max}, got ${describe(value)}`);
  }
  return value;
}

/** Checks an evaluation budget: a positive integer, or Infinity (`infinity` says what that means: the whole space, …). */
export function requireBudget(field: string, value: unknown, infinity: string): number {
  if (!(value === Infinity || (typeof value === 'number' && Number.isSafeInteger(value) && value > 0))) {
    throw new InputError(`${field} must be a positive integer or Infinity (${infinity}), got ${describe(value)}`);
  }
  return value as number;
}

/** Checks a share that divides op times (an array rate): a number from MIN_FRACTION to 1. */
export function requireFraction(field: string, value: unknown): number {
  if (!(typeof value === 'number' && value >= MIN_FRACTION && value <= 1)) {
    throw new InputError(`${field} must be a number from ${MIN_FRACTION} to 1, got ${describe(value)}`);
  }
  return value;
}

/** The slowest host input pipeline taken, samples/s (`--input-rate`, EvaluateOptions.inputSamplesPerS): batch / 1e-320 was an Infinity wait and NaN energies. */
export const MIN_INPUT_RATE = 1e-3;

/** Checks an area or TDP budget (`--area`, `--tdp`): a positive number, or Infinity for no budget. */
export function requireLimit(field: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new InputError(`${field} must be a positive number (or Infinity: no budget), got ${describe(value)}`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'nothing';
  try {
    const s = JSON.stringify(value);
    return s.length > 60 ? s.slice(0, 57) + '...' : s;
  } catch {
    return String(value);
  }
}

/** Edit distance, for "did you mean" suggestions. */
export function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

export function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}
