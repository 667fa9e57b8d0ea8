/** `accelmine sweep` and `accelmine merge`: every design × workload into a DuckDB store and Parquet; shards; resume. */
import type { Command } from 'commander';
import { loadSpace } from '../arch/space.js';
import { EXECUTIONS, type Execution } from '../engine/layout.js';
import { InputError } from '../errors.js';
import { OBJECTIVES, OBJECTIVE_UNITS, type Objective } from '../evaluation/objectives.js';
import { defaultThreads } from '../pool/pool.js';
import { STRATEGIES } from '../search/run.js';
import { merge, type MergeResult } from '../sweep/merge.js';
import { parseShard, type Shard } from '../sweep/shard.js';
import { sweep, type SweepProgress, type SweepResult } from '../sweep/sweep.js';
import { OPTIMIZERS, type OptimizerKind } from '../workload/ir.js';
import { loadTrainingGraph } from '../workload/load.js';
import { action, bytesIec, nonNegativeInt, oneOf, positiveInt, positiveNumber, printJson, si, threadsOption } from './common.js';
import { addWorkloadOptions, workloadSource, type WorkloadFlags } from './workload-options.js';

interface SweepFlags extends WorkloadFlags {
  space: string;
  strategy: string;
  budget?: number;
  area?: number;
  tdp?: number;
  objective: Objective;
  seed: number;
  threads?: number;
  shard?: Shard;
  resume?: boolean;
  out: string;
  json?: boolean;
  execution: Execution;
  optimizer: OptimizerKind;
  commitEvery?: number;
}

/** What `--json` prints: the same shape for sweep and merge. */
function jsonOf(r: SweepResult | MergeResult) {
  return {
    rows: r.rows, designs: r.designs, evaluated: r.evaluated, infeasible: r.infeasible,
    best: r.best ? { design: r.best.design, designIndex: r.best.designIndex, objective: r.best.objective } : null,
    store: r.store, parquet: r.parquet, complete: r.complete, shards: r.shards,
  };
}

function report(r: SweepResult | MergeResult, what: string): string {
  const unit = r.workloads.length === 1 ? OBJECTIVE_UNITS[r.objective] : 'normalised geometric mean';
  let text =
    `${what} of '${r.space}' for ${r.workloads.join(', ')} (shards: ${r.shards}): ${r.rows} rows, ${r.designs} designs ` +
    `(${r.evaluated} evaluated, ${r.infeasible} infeasible)${r.complete ? '' : ' - not complete'}\n`;
  const b = r.best;
  if (b) {
    const d = b.design;
    text +=
      `best ${r.objective}: ${b.objective.toPrecision(4)} ${unit} (design ${b.designIndex}): ${d.tensorCores} x ${d.tcRows}x${d.tcCols} tensor cores (${d.dataflow}), ` +
      `${d.vectorCores} x ${d.vectorLanes} vector lanes, local ${bytesIec(d.localBufferBytes)}, global ${bytesIec(d.globalBufferBytes)}, ` +
      `off-chip ${bytesIec(d.offChipBytes)} @ ${d.offChipGBs} GB/s\n`;
  } else text += 'no feasible design stored\n';
  text += `store: ${r.store}\nParquet: ${r.parquet}\n`;
  return text;
}

function progressLine(p: SweepProgress): string {
  const rate = p.elapsedS > 0 ? p.evaluatedNow / p.elapsedS : 0;
  const of = p.planned ? ` of ${p.planned} (${((p.designs / p.planned) * 100).toFixed(1)}%)` : '';
  const eta = p.planned && rate > 0 ? `, ETA ${((p.planned - p.designs) / rate).toFixed(0)} s` : '';
  return `stored ${p.designs} designs${of}, ${si(rate)} designs/s${eta}`;
}

