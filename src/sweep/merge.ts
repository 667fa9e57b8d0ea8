/**
 * `merge`: combines the stores of a sweep's shards (or of merges of them) into one new store and its Parquet
 * file. Every input must be a complete store of the same sweep (version, cost model, space, workloads, strategy,
 * seed, budget, objective, limits, execution, shard count) and the inputs' shards must not overlap; otherwise
 * it stops with one line naming the input and the field. Shards not given are allowed (a partial merge), and
 * the result says which it holds.
 */
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { describeShards, manifestDifference, type SweepManifest } from './manifest.js';
import { SweepStore } from './store.js';
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
    } finally {
      s.close();
    }
    if (!m.complete) {
      throw new InputError(`${dir}: shard ${describeShards(m.manifest)} did not finish; complete it first (accelmine sweep with the same options, --resume --out ${dir})`);
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
  const store = await SweepStore.create(o.out, manifest);
  try {
    for (const dir of o.inputs) await store.copyFrom(dir);
    await store.setManifest(manifest, true);
    const workloads = manifest.workloads.map((w) => w.name);
    const summary = await store.summary(manifest.objective, workloads);
    const parquet = await store.exportParquet(manifest);
    const missingShards = Array.from({ length: manifest.shardCount }, (_, i) => i).filter((i) => !held.has(i));
    return {
      ...summary, store: SweepStore.path(o.out), parquet, complete: missingShards.length === 0, shards: describeShards(manifest),
      strategy: manifest.strategy, space: manifest.space.name, objective: manifest.objective, workloads, designsThisRun: 0, resumedFrom: 0,
      wallTimeS: (performance.now() - t0) / 1000, missingShards,
    };
  } finally {
    store.close();
  }
}
