/**
 * A sweep's store: an embedded DuckDB database, DIR/sweep.duckdb, with two tables: `results` (one row per design
 * and workload, RESULT_COLUMNS, keyed by (designIndex, workload): checked by summary()) and `manifest` (one row: the sweep's manifest
 * as JSON, and whether it completed). Rows go in by batches, each in one transaction, so a killed process loses
 * at most the batch in flight and never leaves half a row (DuckDB replays its write-ahead log on the next open).
 * At the end the rows are exported to DIR/results.parquet, sorted by key, with the manifest in the file's
 * key-value metadata (`accelmine`).
 *
 * @duckdb/node-api is imported when a store is opened, so that no other command pays for loading it.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBType } from '@duckdb/node-api';
import type { Design } from '../arch/design.js';
import { SPACE_PARAMS } from '../arch/space.js';
import { InputError } from '../errors.js';
import { fsReason, makeOutDirectory } from '../out-dir.js';
import { geomean, goodness, MINIMISED, type Objective } from '../evaluation/objectives.js';
import { checkManifest, type SweepManifest } from './manifest.js';
import { RESULT_COLUMNS, type RowBatch, type SqlType } from './rows.js';

export const STORE_FILE = 'sweep.duckdb';
export const PARQUET_FILE = 'results.parquet';

type Duck = typeof import('@duckdb/node-api');
let duckModule: Promise<Duck> | undefined;
const loadDuck = (): Promise<Duck> => (duckModule ??= import('@duckdb/node-api'));

/** What a store holds, in numbers, and its best design. */
export interface StoreSummary {
  /** design × workload rows */
  rows: number;
  /** distinct designs */
  designs: number;
  /** designs the kernel evaluated (the rest broke the area/TDP budget) */
  evaluated: number;
  /** designs infeasible on at least one workload (over the budget, or a training state that does not fit) */
  infeasible: number;
  /**
   * The best feasible design by the objective (ties: the smaller area, TDP, off-chip memory, index). `objective`
   * is the workload's value for one workload; for several, the geometric mean of each workload's goodness
   * over the best any feasible design of the store reached (1 = best on every workload), as `search` reports it.
   */
  best: { design: Design; designIndex: number; objective: number } | null;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));

/** Columns every feasible row must hold as a positive finite number (the best and its objective are computed from them). */
export const FEASIBLE_METRICS = ['objective', 'throughput'] as const;

export class SweepStore {
  private constructor(
    readonly dir: string,
    private readonly duck: Duck,
    private readonly db: DuckDBInstance,
    private readonly con: DuckDBConnection,
  ) {}

  static path(dir: string): string {
    return join(dir, STORE_FILE);
  }

  static exists(dir: string): boolean {
    return existsSync(SweepStore.path(dir));
  }

  private static async connect(dir: string, readOnly: boolean): Promise<SweepStore> {
    const duck = await loadDuck();
    const path = SweepStore.path(dir);
    let db: DuckDBInstance;
    try {
      // one thread: the evaluation pool has the cores; no extension may be fetched from the network
      db = await duck.DuckDBInstance.create(path, {
        threads: '1', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', ...(readOnly ? { access_mode: 'READ_ONLY' } : {}),
      });
    } catch (e) {
      const msg = (e as Error).message;
      if (/lock/i.test(msg)) throw new InputError(`${path} is in use by another process (a sweep still running on it?)`);
      throw new InputError(`${path}: cannot open the sweep store (${msg.split('\n')[0]})`);
    }
    return new SweepStore(dir, duck, db, await db.connect());
  }

