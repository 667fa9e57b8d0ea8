// The list scheduler against the exact (HiGHS ILP) minimum makespan on per-layer graphs: ResNet-50 (bottleneck
// blocks layer1.0 and layer3.1), BERT-large (one encoder layer: attention + MLP) and GPT-2 (one block), forward
// and backward, zoo default batch and sequence, on the a100 and tpu-v4 presets. Prints the gap table and writes
// bench/ilp-gap-results.json.
// Usage: npm run build && node bench/ilp-gap.mjs [--time-limit S] [--formulation overlap|flow] [--presets a100,tpu-v4]
//   gap %      = (list − ILP) / ILP: exact when the status is optimal, else against the best schedule found
//                (so a gap > 5% there already shows the list is more than 5% off)
//   gap ≤ %    = (list − lower bound) / lower bound: what is proven whatever the status
import { writeFileSync } from 'node:fs';
import { unitEnergies } from '../dist/arch/cost.js';
import { presetDesign } from '../dist/arch/presets.js';
import { Kernel } from '../dist/engine/kernel.js';
import { designRecord } from '../dist/engine/layout.js';
import { compareWithList } from '../dist/schedule/ilp.js';
import { representativeLayerGraphs } from '../dist/schedule/layer-graphs.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};
const timeLimitS = Number(arg('--time-limit', '60'));
const formulation = arg('--formulation', 'overlap');
const presets = arg('--presets', 'a100,tpu-v4').split(',');

const graphs = representativeLayerGraphs();
const kernel = new Kernel();
const rows = [];
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const header = ['preset', 'model', 'layer', 'phase', 'ops', 'ILP cycles', 'lower bound', 'list cycles', 'gap %', 'gap ≤ %', 'status', 'solve s', 'ok'];
const widths = [7, 11, 9, 5, 4, 11, 11, 11, 7, 7, 10, 7, 3];
const line = (cells) => cells.map((c, i) => (i < 4 || i === 10 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
console.log(`ILP time limit ${timeLimitS} s per graph, formulation ${formulation}, warm start = the list schedule`);
console.log(line(header));
for (const preset of presets) {
  const d = presetDesign(preset);
  const rec = designRecord(d, unitEnergies(d));
  for (const sg of graphs) {
    const r = await compareWithList(sg.graph, rec, { timeLimitS, formulation, kernel });
    const e = r.exact;
    // where the optimum holds fewer cores than the list scheduler gave
    const fewer = e.assignment.filter((a, i) => a.cores < r.list.assignment[i].cores).length;
    rows.push({
      preset, model: sg.model, layer: sg.layer, phase: sg.part, ops: sg.ops.length, poolOps: e.poolOps,
      ilpCycles: e.makespanCycles, lowerBoundCycles: e.lowerBoundCycles, listCycles: r.list.makespanCycles,
      gapPct: r.gapPct, gapUpperBoundPct: r.gapBoundPct, status: e.status, mipGapPct: e.mipGapPct, solveS: e.solveS,
      probes: e.probes, binaries: e.binaries, rows: e.rows, verified: e.verified, opsOnFewerCoresThanList: fewer,
      ilp: e.assignment, list: r.list.assignment,
    });
    console.log(line([preset, sg.model, sg.layer, sg.part, sg.ops.length, f0(e.makespanCycles), f0(e.lowerBoundCycles), f0(r.list.makespanCycles),
      f2(r.gapPct), f2(r.gapBoundPct), e.status, f2(e.solveS), e.verified ? 'yes' : 'NO']));
  }
}
const proven = rows.filter((r) => r.status === 'optimal');
const within = rows.filter((r) => r.gapUpperBoundPct <= 5);
const over = rows.filter((r) => r.gapPct > 5);
console.log(`\nproven optimal: ${proven.length} of ${rows.length}; list proven within 5%: ${within.length}; list more than 5% above a schedule the ILP found: ${over.length}` +
  (over.length ? ` (largest ${Math.max(...over.map((r) => r.gapPct)).toFixed(1)}%: ${over.map((r) => `${r.preset} ${r.model} ${r.layer} ${r.phase}`).join(', ')})` : ''));
console.log(`all ILP schedules re-checked (durations, dependencies, pool capacity at every instant): ${rows.every((r) => r.verified) ? 'yes' : 'NO'}`);
writeFileSync(new URL('./ilp-gap-results.json', import.meta.url), JSON.stringify({
  date: new Date().toISOString(), timeLimitS, formulation, presets,
  rows,
}, null, 1) + '\n');
