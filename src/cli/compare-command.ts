/** `accelmine compare`: strategies head to head on the same cost model, budget and seeds. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadSpace } from '../arch/space.js';
import { InputError, MAX_REPEATS, nearest } from '../errors.js';
import { cannotWriteOut, makeOutDirectory } from '../out-dir.js';
import { defaultThreads } from '../pool/pool.js';
import { compareStrategies } from '../search/compare.js';
import { OBJECTIVES, type Objective } from '../evaluation/objectives.js';
import { STRATEGIES } from '../search/run.js';
import { loadTrainingGraph } from '../workload/load.js';
import { action, nonEmpty, nonNegativeInt, oneOf, positiveInt, positiveNumber, printJson, si, table, threadsOption } from './common.js';

interface CompareFlags {
  model: string;
  strategies: string;
  objective: Objective;
  area?: number;
  tdp?: number;
  budget?: number;
  time?: number;
  repeats: number;
  space: string;
  seed: number;
  threads?: number;
  batch?: number;
  seq?: number;
  inferenceOnly?: string;
  out?: string;
  force?: boolean;
  json?: boolean;
}

/**
 * The strategies compare runs against each other; exhaustive is the ground truth it runs itself (as a strategy it
 * ran over the first --budget designs in index order, and took the ground truth's name and colour in the report).
 */
const COMPARED = Object.keys(STRATEGIES).filter((s) => s !== 'exhaustive');

function list(flag: string, v: string, allowed: string[]): string[] {
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InputError(`${flag} must name at least one of ${allowed.join(', ')}`);
  for (const i of items) {
    if (i === 'exhaustive' && !allowed.includes(i)) {
      throw new InputError(`${flag}: exhaustive is the ground truth compare runs itself (on spaces of at most 200,000 designs), not a strategy to compare; strategies: ${allowed.join(', ')}`);
    }
    if (!allowed.includes(i)) {
      const hint = nearest(i, allowed);
      throw new InputError(`${flag}: unknown strategy "${i}"${hint ? ` (did you mean "${hint}"?)` : ''}; strategies: ${allowed.join(', ')}`);
    }
  }
  const twice = items.find((s, k) => items.indexOf(s) !== k);
  if (twice) throw new InputError(`${flag}: "${twice}" is given twice`);
  return items;
}

