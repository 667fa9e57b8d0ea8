/**
 * Design spaces: a list of allowed values per template parameter (ranges expanded into steps, powers of two
 * where natural) and optional ties (a parameter that is a fixed multiple of another). A design in a space is a
 * mixed-radix index; `designAt(space, i)` maps it to a Design, so enumeration and sampling are exact and cheap.
 */
import { readFileSync } from 'node:fs';
import type { Design } from './design.js';
import { DESIGN_FIELD_RULES, validateDesign } from './validate.js';
import { describe, InputError, nearest } from '../errors.js';
import { parseJson } from '../json-file.js';

export type Param = keyof Design;

/** The axes a space varies, in mixed-radix order (first = slowest). */
export const SPACE_PARAMS: readonly Param[] = [
  'tensorCores', 'tcRows', 'tcCols', 'vectorCores', 'vectorLanes', 'localBufferBytes', 'globalBufferBytes',
  'globalBufferGBs', 'offChipBytes', 'offChipGBs', 'nocGBs', 'clockGHz', 'precision', 'dataflow', 'techNm',
];

export interface DesignSpace {
  name: string;
  /** allowed values of each parameter (one value = fixed) */
  values: Record<Param, readonly (number | string)[]>;
  /** tied parameters: `param` = `factor` × `of` (the tied parameter is not an axis) */
  ties: { param: Param; of: Param; factor: number }[];
}

const KIB = 1024;
const MIB = 2 ** 20;
const GB = 1e9;

/** Powers of two from lo to hi inclusive. */
export function pow2(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let v = lo; v <= hi; v *= 2) out.push(v);
  return out;
}

function base(name: string): DesignSpace['values'] {
  void name;
  return {
    tensorCores: [1], tcRows: [128], tcCols: [128], vectorCores: [1], vectorLanes: [128], localBufferBytes: [256 * KIB],
    globalBufferBytes: [16 * MIB], globalBufferGBs: [4000], offChipBytes: [80 * GB], offChipGBs: [1600], nocGBs: [4000],
    clockGHz: [1], precision: ['bf16'], dataflow: ['ws'], techNm: [7],
  };
}

/** Built-in spaces. `small` enumerates in minutes on 2 cores; `large` is the default search space. */
export const BUILTIN_SPACES: Readonly<Record<string, DesignSpace>> = Object.freeze({
  small: {
    name: 'small',
    values: {
      ...base('small'),
      tensorCores: pow2(1, 32),
      tcRows: pow2(16, 128),
      tcCols: pow2(16, 128),
      vectorCores: pow2(1, 8),
      vectorLanes: pow2(64, 512),
      localBufferBytes: [64 * KIB, 256 * KIB, 1 * MIB],
      globalBufferBytes: [4 * MIB, 16 * MIB, 64 * MIB],
      offChipGBs: [400, 800, 1600, 3200],
      dataflow: ['ws', 'os'],
    },
    ties: [{ param: 'nocGBs', of: 'offChipGBs', factor: 4 }, { param: 'globalBufferGBs', of: 'offChipGBs', factor: 4 }],
  },
  large: {
    name: 'large',
    values: {
      ...base('large'),
      tensorCores: pow2(1, 256),
      tcRows: pow2(8, 256),
      tcCols: pow2(8, 256),
      vectorCores: pow2(1, 64),
      vectorLanes: pow2(16, 1024),
      localBufferBytes: pow2(32 * KIB, 4 * MIB),
      globalBufferBytes: pow2(1 * MIB, 256 * MIB),
      globalBufferGBs: [1000, 2000, 4000, 8000, 16000],
      offChipBytes: [16 * GB, 32 * GB, 80 * GB],
      offChipGBs: [200, 400, 800, 1600, 3200, 6400],
      nocGBs: [1000, 2000, 4000, 8000, 16000],
      clockGHz: [0.7, 1.0, 1.4, 1.8],
      dataflow: ['ws', 'os', 'is'],
    },
    ties: [],
  },
});

/** The axes (parameters with more than one value that are not tied). */
export function spaceAxes(s: DesignSpace): Param[] {
  const tied = new Set(s.ties.map((t) => t.param));
  return SPACE_PARAMS.filter((p) => !tied.has(p) && s.values[p].length > 1);
}

