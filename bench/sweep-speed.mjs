// Sweep speed: `accelmine sweep` of the `small` space (every design stored in DuckDB, then exported to Parquet)
// against `accelmine search --strategy exhaustive` of the same space (designs ranked, nothing stored but the
// top-k), same model and threads. Whole processes, timed from spawn to exit (start-up, pool, DuckDB, the
// Parquet export and the search's final re-scheduling of its top-k, with --schedule-passes 0, all included);
// the two alternate, `--repeats` times each, and the median rate of each is compared. Goal: the sweep within
// 10% of the search's rate, by wall time and by CPU time (GNU time, where installed).
// Usage: npm run build && node bench/sweep-speed.mjs [--model resnet50] [--threads 2] [--repeats 3]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const model = arg('model', 'resnet50');
const threads = Number(arg('threads', '2'));
const repeats = Number(arg('repeats', '3'));
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const DESIGNS = 110592;

// GNU time gives the CPU seconds of the whole process (pool threads included): on a shared machine the wall
// time swings with the other users' load, the CPU time per design much less
const GNU_TIME = existsSync('/usr/bin/time');

function timed(args) {
  const t0 = performance.now();
  const cmd = GNU_TIME ? ['/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
  const p = spawnSync(cmd[0], cmd[1], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const s = (performance.now() - t0) / 1000;
  if (p.status !== 0) throw new Error(`accelmine ${args.join(' ')} failed: ${p.stderr}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(p.stderr);
  return { s, cpuS: m ? Number(m[1]) + Number(m[2]) : NaN, json: JSON.parse(p.stdout) };
}

const common = ['--model', model, '--space', 'small', '--threads', String(threads), '--json'];
const runs = { search: [], sweep: [] };
const cpu = { search: [], sweep: [] };
let rows = 0;
let sameBest = true;
for (let r = 0; r < repeats; r++) {
  const s = timed(['search', ...common, '--strategy', 'exhaustive', '--schedule-passes', '0']);
  if (s.json.evaluations !== DESIGNS) throw new Error(`search evaluated ${s.json.evaluations} designs`);
  runs.search.push(DESIGNS / s.s);
  cpu.search.push(DESIGNS / s.cpuS);
  const dir = mkdtempSync(join(os.tmpdir(), 'accelmine-sweep-bench-'));
  try {
    const w = timed(['sweep', ...common, '--out', dir]);
    rows = w.json.rows;
    if (w.json.designs !== DESIGNS) throw new Error(`sweep stored ${w.json.designs} designs`);
    runs.sweep.push(DESIGNS / w.s);
    cpu.sweep.push(DESIGNS / w.cpuS);
    sameBest &&= JSON.stringify(w.json.best.design) === JSON.stringify(s.json.best.design);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`repeat ${r + 1}: search ${runs.search.at(-1).toFixed(0)} designs/s (${cpu.search.at(-1).toFixed(0)} per CPU-s), ` +
    `sweep ${runs.sweep.at(-1).toFixed(0)} designs/s (${cpu.sweep.at(-1).toFixed(0)} per CPU-s)`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const search = median(runs.search);
const sweep = median(runs.sweep);
const ratio = sweep / search;
const cpuSearch = median(cpu.search);
const cpuSweep = median(cpu.sweep);
const cpuRatio = cpuSweep / cpuSearch;
console.log(`\n${model}, small space (${DESIGNS} designs), ${threads} threads, median of ${repeats}:`);
console.log(`  search --strategy exhaustive: ${search.toFixed(0)} designs/s`);
console.log(`  sweep (${rows} rows into DuckDB + Parquet): ${sweep.toFixed(0)} designs/s = ${(ratio * 100).toFixed(1)}% of the search's rate (goal >= 90%: ${ratio >= 0.9 ? 'met' : 'not met'})`);
console.log(`  per CPU-second (all threads): search ${cpuSearch.toFixed(0)}, sweep ${cpuSweep.toFixed(0)} designs = ${(cpuRatio * 100).toFixed(1)}% (goal >= 90%: ${cpuRatio >= 0.9 ? 'met' : 'not met'})`);
console.log(`  load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (on ${os.cpus().length} cores; wall rates need an idle machine)`);
console.log(`  same best design: ${sameBest ? 'yes' : 'no'}`);
writeFileSync(new URL('./sweep-speed-results.json', import.meta.url), JSON.stringify({
  date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, loadAverage: os.loadavg(),
  settings: { model, space: 'small', designs: DESIGNS, threads, repeats },
  designsPerS: { search: runs.search, sweep: runs.sweep, searchMedian: search, sweepMedian: sweep },
  designsPerCpuS: { search: cpu.search, sweep: cpu.sweep, searchMedian: cpuSearch, sweepMedian: cpuSweep },
  ratio, cpuRatio, goalMet: ratio >= 0.9, cpuGoalMet: cpuRatio >= 0.9, rows, sameBest,
}, null, 2) + '\n');