  /** A new store in `dir` (created if needed) holding no rows yet. */
  static async create(dir: string, manifest: SweepManifest): Promise<SweepStore> {
    makeOutDirectory(dir);
    const s = await SweepStore.connect(dir, false);
    const cols = RESULT_COLUMNS.map((c) => `"${c.name}" ${c.type}${c.name === 'designIndex' || c.name === 'workload' ? ' NOT NULL' : ''}`);
    try {
      await s.con.run('BEGIN');
      // (designIndex, workload) is the key: no PRIMARY KEY constraint (its index costs ~2% of an exhaustive sweep's
      // time and doubles the file), the writers keep it (a resume skips stored designs; merged shards are
      // disjoint) and summary() checks it on every sweep and merge
      await s.con.run(`CREATE TABLE results (${cols.join(', ')})`);
      await s.con.run('CREATE TABLE manifest (manifest JSON NOT NULL, complete BOOLEAN NOT NULL)');
      await s.con.run(`INSERT INTO manifest VALUES (${sqlString(JSON.stringify(manifest))}, false)`);
      await s.con.run('COMMIT');
    } catch (e) {
      // e.g. its write-ahead log cannot be written (a directory in its place, a full disk)
      s.close();
      throw new InputError(`${SweepStore.path(dir)}: cannot write the sweep store (${(e as Error).message.split('\n')[0]})`);
    }
    return s;
  }

  /** The store in `dir`; an error naming the directory when there is none. */
  static async open(dir: string, readOnly = false): Promise<SweepStore> {
    if (!SweepStore.exists(dir)) throw new InputError(`${dir}: no sweep store (${STORE_FILE}) in this directory`);
    return SweepStore.connect(dir, readOnly);
  }

  async readManifest(): Promise<{ manifest: SweepManifest; complete: boolean }> {
    let rows: Record<string, unknown>[];
    try {
      rows = (await this.con.runAndReadAll('SELECT manifest::VARCHAR AS m, complete FROM manifest')).getRowObjectsJS();
    } catch {
      throw new InputError(`${SweepStore.path(this.dir)} is not an accelmine sweep store (no manifest table)`);
    }
    if (rows.length !== 1) throw new InputError(`${SweepStore.path(this.dir)}: the manifest table must hold one row, it holds ${rows.length}`);
    return { manifest: checkManifest(JSON.parse(rows[0].m as string), SweepStore.path(this.dir)), complete: rows[0].complete === true };
  }

  async setManifest(manifest: SweepManifest, complete: boolean): Promise<void> {
    await this.con.run(`UPDATE manifest SET manifest = ${sqlString(JSON.stringify(manifest))}, complete = ${complete}`);
  }

  async setComplete(complete: boolean): Promise<void> {
    await this.con.run(`UPDATE manifest SET complete = ${complete}`);
  }

  /** Indices of the designs stored (all their workloads' rows are, as a batch commits whole). */
  async storedDesigns(): Promise<Set<number>> {
    const r = await this.con.runAndReadAll('SELECT DISTINCT "designIndex" FROM results');
    const col = r.getColumnsJS()[0] ?? [];
    return new Set(col.map(num));
  }

  /** Appends batches of rows in one transaction: all of them are stored, or none. */
  async append(batches: RowBatch | readonly RowBatch[]): Promise<void> {
    const list = (Array.isArray(batches) ? batches : [batches]).filter((b) => b.length > 0);
    if (list.length === 0) return;
    const d = this.duck;
    const types: Record<SqlType, DuckDBType> = { BIGINT: d.BIGINT, INTEGER: d.INTEGER, DOUBLE: d.DOUBLE, VARCHAR: d.VARCHAR, BOOLEAN: d.BOOLEAN };
    const colTypes = RESULT_COLUMNS.map((c) => types[c.type]);
    const CHUNK = 2048; // DuckDB's vector size
    await this.con.run('BEGIN');
    try {
      const app = await this.con.createAppender('results');
      const chunk = d.DuckDBDataChunk.create(colTypes, CHUNK);
      for (const batch of list) for (let start = 0; start < batch.length; start += CHUNK) {
        const n = Math.min(CHUNK, batch.length - start);
        chunk.rowCount = n;
        RESULT_COLUMNS.forEach((c, k) => {
          const v = chunk.getColumnVector(k) as unknown as { setItem(i: number, v: unknown): void; flush(): void };
          const src = batch.columns[k];
          if (src instanceof Float64Array) {
            // numbers: NaN is NULL
            if (c.type === 'BIGINT') for (let i = 0; i < n; i++) { const x = src[start + i]; v.setItem(i, x === x ? BigInt(x) : null); }
            else for (let i = 0; i < n; i++) { const x = src[start + i]; v.setItem(i, x === x ? x : null); }
          } else for (let i = 0; i < n; i++) v.setItem(i, src[start + i]);
          v.flush();
        });
        app.appendDataChunk(chunk);
      }
      app.closeSync();
      await this.con.run('COMMIT');
    } catch (e) {
      await this.con.run('ROLLBACK').catch(() => {});
      throw e;
    }
  }

