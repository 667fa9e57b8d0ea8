import { describe, expect, it } from 'vitest';
import { unitEnergies } from '../src/arch/cost.js';
import type { Design } from '../src/arch/design.js';
import { presetDesign } from '../src/arch/presets.js';
import { designRecord } from '../src/engine/layout.js';
import { refOptionLatencies } from '../src/engine/reference.js';
import { checkSchedule, exactMakespan } from '../src/exact/ilp-schedule.js';
import { layerGraph } from '../src/exact/layer-graphs.js';
import { loadTrainingGraph } from '../src/workload/load.js';

const rec = (d: Design) => designRecord(d, unitEnergies(d));

describe('exact schedules (HiGHS)', () => {
  it('on one core per pool, a forward chain takes exactly the sum of its latencies', async () => {
    const d = { ...presetDesign('a100'), tensorCores: 1, vectorCores: 1 };
    const g = layerGraph(loadTrainingGraph({ graph: new URL('../examples/mlp.json', import.meta.url).pathname, batch: 4 }, { optimizer: 'sgd' }), 'fc1', 'fwd');
    const L = refOptionLatencies(rec(d), 0, g);
    const sum = Array.from(L.latFull).reduce((s, x) => s + x, 0);
    const r = await exactMakespan(g, rec(d), { timeLimitS: 10 });
    expect(r.status).toBe('Optimal');
    expect(r.verified).toBe(true);
    expect(r.makespanCycles).toBeCloseTo(sum, -1);
    expect(r.listMakespanCycles).toBeCloseTo(sum, 6);
  });

  it('the list schedule is never shorter than the proven optimum, and the optimum is a valid schedule', async () => {
    const g = loadTrainingGraph({ model: 'resnet50', batch: 8 }, { optimizer: 'adam' });
    for (const preset of ['a100', 'tpu-v4']) {
      for (const part of ['fwd', 'bwd'] as const) {
        const r = await exactMakespan(layerGraph(g, 'layer1.0', part), rec(presetDesign(preset)), { timeLimitS: 20 });
        expect(r.status, `${preset} ${part}`).toBe('Optimal');
        expect(r.verified).toBe(true);
        expect(r.listMakespanCycles).toBeGreaterThanOrEqual(r.makespanCycles * (1 - 1e-6));
      }
    }
  });

  it('the list scheduler is within 5% of the optimum on the forward layers of BERT-large and GPT-2', async () => {
    for (const [model, seq] of [['bert-large', 128], ['gpt2', 128]] as const) {
      const g = loadTrainingGraph({ model, batch: 2, seq }, { optimizer: 'adam' });
      for (const preset of ['a100', 'tpu-v4']) {
        const r = await exactMakespan(layerGraph(g, 'layers.0', 'fwd'), rec(presetDesign(preset)), { timeLimitS: 20 });
        expect(r.status, `${model} ${preset}`).toBe('Optimal');
        expect(r.gapPct, `${model} ${preset}`).toBeLessThanOrEqual(5);
        expect(r.gapPct).toBeGreaterThanOrEqual(-1e-4);
      }
    }
  });

  it('checkSchedule catches an over-subscribed pool and a broken dependency', () => {
    expect(checkSchedule([0, 0], [2, 2], [2, 2], [0, 0], [4, 1], [])).toBe(true);
    expect(checkSchedule([0, 0], [2, 2], [3, 2], [0, 0], [4, 1], [])).toBe(false);
    expect(checkSchedule([0, 1], [2, 2], [1, 1], [0, 0], [4, 1], [[0, 1]])).toBe(false);
  });
});
