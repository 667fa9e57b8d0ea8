/**
 * `merge` on hand-edited or broken inputs: a shard whose feasible rows lost their objective or throughput (NULL,
 * NaN, Infinity, <= 0) is refused in one line naming the store and the column, while infeasible rows without
 * metrics still merge; and a merge that fails after creating its --out store removes what it created (and only
 * that), so that the same command can be run again once the input is fixed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllFinite } from './helpers/finite.js';
import { BUILTIN_SPACES, type DesignSpace } from '../src/arch/space.js';
import { merge } from '../src/sweep/merge.js';
import { sweep } from '../src/sweep/sweep.js';
import { loadTrainingGraph } from '../src/workload/load.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ACCELMINE_DEBUG: '' } });

/** The user-error contract: a non-zero exit, nothing on stdout, one line on stderr matching `pattern`, no stack trace. */
function expectUserError(p: ReturnType<typeof cli>, pattern: RegExp): void {
  expect(p.status, p.stderr).not.toBe(0);
  expect(p.status, 'killed?').not.toBeNull();
  expect(p.stdout).toBe('');
  const lines = p.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, p.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^accelmine: /);
  expect(lines[0]).not.toMatch(/internal error/);
  expect(lines[0]).toMatch(pattern);
  expect(p.stderr).not.toMatch(/^\s+at /m);
}


/** 4 x 2 x 2 x 3 = 48 designs; a 60 W budget leaves some of them over it (stored, not evaluated: NULL metrics). */
const TINY: DesignSpace = {
  ...BUILTIN_SPACES.small, name: 'tiny',
  values: { ...BUILTIN_SPACES.small.values, tensorCores: [1, 2, 4, 8], tcRows: [32, 128], tcCols: [32, 128], vectorCores: [1], vectorLanes: [64], localBufferBytes: [262144], globalBufferBytes: [4194304], offChipGBs: [400, 1600, 3200], dataflow: ['ws'] },
};
const graphs = [loadTrainingGraph({ model: 'resnet18', batch: 4 }, { optimizer: 'adam' })];

let tmp: string;
const dir = (name: string) => join(tmp, name);
const store = (d: string) => join(d, 'sweep.duckdb');

/** Runs `queries` on the store of `d`. */
async function sql(d: string, ...queries: string[]): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(store(d));
  const c = await db.connect();
  try {
    let last: Record<string, unknown>[] = [];
    for (const q of queries) last = (await c.runAndReadAll(q)).getRowObjectsJS();
    return last;
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** A copy of shard `from` with `queries` run on its store. */
async function tampered(name: string, from: string, ...queries: string[]): Promise<string> {
  const d = dir(name);
  cpSync(dir(from), d, { recursive: true });
  await sql(d, ...queries);
  return d;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'accelmine-merge-robust-'));
  for (const i of [0, 1]) await sweep({ out: dir(`s${i}`), graphs, space: TINY, limits: { tdpW: 60 }, shard: `${i}/2`, threads: 1 });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('merge: feasible rows without a number', () => {
  it('the fixtures: each shard has feasible rows, and infeasible rows with no objective or throughput', async () => {
    const [r] = await sql(dir('s1'), `SELECT count(*) FILTER (WHERE feasible) AS f, count(*) FILTER (WHERE NOT feasible AND objective IS NULL AND throughput IS NULL) AS n FROM results`);
    expect(Number(r.f)).toBeGreaterThan(3);
    expect(Number(r.n)).toBeGreaterThan(0);
  });

  it('infeasible rows without metrics still merge, with a finite best', () => {
    const p = cli('merge', '--out', dir('ok'), dir('s0'), dir('s1'), '--json');
    expect(p.status, p.stderr).toBe(0);
    const r = JSON.parse(p.stdout);
    expect(r.infeasible).toBeGreaterThan(0);
    expect(r.rows).toBe(48);
    expectAllFinite(r.best);
    expect(r.best.objective).toBeGreaterThan(0);
  });

  it('NULL objective in 3 feasible rows: refused in one line naming the store and the column (it printed "objective": null, exit 0)', async () => {
    const bad = await tampered('null3', 's1', `UPDATE results SET objective = NULL WHERE "designIndex" IN (SELECT "designIndex" FROM results WHERE feasible ORDER BY "designIndex" LIMIT 3)`);
    const re = new RegExp(`^accelmine: merge: ${store(bad)}: results\\.objective is not a positive finite number in 3 feasible rows`);
    expectUserError(cli('merge', '--out', dir('m-null3'), dir('s0'), bad, '--json'), re);
    // the text report too (it was "internal error: Cannot read properties of null (reading 'toPrecision')")
    expectUserError(cli('merge', '--out', dir('m-null3'), dir('s0'), bad), re);
    expect(existsSync(dir('m-null3'))).toBe(false);
  });

  it('NULL objective in every feasible row of both shards: refused, never "objective": null', async () => {
    const all = 'UPDATE results SET objective = NULL';
    const a = await tampered('nullall0', 's0', all);
    const b = await tampered('nullall1', 's1', all);
    expectUserError(cli('merge', '--out', dir('m-nullall'), a, b, '--json'), new RegExp(`${store(a)}: results\\.objective is not a positive finite number in \\d+ feasible rows`));
  });

  it.each([
    ['objective', "'nan'::DOUBLE"],
    ['objective', "'inf'::DOUBLE"],
    ['objective', '0'],
    ['objective', '-1'],
    ['throughput', 'NULL'],
    ['throughput', "'nan'::DOUBLE"],
  ])('results.%s = %s in a feasible row is refused, naming the column', async (column, value) => {
    const name = `bad-${column}-${value.replace(/\W/g, '')}`;
    const bad = await tampered(name, 's0', `UPDATE results SET "${column}" = ${value} WHERE "designIndex" = (SELECT min("designIndex") FROM results WHERE feasible)`);
    await expect(merge({ out: dir(`m-${name}`), inputs: [bad, dir('s1')] })).rejects.toThrow(
      new RegExp(`^merge: ${store(bad)}: results\\.${column} is not a positive finite number in 1 feasible rows`),
    );
    expect(existsSync(dir(`m-${name}`))).toBe(false);
  });

  it('sweep --resume of a store whose feasible rows lost their objective: refused the same way (it printed "objective": null, exit 0)', async () => {
    const bad = await tampered('resume-null', 's0', 'UPDATE results SET objective = NULL');
    await expect(sweep({ out: bad, graphs, space: TINY, limits: { tdpW: 60 }, shard: '0/2', threads: 1, resume: true })).rejects.toThrow(
      new RegExp(`^--resume: ${store(bad)}: results\\.objective is not a positive finite number in \\d+ feasible rows`),
    );
    // the untouched shard resumes (it had finished: nothing to do)
    const ok = await sweep({ out: dir('s0'), graphs, space: TINY, limits: { tdpW: 60 }, shard: '0/2', threads: 1, resume: true });
    expect(ok.designsThisRun).toBe(0);
  });

  it('an infeasible row with no objective is not refused', async () => {
    const d = await tampered('infeasible-null', 's1', `UPDATE results SET objective = NULL, throughput = NULL, feasible = false, reason = 'edited' WHERE "designIndex" = (SELECT min("designIndex") FROM results WHERE feasible)`);
    const r = await merge({ out: dir('m-infeasible-null'), inputs: [dir('s0'), d] });
    // the edited row counts as infeasible, and the best is the highest throughput among the feasible rows left
    const [row] = await sql(dir('m-infeasible-null'), 'SELECT count(*) FILTER (WHERE NOT feasible) AS infeasible, max(objective) FILTER (WHERE feasible) AS top FROM results');
    expect(r.infeasible).toBe(Number(row.infeasible));
    expect(r.best!.objective).toBeCloseTo(Number(row.top), 9);
  });
});

