/** Shared pieces of the CLI: option parsers, the error boundary, number formatting. */
import { InputError, MAX_THREADS, MIN_FRACTION } from '../errors.js';

export { MIN_FRACTION };

/** Digits only: Number() alone also takes "", " ", "0x10", "0b1" and "1e3" */
const DIGITS = /^\s*\d+\s*$/;
/** A decimal number (sign, fraction and exponent allowed); Number() alone also takes "", "0x10" and "0b1" */
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/** Parses a positive integer option (at most `max` when given); the error names the flag. */
export function positiveInt(flag: string, max?: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!DIGITS.test(v) || !Number.isSafeInteger(n) || n <= 0 || (max !== undefined && n > max)) {
      throw new InputError(`${flag} must be a positive integer${max !== undefined ? ` no larger than ${max}` : ''}, got "${v}"`);
    }
    return n;
  };
}

/** Parses a non-negative integer option (a seed). */
export function nonNegativeInt(flag: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!DIGITS.test(v) || !Number.isSafeInteger(n)) throw new InputError(`${flag} must be a non-negative integer, got "${v}"`);
    return n;
  };
}

/** Parses an integer option in [min, max]; the error names the flag and the range. */
export function intInRange(flag: string, max: number, min = 0): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!DIGITS.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InputError(`${flag} must be an integer from ${min} to ${max}, got "${v}"`);
    }
    return n;
  };
}

/** Parses `--threads`: an integer from 1 to the pool's limit. */
export function threadsOption(flag = '--threads'): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!DIGITS.test(v) || !Number.isSafeInteger(n) || n < 1 || n > MAX_THREADS) {
      throw new InputError(`${flag} must be an integer from 1 to ${MAX_THREADS}, got "${v}"`);
    }
    return n;
  };
}

/** `--schedule-passes N`, shared by evaluate, search and exact */
export const SCHEDULE_PASSES_HELP =
  'serial improvement passes after the list schedule (0: the list schedule alone; more: shorter schedules, slower)';

/**
 * Parses a positive number; `min` (when given) is the smallest one taken: a rate that divides a time (1e-320
 * samples/s) made it Infinity and the energies NaN.
 */
export function positiveNumber(flag: string, min?: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!DECIMAL.test(v) || !Number.isFinite(n) || n <= 0) throw new InputError(`${flag} must be a positive number, got "${v}"`);
    if (min !== undefined && n < min) throw new InputError(`${flag} must be a number of at least ${min}, got "${v}"`);
    return n;
  };
}

/** A file or directory name option: an empty one names nothing (it was read as "no file", or as a file named ""). */
export function nonEmpty(flag: string, what: 'file' | 'directory' = 'file'): (v: string) => string {
  return (v: string) => {
    if (v.trim() === '') throw new InputError(`${flag} must name a ${what}, got an empty string`);
    return v;
  };
}

/** A number from 0 to `max` (inclusive), e.g. a time that may be zero. */
export function numberInRange(flag: string, max: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!DECIMAL.test(v) || !Number.isFinite(n) || n < 0 || n > max) throw new InputError(`${flag} must be a number from 0 to ${max}, got "${v}"`);
    return n;
  };
}

/** A share: a number above 0 and at most 1 (at least MIN_FRACTION). */
export function fraction(flag: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!DECIMAL.test(v) || !Number.isFinite(n) || n <= 0 || n > 1) throw new InputError(`${flag} must be a number above 0 and at most 1, got "${v}"`);
    if (n < MIN_FRACTION) throw new InputError(`${flag} must be a number from ${MIN_FRACTION} to 1, got "${v}"`);
    return n;
  };
}

export function oneOf<T extends string>(flag: string, allowed: readonly T[]): (v: string) => T {
  return (v: string) => {
    if (!(allowed as readonly string[]).includes(v)) throw new InputError(`${flag} must be one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
}

/** Runs a command action; user errors become one line on stderr and exit code 2, never a stack trace. */
export function action<A extends unknown[]>(fn: (...args: A) => void | Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      reportError(e);
    }
  };
}

export function reportError(e: unknown): never {
  if (e instanceof InputError) {
    process.stderr.write(`accelmine: ${e.message}\n`);
    process.exit(2);
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`accelmine: internal error: ${msg.split('\n')[0]}\n`);
  if (process.env.ACCELMINE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * A figure at `places` decimals, or at `digits` significant digits when it is small enough that those decimals
 * would show fewer (a small chip's 0.0672 TFLOP/s, 0.278 W or 0.0374 samples/s, not 0.1, 0.3 and 0.0): 314.2, 9.50, 0.278.
 */
export function decimals(n: number, places = 1, digits = 3): string {
  if (n === 0 || !Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 10 ** (digits - 1 - places) ? n.toFixed(places) : n.toPrecision(digits);
}

/** 1234567 → "1.23M" */
export function si(n: number, digits = 3): string {
  const abs = Math.abs(n);
  const units: [number, string][] = [[1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [v, u] of units) if (abs >= v) return `${(n / v).toPrecision(digits)}${u}`;
  return n.toPrecision(digits).replace(/\.0+$/, '');
}

export function bytesIec(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 2)} ${units[i]}`;
}

/** Left-aligned text table. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n') + '\n';
}
