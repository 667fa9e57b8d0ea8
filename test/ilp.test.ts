import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { unitEnergies } from '../src/arch/cost.js';
import { presetDesign } from '../src/arch/presets.js';
import { DEFAULT_SCHEDULE_PASSES, Kernel } from '../src/engine/kernel.js';
import { designRecord } from '../src/engine/layout.js';
import {
  checkSchedule, compareWithList, exactMakespan, listSchedule, makespanOf, scheduleInstance, solveInstance,
  type ListGap, type OpAssignment, type ScheduleInstance,
} from '../src/schedule/ilp.js';
import { layerSubgraph, representativeLayerGraphs, type LayerSubgraph } from '../src/schedule/layer-graphs.js';
import { loadTrainingGraph } from '../src/workload/load.js';

/**
 * Hand-made instance: a tensor pool of K = 4 cores (options 1, 2, 4) and a vector pool of 1 core.
 *   A (tensor): 80 / 40 / 20 cycles on 1 / 2 / 4 cores (linear speed-up), no dependencies
 *   B, C (tensor): 80 / 44 / 40 on 1 / 2 / 4 cores (almost nothing gained beyond 2 cores)
 *   D (vector, 1 core): 30 cycles, after B and C.
 * Optimum 74: B and C on 2 cores each side by side in [0, 44], D in [44, 74], A on 4 cores in [44, 64].
 * Lower bound: D starts after both B and C; with 4 cores, B and C finish together at the earliest at 44 (2 + 2
 * cores side by side; 4 + 4 one after the other ends at 80; 1 core takes 80), so the makespan is ≥ 44 + 30 = 74.
 * Giving B and C all 4 cores each (the earliest finish for each alone) ends at 40 + 40 + 30 = 110.
 */
const HAND: ScheduleInstance = {
  n: 4,
  pool: Int32Array.from([0, 0, 0, 1]),
  cores: [4, 1],
  options: [[1, 2, 4], [1]],
  dur: [[80, 40, 20], [80, 44, 40], [80, 44, 40], [30]],
  deps: [[1, 3], [2, 3]],
};

const rec = (preset: string) => {
  const d = presetDesign(preset);
  return designRecord(d, unitEnergies(d));
};
const PRESETS = ['a100', 'tpu-v4'];
const key = (sg: LayerSubgraph) => `${sg.model} ${sg.layer} ${sg.part}`;