  /**
   * The first of `columns` that some feasible rows hold as no positive finite number (NULL, NaN, Infinity, <= 0:
   * a hand-edited store; a sweep writes a positive value in every feasible row, and infeasible rows may have none),
   * with how many rows; null when every feasible row has them all (requireFeasibleMetrics: merge and --resume).
   */
  async badFeasibleRows(columns: readonly string[] = FEASIBLE_METRICS): Promise<{ column: string; rows: number } | null> {
    const counts = columns.map((c, i) => `count(*) FILTER (WHERE NOT coalesce(isfinite("${c}") AND "${c}" > 0, false)) AS c${i}`);
    let r: Record<string, unknown>;
    try {
      r = (await this.con.runAndReadAll(`SELECT ${counts.join(', ')} FROM results WHERE feasible`)).getRowObjectsJS()[0];
    } catch (e) {
      // the store is the user's: a results table missing, or without these columns
      throw new InputError(`${SweepStore.path(this.dir)}: cannot read its results rows (${String((e as Error).message).split('\n')[0]})`);
    }
    const i = columns.findIndex((_, k) => num(r[`c${k}`]) > 0);
    return i < 0 ? null : { column: columns[i], rows: num(r[`c${i}`]) };
  }

  /** Throws, naming the store and the column, when badFeasibleRows finds some (`who`: the command, e.g. merge). */
  async requireFeasibleMetrics(who: string): Promise<void> {
    const bad = await this.badFeasibleRows();
    if (bad) {
      throw new InputError(
        `${who}: ${SweepStore.path(this.dir)}: results.${bad.column} is not a positive finite number in ${bad.rows} feasible rows (NULL, NaN, Infinity or <= 0; only infeasible rows may lack it)`,
      );
    }
  }

  /** Copies every row of another store's file into this one (merge), in one transaction. */
  async copyFrom(otherDir: string): Promise<void> {
    await this.con.run(`ATTACH ${sqlString(resolve(SweepStore.path(otherDir)))} AS src (READ_ONLY)`);
    try {
      await this.con.run('BEGIN');
      await this.con.run('INSERT INTO results SELECT * FROM src.results');
      await this.con.run('COMMIT');
    } catch (e) {
      await this.con.run('ROLLBACK').catch(() => {});
      // the other store is the user's (a results table missing or of other columns was an internal error)
      throw new InputError(`${SweepStore.path(otherDir)}: cannot copy its results rows (${String((e as Error).message).split('\n')[0]})`);
    } finally {
      await this.con.run('DETACH src');
    }
  }

