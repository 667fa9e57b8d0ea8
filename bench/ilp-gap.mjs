// Exact (HiGHS ILP) against list-scheduled makespans on per-layer graphs (issue 4): ResNet-50, BERT-large and
// GPT-2, forward and backward of one layer, on the a100 and tpu-v4 presets. Writes bench/ilp-gap-results.json.
// Usage: npm run build && node bench/ilp-gap.mjs [--time-limit S]
import { writeFileSync } from 'node:fs';
import { unitEnergies } from '../dist/arch/cost.js';
import { presetDesign } from '../dist/arch/presets.js';
import { designRecord } from '../dist/engine/layout.js';
import { exactMakespan } from '../dist/exact/ilp-schedule.js';
import { layerGraph } from '../dist/exact/layer-graphs.js';
import { loadTrainingGraph } from '../dist/workload/load.js';

const limit = Number(process.argv[process.argv.indexOf('--time-limit') + 1]) || 30;
const cases = [
  ['resnet50', { model: 'resnet50', batch: 8 }, 'layer1.0'],
  ['resnet50', { model: 'resnet50', batch: 8 }, 'layer3.1'],
  ['bert-large', { model: 'bert-large', batch: 2, seq: 128 }, 'layers.0'],
  ['gpt2', { model: 'gpt2', batch: 2, seq: 128 }, 'layers.0'],
];
const rows = [];
console.log('preset  model       layer     part  ops  status            ILP cycles   list cycles  gap %    solve s  verified');
for (const preset of ['a100', 'tpu-v4']) {
  const d = presetDesign(preset);
  const rec = designRecord(d, unitEnergies(d));
  for (const [model, src, layer] of cases) {
    const g = loadTrainingGraph(src, { optimizer: 'adam' });
    for (const part of ['fwd', 'bwd']) {
      const r = await exactMakespan(layerGraph(g, layer, part), rec, { timeLimitS: limit });
      const proven = r.status === 'Optimal';
      rows.push({ preset, model, layer, part, ...r });
      const f = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
      console.log(`${preset.padEnd(7)} ${model.padEnd(11)} ${layer.padEnd(9)} ${part.padEnd(5)} ${String(r.ops).padEnd(4)} ${r.status.padEnd(17)} ${f(r.makespanCycles).padStart(11)}  ${f(r.listMakespanCycles).padStart(11)}  ${proven ? r.gapPct.toFixed(2).padStart(6) : '     -'}  ${r.solveS.toFixed(2).padStart(7)}  ${r.verified}`);
    }
  }
}
const proven = rows.filter((r) => r.status === 'Optimal');
console.log(`\nproven optimal: ${proven.length} of ${rows.length}; list within 5% of the optimum on ${proven.filter((r) => r.gapPct <= 5).length} of them; largest gap ${Math.max(...proven.map((r) => r.gapPct)).toFixed(1)}%`);
writeFileSync(new URL('./ilp-gap-results.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), timeLimitS: limit, rows }, null, 2) + '\n');