describe('exact schedules (HiGHS): hand-made graphs', () => {
  it('finds the hand-computed optimum of the 4-op graph with both formulations', async () => {
    for (const formulation of ['overlap', 'flow'] as const) {
      const r = await solveInstance(HAND, null, { formulation, timeLimitS: 10 });
      expect(r.status, formulation).toBe('optimal');
      expect(checkSchedule(HAND, r.assignment), formulation).toBeNull(); // re-checked here, not by the solver's flag
      expect(r.makespanCycles).toBeCloseTo(74, 6);
      expect(r.lowerBoundCycles).toBeCloseTo(74, 3);
      const [a, b, c, d] = r.assignment;
      expect([b.cores, c.cores]).toEqual([2, 2]);
      expect([b.startCycles, c.startCycles, d.startCycles]).toEqual([0, 0, 44]);
      expect(a.finishCycles).toBeLessThanOrEqual(74 + 1e-9);
    }
    // the all-cores schedule of B and C is feasible and longer: as a warm start it must be improved on
    const greedy: OpAssignment[] = [
      { startCycles: 80, finishCycles: 100, cores: 4, pool: 'tensor' },
      { startCycles: 0, finishCycles: 40, cores: 4, pool: 'tensor' },
      { startCycles: 40, finishCycles: 80, cores: 4, pool: 'tensor' },
      { startCycles: 80, finishCycles: 110, cores: 1, pool: 'vector' },
    ];
    expect(checkSchedule(HAND, greedy)).toBeNull();
    const w = await solveInstance(HAND, greedy, { timeLimitS: 10 });
    expect(w.status).toBe('optimal');
    expect(w.makespanCycles).toBeCloseTo(74, 6);
  });

  it('a deadline below the optimum is infeasible, one at the optimum is not', async () => {
    expect((await solveInstance(HAND, null, { deadlineCycles: 73, timeLimitS: 10 })).status).toBe('infeasible');
    const r = await solveInstance(HAND, null, { deadlineCycles: 74, timeLimitS: 10 });
    expect(r.status).toBe('optimal');
    expect(r.makespanCycles).toBeCloseTo(74, 6);
  });

  it('checkSchedule catches a wrong duration, a broken dependency and an over-subscribed pool', () => {
    const ok: OpAssignment[] = [
      { startCycles: 44, finishCycles: 64, cores: 4, pool: 'tensor' },
      { startCycles: 0, finishCycles: 44, cores: 2, pool: 'tensor' },
      { startCycles: 0, finishCycles: 44, cores: 2, pool: 'tensor' },
      { startCycles: 44, finishCycles: 74, cores: 1, pool: 'vector' },
    ];
    expect(checkSchedule(HAND, ok)).toBeNull();
    expect(makespanOf(ok)).toBe(74);
    expect(checkSchedule(HAND, ok.map((x, i) => (i === 0 ? { ...x, finishCycles: 60 } : x)))).toMatch(/lasts/);
    expect(checkSchedule(HAND, ok.map((x, i) => (i === 3 ? { ...x, startCycles: 40, finishCycles: 70 } : x)))).toMatch(/dependency/);
    expect(checkSchedule(HAND, ok.map((x, i) => (i === 0 ? { ...x, startCycles: 20, finishCycles: 40 } : x)))).toMatch(/tensor pool holds 8 of 4/);
    expect(checkSchedule(HAND, ok.map((x, i) => (i === 0 ? { ...x, cores: 3 } : x)))).toMatch(/not an option/);
  });

  it('on one core per pool, a forward chain takes exactly the sum of its latencies', async () => {
    const d = { ...presetDesign('a100'), tensorCores: 1, vectorCores: 1 };
    const r1 = designRecord(d, unitEnergies(d));
    const g = loadTrainingGraph({ graph: new URL('../examples/mlp.json', import.meta.url).pathname, batch: 4 }, { optimizer: 'sgd' });
    const sg = layerSubgraph(g, 'fc1', 'fwd');
    const inst = scheduleInstance(sg.graph, r1);
    const sum = inst.dur.reduce((s, x) => s + x[0], 0);
    const r = await exactMakespan(sg.ops, d, { timeLimitS: 10, warmStart: false });
    expect(r.status).toBe('optimal');
    expect(checkSchedule(inst, r.assignment)).toBeNull();
    expect(r.makespanCycles).toBeCloseTo(sum, 3);
  });
});