/** Number of designs in the space. */
export function spaceSize(s: DesignSpace): number {
  let n = 1;
  for (const p of SPACE_PARAMS) if (!s.ties.some((t) => t.param === p)) n *= s.values[p].length;
  return n;
}

/** Index vector (one value index per parameter) → design. */
export function designFromChoice(s: DesignSpace, choice: Int32Array | number[]): Design {
  const d = {} as Record<Param, number | string>;
  SPACE_PARAMS.forEach((p, i) => (d[p] = s.values[p][choice[i]]));
  for (const t of s.ties) d[t.param] = (d[t.of] as number) * t.factor;
  return d as unknown as Design;
}

/** Mixed-radix index → value index per parameter (tied parameters get 0). */
export function choiceAt(s: DesignSpace, index: number): Int32Array {
  const c = new Int32Array(SPACE_PARAMS.length);
  const tied = new Set(s.ties.map((t) => t.param));
  for (let i = SPACE_PARAMS.length - 1; i >= 0; i--) {
    const p = SPACE_PARAMS[i];
    if (tied.has(p)) continue;
    const r = s.values[p].length;
    c[i] = index % r;
    index = Math.floor(index / r);
  }
  return c;
}

export function designAt(s: DesignSpace, index: number): Design {
  return designFromChoice(s, choiceAt(s, index));
}

/** The inverse of designAt: a design's mixed-radix index in the space, or -1 when a value is not the space's. */
export function indexOfDesign(s: DesignSpace, d: Design): number {
  const tied = new Set(s.ties.map((t) => t.param));
  let index = 0;
  for (const p of SPACE_PARAMS) {
    if (tied.has(p)) continue;
    const k = s.values[p].indexOf(d[p]);
    if (k < 0) return -1;
    index = index * s.values[p].length + k;
  }
  return index;
}

/** A deterministic pseudo-random generator (mulberry32) from a seed; the only randomness searches use. */
export function rng(seed: number): () => number {
  let a = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomChoice(s: DesignSpace, rand: () => number): Int32Array {
  const c = new Int32Array(SPACE_PARAMS.length);
  SPACE_PARAMS.forEach((p, i) => (c[i] = Math.floor(rand() * s.values[p].length)));
  for (const t of s.ties) c[SPACE_PARAMS.indexOf(t.param)] = 0;
  return c;
}

// ------------------------------------------------------------------------------------------------
// Space files: {"name"?, "values": {param: [..] | {"min", "max", "pow2": true} | {"min","max","step"}}, "ties"?: [...]}
// Parameters not given take the built-in `large` space's base values.
// ------------------------------------------------------------------------------------------------

const MAX_VALUES_PER_PARAM = 4096;

function expandValues(src: string, p: Param, v: unknown): (number | string)[] {
  const where = `${src}: values.${p}`;
  let out: unknown[];
  if (Array.isArray(v)) out = v;
  else if (v && typeof v === 'object') {
    const r = v as { min?: unknown; max?: unknown; step?: unknown; pow2?: unknown };
    if (typeof r.min !== 'number' || typeof r.max !== 'number' || !(r.min > 0) || !(r.max >= r.min) || !Number.isFinite(r.max)) {
      throw new InputError(`${where} must be a list or {min, max, pow2 | step} with 0 < min <= max, got ${describe(v)}`);
    }
    out = [];
    if (r.pow2 === true) for (let x = r.min; x <= r.max && out.length <= MAX_VALUES_PER_PARAM; x *= 2) out.push(x);
    else {
      if (typeof r.step !== 'number' || !(r.step > 0)) throw new InputError(`${where}: a range needs "pow2": true or a positive "step"`);
      for (let x = r.min; x <= r.max + 1e-12 && out.length <= MAX_VALUES_PER_PARAM; x += r.step) out.push(x);
    }
  } else throw new InputError(`${where} must be a list of values or a range object, got ${describe(v)}`);
  if (out.length === 0) throw new InputError(`${where} must have at least one value`);
  if (out.length > MAX_VALUES_PER_PARAM) throw new InputError(`${where} has more than ${MAX_VALUES_PER_PARAM} values`);
  // each value is checked by the design validator on a probe design
  const probe = designAt(BUILTIN_SPACES.large, 0) as unknown as Record<string, unknown>;
  for (const x of out) validateDesign({ ...probe, [p]: x }, `${src}: values.${p}`);
  return out as (number | string)[];
}

/** Parameters a tie may name: the numeric ones (a multiple of a precision, dataflow or node means nothing). */
const TIEABLE = Object.keys(DESIGN_FIELD_RULES) as Param[];

/**
 * Ties `param = factor × of`: both numeric parameters, `of` not itself tied, each parameter tied once, and
 * every value the tie produces valid by the same rules as a design file (the error names the tie).
 */
function parseTies(raw: unknown, values: DesignSpace['values'], src: string): DesignSpace['ties'] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new InputError(`${src}: "ties" must be a list of {param, of, factor}`);
  const ties: DesignSpace['ties'] = [];
  const probe = designAt(BUILTIN_SPACES.large, 0) as unknown as Record<string, unknown>;
  for (const t of raw) {
    const ok = t && TIEABLE.includes(t.param) && TIEABLE.includes(t.of) && t.param !== t.of && typeof t.factor === 'number' && Number.isFinite(t.factor) && t.factor > 0;
    if (!ok) throw new InputError(`${src}: each tie must be {param, of, factor > 0} naming two different numeric parameters (${TIEABLE.join(', ')}), got ${describe(t)}`);
    if (ties.some((x) => x.param === t.param)) throw new InputError(`${src}: "${t.param}" is tied twice`);
    const tie = { param: t.param as Param, of: t.of as Param, factor: t.factor as number };
    ties.push(tie);
    for (const x of values[tie.of]) {
      try {
        validateDesign({ ...probe, [tie.param]: (x as number) * tie.factor }, 'design');
      } catch (e) {
        const why = (e as Error).message.replace(/^design: /, '');
        throw new InputError(`${src}: tie ${tie.param} = ${tie.factor} x ${tie.of} gives an invalid design at ${tie.of} = ${x}: ${why}`);
      }
    }
  }
  const tied = new Set(ties.map((x) => x.param));
  for (const x of ties) if (tied.has(x.of)) throw new InputError(`${src}: tie ${x.param} = ${x.factor} x ${x.of}: "${x.of}" is itself tied (ties cannot chain)`);
  return ties;
}

