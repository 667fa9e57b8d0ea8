// Search speed (issue 4): BERT-large (batch 8, seq 512) design evaluations per second with the scheduler on
// 1 and 2 threads (benchmark.js, deferred), wall time of `accelmine search --model bert-large` to convergence,
// and WHAM's evaluations to converge against exhaustive's on the `small` space.
// Usage: npm run build && node bench/search-speed.mjs
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import Benchmark from 'benchmark';
import { BUILTIN_SPACES, designAt, spaceSize } from '../dist/arch/space.js';
import { createEvaluator } from '../dist/pool/pool.js';
import { runSearch, workloadSpec } from '../dist/search/run.js';
import { climbSearch } from '../dist/search/wham-kernel.js';
import { loadTrainingGraph } from '../dist/workload/load.js';

const graph = loadTrainingGraph({ model: 'bert-large', batch: 8, seq: 512 }, { optimizer: 'adam' });
const workloads = [workloadSpec(graph)];
const space = BUILTIN_SPACES.small;
const BATCH = 2048;
const designs = Array.from({ length: BATCH }, (_, i) => designAt(space, (i * 7919) % spaceSize(space)));
const limits = { areaMm2: Infinity, tdpW: Infinity };
const rates = {};
for (const threads of [1, 2]) {
  const ev = createEvaluator({ workloads, objective: 'throughput', limits, threads });
  await ev.evaluate(designs.slice(0, 64)); // warm the workers
  await new Promise((resolve) => {
    new Benchmark(`bert-large step evaluations, ${threads} thread${threads > 1 ? 's' : ''}`, {
      defer: true, maxTime: 6, minSamples: 5,
      fn: (d) => ev.evaluate(designs).then(() => d.resolve()),
      onComplete(e) {
        const b = e.target;
        rates[threads] = { evaluationsPerS: b.hz * BATCH, rmePct: b.stats.rme, samples: b.stats.sample.length };
        console.log(`${b.name}: ${(b.hz * BATCH).toFixed(0)} evaluations/s ±${b.stats.rme.toFixed(1)}% (${b.stats.sample.length} samples of ${BATCH} designs)`);
        resolve();
      },
    }).run({ async: true });
  });
  await ev.close();
}
const speedup = rates[2].evaluationsPerS / rates[1].evaluationsPerS;
console.log(`second thread: ${speedup.toFixed(2)}x (goal >= 1.8x: ${speedup >= 1.8 ? 'met' : 'not met'})`);

// the in-kernel WHAM climbs (what `search --strategy wham` runs), 400 mm2 / 300 W on the large space:
// steady state = a warm pool (workers started, module instantiated, graph loaded) running 40000 evaluations of
// climbs; whole search = runSearch end to end with 12000 evaluations (pool start-up included), median of 3
const climbRates = {};
const searchRates = {};
const limitsClimb = { areaMm2: 400, tdpW: 300 };
for (const threads of [1, 2]) {
  const ev = createEvaluator({ workloads, objective: 'throughput', limits: limitsClimb, threads, space: BUILTIN_SPACES.large });
  const run = async (budget, seed) => {
    const t0 = performance.now();
    const b = await climbSearch({ space: BUILTIN_SPACES.large, workloads, objective: 'throughput', limits: limitsClimb, seed, topK: 1, budget,
      concurrency: ev.threads > 1 ? 2 * ev.threads : 1, elapsedS: () => (performance.now() - t0) / 1000, runClimb: (t) => ev.climb(t) });
    return b.evaluations / ((performance.now() - t0) / 1000);
  };
  await run(2000, 99); // warm-up
  climbRates[threads] = await run(40000, 1);
  await ev.close();
  const runs = [];
  for (let rep = 0; rep < 3; rep++) {
    const r = await runSearch({ graphs: [graph], space: BUILTIN_SPACES.large, objective: 'throughput', limits: limitsClimb, strategy: 'wham', topK: 1, seed: 1 + rep, threads, budget: 12000, schedulePasses: 0 });
    runs.push(r.evaluations / r.wallTimeS);
  }
  runs.sort((a, b) => a - b);
  searchRates[threads] = runs[1];
  const t = `${threads} thread${threads > 1 ? 's' : ''}`;
  console.log(`wham climbs in the kernel, bert-large, ${t}: ${climbRates[threads].toFixed(0)} evaluations/s steady state (warm pool, 40000 evaluations); ` +
    `${searchRates[threads].toFixed(0)} evaluations/s for a whole 12000-evaluation search (median of 3)`);
}
const climbSpeedup = climbRates[2] / climbRates[1];
const searchSpeedup = searchRates[2] / searchRates[1];
console.log(`second thread, wham climbs: ${climbSpeedup.toFixed(2)}x steady state (goal >= 1.8x: ${climbSpeedup >= 1.8 ? 'met' : 'not met'}), ` +
  `${searchSpeedup.toFixed(2)}x for a whole search including pool start-up`);

// wall time of the CLI search to convergence (its default budget) and the evaluations at the last improvement
const t0 = performance.now();
const cli = JSON.parse(execFileSync(process.execPath, [new URL('../dist/cli.js', import.meta.url).pathname, 'search', '--model', 'bert-large', '--area', '400', '--tdp', '300', '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }));
const cliWallS = (performance.now() - t0) / 1000;
const lastImprovement = cli.trace.at(-1);
console.log(`accelmine search --model bert-large --area 400 --tdp 300: ${cliWallS.toFixed(1)} s wall (search ${cli.wallTimeS.toFixed(1)} s, ` +
  `with the top-${cli.topK.length} re-scheduled by ${cli.schedulePasses} serial passes), ${cli.evaluations} evaluations, last improvement at ${lastImprovement.evaluations} evaluations / ${lastImprovement.elapsedS.toFixed(2)} s`);

// wham against exhaustive on `small` (both ranked by the list schedule: no final re-scheduling, one scale)
const limitsSmall = { areaMm2: 400, tdpW: 300 };
const ex = await runSearch({ graphs: [graph], space, objective: 'throughput', limits: limitsSmall, strategy: 'exhaustive', topK: 1, seed: 1, threads: 2, budget: Infinity, schedulePasses: 0 });
const wh = await runSearch({ graphs: [graph], space, objective: 'throughput', limits: limitsSmall, strategy: 'wham', topK: 1, seed: 1, threads: 2, budget: 4000, schedulePasses: 0 });
const whReach = wh.trace.find((t) => t.objective >= 0.99 * ex.best.objective);
console.log(`small space, bert-large, 400 mm2 / 300 W: exhaustive ${ex.evaluations} evaluations in ${ex.wallTimeS.toFixed(1)} s; wham within 1% after ${whReach ? whReach.evaluations : '-'} evaluations (${whReach ? whReach.elapsedS.toFixed(2) : '-'} s), best ${(100 * wh.best.objective / ex.best.objective).toFixed(2)}% of the optimum`);

writeFileSync(new URL('./search-speed-results.json', import.meta.url), JSON.stringify({
  date: new Date().toISOString(), rates, speedup, climbRates, climbSpeedup, searchRates, searchSpeedup,
  cliSearch: { wallTimeS: cliWallS, searchWallTimeS: cli.wallTimeS, evaluations: cli.evaluations, lastImprovement },
  smallSpace: { exhaustiveEvaluations: ex.evaluations, exhaustiveWallTimeS: ex.wallTimeS, whamEvaluationsTo99: whReach?.evaluations ?? null, whamSecondsTo99: whReach?.elapsedS ?? null },
}, null, 2) + '\n');