  async summary(objective: Objective, workloads: readonly string[]): Promise<StoreSummary> {
    const good = MINIMISED.has(objective) ? '1 / objective' : 'objective';
    // one pass over the rows, grouped by design: feasible on every workload, evaluated, and the score (the sum of
    // each workload's log goodness, added in workload order whatever order the rows went in: one ranking for a
    // sweep and for a merge of its shards) with the ties' keys
    const logs = workloads.map((w) => `coalesce(sum(ln(${good})) FILTER (WHERE workload = ${sqlString(w)}), 0)`).join(' + ');
    await this.con.run('DROP TABLE IF EXISTS temp.designs');
    await this.con.run(
      `CREATE TEMP TABLE designs AS
       SELECT "designIndex", count(*) AS n, bool_and(feasible) AND count(*) = ${workloads.length} AS ok, bool_or(evaluated) AS ev,
              ${logs} AS logScore, any_value("areaMm2") AS a, any_value("tdpW") AS t, any_value("offChipBytes") AS oc
       FROM results GROUP BY "designIndex"`,
    );
    try {
      const counts = (await this.con.runAndReadAll(
        `SELECT coalesce(sum(n), 0) AS "rows", count(*) AS designs, count(*) FILTER (WHERE ev) AS evaluated, count(*) FILTER (WHERE NOT ok) AS infeasible,
                count(*) FILTER (WHERE n <> ${workloads.length}) AS broken FROM temp.designs`,
      )).getRowObjectsJS()[0];
      // every design has one row per workload, or the key was broken
      if (num(counts.broken) > 0) {
        throw new Error(`${SweepStore.path(this.dir)}: ${num(counts.broken)} designs do not have exactly one row per workload (${workloads.length})`);
      }
      const best = (await this.con.runAndReadAll(`SELECT "designIndex" FROM temp.designs WHERE ok ORDER BY logScore DESC, a, t, oc, "designIndex" LIMIT 1`)).getRowObjectsJS();
      let bestOut: StoreSummary['best'] = null;
      if (best.length === 1) {
        const idx = num(best[0].designIndex);
        const rows = (await this.con.runAndReadAll(`SELECT * FROM results WHERE "designIndex" = ${idx}`)).getRowObjectsJS();
        const byWorkload = new Map(rows.map((r) => [r.workload as string, r]));
        const design = Object.fromEntries(SPACE_PARAMS.map((p) => [p, typeof rows[0][p] === 'string' ? rows[0][p] : num(rows[0][p])])) as unknown as Design;
        let objectiveValue: number;
        if (workloads.length === 1) objectiveValue = num(rows[0].objective);
        else {
          // each workload's best goodness over the feasible designs, as search normalises by
          const tops = (await this.con.runAndReadAll(
            `SELECT workload, max(${good}) AS top FROM results WHERE "designIndex" IN (SELECT "designIndex" FROM temp.designs WHERE ok) GROUP BY workload`,
          )).getRowObjectsJS();
          const top = new Map(tops.map((r) => [r.workload as string, num(r.top)]));
          objectiveValue = geomean(workloads.map((w) => goodness(objective, num(byWorkload.get(w)!.objective)) / top.get(w)!));
        }
        bestOut = { design, designIndex: idx, objective: objectiveValue };
      }
      return { rows: num(counts.rows), designs: num(counts.designs), evaluated: num(counts.evaluated), infeasible: num(counts.infeasible), best: bestOut };
    } finally {
      await this.con.run('DROP TABLE IF EXISTS temp.designs');
    }
  }

  /**
   * Writes DIR/results.parquet (a temporary file renamed into place), sorted by key, the manifest in its metadata.
   * `rowsKept`: whether the store stays when this fails (the error says where the rows are; a failed merge removes it).
   */
  async exportParquet(manifest: SweepManifest, rowsKept = true): Promise<string> {
    const out = join(this.dir, PARQUET_FILE);
    const tmp = `${out}.tmp-${process.pid}`;
    rmSync(tmp, { force: true });
    await this.con.run(
      `COPY (SELECT * FROM results ORDER BY "designIndex", workload) TO ${sqlString(resolve(tmp))} ` +
        `(FORMAT parquet, KV_METADATA {accelmine: ${sqlString(JSON.stringify(manifest))}})`,
    );
    try {
      renameSync(tmp, out);
    } catch (e) {
      // a directory or a read-only file in the way: the rows stay in the store, the export says why it failed
      rmSync(tmp, { force: true });
      throw new InputError(`${out}: cannot write the Parquet file (${fsReason(e)})${rowsKept ? `; the rows are in ${join(this.dir, STORE_FILE)}` : ''}`);
    }
    return out;
  }

  /** Runs a query (for tests and the library): rows as plain objects (BIGINT as bigint). */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.con.runAndReadAll(sql)).getRowObjectsJS();
  }

  close(): void {
    this.con.closeSync();
    this.db.closeSync();
  }
}