export function parseSpace(raw: unknown, src: string): DesignSpace {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`${src}: a space must be a JSON object with "values"`);
  const o = raw as { name?: unknown; values?: unknown; ties?: unknown };
  if (!o.values || typeof o.values !== 'object' || Array.isArray(o.values)) throw new InputError(`${src}: "values" must be an object of parameter → values`);
  const values = { ...BUILTIN_SPACES.large.values, ...base(src) } as DesignSpace['values'];
  for (const [k, v] of Object.entries(o.values as Record<string, unknown>)) {
    if (!SPACE_PARAMS.includes(k as Param)) {
      const hint = nearest(k, SPACE_PARAMS as string[]);
      throw new InputError(`${src}: unknown parameter "${k}"${hint ? ` (did you mean "${hint}"?)` : ''}; parameters: ${SPACE_PARAMS.join(', ')}`);
    }
    values[k as Param] = expandValues(src, k as Param, v);
  }
  const ties = parseTies(o.ties, values, src);
  const s: DesignSpace = { name: typeof o.name === 'string' ? o.name : src, values, ties };
  if (!Number.isFinite(spaceSize(s))) throw new InputError(`${src}: the space is too large to index`);
  return s;
}

export function loadSpace(nameOrFile: string): DesignSpace {
  const builtin = BUILTIN_SPACES[nameOrFile];
  if (builtin) return builtin;
  let text: string;
  try {
    text = readFileSync(nameOrFile, 'utf8');
  } catch {
    const hint = nearest(nameOrFile, Object.keys(BUILTIN_SPACES));
    throw new InputError(`--space: "${nameOrFile}" is neither a built-in space (${Object.keys(BUILTIN_SPACES).join(', ')}${hint ? `; did you mean "${hint}"?` : ''}) nor a readable file`);
  }
  return parseSpace(parseJson(text, nameOrFile), nameOrFile);
}

