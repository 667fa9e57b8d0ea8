// WHAM against the exhaustive optimum on the built-in `small` space (issue 4, "Quality, measured").
// For each model × objective: the exhaustive optimum (every design of the space), then WHAM with a budget of
// 2% of exhaustive's evaluations, 5 seeds; prints best/optimum and evaluations used (median over seeds).
// Both rank designs by the list schedule alone (schedulePasses 0): the search is compared with the optimum of the
// model it searches, without the final re-scheduling of the top-k.
// Usage: node bench/quality.mjs [--threads T]   (build first: npm run build)
import { writeFileSync } from 'node:fs';
import { runSearch } from '../dist/search/run.js';
import { BUILTIN_SPACES } from '../dist/arch/space.js';
import { loadTrainingGraph } from '../dist/workload/load.js';
import { goodness, objectiveValue } from '../dist/evaluation/objectives.js';

const threads = Number(process.argv[process.argv.indexOf('--threads') + 1]) || 2;
const space = BUILTIN_SPACES.small;
const limits = { areaMm2: 400, tdpW: 300 };
const models = [
  { model: 'resnet50', batch: 32 },
  { model: 'mobilenetv2', batch: 32 },
  { model: 'bert-base', batch: 8, seq: 128 },
  { model: 'gpt2', batch: 8, seq: 256 },
];
const objectives = ['throughput', 'perf-per-tdp'];
const seeds = [1, 2, 3, 4, 5];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const rows = [];
for (const m of models) {
  const graph = loadTrainingGraph({ model: m.model, batch: m.batch, seq: m.seq }, { optimizer: 'adam' });
  // one exhaustive pass serves both objectives: keep every feasible design's metrics
  const optimum = Object.fromEntries(objectives.map((o) => [o, 0]));
  const t0 = performance.now();
  const ex = await runSearch({
    graphs: [graph], space, objective: 'throughput', limits, strategy: 'exhaustive', topK: 1, seed: 1, threads, budget: Infinity, schedulePasses: 0,
    onResults: (rs) => { for (const r of rs) if (r.feasible) for (const o of objectives) optimum[o] = Math.max(optimum[o], goodness(o, objectiveValue(o, r.models[0], r.areaMm2, r.tdpW))); },
  });
  const exS = (performance.now() - t0) / 1000;
  for (const o of objectives) {
    const budget = Math.floor(0.02 * ex.evaluations);
    const runs = [];
    for (const seed of seeds) {
      const w = await runSearch({ graphs: [graph], space, objective: o, limits, strategy: 'wham', topK: 5, seed, threads, budget, schedulePasses: 0 });
      const best = w.best ? goodness(o, w.best.perModel[0].value) : 0;
      // evaluations until the best was first reached
      const reached = w.trace.length ? w.trace[w.trace.length - 1].evaluations : w.evaluations;
      runs.push({ ratio: best / optimum[o], evaluations: w.evaluations, toBest: reached, wallTimeS: w.wallTimeS });
    }
    const row = {
      model: m.model, objective: o, spaceSize: ex.designsConsidered, exhaustiveEvaluations: ex.evaluations, exhaustiveWallTimeS: exS,
      whamBudget: budget, medianBestOverOptimum: median(runs.map((r) => r.ratio)), minBestOverOptimum: Math.min(...runs.map((r) => r.ratio)),
      medianEvaluationsToBest: median(runs.map((r) => r.toBest)), medianFractionOfExhaustive: median(runs.map((r) => r.toBest)) / ex.evaluations,
      medianWhamWallTimeS: median(runs.map((r) => r.wallTimeS)), runs,
    };
    rows.push(row);
    console.log(`${m.model.padEnd(12)} ${o.padEnd(13)} space ${row.spaceSize} exhaustive ${row.exhaustiveEvaluations} evals (${exS.toFixed(1)} s) | wham budget ${budget}: best/opt median ${(row.medianBestOverOptimum * 100).toFixed(2)}% (min ${(row.minBestOverOptimum * 100).toFixed(2)}%), evals to best ${row.medianEvaluationsToBest} (${(row.medianFractionOfExhaustive * 100).toFixed(2)}% of exhaustive)`);
  }
}
writeFileSync(new URL('./quality-results.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), threads, limits, rows }, null, 2) + '\n');