/** Ctrl-C or SIGTERM (a scheduler's preemption): finish the batch in flight, store it, export; twice: quit now. */
function onStopSignals(stop: { stopped: boolean; signal?: 'SIGINT' | 'SIGTERM' }, what: string): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((sig) => {
    const h = () => {
      if (stop.stopped) process.exit(sig === 'SIGINT' ? 130 : 143);
      stop.stopped = true;
      stop.signal = sig;
      process.stderr.write(`\n${sig}: stopping: ${what} (${sig} again to quit now)\n`);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => handlers.forEach(([sig, h]) => process.off(sig, h));
}

export function registerSweepCommands(program: Command): void {
  addWorkloadOptions(
    program
      .command('sweep')
      .description('evaluate every design of a space (or a strategy\'s designs) on the workload(s), storing each design x workload row in DIR/sweep.duckdb and DIR/results.parquet'),
  )
    .option('--space <name|file>', 'a built-in space (small, large) or a space JSON file', 'small')
    .option('--strategy <s>', `${Object.keys(STRATEGIES).join(' | ')} (only exhaustive and random can be sharded)`, oneOf('--strategy', Object.keys(STRATEGIES)), 'exhaustive')
    .option('--budget <n>', 'exhaustive, random: designs of the plan (default: the whole space; random 4000); wham, genetic, spotlight: evaluations (4000)', positiveInt('--budget'))
    .option('--area <mm2>', 'area budget, mm² (designs over it are stored, not evaluated)', positiveNumber('--area'))
    .option('--tdp <w>', 'TDP budget, W (designs over it are stored, not evaluated)', positiveNumber('--tdp'))
    .option('--objective <o>', `${OBJECTIVES.join(' | ')} (the objective column and the best)`, oneOf('--objective', OBJECTIVES), 'throughput')
    .option('--seed <s>', 'random seed', nonNegativeInt('--seed'), 1)
    .option('--threads <t>', 'worker threads (default: cores)', threadsOption())
    .option('--shard <I/N>', 'evaluate shard I (0-based) of N: every N-th design of the plan from the I-th (Slurm: $SLURM_ARRAY_TASK_ID/N, Kubernetes Indexed Job: $JOB_COMPLETION_INDEX/N)', (v) => parseShard(v))
    .option('--resume', 'continue the sweep stored in --out (skipping what is stored); a new sweep if --out holds none')
    .option('--out <dir>', 'the store\'s directory (required): DIR/sweep.duckdb, DIR/results.parquet')
    .option('--commit-every <designs>', 'designs per evaluation batch and per transaction: at most what a kill loses (default: batches of 1024 x threads committed together every 16384 designs or 2 s)', positiveInt('--commit-every'))
    .option('--execution <e>', 'concurrent | single-stream', oneOf('--execution', EXECUTIONS), 'concurrent')
    .option('--optimizer <o>', OPTIMIZERS.join(' | '), oneOf('--optimizer', OPTIMIZERS), 'adam')
    .option('--json', 'print {rows, designs, evaluated, infeasible, best: {design, designIndex, objective}, store, parquet, complete, shards}')
    .action(
      action(async (o: SweepFlags) => {
        if (!o.out) throw new InputError('--out DIR is required: the directory of the sweep\'s store');
        const names = o.model ? o.model.split(',').map((s) => s.trim()).filter(Boolean) : [undefined];
        const graphs = names.map((m) => loadTrainingGraph({ ...workloadSource({ ...o, model: m }), listed: names.length > 1 }, { optimizer: o.optimizer }));
        const space = loadSpace(o.space);
        const stop: { stopped: boolean; signal?: 'SIGINT' | 'SIGTERM' } = { stopped: false };
        const release = onStopSignals(stop, 'storing the batch in flight and exporting what is stored; continue later with --resume');
        const tty = process.stderr.isTTY;
        let lastLine = -Infinity;
        const result = await sweep({
          out: o.out, graphs, space, strategy: o.strategy, objective: o.objective, limits: { areaMm2: o.area, tdpW: o.tdp }, budget: o.budget,
          seed: o.seed, threads: o.threads ?? defaultThreads(), execution: o.execution, shard: o.shard, resume: o.resume, commitEvery: o.commitEvery, stop,
          onProgress: (p) => {
            if (tty) process.stderr.write(`\r${progressLine(p)}   `);
            else if (p.elapsedS - lastLine >= 10 || lastLine === -Infinity) {
              // logs of batch jobs: the first commit at once, then one line every 10 s
              lastLine = p.elapsedS;
              process.stderr.write(`${progressLine(p)}\n`);
            }
          },
        });
        release();
        if (tty) process.stderr.write('\n');
        if (!result.complete) {
          process.stderr.write(`stopped: ${result.designs} designs stored; continue with the same command and --resume\n`);
          // a batch scheduler must not take a stopped shard for a finished one: exit as the signal would have
          process.exitCode = stop.signal === 'SIGINT' ? 130 : 143;
        }
        if (o.json) return printJson(jsonOf(result));
        const rate = result.wallTimeS > 0 ? result.designsThisRun / result.wallTimeS : 0;
        process.stdout.write(
          report(result, `${result.strategy} sweep`) +
            `this run: ${result.designsThisRun} designs in ${result.wallTimeS.toFixed(1)} s (${si(rate)} designs/s)${result.resumedFrom ? `, ${result.resumedFrom} were stored before` : ''}\n`,
        );
      }),
    );

  program
    .command('merge')
    .description('combine the stores of a sweep\'s shards into one store and Parquet file (refuses shards of different sweeps)')
    .argument('<dirs...>', 'the shards\' --out directories')
    .option('--out <dir>', 'the merged store\'s directory (required, new)')
    .option('--json', 'print the same JSON as sweep, with missingShards')
    .action(
      action(async (dirs: string[], o: { out?: string; json?: boolean }) => {
        if (!o.out) throw new InputError('--out DIR is required: a new directory for the merged store');
        const result = await merge({ out: o.out, inputs: dirs });
        if (result.missingShards.length) process.stderr.write(`note: shards ${result.missingShards.join(', ')} of the sweep were not given: the merge holds part of it\n`);
        if (o.json) return printJson({ ...jsonOf(result), missingShards: result.missingShards });
        process.stdout.write(report(result, `merge of ${dirs.length} stores: ${result.strategy} sweep`));
      }),
    );
}