describe('exact schedules (HiGHS) against the list scheduler on ResNet-50, BERT-large and GPT-2 layers', () => {
  const graphs = representativeLayerGraphs();
  const kernel = new Kernel();
  /** preset → case → comparison (cold solves for graphs ≤ 30 ops, warm-started with a short budget above) */
  const results = new Map<string, Map<string, ListGap>>();
  const SMALL = 30;

  beforeAll(async () => {
    for (const preset of PRESETS) {
      const m = new Map<string, ListGap>();
      for (const sg of graphs) {
        const small = sg.ops.length <= SMALL;
        m.set(key(sg), await compareWithList(sg.graph, rec(preset), { kernel, warmStart: !small, timeLimitS: small ? 10 : 2 }));
      }
      results.set(preset, m);
    }
  }, 120_000);

  it('the sampled layers are a few dozen ops at most', () => {
    expect(graphs.map((g) => `${key(g)} ${g.ops.length}`)).toEqual([
      'resnet50 layer1.0 fwd 12', 'resnet50 layer1.0 bwd 14', 'resnet50 layer3.1 fwd 10', 'resnet50 layer3.1 bwd 11',
      'bert-large layers.0 fwd 21', 'bert-large layers.0 bwd 37', 'gpt2 layers.0 fwd 22', 'gpt2 layers.0 bwd 37',
    ]);
  });

  it('the ILP costs ops exactly as the list scheduler does (its schedule checks against the ILP durations)', () => {
    for (const preset of PRESETS) {
      for (const sg of graphs) {
        const list = listSchedule(sg.graph, rec(preset), kernel);
        expect(checkSchedule(scheduleInstance(sg.graph, rec(preset)), list.assignment), `${preset} ${key(sg)}`).toBeNull();
      }
    }
  });

  it('cold solves (no list schedule given) prove optimality on every layer up to 30 ops; the list is never shorter', () => {
    for (const preset of PRESETS) {
      for (const sg of graphs.filter((g) => g.ops.length <= SMALL)) {
        const r = results.get(preset)!.get(key(sg))!;
        const what = `${preset} ${key(sg)}`;
        expect(r.exact.warmStarted, what).toBe(false);
        expect(r.exact.status, what).toBe('optimal');
        expect(checkSchedule(scheduleInstance(sg.graph, rec(preset)), r.exact.assignment), what).toBeNull();
        expect(r.list.makespanCycles, what).toBeGreaterThanOrEqual(r.exact.makespanCycles * (1 - 1e-6));
      }
    }
  });

  it('on the 37-op backward graphs, the best schedule is valid and the list never beats the proven lower bound', () => {
    for (const preset of PRESETS) {
      for (const sg of graphs.filter((g) => g.ops.length > SMALL)) {
        const r = results.get(preset)!.get(key(sg))!;
        const what = `${preset} ${key(sg)}`;
        expect(checkSchedule(scheduleInstance(sg.graph, rec(preset)), r.exact.assignment), what).toBeNull();
        expect(makespanOf(r.exact.assignment), what).toBeCloseTo(r.exact.makespanCycles, 3);
        expect(r.exact.makespanCycles, what).toBeLessThanOrEqual(r.list.makespanCycles * (1 + 1e-9));
        expect(r.list.makespanCycles, what).toBeGreaterThanOrEqual(r.exact.lowerBoundCycles * (1 - 1e-6));
      }
    }
  });

  it('the two formulations agree on the optimum (ResNet-50 layer1.0 backward, both presets)', async () => {
    const sg = graphs.find((g) => key(g) === 'resnet50 layer1.0 bwd')!;
    for (const preset of PRESETS) {
      const flow = await exactMakespan(sg.graph, rec(preset), { formulation: 'flow', warmStart: false, timeLimitS: 10, kernel });
      expect(flow.status).toBe('optimal');
      expect(flow.makespanCycles).toBeCloseTo(results.get(preset)!.get(key(sg))!.exact.makespanCycles, -1);
    }
  });

  // The criterion: the scheduler within 5% of the ILP optimum on every layer graph. The list schedule alone
  // is not (7-15% above it on backward layers: it starts off-critical weight gradients on idle cores as soon as they
  // are ready, delaying the data-gradient chain the optimum runs first); the serial improvement passes
  // (assembly/serial.ts, DEFAULT_SCHEDULE_PASSES of them, as compareWithList runs by default) are.
  it('list + improvement passes within 5% of the proven optimum on every layer up to 30 ops, forward and backward', () => {
    let backward = 0;
    for (const preset of PRESETS) {
      for (const sg of graphs.filter((g) => g.ops.length <= SMALL)) {
        const r = results.get(preset)!.get(key(sg))!;
        const what = `${preset} ${key(sg)}`;
        expect(r.list.schedulePasses, what).toBe(DEFAULT_SCHEDULE_PASSES);
        expect(r.exact.status, what).toBe('optimal');
        expect(r.list.makespanCycles, what).toBeLessThanOrEqual(1.05 * r.exact.lowerBoundCycles);
        if (sg.part === 'bwd') backward++;
      }
    }
    expect(backward).toBe(4);
  });

  // The 37-op backward graphs take HiGHS 7-60 s and more (bench/ilp-gap.mjs, 60 s per graph: GPT-2 proven optimal,
  // BERT-large not): the best schedule known for each (the shortest any run of that script found) is kept in
  // bench/ilp-gap-results.json. It is re-checked here against today's cost model (durations, dependencies, pool
  // capacity), so a stale file fails rather than passing quietly.
  it('list + improvement passes within 5% of the best known (60 s ILP) schedules on the 37-op backward graphs', () => {
    const saved = JSON.parse(readFileSync(new URL('../bench/ilp-gap-results.json', import.meta.url), 'utf8')) as {
      rows: { preset: string; model: string; layer: string; phase: string; status: string; ilp: OpAssignment[]; bestKnown: { assignment: OpAssignment[] } }[];
    };
    let checked = 0;
    for (const preset of PRESETS) {
      for (const sg of graphs.filter((g) => g.ops.length > SMALL)) {
        const what = `${preset} ${key(sg)}`;
        const row = saved.rows.find((x) => x.preset === preset && x.model === sg.model && x.layer === sg.layer && x.phase === sg.part)!;
        expect(row, what).toBeDefined();
        const best = row.bestKnown.assignment;
        expect(checkSchedule(scheduleInstance(sg.graph, rec(preset)), best), what).toBeNull();
        expect(makespanOf(best), what).toBeLessThanOrEqual(makespanOf(row.ilp));
        if (sg.model === 'gpt2') expect(row.status, what).toBe('optimal');
        const ours = results.get(preset)!.get(key(sg))!.list.makespanCycles;
        expect(ours, what).toBeLessThanOrEqual(1.05 * makespanOf(best));
        checked++;
      }
    }
    expect(checked).toBe(4);
  });

  it('the list schedule alone (0 passes, what the search climbs rank by) stays within 15% of the proven optimum', () => {
    for (const preset of PRESETS) {
      for (const sg of graphs.filter((g) => g.ops.length <= SMALL)) {
        const r = results.get(preset)!.get(key(sg))!;
        const alone = listSchedule(sg.graph, rec(preset), kernel, 0);
        const what = `${preset} ${key(sg)}`;
        expect(alone.schedulePasses).toBe(0);
        expect(alone.makespanCycles, what).toBeGreaterThanOrEqual(r.list.makespanCycles);
        expect(alone.makespanCycles, what).toBeLessThanOrEqual(1.15 * r.exact.lowerBoundCycles);
      }
    }
  });
});

