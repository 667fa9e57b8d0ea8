/** `accelmine search`: the WHAM search (or exhaustive) for one or several workloads under area/TDP budgets. */
import { createWriteStream, existsSync, openSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { OPTIMIZERS, type OptimizerKind } from '../workload/ir.js';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { designAt, loadSpace, spaceSize } from '../arch/space.js';
import { areaMm2, tdpW } from '../arch/cost.js';
import { InputError, MAX_TOP_K } from '../errors.js';
import { cannotWriteOut, makeOutDirectory } from '../out-dir.js';
import { DEFAULT_SCHEDULE_PASSES, MAX_SCHEDULE_PASSES } from '../engine/kernel.js';
import { EXECUTIONS, type Execution } from '../engine/layout.js';
import { defaultThreads } from '../pool/pool.js';
import { OBJECTIVES, type Objective } from '../evaluation/objectives.js';
import { runSearch, STRATEGIES, type SearchProgress } from '../search/run.js';
import { loadTrainingGraph } from '../workload/load.js';
import { action, intInRange, nonEmpty, nonNegativeInt, oneOf, positiveInt, positiveNumber, printJson, SCHEDULE_PASSES_HELP, si, table, threadsOption, bytesIec, decimals } from './common.js';
import { addWorkloadOptions, workloadSource, type WorkloadFlags } from './workload-options.js';

interface SearchFlags extends WorkloadFlags {
  area?: number;
  tdp?: number;
  objective: Objective;
  strategy: string;
  space: string;
  topK: number;
  seed: number;
  threads?: number;
  budget?: number;
  out?: string;
  force?: boolean;
  json?: boolean;
  time?: number;
  inferenceOnly?: boolean;
  execution: Execution;
  schedulePasses: number;
  optimizer: OptimizerKind;
}

/** What `--out` writes. */
const OUT_FILES = ['result.json', 'evaluations.jsonl'];

/** Writes a file whole or not at all: a temporary file beside it, then a rename (atomic on one file system). */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw cannotWriteOut(path, e);
  }
}

function progressBar(p: SearchProgress): string {
  const width = 24;
  const f = p.fraction === null ? null : Math.min(1, p.fraction);
  const bar = f === null ? '' : `[${'#'.repeat(Math.round(f * width)).padEnd(width, '.')}] ${(f * 100).toFixed(0)}% `;
  const rate = p.elapsedS > 0 ? p.evaluations / p.elapsedS : 0;
  const eta = f && f > 0 && f < 1 ? ` ETA ${((p.elapsedS * (1 - f)) / f).toFixed(0)} s` : '';
  return `\r${bar}${si(p.evaluations)} evals, ${si(rate)}/s, best ${p.bestObjective === null ? '-' : p.bestObjective.toPrecision(4)}${eta}   `;
}