function writeOut(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw cannotWriteOut(path, e);
  }
}

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('compare search strategies on the same models, cost model, budget and seeds: best objective, evaluations and seconds to 95%/99% of the best known, convergence SVGs')
    .requiredOption('--model <names>', 'zoo models, comma-separated')
    .requiredOption('--strategies <list>', `comma-separated: ${COMPARED.join(', ')}`)
    .option('--objective <o>', OBJECTIVES.join(' | '), oneOf('--objective', OBJECTIVES), 'throughput')
    .option('--area <mm2>', 'area budget, mm²', positiveNumber('--area'))
    .option('--tdp <w>', 'TDP budget, W', positiveNumber('--tdp'))
    .option('--budget <evals>', 'evaluations per run (default 2000)', positiveInt('--budget'))
    .option('--time <s>', 'seconds per run (instead of or with --budget)', positiveNumber('--time'))
    .option('--repeats <r>', 'runs per strategy (seeds seed..seed+r-1)', positiveInt('--repeats', MAX_REPEATS), 5)
    .option('--space <name|file>', 'design space (exhaustive ground truth when it has at most 200,000 designs)', 'small')
    .option('--seed <s>', 'first seed', nonNegativeInt('--seed'), 1)
    .option('--threads <t>', 'worker threads (default: cores)', threadsOption())
    .option('--batch <n>', 'micro-batch size', positiveInt('--batch'))
    .option('--seq <n>', 'sequence length', positiveInt('--seq'))
    .option('--inference-only <list>', 'strategies that optimise the forward pass alone (e.g. spotlight, as WHAM compared against it)')
    .option('--out <dir>', 'write compare.json (with every run\'s trace and each strategy\'s Pareto designs, for `accelmine report`) and one convergence SVG per model (refused if it holds an earlier compare.json, unless --force)', nonEmpty('--out', 'directory'))
    .option('--force', 'with --out: replace the earlier comparison the directory holds')
    .option('--json', 'print JSON')
    .action(
      action(async (o: CompareFlags) => {
        const strategies = list('--strategies', o.strategies, COMPARED);
        const inferenceOnly = o.inferenceOnly !== undefined ? list('--inference-only', o.inferenceOnly, strategies) : [];
        const names = o.model.split(',').map((m) => m.trim()).filter(Boolean);
        if (names.length === 0) throw new InputError(`--model must name at least one zoo model (see \`accelmine models\`), got "${o.model}"`);
        const twice = names.find((m, k) => names.indexOf(m) !== k);
        // each model's runs, ground truth and SVG (MODEL-convergence.svg) are keyed by its name
        if (twice) throw new InputError(`--model: "${twice}" is given twice`);
        const models = names.map((m) => loadTrainingGraph({ model: m, batch: o.batch, seq: o.seq, listed: names.length > 1 }, { optimizer: 'adam' }));
        if (o.force && !o.out) throw new InputError('--force applies with --out DIR (it replaces the comparison the directory holds)');
        // the directory is made before the runs: a bad --out, or one holding an earlier comparison, is said at once
        if (o.out) {
          makeOutDirectory(o.out);
          if (existsSync(join(o.out, 'compare.json')) && !o.force) {
            throw new InputError(`--out ${o.out} already holds a comparison (compare.json): give --force to replace it, or another --out`);
          }
        }
        const tty = process.stderr.isTTY;
        const result = await compareStrategies({
          models, strategies, space: loadSpace(o.space), objective: o.objective,
          limits: { areaMm2: o.area ?? Infinity, tdpW: o.tdp ?? Infinity },
          budget: o.budget ?? (o.time !== undefined ? Infinity : 2000), timeBudgetS: o.time, repeats: o.repeats, seed: o.seed,
          threads: o.threads ?? defaultThreads(), inferenceOnlyStrategies: inferenceOnly,
          onRun: tty ? (m, s, r) => process.stderr.write(`\r${m}: ${s} run ${r + 1}/${o.repeats}        `) : undefined,
        });
        if (tty) process.stderr.write('\n');
        const svgPaths: Record<string, string> = {};
        if (o.out) {
          const { compareConvergenceSvg } = await import('../report/convergence-svg.js');
          for (const m of result) {
            const path = join(o.out, `${m.model.replace(/[^A-Za-z0-9_.-]/g, '_')}-convergence.svg`);
            writeOut(path, await compareConvergenceSvg(m));
            svgPaths[m.model] = path;
          }
          writeOut(join(o.out, 'compare.json'), JSON.stringify(result.map((r) => ({ ...r, svg: svgPaths[r.model] })), null, 2) + '\n');
        }
        // the traces and fronts go to compare.json (what `accelmine report` reads), not to the printed summary
        if (o.json) return printJson(result.map(({ traces: _t, pareto: _p, ...r }) => ({ ...r, ...(svgPaths[r.model] ? { svg: svgPaths[r.model] } : {}) })));
        const f = (x: number, d = 4) => (x < 0 ? '-' : x.toPrecision(d));
        let text = '';
        for (const m of result) {
          if (!(m.bestKnown > 0) || !Number.isFinite(m.bestKnown)) {
            text += `\n${m.model}: no feasible design: every design considered breaks the area/TDP budget or cannot hold the training state (try a smaller --batch or --seq)\n`;
            continue;
          }
          text += `\n${m.model}: best known ${o.objective} ${f(m.bestKnown)} (${m.bestKnownSource}${m.exhaustiveEvaluations ? `, ${si(m.exhaustiveEvaluations)} evaluations` : ''})${svgPaths[m.model] ? `; plot ${svgPaths[m.model]}` : ''}\n`;
          text += table([
            ['strategy', 'best (median)', 'min', 'max', 'evals to 95%', 'evals to 99%', 's to 95%', 's to 99%', 'reached 99%', 'wall s'],
            ...m.strategies.map((s) => [
              s.strategy + (inferenceOnly.includes(s.strategy) ? ' (inference-only)' : ''),
              ...(s.feasibleRuns > 0 ? [f(s.bestMedian), f(s.bestMin), f(s.bestMax)] : ['-', '-', '-']),
              s.evaluationsTo95 < 0 ? '-' : String(Math.round(s.evaluationsTo95)), s.evaluationsTo99 < 0 ? '-' : String(Math.round(s.evaluationsTo99)),
              f(s.secondsTo95, 3), f(s.secondsTo99, 3), `${s.reached99}/${s.runs}`, s.wallTimeSMedian.toFixed(2),
            ]),
          ]);
        }
        process.stdout.write(text);
      }),
    );
}
