// Experiment harness (not part of the tool): variants of the list scheduler, prototyped in plain JS on the
// exact instances of src/schedule/ilp.ts (the kernel's per-op durations for every core option), against the
// HiGHS optima in bench/ilp-gap-results.json (run bench/ilp-gap.mjs first, after any cost-model change) and
// against the baseline on whole training steps. list-variants.mjs reproduces the kernel's list scheduler exactly
// with no options (the first row checks it against the kernel with 0 improvement passes); the last row is the
// kernel's scheduler as evaluate runs it (list + DEFAULT_SCHEDULE_PASSES serial passes, assembly/serial.ts, the
// variant that was kept); README "Exact schedules" reports the findings.
// Usage: npm run build && node bench/scheduler-variants/run.mjs
import { readFileSync } from 'node:fs';
import { unitEnergies } from '../../dist/arch/cost.js';
import { presetDesign } from '../../dist/arch/presets.js';
import { DEFAULT_SCHEDULE_PASSES, Kernel } from '../../dist/engine/kernel.js';
import { flattenOps } from '../../dist/engine/flatten.js';
import { designRecord } from '../../dist/engine/layout.js';
import { listSchedule, scheduleInstance } from '../../dist/schedule/ilp.js';
import { representativeLayerGraphs } from '../../dist/schedule/layer-graphs.js';
import { loadTrainingGraph } from '../../dist/workload/load.js';
import { listSched } from './list-variants.mjs';
import { serialSched } from './serial-sgs.mjs';

const VARIANTS = {
  'list (the kernel)': (inst) => listSched(inst),
  'serial SGS': (inst) => serialSched(inst),
  'serial SGS, work priority, area penalty 0.1': (inst) => serialSched(inst, { prioKind: 'work', lambda: 0.1 }),
  'list, efficiency cap 0.6': (inst) => listSched(inst, { eff: 0.6 }),
  'list, two-op look-ahead': (inst) => listSched(inst, { lookahead: true }),
  'list, reserve critical + exchange': (inst) => listSched(inst, { reserve: true, exchange: true }),
  'list, reserve + exchange + cap 0.5 off-critical': (inst) => listSched(inst, { reserve: true, exchange: true, eff: 0.5, effNonCrit: true }),
};

const rows = JSON.parse(readFileSync(new URL('../ilp-gap-results.json', import.meta.url), 'utf8')).rows;
const kernel = new Kernel();
const cases = [];
for (const preset of ['a100', 'tpu-v4']) {
  const d = presetDesign(preset);
  const rec = designRecord(d, unitEnergies(d));
  for (const sg of representativeLayerGraphs()) {
    const row = rows.find((r) => r.preset === preset && r.model === sg.model && r.layer === sg.layer && r.phase === sg.part);
    if (!row) throw new Error(`no ILP result for ${preset} ${sg.model} ${sg.layer} ${sg.part}: run bench/ilp-gap.mjs`);
    const inst = scheduleInstance(sg.graph, rec);
    const k = listSchedule(sg.graph, rec, kernel, 0).makespanCycles;
    const improved = listSchedule(sg.graph, rec, kernel).makespanCycles;
    if (Math.abs(listSched(inst).makespan - k) > 1e-9 * k) throw new Error(`list-variants.mjs no longer matches the kernel on ${preset} ${sg.model} ${sg.part}`);
    cases.push({ name: `${preset} ${sg.model.replace('resnet50', 'r50').replace('bert-large', 'bert')} ${sg.layer.replace('layers.', 'L')} ${sg.part}`, inst, opt: row.bestKnownCycles ?? row.ilpCycles, improved });
  }
}
console.log('gap % to the best schedule known (bench/ilp-gap-results.json bestKnownCycles: the ILP optimum where proven), per layer graph:');
console.log(''.padEnd(48) + cases.map((c, i) => String(i + 1).padStart(6)).join(''));
for (const [name, f] of Object.entries(VARIANTS)) {
  const gaps = cases.map((c) => (f(c.inst).makespan / c.opt - 1) * 100);
  console.log(name.padEnd(48) + gaps.map((g) => g.toFixed(1).padStart(6)).join('') + `   max ${Math.max(...gaps).toFixed(1)}, over 5%: ${gaps.filter((g) => g > 5).length}`);
}
{
  const gaps = cases.map((c) => (c.improved / c.opt - 1) * 100);
  console.log(`kernel: list + ${DEFAULT_SCHEDULE_PASSES} serial passes`.padEnd(48) + gaps.map((g) => g.toFixed(1).padStart(6)).join('') + `   max ${Math.max(...gaps).toFixed(1)}, over 5%: ${gaps.filter((g) => g > 5).length}`);
}
cases.forEach((c, i) => console.log(`  ${i + 1}: ${c.name}`));

console.log('\nwhole training steps, makespan change against the kernel\'s list schedule (%):');
for (const [model, batch, seq] of [['resnet50', 64], ['bert-large', 8, 512], ['gpt2', 8, 1024], ['mobilenetv2', 64]]) {
  const g = flattenOps(loadTrainingGraph({ model, batch, seq }, { optimizer: 'adam' }).ops);
  for (const preset of ['a100', 'tpu-v4', 'v100']) {
    const d = presetDesign(preset);
    const inst = scheduleInstance(g, designRecord(d, unitEnergies(d)));
    const base = listSched(inst).makespan;
    const out = Object.entries(VARIANTS).slice(1).map(([, f]) => ((f(inst).makespan / base - 1) * 100).toFixed(1).padStart(7));
    const kernelOut = ((listSchedule(g, designRecord(d, unitEnergies(d)), kernel).makespanCycles / base - 1) * 100).toFixed(1).padStart(7);
    console.log(`${model.padEnd(12)} ${preset.padEnd(7)}${out.join('')}${kernelOut}`);
  }
}
console.log(`(columns: the variants above after the first, in order; the last: the kernel, list + ${DEFAULT_SCHEDULE_PASSES} serial passes)`);
