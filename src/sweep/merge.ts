/**
 * `merge`: combines the stores of a sweep's shards (or of merges of them) into one new store and its Parquet
 * file. Every input must be a complete store of the same sweep (version, cost model, space, workloads, strategy,
 * seed, budget, objective, limits, execution, shard count) and the inputs' shards must not overlap; otherwise
 * it stops with one line naming the input and the field. Shards not given are allowed (a partial merge), and
 * the result says which it holds.
 */
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { describeShards, manifestDifference, type SweepManifest } from './manifest.js';
import { PARQUET_FILE, STORE_FILE, SweepStore } from './store.js';
import type { SweepResult } from './sweep.js';

export interface MergeOptions {
  /** the new store's directory (must not hold a store) */
  out: string;
  /** directories of the stores to merge */
  inputs: string[];
}

export interface MergeResult extends SweepResult {
  /** shard indices of the sweep that no input held (empty when all were merged) */
  missingShards: number[];
}

const present = (p: string): boolean => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/**
 * Called before the new store is created in `dir`: a function that removes what creating it and filling it added,
 * so that a failed merge can be run again: the directories that did not exist (the outermost with all it holds),
 * else the store's files (sweep.duckdb*, results.parquet*) that were not there before. Nothing else is touched.
 */
function undoCreate(dir: string): () => void {
  const abs = resolve(dir);
  let top: string | null = null;
  for (let p = abs; !present(p); p = dirname(p)) {
    top = p;
    if (dirname(p) === p) break;
  }
  let before: Set<string> | null = null;
  if (!top) {
    try {
      before = new Set(readdirSync(abs));
    } catch {
      // not a directory: the store cannot be created there, and nothing is removed
    }
  }
  const ours = (f: string) => f.startsWith(STORE_FILE) || f.startsWith(PARQUET_FILE);
  return () => {
    try {
      if (top) rmSync(top, { recursive: true, force: true });
      else if (before) for (const f of readdirSync(abs)) if (ours(f) && !before.has(f)) rmSync(join(abs, f), { recursive: true, force: true });
    } catch {
      // best effort: the merge's own error is the one to report
    }
  };
}

export async function merge(o: MergeOptions): Promise<MergeResult> {
  const t0 = performance.now();
  if (o.inputs.length === 0) throw new InputError('merge: give the directories of the shards to merge');
  const outAbs = resolve(o.out);
  const twice = o.inputs.find((d, i) => o.inputs.findIndex((e) => resolve(e) === resolve(d)) !== i);
  if (twice) throw new InputError(`merge: ${twice} is given twice`);
  if (o.inputs.some((d) => resolve(d) === outAbs)) throw new InputError(`merge: --out ${o.out} is also an input; give a new directory`);
  if (SweepStore.exists(o.out)) throw new InputError(`--out ${o.out} already holds a sweep (${SweepStore.path(o.out)}); give a new directory`);

  // read and check every input's manifest before writing anything
  let first: { dir: string; manifest: SweepManifest } | null = null;
  const held = new Map<number, string>();
  for (const dir of o.inputs) {
    const s = await SweepStore.open(dir, true);
    let m: { manifest: SweepManifest; complete: boolean };
    try {
      m = await s.readManifest();
      if (!m.complete) {
        throw new InputError(`${dir}: shard ${describeShards(m.manifest)} did not finish; complete it first (accelmine sweep with the same options, --resume --out ${dir})`);
      }
      await s.requireFeasibleMetrics('merge');
    } finally {
      s.close();
    }
    if (first) {
      const diff = manifestDifference(first.manifest, m.manifest, true);
      if (diff) throw new InputError(`${dir} is not a shard of the same sweep as ${first.dir}: ${diff.replace(/: (.*) vs (.*)$/, ': $1 there, $2 here')}`);
    } else first = { dir, manifest: m.manifest };
    for (const i of m.manifest.shards) {
      if (held.has(i)) throw new InputError(`${dir}: shard ${i}/${m.manifest.shardCount} is also in ${held.get(i)}`);
      held.set(i, dir);
    }
  }
  const shards = [...held.keys()].sort((a, b) => a - b);
  const manifest: SweepManifest = { ...first!.manifest, shards };
  // a failure from here on removes what it created, so that the same merge can be run again
  const undo = undoCreate(o.out);
  let store: SweepStore;
  try {
    store = await SweepStore.create(o.out, manifest);
  } catch (e) {
    undo();
    throw e;
  }
  let done = false;
  try {
    for (const dir of o.inputs) await store.copyFrom(dir);
    await store.setManifest(manifest, true);
    const workloads = manifest.workloads.map((w) => w.name);
    const summary = await store.summary(manifest.objective, workloads);
    const parquet = await store.exportParquet(manifest, false);
    done = true;
    const missingShards = Array.from({ length: manifest.shardCount }, (_, i) => i).filter((i) => !held.has(i));
    return {
      ...summary, store: SweepStore.path(o.out), parquet, complete: missingShards.length === 0, shards: describeShards(manifest),
      strategy: manifest.strategy, space: manifest.space.name, objective: manifest.objective, workloads, designsThisRun: 0, resumedFrom: 0,
      wallTimeS: (performance.now() - t0) / 1000, missingShards,
    };
  } finally {
    store.close();
    if (!done) undo();
  }
}
