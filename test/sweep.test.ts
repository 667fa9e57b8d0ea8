/**
 * `sweep` and `merge`: the rows a sweep stores (shape, units, budgets), its best against the exhaustive search's,
 * shards merged against one unsharded run, SIGKILL + --resume against an uninterrupted run, the refusals; and
 * `search --out`: refusing an earlier run unless --force, result.json written whole, SIGTERM handled as SIGINT.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_SPACES, designAt, spaceSize, type DesignSpace } from '../src/arch/space.js';
import { runSearch } from '../src/search/run.js';
import { merge } from '../src/sweep/merge.js';
import { RESULT_COLUMNS } from '../src/sweep/rows.js';
import { parseShard, shardPlan } from '../src/sweep/shard.js';
import { SweepStore } from '../src/sweep/store.js';
import { sweep } from '../src/sweep/sweep.js';
import { loadTrainingGraph } from '../src/workload/load.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const cliAsync = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((res) => {
    const p = spawn(process.execPath, [CLI, ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => res({ status, stdout, stderr }));
  });

const resnet = loadTrainingGraph({ model: 'resnet18', batch: 4 }, { optimizer: 'adam' });
const bert = loadTrainingGraph({ model: 'bert-base', batch: 2, seq: 64 }, { optimizer: 'adam' });

/** 4 x 4 x 4 x 2 x 3 = 384 designs (search.test.ts's toy space). */
const TOY_VALUES = {
  tensorCores: [1, 2, 4, 8], tcRows: [16, 32, 64, 128], tcCols: [16, 32, 64, 128], vectorCores: [1], vectorLanes: [64, 256],
  localBufferBytes: [262144], globalBufferBytes: [4194304], offChipGBs: [400, 1600, 3200], dataflow: ['ws'],
};
const toy: DesignSpace = { ...BUILTIN_SPACES.small, name: 'toy', values: { ...BUILTIN_SPACES.small.values, ...TOY_VALUES } };
/** 9216 designs: enough for a sweep to be killed while it runs. */
const MID_VALUES = {
  tensorCores: [1, 2, 4, 8, 16, 32], tcRows: [16, 32, 64, 128], tcCols: [16, 32, 64, 128], vectorCores: [1, 4], vectorLanes: [64, 256],
  localBufferBytes: [65536, 262144], globalBufferBytes: [4194304, 16777216], offChipGBs: [400, 1600, 3200], dataflow: ['ws', 'os'],
};

let tmp: string;
let toyFile: string;
let midFile: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'accelmine-sweep-'));
  toyFile = join(tmp, 'toy.json');
  writeFileSync(toyFile, JSON.stringify({ name: 'toy', values: TOY_VALUES }));
  midFile = join(tmp, 'mid.json');
  writeFileSync(midFile, JSON.stringify({ name: 'mid', values: MID_VALUES }));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const dir = (name: string) => join(tmp, name);

/** Queries over Parquet files and stores, in memory. */
async function sql(query: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(query)).getRowObjectsJS();
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** Rows in one Parquet file and not the other (both ways, counting duplicates), and each file's count. */
async function parquetDiff(a: string, b: string): Promise<{ onlyA: number; onlyB: number; rowsA: number; rowsB: number; dupA: number; dupB: number }> {
  const [r] = await sql(`SELECT
    (SELECT count(*) FROM (SELECT * FROM '${a}' EXCEPT ALL SELECT * FROM '${b}')) AS onlyA,
    (SELECT count(*) FROM (SELECT * FROM '${b}' EXCEPT ALL SELECT * FROM '${a}')) AS onlyB,
    (SELECT count(*) FROM '${a}') AS rowsA, (SELECT count(*) FROM '${b}') AS rowsB,
    (SELECT count(*) - count(DISTINCT (designIndex, workload)) FROM '${a}') AS dupA,
    (SELECT count(*) - count(DISTINCT (designIndex, workload)) FROM '${b}') AS dupB`);
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])) as never;
}

/** The user-error contract: exit 2, one line on stderr naming the field, no stack trace. */
function expectUserError(p: { status: number | null; stderr: string }, pattern: RegExp): void {
  expect(p.status, p.stderr).toBe(2);
  const lines = p.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(p.stderr).not.toMatch(/\n\s+at /);
}

