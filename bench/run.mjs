// `npm run bench`: the cost-model kernel's speed (issue 3), benchmark.js suites on one thread.
//  1. operator evaluations per second with the mapping search: WASM kernel vs the TypeScript reference
//  2. whole-step evaluations per second (costing + list scheduling): BERT-large (batch 8, seq 512) and
//     ResNet-50 (batch 32), WASM vs TS
//  3. where the time goes: a BERT-large step split into op costing (unique shapes) and scheduling
// Prints a table and writes bench/results.json. Build first (npm run build). Search speed: bench/search-speed.mjs.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import Benchmark from 'benchmark';
import { unitEnergies } from '../dist/arch/cost.js';
import { PRESETS } from '../dist/arch/presets.js';
import { flattenOps } from '../dist/engine/flatten.js';
import { Kernel } from '../dist/engine/kernel.js';
import { DESIGN_STRIDE, OP_STRIDE, RESULT_STRIDE, STEP_STRIDE, designRecord, gemmRecord, vectorRecord, writeDesign } from '../dist/engine/layout.js';
import { refEvalOp, refEvaluateStep } from '../dist/engine/reference.js';
import { loadTrainingGraph } from '../dist/workload/load.js';

let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

// 4096 operators: 85% GEMMs of varied shapes, 15% vector ops
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
const kernel = new Kernel();
const out = new Float64Array(N_OPS * RESULT_STRIDE);

// 64 distinct designs around the TPU v4 / A100 presets for step evaluations
const stepDesigns = new Float64Array(64 * DESIGN_STRIDE);
for (let i = 0; i < 64; i++) {
  const base = i % 2 ? PRESETS.a100 : PRESETS['tpu-v4'];
  const d = { ...base, tensorCores: base.tensorCores * pick([1, 2]), globalBufferBytes: base.globalBufferBytes * pick([0.5, 1, 2]), offChipGBs: base.offChipGBs * pick([0.5, 1, 2]) };
  writeDesign(stepDesigns, i * DESIGN_STRIDE, d, unitEnergies(d));
}
const graphs = {
  'bert-large b8 s512': flattenOps(loadTrainingGraph({ model: 'bert-large', batch: 8, seq: 512 }, { optimizer: 'adam' }).ops),
  'resnet50 b32': flattenOps(loadTrainingGraph({ model: 'resnet50', batch: 32 }, { optimizer: 'momentum' }).ops),
};
const kernels = Object.fromEntries(Object.entries(graphs).map(([k, g]) => { const kk = new Kernel(); kk.loadGraph(g); return [k, kk]; }));
const stepOut = new Float64Array(64 * STEP_STRIDE);

const results = [];
const suite = new Benchmark.Suite();
const add = (name, unitsPerCall, unit, fn) => suite.add(name, fn, { maxTime: 4, minSamples: 8, unitsPerCall, unit });
add('op evals, WASM', N_OPS, 'op evaluations', () => kernel.evaluateOpRecords(design, ops, N_OPS, out));
add('op evals, TS reference', N_OPS, 'op evaluations', () => { for (let i = 0; i < N_OPS; i++) refEvalOp(design, 0, ops, i * OP_STRIDE, a100.tensorCores, out, i * RESULT_STRIDE); });
for (const [name, g] of Object.entries(graphs)) {
  add(`${name} step evals, WASM`, 64, 'step evaluations', () => { kernels[name].designSlots(64).set(stepDesigns); kernels[name].evaluateLoadedDesigns(64); });
  add(`${name} step evals, TS reference`, 64, 'step evaluations', () => refEvaluateStep(stepDesigns, 64, g, stepOut));
}
suite.on('cycle', (e) => {
  const b = e.target;
  const rate = b.hz * b.options.unitsPerCall;
  results.push({ name: b.name, ratePerS: rate, unit: b.options.unit, rmePct: b.stats.rme, samples: b.stats.sample.length });
  console.log(`${b.name.padEnd(40)} ${rate.toExponential(3).padStart(10)} ${b.options.unit}/s  ±${b.stats.rme.toFixed(1)}%  (${b.stats.sample.length} samples)`);
});
suite.run();

const rate = (n) => results.find((r) => r.name === n).ratePerS;
const opRatio = rate('op evals, WASM') / rate('op evals, TS reference');
const bert = 'bert-large b8 s512';
const stepRatio = rate(`${bert} step evals, WASM`) / rate(`${bert} step evals, TS reference`);
// where the time goes: unique shapes costed once per design vs the whole step
const g = graphs[bert];
const uniqueOps = g.ops;
const costOnly = new Benchmark('bert costing only', () => kernel.evaluateOpRecords(design, uniqueOps, g.nUnique, new Float64Array(g.nUnique * RESULT_STRIDE)), { maxTime: 2 }).run();
const costS = 1 / costOnly.hz;
const stepS = 1 / rate(`${bert} step evals, WASM`);
const goals = [
  ['WASM >= 3x the TS reference (op evals)', opRatio >= 3, `${opRatio.toFixed(2)}x`],
  ['>= 1,000,000 op evals/s per core', rate('op evals, WASM') >= 1e6, rate('op evals, WASM').toExponential(3)],
  ['>= 10,000 BERT-large step evals/s per core', rate(`${bert} step evals, WASM`) >= 1e4, rate(`${bert} step evals, WASM`).toFixed(0)],
];
console.log(`\nWASM / TS: op evals ${opRatio.toFixed(2)}x, BERT-large step evals ${stepRatio.toFixed(2)}x`);
for (const [goal, met, value] of goals) console.log(`${met ? 'met    ' : 'NOT met'} ${goal}: ${value}`);
console.log(`where the time goes (BERT-large step, ${g.nOps} ops, ${g.nUnique} unique shapes): costing the unique shapes ${(costS * 1e6).toFixed(1)} µs of ${(stepS * 1e6).toFixed(1)} µs per design (${((100 * costS) / stepS).toFixed(0)}%); the rest is the list schedule (ASAP/ALAP, malleable core choice per op, critical path) and per-k re-costing of ops`);
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({
  date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', results,
  ratios: { opEvalsWasmOverTs: opRatio, bertStepEvalsWasmOverTs: stepRatio },
  goals: goals.map(([goal, met, value]) => ({ goal, met, value })),
  bertLargeStep: { ops: g.nOps, uniqueShapes: g.nUnique, costingUs: costS * 1e6, stepUs: stepS * 1e6 },
}, null, 2) + '\n');