describe('a failed merge removes what it created', () => {
  it('an input that cannot be copied: --out is not left behind, and the same command runs once the input is fixed', async () => {
    const bad = await tampered('dropped-column', 's1', 'ALTER TABLE results DROP COLUMN "boundNone"');
    const out = dir('retry');
    expectUserError(cli('merge', '--out', out, dir('s0'), bad), new RegExp(`${store(bad)}: cannot copy its results rows`));
    // it said "--out ... already holds a sweep" on the retry
    expect(existsSync(out)).toBe(false);
    // the input fixed (the shard's good copy put in its place), the same command succeeds
    rmSync(bad, { recursive: true });
    cpSync(dir('s1'), bad, { recursive: true });
    const p = cli('merge', '--out', out, dir('s0'), bad, '--json');
    expect(p.status, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).rows).toBe(48);
  });

  it('directories it made on the way to --out are removed, the existing parent kept', async () => {
    const bad = await tampered('dropped-column-2', 's1', 'ALTER TABLE results DROP COLUMN "boundNone"');
    mkdirSync(dir('parent'));
    expectUserError(cli('merge', '--out', join(dir('parent'), 'a', 'b'), dir('s0'), bad), /cannot copy its results rows/);
    // the parent stays (readdirSync throws on a removed directory), emptied of the a/b it made
    expect(readdirSync(dir('parent'))).toEqual([]);
  });

  it('an existing --out directory keeps what it held; only the new store goes (a directory in place of results.parquet)', () => {
    const out = dir('existing');
    mkdirSync(join(out, 'results.parquet'), { recursive: true });
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const args = ['merge', '--out', out, dir('s0'), dir('s1')];
    // the store is removed, so the message must not send the user to it
    expectUserError(cli(...args), new RegExp(`^accelmine: ${out}/results\\.parquet: cannot write the Parquet file \\(EISDIR\\)$`));
    expect(readdirSync(out).sort()).toEqual(['notes.txt', 'results.parquet']);
    rmSync(join(out, 'results.parquet'), { recursive: true });
    const p = cli(...args, '--json');
    expect(p.status, p.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['notes.txt', 'results.parquet', 'sweep.duckdb']);
  });

  it('a store that is not there to be read leaves nothing either (library call)', async () => {
    const bad = await tampered('no-results', 's1', 'DROP TABLE results');
    await expect(merge({ out: dir('m-no-results'), inputs: [dir('s0'), bad] })).rejects.toThrow(new RegExp(`${store(bad)}: cannot (read|copy) its results rows`));
    expect(existsSync(dir('m-no-results'))).toBe(false);
  });
});
