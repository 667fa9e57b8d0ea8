// `npm run bench`: the cost-model kernel's speed on one thread (benchmark.js suites). See bench/README.md.
//  1. op evaluations/s with the mapping search: WASM kernel (one crossing per 4096-op batch) vs the TS reference
//  2. whole-step evaluations/s (op costing + list schedule): BERT-large (batch 8, seq 512), WASM vs TS
//  3. the same for ResNet-50 (batch 32)
//  4. where the time goes: the copies around an op batch, and a BERT-large step split into costing and scheduling
//  5. start-up: whole processes (node -e 0, accelmine --version, op, evaluate ResNet-50), one run per call
// Prints a table and writes bench/results.json. Needs a build (npm run build). Search speed: bench/search-speed.mjs.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import Benchmark from 'benchmark';
import { unitEnergies } from '../dist/arch/cost.js';
import { PRESETS } from '../dist/arch/presets.js';
import { flattenOps } from '../dist/engine/flatten.js';
import { DEFAULT_SCHEDULE_PASSES, Kernel } from '../dist/engine/kernel.js';
import {
  D_GLOBAL_BUFFER_GBS, D_NOC_GBS, D_OFFCHIP_GBS, D_TENSOR_CORES, D_VECTOR_CORES, DESIGN_STRIDE, O_UNIT, OP_STRIDE,
  RESULT_STRIDE, S_CYCLES, STEP_STRIDE, U_TENSOR, U_VECTOR, designRecord, gemmRecord, vectorRecord, writeDesign,
} from '../dist/engine/layout.js';
import { coreOptions, poolCores, refEvalOp, refEvaluateStep } from '../dist/engine/reference.js';
import { loadTrainingGraph } from '../dist/workload/load.js';

const MAX_TIME = 4; // seconds per benchmark
let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

// ---- inputs ---------------------------------------------------------------------------------------------
// 4096 operators: 85% GEMMs of varied shapes, 15% vector ops (elementwise, norm, softmax, optimizer)
const N_OPS = 4096;
const ops = new Float64Array(N_OPS * OP_STRIDE);
for (let i = 0; i < N_OPS; i++) {
  const r = rand() < 0.85
    ? gemmRecord(pick([1, 1, 1, 8, 16]), pick([64, 128, 512, 1024, 4096, 8192]), pick([64, 768, 1024, 3072, 4096]), pick([64, 512, 1024, 4096]), 2)
    : vectorRecord(pick([2, 3, 4, 11]), 1 << (10 + Math.floor(rand() * 12)), 4 << (10 + Math.floor(rand() * 12)), 8 << (10 + Math.floor(rand() * 12)), 2);
  ops.set(r, i * OP_STRIDE);
}
const a100 = PRESETS.a100;
const design = designRecord(a100, unitEnergies(a100));
const rsA100 = { ...a100, dataflow: 'rs' };
const rsDesign = designRecord(rsA100, unitEnergies(rsA100));
const kernel = new Kernel({ opCapacity: N_OPS });
const out = new Float64Array(N_OPS * RESULT_STRIDE);

// 64 distinct designs around the TPU v4 and A100 presets (alternating), for the step evaluations
const N_DESIGNS = 64;
const stepDesigns = new Float64Array(N_DESIGNS * DESIGN_STRIDE);
for (let i = 0; i < N_DESIGNS; i++) {
  const base = i % 2 ? PRESETS.a100 : PRESETS['tpu-v4'];
  const d = {
    ...base,
    tensorCores: base.tensorCores * pick([1, 2]),
    globalBufferBytes: base.globalBufferBytes * pick([0.5, 1, 2]),
    offChipGBs: base.offChipGBs * pick([0.5, 1, 2]),
    clockGHz: base.clockGHz * (1 + 0.005 * (i >> 1)), // makes every design distinct
  };
  writeDesign(stepDesigns, i * DESIGN_STRIDE, d, unitEnergies(d));
}
const BERT = 'BERT-large b8 s512';
const RESNET = 'ResNet-50 b32';
const graphs = {
  [BERT]: flattenOps(loadTrainingGraph({ model: 'bert-large', batch: 8, seq: 512 }, { optimizer: 'adam' }).ops),
  [RESNET]: flattenOps(loadTrainingGraph({ model: 'resnet50', batch: 32 }, { optimizer: 'momentum' }).ops),
};
const kernels = Object.fromEntries(Object.entries(graphs).map(([k, g]) => {
  const kk = new Kernel({ designCapacity: N_DESIGNS });
  kk.loadGraph(g);
  return [k, kk];
}));
const stepOut = new Float64Array(N_DESIGNS * STEP_STRIDE);
// the same steps with the serial improvement passes (assembly/serial.ts) after the list schedule: 12 (the
// bottom-level passes, all the gain on whole steps) and DEFAULT_SCHEDULE_PASSES (what evaluate and the search's
// final top-k use); fewer designs per call, they take milliseconds each
const N_IMPROVED = 8;
const PASS_COUNTS = [12, DEFAULT_SCHEDULE_PASSES];
const improvedKernels = Object.fromEntries(Object.entries(graphs).map(([k, g]) => [k, PASS_COUNTS.map((p) => {
  const kk = new Kernel({ designCapacity: N_IMPROVED });
  kk.loadGraph(g);
  kk.setSchedulePasses(p);
  return kk;
})]));