describe('sweep rows', () => {
  it('stores one row per design and workload with the design, area, TDP and per-workload metrics in SI units', async () => {
    const limits = { areaMm2: 200, tdpW: 60 };
    const r = await sweep({ out: dir('rows'), graphs: [resnet, bert], space: toy, limits, threads: 1 });
    expect(r).toMatchObject({ complete: true, designs: 384, rows: 2 * 384 });
    const store = await SweepStore.open(dir('rows'), true);
    try {
      const cols = await store.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'results' ORDER BY ordinal_position`);
      expect(cols.map((c) => c.column_name)).toEqual(RESULT_COLUMNS.map((c) => c.name));
      const rows = await store.query('SELECT * FROM results ORDER BY "designIndex", workload');
      expect(rows).toHaveLength(768);
      const over = rows.filter((x) => !x.evaluated);
      const inBudget = rows.filter((x) => x.evaluated);
      // the budget splits the space: designs over it are stored, not evaluated
      expect(over.length).toBeGreaterThan(0);
      expect(inBudget.length).toBeGreaterThan(0);
      expect(r.evaluated).toBe(inBudget.length / 2);
      for (const x of over) {
        expect(Math.max((x.areaMm2 as number) / 200, (x.tdpW as number) / 60), `${x.areaMm2} mm2, ${x.tdpW} W`).toBeGreaterThan(1);
        expect(x.feasible).toBe(false);
        expect(x.reason).toMatch(/exceeds the (200 mm2|60 W) budget/);
        expect(x.stepTimeS).toBeNull();
        expect(x.boundTensor).toBeNull();
      }
      for (const x of inBudget) {
        const design = designAt(toy, Number(x.designIndex));
        expect(x.tensorCores).toBe(design.tensorCores);
        expect(Number(x.localBufferBytes)).toBe(design.localBufferBytes);
        expect(x.position).toBe(x.designIndex);
        const batch = x.workload === 'resnet18' ? 4 : 2;
        expect(x.throughput as number).toBeCloseTo(batch / (x.stepTimeS as number), 6);
        expect((x.energyJ as number) / batch).toBeCloseTo(x.energyPerSampleJ as number, 12);
        expect((x.avgPowerW as number) * (x.stepTimeS as number)).toBeCloseTo(x.energyJ as number, 9);
        // a step's average power stays under the TDP (its most power-hungry op class at its sustained rate)
        expect(x.avgPowerW as number).toBeLessThanOrEqual((x.tdpW as number) * (1 + 1e-9));
        expect(x.objective).toBe(x.throughput);
        const shares = ['boundTensor', 'boundVector', 'boundLocalBuffer', 'boundNoc', 'boundGlobalBuffer', 'boundOffChip', 'boundNetwork', 'boundNone'];
        expect(shares.reduce((s, k) => s + (x[k] as number), 0)).toBeCloseTo(1, 9);
        expect(x.feasible).toBe(x.reason === '');
      }
      // the two workloads' rows of a design differ in their metrics, not in the design
      const [a, b] = inBudget;
      expect(a.designIndex).toBe(b.designIndex);
      expect(a.workload).not.toBe(b.workload);
      expect(a.stepTimeS).not.toBe(b.stepTimeS);
    } finally {
      store.close();
    }
    // the best is the exhaustive search's (ranked by the list schedule, as the rows are)
    const s = await runSearch({ graphs: [resnet, bert], space: toy, objective: 'throughput', limits, strategy: 'exhaustive', topK: 1, seed: 1, threads: 1, budget: Infinity, schedulePasses: 0 });
    expect(r.best!.design).toEqual(s.best!.design);
    expect(r.best!.objective).toBeCloseTo(s.best!.objective, 12);
    // the Parquet file holds the same rows, and the manifest in its metadata
    const [pq] = await sql(`SELECT count(*) AS n FROM '${r.parquet}'`);
    expect(Number(pq.n)).toBe(768);
    const [kv] = await sql(`SELECT decode(value) AS v FROM parquet_kv_metadata('${r.parquet}') WHERE decode(key) = 'accelmine'`);
    const m = JSON.parse(kv.v as string);
    expect(m.space.size).toBe(384);
    expect(m.workloads.map((w: { name: string }) => w.name)).toEqual(['resnet18', 'bert-base']);
  });

  it('checks its key: a design with a row twice is an error, not a count', async () => {
    await sweep({ out: dir('dup'), graphs: [resnet], space: toy, threads: 1 });
    const store = await SweepStore.open(dir('dup'));
    try {
      expect((await store.summary('throughput', ['resnet18'])).rows).toBe(384);
      await store.query('INSERT INTO results SELECT * FROM results WHERE "designIndex" = 7');
      await expect(store.summary('throughput', ['resnet18'])).rejects.toThrow(/1 designs do not have exactly one row per workload/);
    } finally {
      store.close();
    }
  });

  it('one workload: the best objective is the best feasible row, as search reports it; perf-per-tdp divides by the TDP', async () => {
    const r = await sweep({ out: dir('ppt'), graphs: [resnet], space: toy, objective: 'perf-per-tdp', threads: 1 });
    const s = await runSearch({ graphs: [resnet], space: toy, objective: 'perf-per-tdp', limits: { areaMm2: Infinity, tdpW: Infinity }, strategy: 'exhaustive', topK: 1, seed: 1, threads: 1, budget: Infinity, schedulePasses: 0 });
    expect(r.best!.design).toEqual(s.best!.design);
    expect(r.best!.objective).toBe(s.best!.objective);
    const [x] = await sql(`SELECT max(objective) AS o, max(abs(objective - throughput / tdpW)) AS err FROM '${r.parquet}'`);
    expect(x.o).toBe(r.best!.objective);
    expect(x.err as number).toBeLessThan(1e-9);
  });

  it('--json prints rows, evaluated, infeasible, best {design, objective} and the store', () => {
    const p = cli(['sweep', '--model', 'resnet18', '--batch', '4', '--space', toyFile, '--tdp', '60', '--threads', '1', '--out', dir('json'), '--json']);
    expect(p.status, p.stderr).toBe(0);
    const r = JSON.parse(p.stdout);
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['rows', 'evaluated', 'infeasible', 'best', 'store']));
    expect(r.rows).toBe(384);
    expect(r.evaluated + r.infeasible).toBeGreaterThanOrEqual(384);
    expect(r.infeasible).toBeGreaterThan(0);
    expect(Object.keys(r.best)).toEqual(expect.arrayContaining(['design', 'objective']));
    expect(r.best.design.tensorCores).toBeGreaterThan(0);
    expect(r.store).toBe(join(dir('json'), 'sweep.duckdb'));
    expect(readdirSync(dir('json'))).toContain('results.parquet');
  });
});

describe('shards', () => {
  it('parses I/N (0-based) and refuses anything else with the rule', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('3/2')).toThrow(/--shard must be I\/N with 0 <= I < N/);
    expect(() => parseShard('4/4')).toThrow(/got "4\/4"/);
    expect(() => parseShard('x')).toThrow(/--shard must be I\/N/);
    expect(() => parseShard('1/0')).toThrow(/--shard/);
  });

  it('the shards of a plan partition it: every position once, interleaved', () => {
    const base = { space: toy, seed: 3, limits: { areaMm2: Infinity, tdpW: Infinity }, budget: Infinity };
    for (const strategy of ['exhaustive', 'random'] as const) {
      const budget = strategy === 'random' ? 100 : Infinity;
      const all = [...shardPlan({ ...base, budget, strategy, shard: { index: 0, count: 1 } }, 64)].flat();
      const parts = [0, 1, 2].map((index) => [...shardPlan({ ...base, budget, strategy, shard: { index, count: 3 } }, 64)].flat());
      expect(parts.flat().map((p) => p.position).sort((a, b) => a - b)).toEqual(all.map((p) => p.position));
      expect(new Set(parts.flat().map((p) => p.index)).size).toBe(all.length);
      parts.forEach((part, i) => part.forEach((p) => expect(p.position % 3).toBe(i)));
      expect(all.length).toBe(strategy === 'random' ? 100 : spaceSize(toy));
    }
  });

  it('N shard processes merged give exactly the rows and the best of one unsharded run', async () => {
    const args = ['sweep', '--model', 'resnet18,bert-base', '--batch', '2', '--seq', '64', '--space', toyFile, '--area', '300', '--threads', '1', '--json'];
    const [whole, ...shards] = await Promise.all([
      cliAsync([...args, '--out', dir('whole')]),
      ...[0, 1, 2].map((i) => cliAsync([...args, '--shard', `${i}/3`, '--out', dir(`shard${i}`)])),
    ]);
    for (const p of [whole, ...shards]) expect(p.status, p.stderr).toBe(0);
    const rows = shards.map((p) => JSON.parse(p.stdout).rows as number);
    expect(rows.filter((n) => n <= 0 || n >= 768)).toEqual([]);
    const m = cli(['merge', '--out', dir('merged'), dir('shard0'), dir('shard1'), dir('shard2'), '--json']);
    expect(m.status, m.stderr).toBe(0);
    const merged = JSON.parse(m.stdout);
    const w = JSON.parse(whole.stdout);
    expect(merged.rows).toBe(w.rows);
    expect(rows.reduce((a, b) => a + b, 0)).toBe(w.rows);
    expect(merged.evaluated).toBe(w.evaluated);
    expect(merged.infeasible).toBe(w.infeasible);
    expect(merged.best).toEqual(w.best);
    expect(merged.complete).toBe(true);
    expect(merged.missingShards).toEqual([]);
    const d = await parquetDiff(merged.parquet, w.parquet);
    expect(d).toEqual({ onlyA: 0, onlyB: 0, rowsA: 768, rowsB: 768, dupA: 0, dupB: 0 });
  });

  it('random draws shard too: merged shards hold the unsharded run\'s draws', async () => {
    const o = { graphs: [resnet], space: BUILTIN_SPACES.small, strategy: 'random', budget: 150, seed: 7, threads: 1, limits: { areaMm2: 300, tdpW: 200 } };
    const whole = await sweep({ ...o, out: dir('rwhole') });
    for (const i of [0, 1]) await sweep({ ...o, shard: `${i}/2`, out: dir(`rshard${i}`) });
    const merged = await merge({ out: dir('rmerged'), inputs: [dir('rshard1'), dir('rshard0')] });
    expect(whole.rows).toBe(150);
    expect(merged.rows).toBe(150);
    expect(merged.best).toEqual(whole.best);
    const d = await parquetDiff(merged.parquet, whole.parquet);
    expect([d.onlyA, d.onlyB, d.dupA, d.dupB]).toEqual([0, 0, 0, 0]);
    // every draw is inside the budget
    const [x] = await sql(`SELECT max(areaMm2) AS a, max(tdpW) AS t, bool_and(evaluated) AS e FROM '${whole.parquet}'`);
    expect(x.a as number).toBeLessThanOrEqual(300);
    expect(x.t as number).toBeLessThanOrEqual(200);
    expect(x.e).toBe(true);
  });
});

describe('nothing lost', () => {
  it('SIGKILL mid-run, then --resume: the same rows as an uninterrupted run, none twice', async () => {
    const args = ['sweep', '--model', 'resnet18', '--batch', '4', '--space', midFile, '--threads', '1', '--commit-every', '256'];
    const full = cli([...args, '--out', dir('full'), '--json']);
    expect(full.status, full.stderr).toBe(0);
    expect(JSON.parse(full.stdout).rows).toBe(9216);
    // kill the second run as soon as it reports its first stored batch
    const child = spawn(process.execPath, [CLI, ...args, '--out', dir('killed')]);
    const killed = await new Promise<{ signal: NodeJS.Signals | null; stderr: string }>((res) => {
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/stored \d+ designs/.test(stderr)) child.kill('SIGKILL');
      });
      child.on('close', (_code, signal) => res({ signal, stderr }));
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    // what the killed run left: whole batches, fewer than all
    const left = await SweepStore.open(dir('killed'), true);
    const [{ n, complete }] = await left.query('SELECT (SELECT count(*) FROM results) AS n, (SELECT complete FROM manifest) AS complete');
    left.close();
    expect(complete).toBe(false);
    expect(Number(n)).toBeGreaterThanOrEqual(256);
    expect(Number(n)).toBeLessThan(9216);
    expect(Number(n) % 256).toBe(0);
    // without --resume the directory is refused; with it the sweep completes
    expectUserError(cli([...args, '--out', dir('killed')]), /--out .* already holds a sweep .*give --resume/);
    const resumed = cli([...args, '--out', dir('killed'), '--resume', '--json']);
    expect(resumed.status, resumed.stderr).toBe(0);
    const r = JSON.parse(resumed.stdout);
    expect(r).toMatchObject({ complete: true, rows: 9216 });
    expect(r.best).toEqual(JSON.parse(full.stdout).best);
    const d = await parquetDiff(join(dir('killed'), 'results.parquet'), join(dir('full'), 'results.parquet'));
    expect(d).toEqual({ onlyA: 0, onlyB: 0, rowsA: 9216, rowsB: 9216, dupA: 0, dupB: 0 });
    // resuming a finished sweep evaluates nothing and changes nothing
    const again = cli([...args, '--out', dir('killed'), '--resume']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/this run: 0 designs/);
  });

  it('SIGTERM stops a sweep after the batch in flight: stored, exported, exit 143; --resume completes it', async () => {
    const args = ['sweep', '--model', 'resnet18', '--batch', '4', '--space', midFile, '--threads', '1', '--commit-every', '256', '--out', dir('term')];
    const child = spawn(process.execPath, [CLI, ...args, '--json']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    const code = await new Promise<number | null>((res) => {
      child.stderr.on('data', (d) => {
        const first = !/stored \d+ designs/.test(stderr);
        stderr += d;
        if (first && /stored \d+ designs/.test(stderr)) child.kill('SIGTERM');
      });
      child.on('close', (c) => res(c));
    });
    expect(code, stderr).toBe(143);
    expect(stderr).toMatch(/SIGTERM: stopping/);
    const r = JSON.parse(stdout);
    expect(r.complete).toBe(false);
    expect(r.rows).toBeGreaterThan(0);
    expect(r.rows).toBeLessThan(9216);
    const [{ n }] = await sql(`SELECT count(*) AS n FROM '${r.parquet}'`);
    expect(Number(n)).toBe(r.rows);
    const resumed = cli([...args, '--resume', '--json']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ complete: true, rows: 9216 });
  });

  it('docs/sweeps.md describes every column of the table', () => {
    const doc = readFileSync(fileURLToPath(new URL('../docs/sweeps.md', import.meta.url)), 'utf8');
    const table = doc.slice(doc.indexOf('### The `results` table'), doc.indexOf('The manifest:'));
    for (const c of RESULT_COLUMNS) expect(table, c.name).toContain(`\`${c.name}\``);
  });

  it('adaptive strategies: every design the search evaluates is stored; an interrupted sweep resumes by replaying its seed', async () => {
    const o = { graphs: [resnet], space: toy, threads: 1, budget: 120, seed: 4, commitEvery: 16, limits: { areaMm2: 150, tdpW: Infinity } };
    const full = await sweep({ ...o, strategy: 'genetic', out: dir('gfull') });
    expect(full.complete).toBe(true);
    expect(full.rows).toBeGreaterThan(16);
    // an interrupted run: the full run's store with its later rows never committed
    mkdirSync(dir('gpart'));
    copyFileSync(join(dir('gfull'), 'sweep.duckdb'), join(dir('gpart'), 'sweep.duckdb'));
    const cut = await SweepStore.open(dir('gpart'));
    await cut.query('DELETE FROM results WHERE position >= 30');
    await cut.setComplete(false);
    const [{ kept }] = await cut.query('SELECT count(*) AS kept FROM results');
    cut.close();
    expect(Number(kept)).toBeGreaterThan(0);
    expect(Number(kept)).toBeLessThan(full.rows);
    const resumed = await sweep({ ...o, strategy: 'genetic', out: dir('gpart'), resume: true });
    expect(resumed.complete).toBe(true);
    expect(resumed.resumedFrom).toBe(Number(kept));
    expect(resumed.designsThisRun).toBe(full.rows - Number(kept));
    expect(resumed.best).toEqual(full.best);
    const d = await parquetDiff(resumed.parquet, full.parquet);
    expect([d.onlyA, d.onlyB, d.dupA, d.dupB, d.rowsA]).toEqual([0, 0, 0, 0, full.rows]);
    // wham's climbs run in the kernel: its rows have the metrics but not the critical-path split
    const w = await sweep({ ...o, strategy: 'wham', out: dir('wham') });
    expect(w.rows).toBeGreaterThan(0);
    const [x] = await sql(`SELECT count(*) FILTER (WHERE evaluated AND "stepTimeS" > 0) AS timed, count(*) FILTER (WHERE "boundTensor" IS NOT NULL) AS split FROM '${w.parquet}'`);
    expect(Number(x.timed)).toBeGreaterThan(0);
    expect(Number(x.split)).toBe(0);
  });

  it('--resume on a directory of another sweep, and the bad inputs, are one-line errors naming the field', () => {
    const base = ['sweep', '--model', 'resnet18', '--batch', '4', '--space', toyFile, '--threads', '1'];
    expect(cli([...base, '--out', dir('other')]).status).toBe(0);
    expectUserError(cli([...base, '--objective', 'energy', '--resume', '--out', dir('other')]), /--resume: .* holds another sweep.*objective: stored throughput, given energy/);
    expectUserError(cli([...base, '--batch', '8', '--resume', '--out', dir('other')]), /--resume: .*workloads: stored resnet18 batch 4 .* given resnet18 batch 8/);
    expectUserError(cli([...base, '--shard', '3/2', '--out', dir('bad')]), /--shard must be I\/N with 0 <= I < N .* got "3\/2"/);
    expectUserError(cli([...base, '--shard', 'x', '--out', dir('bad')]), /--shard must be I\/N/);
    expectUserError(cli(base), /--out DIR is required/);
    expectUserError(cli([...base, '--strategy', 'wham', '--shard', '0/2', '--out', dir('bad')]), /--shard works with --strategy exhaustive or random/);
    expectUserError(cli([...base, '--model', 'resnet18,resnet18', '--out', dir('bad')]), /workload "resnet18" is given twice/);
    expect(existsSync(join(dir('bad'), 'sweep.duckdb'))).toBe(false);
  });

  it('merge refuses shards of different sweeps, a shard twice, an unfinished shard and an existing --out', async () => {
    const toy4 = (batch: number) => [loadTrainingGraph({ model: 'resnet18', batch }, { optimizer: 'adam' })];
    const run = (out: string, o: Partial<Parameters<typeof sweep>[0]>) => sweep({ out: dir(out), graphs: toy4(4), space: toy, threads: 1, ...o });
    await run('m0', { shard: '0/2' });
    await run('m1batch', { shard: '1/2', graphs: toy4(8) });
    await run('m1of3', { shard: '1/3' });
    await run('m1energy', { shard: '1/2', objective: 'energy' });
    await run('m1space', { shard: '1/2', space: BUILTIN_SPACES.small, budget: 384 });
    await run('m0again', { shard: '0/2' });
    const refused = (inputs: string[], pattern: RegExp, out = 'mx') => expect(merge({ out: dir(out), inputs: inputs.map(dir) })).rejects.toThrow(pattern);
    await refused(['m0', 'm1batch'], /m1batch is not a shard of the same sweep as .*m0: workloads: resnet18 batch 4 .* there, resnet18 batch 8/);
    await refused(['m0', 'm1of3'], /shard count: 2 there, 3 here/);
    await refused(['m0', 'm1energy'], /objective: throughput there, energy here/);
    await refused(['m0', 'm1space'], /space: toy \(384 designs.* there, small \(110592 designs.* here/);
    await refused(['m0', 'm0again'], /shard 0\/2 is also in .*m0/);
    await refused(['m0', 'nothing'], /nothing: no sweep store/);
    await refused(['m1batch'], /--out .*m0 already holds a sweep/, 'm0');
    // a store written by another version of accelmine
    const store = await SweepStore.open(dir('m1of3'));
    const { manifest } = await store.readManifest();
    await store.setManifest({ ...manifest, version: '0.0.9', shardCount: 2 }, true);
    store.close();
    await refused(['m0', 'm1of3'], /version: 0\.1\.0 there, 0\.0\.9 here/);
    // an unfinished shard
    const s2 = await SweepStore.open(dir('m1energy'));
    await s2.setComplete(false);
    s2.close();
    await refused(['m0', 'm1energy'], /m1energy: shard 1\/2 did not finish; complete it first .*--resume/);
    expect(existsSync(join(dir('mx'), 'sweep.duckdb'))).toBe(false);
    // on the command line: one line, exit 2
    expectUserError(cli(['merge', '--out', dir('mx'), dir('m0'), dir('m1batch')]), /^accelmine: .*m1batch is not a shard of the same sweep as .*workloads/);
    expectUserError(cli(['merge', '--out', dir('mx'), dir('m0'), dir('m0')]), /is given twice/);
    expectUserError(cli(['merge', dir('m0')]), /--out DIR is required/);
  });
});

describe('--out that cannot be a directory', () => {
  // Node's mkdirSync(dir, { recursive: true }) never returned under /proc (mkdir there fails with ENOENT): these ran
  // until killed; a file in the way gave an internal error from compare, after its runs
  const withTimeout = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  it('search, sweep and merge say so in one line, exit 2', () => {
    const small = ['--model', 'resnet18', '--batch', '4', '--space', toyFile, '--threads', '1', '--budget', '4', '--strategy', 'random'];
    expectUserError(withTimeout(['search', ...small, '--out', '/proc/accelmine-out']), /^accelmine: --out: cannot create directory \/proc\/accelmine-out \(ENOENT\)$/);
    expectUserError(withTimeout(['sweep', ...small, '--out', '/proc/accelmine-out']), /^accelmine: --out: cannot create directory \/proc\/accelmine-out \(ENOENT\)$/);
    const shard = cli(['sweep', ...small, '--out', dir('out-shard')]);
    expect(shard.status, shard.stderr).toBe(0);
    expectUserError(withTimeout(['merge', '--out', '/proc/accelmine-out/a', dir('out-shard')]), /^accelmine: --out: cannot create directory \/proc\/accelmine-out\/a \(ENOENT\)$/);
  });
  it('a directory in the way of results.parquet is said in one line (it was "internal error: EISDIR ... rename"), the rows kept', () => {
    const small = ['--model', 'resnet18', '--batch', '4', '--space', toyFile, '--threads', '1', '--budget', '4', '--strategy', 'random'];
    const out = dir('parquet-in-the-way');
    const first = cli(['sweep', ...small, '--out', out]);
    expect(first.status, first.stderr).toBe(0);
    rmSync(join(out, 'results.parquet'));
    mkdirSync(join(out, 'results.parquet'));
    expectUserError(cli(['sweep', ...small, '--out', out, '--resume']), new RegExp(`^accelmine: ${out}/results\\.parquet: cannot write the Parquet file \\(EISDIR\\); the rows are in ${out}/sweep\\.duckdb$`));
    expect(readdirSync(out).sort()).toEqual(['results.parquet', 'sweep.duckdb']);
  });
  it('a store whose write-ahead log cannot be written is said in one line (it was "internal error: TransactionContext Error")', () => {
    const small = ['--model', 'resnet18', '--batch', '4', '--space', toyFile, '--threads', '1', '--budget', '4', '--strategy', 'random'];
    const out = dir('wal-in-the-way');
    mkdirSync(join(out, 'sweep.duckdb.wal'), { recursive: true });
    expectUserError(cli(['sweep', ...small, '--out', out]), new RegExp(`^accelmine: ${out}/sweep\\.duckdb: cannot write the sweep store \\(.*Cannot open file "${out}/sweep\\.duckdb\\.wal": Is a directory\\)$`));
  });
  it('search: a directory in place of evaluations.jsonl or result.json is a one-line error (it was a stack trace, or an internal error)', () => {
    const small = ['search', '--model', 'resnet18', '--batch', '4', '--space', toyFile, '--threads', '1', '--budget', '4', '--strategy', 'random', '--force'];
    for (const [f, code] of [['evaluations.jsonl', 'EISDIR'], ['result.json', 'ERR_FS_EISDIR']]) {
      const out = dir(`in-the-way-${f}`);
      mkdirSync(join(out, f), { recursive: true });
      expectUserError(withTimeout([...small, '--out', out]), new RegExp(`^accelmine: --out: cannot write ${out}/${f.replace('.', '\\.')} \\(${code}\\)$`));
    }
  });
  it('compare says so before its runs', () => {
    const compare = ['compare', '--model', 'resnet18', '--batch', '4', '--strategies', 'random', '--space', toyFile, '--budget', '4', '--repeats', '1', '--threads', '1'];
    expectUserError(withTimeout([...compare, '--out', '/proc/accelmine-out']), /^accelmine: --out: cannot create directory \/proc\/accelmine-out \(ENOENT\)$/);
    expectUserError(withTimeout([...compare, '--out', toyFile]), new RegExp(`^accelmine: --out: cannot create directory ${toyFile} \\(EEXIST\\)$`));
  });
});

describe('search --out', () => {
  const args = (out: string) => ['search', '--model', 'resnet18', '--batch', '4', '--space', toyFile, '--threads', '1', '--budget', '50', '--strategy', 'random', '--out', out, '--json'];

  it('refuses a directory holding an earlier search unless --force, and writes result.json whole', () => {
    const out = dir('search');
    const first = cli(args(out));
    expect(first.status, first.stderr).toBe(0);
    const before = readFileSync(join(out, 'result.json'), 'utf8');
    const stamp = statSync(join(out, 'evaluations.jsonl')).size;
    expectUserError(cli(args(out)), /--out .* already holds a search \(result\.json, evaluations\.jsonl\): give --force/);
    // nothing was touched
    expect(readFileSync(join(out, 'result.json'), 'utf8')).toBe(before);
    expect(statSync(join(out, 'evaluations.jsonl')).size).toBe(stamp);
    const forced = cli([...args(out), '--force', '--seed', '9']);
    expect(forced.status, forced.stderr).toBe(0);
    const after = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(after.seed).toBe(9);
    // result.json is the printed result plus what `accelmine report` needs to rebuild the workloads
    const { inferenceOnly: _i, execution: _e, workloads, ...printed } = after;
    expect(printed).toEqual(JSON.parse(forced.stdout));
    expect(workloads).toHaveLength(1);
    // no temporary file is left beside it
    expect(readdirSync(out).sort()).toEqual(['evaluations.jsonl', 'result.json']);
  });

  /** Resolves true once a search writes its first evaluation to `out` (it is under way), false if it exits first. */
  const evaluationsWritten = (child: ReturnType<typeof spawn>, out: string) =>
    new Promise<boolean>((res) => {
      const t = setInterval(() => {
        const f = join(out, 'evaluations.jsonl');
        if (existsSync(f) && statSync(f).size > 0) {
          clearInterval(t);
          res(true);
        }
      }, 20);
      child.on('close', () => {
        clearInterval(t);
        res(false);
      });
    });

  /** Starts `search … --out out --json`, sends SIGTERM once evaluations are being written, and reads what it left. */
  async function stoppedSearch(out: string, args: string[]) {
    const child = spawn(process.execPath, [CLI, 'search', ...args, '--out', out, '--json']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // once evaluations are being written, the search is under way
    const started = await evaluationsWritten(child, out);
    expect(started, stderr).toBe(true);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(code, stderr).toBe(0);
    return { stdout, stderr, result: JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) };
  }

  it('SIGTERM stops a one-thread WHAM search too (its climbs run on the main thread): result.json keeps what finished', async () => {
    const { result: r } = await stoppedSearch(dir('sigterm-wham'), ['--model', 'resnet18', '--batch', '4', '--space', 'large', '--strategy', 'wham', '--budget', '1000000', '--threads', '1', '--area', '400', '--tdp', '300']);
    expect(r.stopped).toBe(true);
    expect(r.evaluations).toBeGreaterThan(0);
    expect(r.evaluations).toBeLessThan(1000000);
    expect(r.best.objective).toBeGreaterThan(0);
  });

  it('SIGTERM stops a search as Ctrl-C does: the batch in flight finishes and result.json is written', async () => {
    const { stdout, stderr, result: r } = await stoppedSearch(dir('sigterm'), ['--model', 'resnet18', '--batch', '4', '--space', 'small', '--strategy', 'exhaustive', '--threads', '1']);
    expect(stderr).toMatch(/SIGTERM: stopping/);
    expect(r.stopped).toBe(true);
    expect(r.designsConsidered).toBeGreaterThan(0);
    expect(r.designsConsidered).toBeLessThan(spaceSize(BUILTIN_SPACES.small));
    expect(JSON.parse(stdout).designsConsidered).toBe(r.designsConsidered);
  });
});
