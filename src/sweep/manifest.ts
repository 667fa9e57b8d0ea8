/**
 * What a sweep is (the manifest stored beside its rows): the accelmine version and a hash of the cost model's
 * WebAssembly, the space, the workloads (a hash of each flattened training step), the strategy, seed, budget,
 * objective, area/TDP limits, execution, and which shards of how many the store holds. `--resume` continues a
 * store only if everything matches; `merge` combines stores that match in everything but their shards.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spaceSize, type DesignSpace } from '../arch/space.js';
import { kernelWasmUrl } from '../engine/kernel.js';
import type { Execution } from '../engine/layout.js';
import type { WorkloadSpec } from '../evaluation/evaluator.js';
import { OBJECTIVES, type Constraints, type Objective } from '../evaluation/objectives.js';
import { describe, InputError } from '../errors.js';

export interface SweepManifest {
  /** version of this manifest's layout */
  format: 1;
  /** accelmine's package version */
  version: string;
  /** sha256 (first 16 hex digits) of the cost model's WebAssembly (build/release.wasm) */
  kernel: string;
  space: { name: string; size: number; hash: string };
  workloads: { name: string; batch: number; seq: number | null; hash: string }[];
  strategy: string;
  seed: number;
  /** designs of the plan (exhaustive and random) or kernel evaluations (adaptive strategies) */
  budget: number;
  objective: Objective;
  limits: { areaMm2: number | null; tdpW: number | null };
  execution: Execution;
  shardCount: number;
  /** the shard indices (0-based) whose rows the store holds */
  shards: number[];
}

const sha = (parts: (string | ArrayBufferView)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest('hex').slice(0, 16);
};

let kernelHash: string | undefined;
let packageVersion: string | undefined;