// ---- where the time goes: inputs -------------------------------------------------------------------------
// The step's op costing, redone outside the scheduler: per design, every unique shape on all cores, then
// every tensor-unit shape on each smaller tensor-core option and every vector-unit shape on each smaller
// vector-core option (k cores, k/K of each bandwidth), exactly the records assembly/schedule.ts costs
// (it costs all options of a shape when the shape is first dispatched).
function costingPlan(g) {
  const pick = (unit) => {
    const idx = [];
    for (let u = 0; u < g.nUnique; u++) if (g.ops[u * OP_STRIDE + O_UNIT] === unit) idx.push(u);
    const rec = new Float64Array(idx.length * OP_STRIDE);
    idx.forEach((u, j) => rec.set(g.ops.subarray(u * OP_STRIDE, (u + 1) * OP_STRIDE), j * OP_STRIDE));
    return { n: idx.length, rec };
  };
  const pools = [pick(U_TENSOR), pick(U_VECTOR)];
  const calls = []; // [design record, ops, n, cores]
  let evals = 0;
  for (let i = 0; i < N_DESIGNS; i++) {
    const d = stepDesigns.subarray(i * DESIGN_STRIDE, (i + 1) * DESIGN_STRIDE);
    calls.push([d, g.ops, g.nUnique, d[D_TENSOR_CORES]]);
    evals += g.nUnique;
    for (const [p, field] of [[0, D_TENSOR_CORES], [1, D_VECTOR_CORES]]) {
      const K = poolCores(d[field]);
      const opts = coreOptions(K);
      for (const k of opts.slice(0, -1)) {
        const s = d.slice();
        s[field] = k;
        for (const f of [D_GLOBAL_BUFFER_GBS, D_NOC_GBS, D_OFFCHIP_GBS]) s[f] = d[f] * (k / K);
        calls.push([s, pools[p].rec, pools[p].n, p === 0 ? k : s[D_TENSOR_CORES]]);
        evals += pools[p].n;
      }
    }
  }
  return { calls, evals, slotOut: new Float64Array(g.nUnique * RESULT_STRIDE) };
}
const plans = Object.fromEntries(Object.keys(graphs).map((k) => [k, costingPlan(graphs[k])]));
const copyIn = new Float64Array(N_OPS * OP_STRIDE);
const copyOut = new Float64Array(N_OPS * RESULT_STRIDE);

// ---- suites ----------------------------------------------------------------------------------------------
const results = [];
const suite = new Benchmark.Suite();
const add = (name, unitsPerCall, unit, fn, section = 'main') =>
  suite.add(name, fn, { maxTime: MAX_TIME, minSamples: 8, unitsPerCall, unit, section });

add('op evals, WASM', N_OPS, 'op evals', () => kernel.evaluateOpRecords(design, ops, N_OPS, out));
add('op evals, WASM, rs dataflow', N_OPS, 'op evals', () => kernel.evaluateOpRecords(rsDesign, ops, N_OPS, out));
add('op evals, TS reference', N_OPS, 'op evals', () => {
  for (let i = 0; i < N_OPS; i++) refEvalOp(design, 0, ops, i * OP_STRIDE, a100.tensorCores, out, i * RESULT_STRIDE);
});
for (const [name, g] of Object.entries(graphs)) {
  const k = kernels[name];
  add(`${name} steps, WASM`, N_DESIGNS, 'step evals', () => {
    k.designSlots(N_DESIGNS).set(stepDesigns); // zero-copy path: designs written straight into linear memory
    k.evaluateLoadedDesigns(N_DESIGNS);
  });
  add(`${name} steps, TS reference`, N_DESIGNS, 'step evals', () => refEvaluateStep(stepDesigns, N_DESIGNS, g, stepOut));
  PASS_COUNTS.forEach((passes, j) => {
    const kk = improvedKernels[name][j];
    add(`${name} steps + ${passes} passes, WASM`, N_IMPROVED, 'step evals', () => {
      kk.designSlots(N_IMPROVED).set(stepDesigns.subarray(0, N_IMPROVED * DESIGN_STRIDE));
      kk.evaluateLoadedDesigns(N_IMPROVED);
    }, 'improved');
  });
}
// profile rows (shorter runs)
const addProfile = (name, unitsPerCall, unit, fn) =>
  suite.add(name, fn, { maxTime: 2, minSamples: 8, unitsPerCall, unit, section: 'profile' });
