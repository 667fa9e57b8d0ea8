// Whole-step evaluation with fused (FlashAttention-style) against unfused attention: BERT-large (batch 8, seq 512)
// and GPT-2 XL (batch 8, seq 1024), Adam, on 200 pseudo-random designs of each built-in space and on 64 variants
// of the A100 and TPU v4 presets (benchmark.js, one thread, the list schedule without improvement passes, as the
// search's climbs rank designs). Writes bench/attention-speed-results.json.
// Usage: npm run build && node bench/attention-speed.mjs
import { writeFileSync } from 'node:fs';
import Benchmark from 'benchmark';
import { unitEnergies } from '../dist/arch/cost.js';
import { PRESETS } from '../dist/arch/presets.js';
import { BUILTIN_SPACES, designFromChoice, randomChoice, rng } from '../dist/arch/space.js';
import { Kernel } from '../dist/engine/kernel.js';
import { flattenOps } from '../dist/engine/flatten.js';
import { DESIGN_STRIDE, writeDesign } from '../dist/engine/layout.js';
import { loadTrainingGraph } from '../dist/workload/load.js';

function designBatch(designs) {
  const out = new Float64Array(designs.length * DESIGN_STRIDE);
  designs.forEach((d, i) => writeDesign(out, i * DESIGN_STRIDE, d, unitEnergies(d)));
  return out;
}
const fromSpace = (name) => {
  const space = BUILTIN_SPACES[name];
  const r = rng(7);
  return Array.from({ length: 200 }, () => designFromChoice(space, randomChoice(space, r)));
};
const presetVariants = Array.from({ length: 64 }, (_, i) => {
  const base = i % 2 ? PRESETS.a100 : PRESETS['tpu-v4'];
  return { ...base, clockGHz: base.clockGHz * (1 + 0.005 * (i >> 1)) };
});
const designSets = { 'small space': fromSpace('small'), 'large space': fromSpace('large'), 'a100 / tpu-v4 presets': presetVariants };
const models = [['bert-large', 8, 512], ['gpt2-xl', 8, 1024]];

const rows = [];
const suite = new Benchmark.Suite();
for (const [setName, designs] of Object.entries(designSets)) {
  const batch = designBatch(designs);
  for (const [model, b, seq] of models) {
    for (const attention of ['fused', 'unfused']) {
      const g = flattenOps(loadTrainingGraph({ model, batch: b, seq, attention }, { optimizer: 'adam' }).ops);
      const k = new Kernel({ designCapacity: designs.length });
      k.loadGraph(g);
      k.setSchedulePasses(0);
      const name = `${model} b${b} s${seq} ${attention}, ${setName}`;
      rows.push({ name, model, attention, designs: setName, ops: g.nOps, n: designs.length });
      suite.add(name, () => {
        k.designSlots(designs.length).set(batch);
        k.evaluateLoadedDesigns(designs.length);
      }, { maxTime: 3, minSamples: 8 });
    }
  }
}
suite.on('cycle', (e) => {
  const row = rows.find((r) => r.name === e.target.name);
  row.stepsPerS = e.target.hz * row.n;
  row.rmePct = e.target.stats.rme;
});
suite.run();

const pad = (s, n) => String(s).padEnd(n);
console.log(`${pad('whole-step evaluation (one thread)', 58)}${pad('ops', 7)}${pad('steps/s', 10)}± rme`);
for (const r of rows) console.log(`${pad(r.name, 58)}${pad(r.ops, 7)}${pad(Math.round(r.stepsPerS), 10)}±${r.rmePct.toFixed(1)}%`);
console.log('\nfused / unfused');
const ratios = [];
for (const set of Object.keys(designSets)) {
  for (const [model] of models) {
    const f = rows.find((r) => r.designs === set && r.model === model && r.attention === 'fused');
    const u = rows.find((r) => r.designs === set && r.model === model && r.attention === 'unfused');
    ratios.push({ designs: set, model, fusedOverUnfused: f.stepsPerS / u.stepsPerS });
    console.log(`  ${pad(model, 12)}${pad(set, 24)}${(f.stepsPerS / u.stepsPerS).toFixed(2)}x`);
  }
}
writeFileSync(new URL('./attention-speed-results.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, rows, ratios }, null, 2) + '\n');