export function registerSearchCommand(program: Command): void {
  addWorkloadOptions(
    program
      .command('search')
      .description('search the design space for the best accelerator for training the workload(s) under area/TDP budgets'),
  )
    .option('--area <mm2>', 'area budget, mm²', positiveNumber('--area'))
    .option('--tdp <w>', 'TDP budget, W', positiveNumber('--tdp'))
    .option('--objective <o>', `${OBJECTIVES.join(' | ')}`, oneOf('--objective', OBJECTIVES), 'throughput')
    .option('--strategy <s>', Object.keys(STRATEGIES).join(' | '), oneOf('--strategy', Object.keys(STRATEGIES)), 'wham')
    .option('--space <name|file>', 'a built-in space (small, large) or a space JSON file', 'large')
    .option('--top-k <k>', 'distinct designs to keep', positiveInt('--top-k', MAX_TOP_K), 5)
    .option('--seed <s>', 'random seed', nonNegativeInt('--seed'), 1)
    .option('--threads <t>', 'worker threads (default: cores)', threadsOption())
    .option('--budget <evals>', 'stop after this many design evaluations (default: 4000; exhaustive: the whole space)', positiveInt('--budget'))
    .option('--time <s>', 'stop after this many seconds', positiveNumber('--time'))
    .option('--execution <e>', 'concurrent: ops list-scheduled on the core pools, several at once; single-stream: one op at a time on all cores', oneOf('--execution', EXECUTIONS), 'concurrent')
    .option('--schedule-passes <n>', `${SCHEDULE_PASSES_HELP}; the climbs rank by the list schedule, the final top-k are re-scheduled with these passes and re-ranked`, intInRange('--schedule-passes', MAX_SCHEDULE_PASSES), DEFAULT_SCHEDULE_PASSES)
    .option('--inference-only', 'optimise the forward pass alone, then report the training metrics of what was found (how WHAM compared against Spotlight)')
    .option('--optimizer <o>', OPTIMIZERS.join(' | '), oneOf('--optimizer', OPTIMIZERS), 'adam')
    .option('--out <dir>', 'write result.json and every evaluated design (evaluations.jsonl) to this directory (refused if it holds an earlier search, unless --force)', nonEmpty('--out', 'directory'))
    .option('--force', 'with --out: replace the earlier search the directory holds')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (o: SearchFlags) => {
        if (o.force && !o.out) throw new InputError('--force applies with --out DIR (it replaces the search the directory holds)');
        const names = o.model ? o.model.split(',').map((s) => s.trim()).filter(Boolean) : [undefined];
        if (names.length === 0) throw new InputError(`--model must name at least one zoo model (see \`accelmine models\`), got "${o.model}"`);
        const graphs = names.map((m) => loadTrainingGraph({ ...workloadSource({ ...o, model: m }), listed: names.length > 1 }, { optimizer: o.optimizer }));
        const space = loadSpace(o.space);
        const budget = o.budget ?? (o.strategy === 'exhaustive' ? spaceSize(space) : o.time !== undefined ? Infinity : 4000);
        let jsonl: WriteStream | null = null;
        let jsonlError: Error | undefined;
        if (o.out) {
          const earlier = OUT_FILES.filter((f) => existsSync(join(o.out!, f)));
          if (earlier.length && !o.force) {
            throw new InputError(`--out ${o.out} already holds a search (${earlier.join(', ')}): give --force to replace it, or another --out`);
          }
          makeOutDirectory(o.out);
          // --force: the earlier result goes first, so that a killed run never leaves it beside the new evaluations
          const resultPath = join(o.out, 'result.json');
          const jsonlPath = join(o.out, 'evaluations.jsonl');
          try {
            rmSync(resultPath, { force: true });
          } catch (e) {
            throw cannotWriteOut(resultPath, e);
          }
          // opened here, not by the stream: a directory in the way was an unhandled 'error' event with a stack trace
          try {
            jsonl = createWriteStream('', { fd: openSync(jsonlPath, 'w') });
          } catch (e) {
            throw cannotWriteOut(jsonlPath, e);
          }
          jsonl.on('error', (e) => (jsonlError ??= e));
        }
        const stop = { stopped: false };
        // Ctrl-C, or SIGTERM (kill, a batch scheduler's preemption): finish the batch in flight and write the result
        const onSignal = (sig: 'SIGINT' | 'SIGTERM') => () => {
          if (stop.stopped) process.exit(sig === 'SIGINT' ? 130 : 143);
          stop.stopped = true;
          process.stderr.write(`\n${sig}: stopping: finishing the batch in flight and writing the best designs found (${sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to quit now)\n`);
        };
        const onSigint = onSignal('SIGINT');
        const onSigterm = onSignal('SIGTERM');
        process.on('SIGINT', onSigint);
        process.on('SIGTERM', onSigterm);
        const tty = process.stderr.isTTY;
        const result = await runSearch({
          graphs, space, objective: o.objective, limits: { areaMm2: o.area ?? Infinity, tdpW: o.tdp ?? Infinity },
          strategy: o.strategy, topK: o.topK, seed: o.seed, threads: o.threads ?? defaultThreads(), budget, stop,
          timeBudgetS: o.time, inferenceOnly: o.inferenceOnly, execution: o.execution, schedulePasses: o.schedulePasses,
          onProgress: tty ? (p) => process.stderr.write(progressBar(p)) : undefined,
          onResults: jsonl ? (rs) => { for (const r of rs) jsonl!.write(JSON.stringify({ design: r.design, feasible: r.feasible, reason: r.reason, areaMm2: r.areaMm2, tdpW: r.tdpW, score: r.score, values: r.values, models: r.models }) + '\n'); } : undefined,
        });
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigterm);
        if (tty) process.stderr.write('\n');
        if (jsonl) {
          await new Promise<void>((res) => jsonl!.end(res));
          if (jsonlError) throw cannotWriteOut(join(o.out!, 'evaluations.jsonl'), jsonlError);
          // with how each workload was built (files as absolute paths), so that `accelmine report` can rebuild it
          const workloads = names.map((m) => {
            const src = workloadSource({ ...o, model: m, onnx: o.onnx && resolve(o.onnx), graph: o.graph && resolve(o.graph) });
            return { source: Object.fromEntries(Object.entries(src).filter(([, v]) => v !== undefined)), training: { optimizer: o.optimizer } };
          });
          writeAtomically(join(o.out!, 'result.json'), JSON.stringify({ ...result, inferenceOnly: !!o.inferenceOnly, execution: o.execution, workloads }, null, 2) + '\n');
        }
        if (!result.best && !result.stopped) {
          if (result.designsConsidered === 0) throw new InputError(`no design was evaluated before --time ${o.time} s ran out; give more time`);
          const smallest = designAt(space, 0);
          throw new InputError(
            `no feasible design in ${result.designsConsidered} considered: the budget (area ${o.area ?? 'any'} mm2, TDP ${o.tdp ?? 'any'} W) ` +
              `is below what the space offers (its smallest design needs ${areaMm2(smallest).toFixed(1)} mm2 and ${tdpW(smallest).toFixed(1)} W), ` +
              `or the designs within it cannot hold the training state (${result.infeasible} of them were infeasible)`,
          );
        }
        if (o.area === undefined && o.tdp === undefined && o.strategy !== 'exhaustive') {
          process.stderr.write('note: no --area or --tdp given: the search was unconstrained (it favours the largest designs of the space)\n');
        }
        if (o.json) return printJson(result);
        const b = result.best;
        let text =
          `${result.strategy} search of '${result.space}' for ${result.models.join(', ')}: ${result.evaluations} designs evaluated ` +
          `(${result.designsConsidered} considered, ${result.infeasible} infeasible) in ${result.wallTimeS.toFixed(1)} s${result.stopped ? ' (stopped)' : ''}\n` +
          (result.schedulePasses > 0 && result.topK.length > 0
            ? `ranked by the list schedule; the top ${result.topK.length} re-scheduled with ${result.schedulePasses} serial improvement passes and re-ranked\n`
            : '');
        if (!b) {
          text += 'no feasible design: every design considered broke the budget or did not fit the training state\n';
          process.stdout.write(text);
          return;
        }
        const d = b.design;
        text +=
          `best ${o.objective}: ${b.objective.toPrecision(4)} ${result.objectiveUnit}; area ${decimals(b.areaMm2)} mm², TDP ${decimals(b.tdpW)} W\n` +
          `design: ${d.tensorCores} x ${d.tcRows}x${d.tcCols} tensor cores (${d.dataflow}), ${d.vectorCores} x ${d.vectorLanes} vector lanes, ` +
          `local ${bytesIec(d.localBufferBytes)}, global ${bytesIec(d.globalBufferBytes)} @ ${d.globalBufferGBs} GB/s, off-chip ${bytesIec(d.offChipBytes)} @ ${d.offChipGBs} GB/s, ` +
          `NoC ${d.nocGBs} GB/s, ${d.clockGHz} GHz, ${d.precision}, ${d.techNm} nm\n`;
        for (const m of b.metrics) {
          const cp = Object.entries(m.criticalPath.timeSByBound).filter(([, t]) => t > 0).map(([k, t]) => `${k} ${((t / m.stepTimeS) * 100).toFixed(0)}%`).join(', ');
          text += `  ${m.model}: step ${(m.stepTimeS * 1e3).toFixed(2)} ms, ${decimals(m.throughput)} samples/s, ${m.energyPerSampleJ.toExponential(3)} J/sample; critical path ${cp}\n`;
        }
        text += `\ntop ${result.topK.length}:\n` + table([
          ['#', 'objective', 'area mm²', 'TDP W', 'tensor', 'vector', 'local', 'global', 'GB/s', 'off-chip', 'NoC GB/s', 'GHz', 'df'],
          ...result.topK.map((r, i) => [String(i + 1), r.objective.toPrecision(4), decimals(r.areaMm2), decimals(r.tdpW),
            `${r.design.tensorCores}x${r.design.tcRows}x${r.design.tcCols}`, `${r.design.vectorCores}x${r.design.vectorLanes}`,
            `${bytesIec(r.design.localBufferBytes)}`, `${bytesIec(r.design.globalBufferBytes)}`, String(r.design.globalBufferGBs),
            `${bytesIec(r.design.offChipBytes)} @ ${r.design.offChipGBs}`, String(r.design.nocGBs), String(r.design.clockGHz), r.design.dataflow]),
        ]);
        process.stdout.write(text);
      }),
    );
}