describe('accelmine exact (CLI)', () => {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'exact', ...args], { encoding: 'utf8' });

  it('prints the optimum of a layer graph, the list schedule beside it, and every op of both', () => {
    const r = run('--model', 'resnet50', '--layer', 'layer3.1', '--part', 'bwd', '--preset', 'tpu-v4', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.status).toBe('optimal');
    expect(j.checkError).toBeNull();
    expect(j.ops).toHaveLength(11);
    expect(j.listMakespanCycles).toBeGreaterThanOrEqual(j.makespanCycles * (1 - 1e-9));
    expect(j.gapPct).toBeCloseTo(((j.listMakespanCycles - j.makespanCycles) / j.makespanCycles) * 100, 9);
    expect(Math.max(...j.ops.map((o: { ilp: { finishCycles: number } }) => o.ilp.finishCycles))).toBeCloseTo(j.makespanCycles, 3);
    expect(j.schedulePasses).toBe(DEFAULT_SCHEDULE_PASSES);
    // the list schedule alone, as --schedule-passes 0 asks: longer on this backward layer (7.3% above the optimum on tpu-v4)
    const a = run('--model', 'resnet50', '--layer', 'layer3.1', '--part', 'bwd', '--preset', 'tpu-v4', '--schedule-passes', '0', '--json');
    expect(a.status, a.stderr).toBe(0);
    const k = JSON.parse(a.stdout);
    expect(k.schedulePasses).toBe(0);
    expect(k.listMakespanCycles).toBeGreaterThan(j.listMakespanCycles * 1.05);
    expect(k.makespanCycles).toBeCloseTo(j.makespanCycles, 0);
  });

  it('a graph whose warm-started solve fails in HiGHS\'s presolve is still solved (MobileNetV2 features.11 bwd, batch 32, a100)', () => {
    // HiGHS's run returned an error with the list schedule as its start: the command printed
    // "accelmine: internal error: run failed with HiGHS status -1" and exited 1
    const r = run('--model', 'mobilenetv2', '--batch', '32', '--layer', 'features.11', '--part', 'bwd', '--preset', 'a100', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ status: 'optimal', verified: true });
    expect(j.listMakespanCycles).toBeGreaterThanOrEqual(j.makespanCycles * (1 - 1e-9));
  });

  it('an unknown layer or part is one line naming what is allowed, exit code 2', () => {
    const a = run('--model', 'resnet50', '--layer', 'nope', '--preset', 'a100');
    expect(a.status).toBe(2);
    expect(a.stderr.trim()).toMatch(/^accelmine: layer 'nope' has no fwd ops \(layers: stem, layer1\.0/);
    const b = run('--model', 'resnet50', '--layer', 'layer1.0', '--part', 'sideways', '--preset', 'a100');
    expect(b.status).toBe(2);
    expect(b.stderr.trim()).toBe('accelmine: --part must be one of fwd, bwd, got "sideways"');
    const c = run('--model', 'resnet50', '--layer', 'layer1.0', '--preset', 'a100', '--schedule-passes', '-3');
    expect(c.status).toBe(2);
    expect(c.stderr.trim()).toBe('accelmine: --schedule-passes must be an integer from 0 to 100000, got "-3"');
  });
});
