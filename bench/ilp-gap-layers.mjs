// The scheduler against the HiGHS optimum on every backward layer graph of 4 to 30 ops of ResNet-18, ResNet-50
// and MobileNetV2 (batch 32), on the a100 and tpu-v4 presets: a wider set than bench/ilp-gap.mjs, whose graphs the
// serial passes' rules were chosen on. Only graphs the ILP solves to proven optimality within the limit count.
// Prints, per pass count, how many graphs land within 5% and the worst; writes bench/ilp-gap-layers-results.json.
// Usage: npm run build && node bench/ilp-gap-layers.mjs [--time-limit 20] [--passes 0,12,100,200,400]
import { writeFileSync } from 'node:fs';
import { unitEnergies } from '../dist/arch/cost.js';
import { presetDesign } from '../dist/arch/presets.js';
import { DEFAULT_SCHEDULE_PASSES, Kernel } from '../dist/engine/kernel.js';
import { designRecord } from '../dist/engine/layout.js';
import { exactMakespan, listSchedule } from '../dist/schedule/ilp.js';
import { layerSizes, layerSubgraph } from '../dist/schedule/layer-graphs.js';
import { loadTrainingGraph } from '../dist/workload/load.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};
const timeLimitS = Number(arg('--time-limit', '20'));
const passCounts = arg('--passes', `0,12,100,${DEFAULT_SCHEDULE_PASSES},400`).split(',').map(Number).filter((p, i, a) => a.indexOf(p) === i);
const kernel = new Kernel();
const rows = [];
let unsolved = 0;
for (const model of ['resnet18', 'resnet50', 'mobilenetv2']) {
  const g = loadTrainingGraph({ model, batch: 32 }, { optimizer: 'adam' });
  for (const preset of ['a100', 'tpu-v4']) {
    const d = presetDesign(preset);
    const rec = designRecord(d, unitEnergies(d));
    for (const l of layerSizes(g).filter((x) => x.bwd >= 4 && x.bwd <= 30)) {
      const sg = layerSubgraph(g, l.layer, 'bwd', model);
      // warm-started from the longest-effort schedule, so the ILP's incumbent is never worse than any row's
      const start = listSchedule(sg.graph, rec, kernel, Math.max(...passCounts));
      const e = await exactMakespan(sg.graph, rec, { kernel, timeLimitS, warmStart: start.assignment });
      if (e.status !== 'optimal') { unsolved++; continue; }
      const gaps = Object.fromEntries(passCounts.map((p) => [p, (listSchedule(sg.graph, rec, kernel, p).makespanCycles / e.makespanCycles - 1) * 100]));
      rows.push({ model, preset, layer: l.layer, ops: sg.ops.length, optimumCycles: e.makespanCycles, gapPct: gaps });
    }
  }
}
console.log(`${rows.length} backward layer graphs solved to optimality (${unsolved} not within ${timeLimitS} s), ResNet-18 / ResNet-50 / MobileNetV2 on a100 and tpu-v4`);
console.log('passes  within 5%   worst gap   graphs above 5%');
const summary = passCounts.map((p) => {
  const over = rows.filter((r) => r.gapPct[p] > 5);
  const worst = Math.max(...rows.map((r) => r.gapPct[p]));
  console.log(`${String(p).padStart(6)}  ${String(rows.length - over.length).padStart(4)} / ${rows.length}  ${worst.toFixed(2).padStart(9)}%   ${over.map((r) => `${r.preset} ${r.model} ${r.layer} ${r.gapPct[p].toFixed(1)}%`).join(', ')}`);
  return { passes: p, within5: rows.length - over.length, graphs: rows.length, worstPct: worst };
});
writeFileSync(new URL('./ilp-gap-layers-results.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), timeLimitS, summary, rows }, null, 1) + '\n');