export function accelmineVersion(): string {
  // src/sweep and dist/sweep are both two levels below package.json
  packageVersion ??= (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  return packageVersion;
}

export function kernelFingerprint(): string {
  kernelHash ??= sha([readFileSync(kernelWasmUrl('release'))]);
  return kernelHash;
}

/** A space's identity: its values and ties (two spaces with the same hash index designs the same way). */
export function spaceFingerprint(s: DesignSpace): SweepManifest['space'] {
  return { name: s.name, size: spaceSize(s), hash: sha([JSON.stringify({ values: s.values, ties: s.ties })]) };
}

/** A workload's identity: its name, batch, sequence and a hash of its flattened training step. */
export function workloadFingerprint(w: WorkloadSpec): SweepManifest['workloads'][number] {
  const f = w.flat;
  return {
    name: w.name, batch: w.batch, seq: w.seq ?? null,
    hash: sha([f.ops, f.opSlot, f.opPhase, f.depOffsets, f.depIndex, JSON.stringify([f.nOps, f.nUnique, w.batch, w.memoryPeakBytes])]),
  };
}

export interface ManifestInput {
  space: DesignSpace;
  workloads: WorkloadSpec[];
  strategy: string;
  seed: number;
  budget: number;
  objective: Objective;
  limits: Constraints;
  execution: Execution;
  shard: { index: number; count: number };
}

export function buildManifest(o: ManifestInput): SweepManifest {
  return {
    format: 1, version: accelmineVersion(), kernel: kernelFingerprint(), space: spaceFingerprint(o.space),
    workloads: o.workloads.map(workloadFingerprint), strategy: o.strategy, seed: o.seed, budget: o.budget, objective: o.objective,
    limits: { areaMm2: Number.isFinite(o.limits.areaMm2) ? o.limits.areaMm2 : null, tdpW: Number.isFinite(o.limits.tdpW) ? o.limits.tdpW : null },
    execution: o.execution, shardCount: o.shard.count, shards: [o.shard.index],
  };
}

/**
 * A manifest read back from a store, checked field by field (`where` names the store): resume and merge read
 * these fields, and a hand-edited `null` or `{"format": 1}` was an internal error.
 */
export function checkManifest(raw: unknown, where: string): SweepManifest {
  const fail = (field: string, what: string, v: unknown): never => {
    throw new InputError(`${where}: not an accelmine sweep manifest: ${field} must be ${what}, got ${describe(v)}`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const str = (v: unknown) => typeof v === 'string';
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const numOrNull = (v: unknown) => v === null || num(v);
  if (!isObj(raw)) return fail('the manifest', 'an object', raw);
  const m = raw;
  if (m.format !== 1) fail('format', '1', m.format);
  for (const f of ['version', 'kernel', 'strategy', 'execution'] as const) if (!str(m[f])) fail(f, 'a string', m[f]);
  for (const f of ['seed', 'budget'] as const) if (!num(m[f])) fail(f, 'a number', m[f]);
  if (!OBJECTIVES.includes(m.objective as Objective)) fail('objective', `one of ${OBJECTIVES.join(', ')}`, m.objective);
  const sp = m.space;
  if (!isObj(sp) || !str(sp.name) || !num(sp.size) || !str(sp.hash)) fail('space', '{name, size, hash}', sp);
  const ws = m.workloads;
  if (!Array.isArray(ws) || ws.length === 0) fail('workloads', 'a non-empty list', ws);
  (ws as unknown[]).forEach((w, i) => {
    if (!isObj(w) || !str(w.name) || !num(w.batch) || !numOrNull(w.seq) || !str(w.hash)) fail(`workloads[${i}]`, '{name, batch, seq, hash}', w);
  });
  const lim = m.limits;
  if (!isObj(lim) || !numOrNull(lim.areaMm2) || !numOrNull(lim.tdpW)) fail('limits', '{areaMm2, tdpW} (numbers or null)', lim);
  const count = m.shardCount;
  if (!Number.isInteger(count) || (count as number) < 1) fail('shardCount', 'a positive integer', count);
  const shards = m.shards;
  if (!Array.isArray(shards) || shards.length === 0 || shards.some((i) => !Number.isInteger(i) || i < 0 || i >= (count as number))) {
    fail('shards', `a non-empty list of shard indices below ${count}`, shards);
  }
  return m as unknown as SweepManifest;
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** The fields two stores must agree on, each with how to show it. */
const IDENTITY: [string, (m: SweepManifest) => unknown][] = [
  ['version', (m) => m.version],
  ['cost model (kernel hash)', (m) => m.kernel],
  ['space', (m) => `${m.space.name} (${m.space.size} designs, hash ${m.space.hash})`],
  ['workloads', (m) => m.workloads.map((w) => `${w.name} batch ${w.batch}${w.seq === null ? '' : ` seq ${w.seq}`} (hash ${w.hash})`).join(', ')],
  ['strategy', (m) => m.strategy],
  ['seed', (m) => m.seed],
  ['budget', (m) => m.budget],
  ['objective', (m) => m.objective],
  ['area/TDP limits', (m) => `${m.limits.areaMm2 ?? 'any'} mm2, ${m.limits.tdpW ?? 'any'} W`],
  ['execution', (m) => m.execution],
  ['shard count', (m) => m.shardCount],
];

/**
 * The first field on which two manifests differ, as "FIELD: A vs B", or '' when they describe the same sweep
 * (`shards` too unless `ignoreShards`: merging compares everything but which shards each store holds).
 */
export function manifestDifference(a: SweepManifest, b: SweepManifest, ignoreShards = false): string {
  for (const [field, get] of IDENTITY) {
    const x = show(get(a));
    const y = show(get(b));
    if (x !== y) return `${field}: ${x} vs ${y}`;
  }
  if (!ignoreShards && show(a.shards) !== show(b.shards)) return `shards: ${describeShards(a)} vs ${describeShards(b)}`;
  return '';
}

/** "2/4" (0-based index / count), "0,1,3/4" for a merge, "all" for an unsharded sweep. */
export function describeShards(m: Pick<SweepManifest, 'shards' | 'shardCount'>): string {
  if (m.shardCount === 1) return 'all';
  return `${m.shards.join(',')}/${m.shardCount}`;
}