addProfile('copies around a 4096-op batch (JS only)', N_OPS, 'op records', () => {
  copyIn.set(ops);
  copyOut.set(copyIn.subarray(0, N_OPS * RESULT_STRIDE));
});
for (const [name, plan] of Object.entries(plans)) {
  addProfile(`${name} step costing only, WASM`, N_DESIGNS, 'designs', () => {
    for (const [d, o, n, cores] of plan.calls) kernel.evaluateOpRecords(d, o, n, plan.slotOut, cores);
  });
}

// whole-process start-up: what a script that calls the CLI once per layer pays
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const STARTUP = [
  ['start-up: node -e 0', ['-e', '0']],
  ['start-up: accelmine --version', [CLI, '--version']],
  ['start-up: accelmine op --gemm --tc', [CLI, 'op', '--gemm', '512x512x512', '--tc', '16x16']],
  ['start-up: accelmine evaluate resnet50 a100', [CLI, 'evaluate', '--preset', 'a100', '--model', 'resnet50']],
];
for (const [name, args] of STARTUP) {
  suite.add(name, () => {
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${name}: exit ${r.status}`);
  }, { maxTime: 3, minSamples: 10, unitsPerCall: 1, unit: 'runs', section: 'startup' });
}

const fmtRate = (r) => (r >= 1e5 ? r.toExponential(3) : r.toFixed(0));
const row = (cells, widths) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
const W = [44, 10, 10, 7, 8];
let header = false;
suite.on('cycle', (e) => {
  const b = e.target;
  if (!header) {
    console.log(row(['benchmark (one thread)', 'rate /s', 'unit', '± rme', 'samples'], W));
    console.log('-'.repeat(W.reduce((a, w) => a + w + 2, -2)));
    header = true;
  }
  const rate = b.hz * b.options.unitsPerCall;
  results.push({
    name: b.name, section: b.options.section, ratePerS: rate, unit: b.options.unit, rmePct: b.stats.rme,
    samples: b.stats.sample.length, msPerCall: 1e3 / b.hz, unitsPerCall: b.options.unitsPerCall,
  });
  console.log(row([b.name, fmtRate(rate), b.options.unit, `±${b.stats.rme.toFixed(1)}%`, b.stats.sample.length], W));
});
const t0 = Date.now();
suite.run();

// ---- ratios, goals, profile --------------------------------------------------------------------------------
const get = (n) => results.find((r) => r.name === n);
const rate = (n) => get(n).ratePerS;
const ratios = {
  opEvalsWasmOverTs: rate('op evals, WASM') / rate('op evals, TS reference'),
  rsOverSystolicCost: rate('op evals, WASM') / rate('op evals, WASM, rs dataflow'),
  bertLargeStepsWasmOverTs: rate(`${BERT} steps, WASM`) / rate(`${BERT} steps, TS reference`),
  resnet50StepsWasmOverTs: rate(`${RESNET} steps, WASM`) / rate(`${RESNET} steps, TS reference`),
};
console.log(`\nWASM / TS reference: op evals ${ratios.opEvalsWasmOverTs.toFixed(2)}x, ` +
  `${BERT} steps ${ratios.bertLargeStepsWasmOverTs.toFixed(2)}x, ${RESNET} steps ${ratios.resnet50StepsWasmOverTs.toFixed(2)}x`);

/** a process's wall time over node -e 0's */
const startup = (n) => get(n).msPerCall / get('start-up: node -e 0').msPerCall;
const goals = [
  ['WASM >= 3x the TS reference (op evals)', ratios.opEvalsWasmOverTs >= 3, `${ratios.opEvalsWasmOverTs.toFixed(2)}x`],
  ['WASM >= 3x the TS reference (BERT-large steps)', ratios.bertLargeStepsWasmOverTs >= 3, `${ratios.bertLargeStepsWasmOverTs.toFixed(2)}x`],
  ['>= 1,000,000 op evals/s per core', rate('op evals, WASM') >= 1e6, fmtRate(rate('op evals, WASM'))],
  ['accelmine --version within 1.5x node -e 0', startup('start-up: accelmine --version') <= 1.5, `${startup('start-up: accelmine --version').toFixed(2)}x`],
  ['accelmine op within 1.5x node -e 0', startup('start-up: accelmine op --gemm --tc') <= 1.5, `${startup('start-up: accelmine op --gemm --tc').toFixed(2)}x`],
  ['accelmine evaluate (ResNet-50) within 3x node -e 0', startup('start-up: accelmine evaluate resnet50 a100') <= 3, `${startup('start-up: accelmine evaluate resnet50 a100').toFixed(2)}x`],
  ['an rs op evaluation within 2x the cost of a systolic one', ratios.rsOverSystolicCost <= 2, `${ratios.rsOverSystolicCost.toFixed(2)}x`],
  ['>= 10,000 BERT-large step evals/s per core', rate(`${BERT} steps, WASM`) >= 1e4, fmtRate(rate(`${BERT} steps, WASM`))],
];
console.log('\ngoals');
for (const [goal, met, value] of goals) console.log(`  ${met ? 'met    ' : 'NOT met'}  ${goal}: ${value}`);

// where the time goes
const opBatchMs = get('op evals, WASM').msPerCall;
const copyMs = get('copies around a 4096-op batch (JS only)').msPerCall;
const profile = {
  opBatch: { ms: opBatchMs, copyMs, copyPct: (100 * copyMs) / opBatchMs },
  steps: {},
};
console.log('\nwhere the time goes');
console.log(`  op batch (4096 ops, WASM): ${(opBatchMs * 1e3).toFixed(0)} µs per call, of which ~${(copyMs * 1e3).toFixed(0)} µs ` +
  `(${profile.opBatch.copyPct.toFixed(0)}%) is copying op records in and results out (measured as plain Float64Array.set)`);
for (const name of Object.keys(graphs)) {
  const g = graphs[name];
  const plan = plans[name];
  const stepUs = 1e6 / rate(`${name} steps, WASM`);
  const costUs = 1e6 / rate(`${name} step costing only, WASM`);
  const evalsPerDesign = plan.evals / N_DESIGNS;
  const schedUs = Math.max(0, stepUs - costUs);
  profile.steps[name] = {
    ops: g.nOps, uniqueShapes: g.nUnique, opEvalsPerDesign: evalsPerDesign, stepUs, costingUs: costUs,
    costingPct: (100 * costUs) / stepUs, scheduleUs: schedUs, schedulePct: (100 * schedUs) / stepUs,
    scheduleNsPerOp: (1e3 * schedUs) / g.nOps,
  };
  const p = profile.steps[name];
  console.log(`  ${name} step (${g.nOps} ops, ${g.nUnique} unique shapes, ${evalsPerDesign.toFixed(0)} op evals per design ` +
    `over its core options): ${stepUs.toFixed(1)} µs per design = costing ${costUs.toFixed(1)} µs (${p.costingPct.toFixed(0)}%) ` +
    `+ list schedule and sums ${schedUs.toFixed(1)} µs (${p.schedulePct.toFixed(0)}%, ${p.scheduleNsPerOp.toFixed(0)} ns per op)`);
}
console.log('  (costing is measured through evaluateOpRecords, one crossing per design and core option, so it slightly over-states the in-kernel share)');
// what the improvement passes buy: step cycles of the same designs with 0, 12 and DEFAULT passes
profile.improvement = {};
for (const [name, g] of Object.entries(graphs)) {
  const cyc = [kernels[name], ...improvedKernels[name]].map((kk) => {
    kk.designSlots(N_IMPROVED).set(stepDesigns.subarray(0, N_IMPROVED * DESIGN_STRIDE));
    const st = kk.evaluateLoadedDesigns(N_IMPROVED);
    return Array.from({ length: N_IMPROVED }, (_, i) => st[i * STEP_STRIDE + S_CYCLES]);
  });
  const shorterPct = cyc.slice(1).map((c) => c.map((x, i) => 100 * (1 - x / cyc[0][i])));
  const msPer = PASS_COUNTS.map((p) => 1e3 / rate(`${name} steps + ${p} passes, WASM`));
  profile.improvement[name] = PASS_COUNTS.map((p, j) => ({
    passes: p, msPerDesign: msPer[j], stepShorterPctMin: Math.min(...shorterPct[j]), stepShorterPctMax: Math.max(...shorterPct[j]),
  }));
  console.log(`  ${name}: ` + PASS_COUNTS.map((p, j) => `+${p} passes ${msPer[j].toFixed(2)} ms per design, steps ` +
    `${Math.min(...shorterPct[j]).toFixed(1)}-${Math.max(...shorterPct[j]).toFixed(1)}% shorter`).join('; ') + ` (${N_IMPROVED} designs)`);
}
console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(0)} s`);

writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({
  date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown',
  settings: { opBatch: N_OPS, designBatch: N_DESIGNS, maxTimeS: MAX_TIME, opDesign: 'a100', stepDesigns: 'tpu-v4 / a100 variants' },
  results, ratios,
  goals: goals.map(([goal, met, value]) => ({ goal, met, value })),
  profile,
}, null, 2) + '\n');
console.log('wrote bench/results.json');
