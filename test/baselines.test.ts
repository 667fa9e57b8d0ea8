import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { areaMm2, tdpW } from '../src/arch/cost.js';
import { BUILTIN_SPACES, designAt, spaceSize, type DesignSpace } from '../src/arch/space.js';
import { DEFAULT_SCHEDULE_PASSES } from '../src/engine/kernel.js';
import { BatchEvaluator } from '../src/evaluation/evaluator.js';
import { expectedImprovement, spotlightFeatures } from '../src/search/spotlight.js';
import { forwardOnly, runSearch, workloadSpec } from '../src/search/run.js';
import { designKey } from '../src/search/strategy.js';
import { loadTrainingGraph } from '../src/workload/load.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const graph = loadTrainingGraph({ model: 'resnet18', batch: 4 }, { optimizer: 'adam' });
const toy: DesignSpace = {
  ...BUILTIN_SPACES.small,
  name: 'toy',
  values: {
    ...BUILTIN_SPACES.small.values,
    tensorCores: [1, 2, 4, 8], tcRows: [16, 32, 64, 128], tcCols: [16, 32, 64, 128], vectorCores: [1], vectorLanes: [64, 256],
    localBufferBytes: [262144], globalBufferBytes: [4194304], offChipGBs: [400, 1600, 3200], dataflow: ['ws'],
  },
};
const limits = { areaMm2: 150, tdpW: 200 };
const all = new BatchEvaluator([workloadSpec(graph)], 'throughput', limits).evaluate(Array.from({ length: spaceSize(toy) }, (_, i) => designAt(toy, i)));
const optimum = Math.max(...all.filter((r) => r.feasible).map((r) => r.score));
const randomMedian = (() => {
  const s = all.filter((r) => r.feasible).map((r) => r.score).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
})();

describe.each(['random', 'genetic', 'spotlight'])('%s', (strategy) => {
  // ranked by the list schedule, as the optimum below (no final re-scheduling)
  const opts = { graphs: [graph], space: toy, objective: 'throughput' as const, limits, strategy, topK: 5, seed: 11, threads: 1, budget: 120, schedulePasses: 0 };
  it('is deterministic under a seed, respects the budget and the constraints, and beats the median design', async () => {
    const a = await runSearch(opts);
    const b = await runSearch(opts);
    expect(b.topK.map((t) => designKey(t.design))).toEqual(a.topK.map((t) => designKey(t.design)));
    expect(a.evaluations).toBeGreaterThanOrEqual(100);
    expect(a.evaluations).toBeLessThanOrEqual(120 + 32);
    for (const t of a.topK) {
      expect(areaMm2(t.design)).toBeLessThanOrEqual(150);
      expect(tdpW(t.design)).toBeLessThanOrEqual(200);
    }
    expect(a.best!.score).toBeGreaterThan(randomMedian);
    expect(a.best!.score).toBeLessThanOrEqual(optimum * (1 + 1e-12));
  });
  it('changes with the seed', async () => {
    const a = await runSearch({ ...opts, budget: 40 });
    const b = await runSearch({ ...opts, budget: 40, seed: 12 });
    expect(a.trace.map((t) => t.evaluations)).not.toEqual(b.trace.map((t) => t.evaluations));
  });
});

describe('strategies on the toy space', () => {
  it('genetic and spotlight get within 2% of the optimum in a third of the space', async () => {
    for (const strategy of ['genetic', 'spotlight']) {
      const r = await runSearch({ graphs: [graph], space: toy, objective: 'throughput', limits, strategy, topK: 1, seed: 5, threads: 1, budget: 128 });
      expect(r.best!.score, strategy).toBeGreaterThanOrEqual(0.98 * optimum);
    }
  });
});

describe('spotlight internals', () => {
  it('uses domain-aware features: log2 parameters, MACs, bytes per MAC, bandwidth per MAC, aspect, one-hots', () => {
    const d = designAt(toy, 100);
    const f = spotlightFeatures(d);
    expect(f).toHaveLength(12 + 4 + 4 + 5);
    expect(f.slice(16, 20)).toEqual((['ws', 'os', 'is', 'rs'] as const).map((x) => (d.dataflow === x ? 1 : 0)));
    expect(f[0]).toBeCloseTo(Math.log2(d.tensorCores), 12);
    expect(f[12]).toBeCloseTo(Math.log2(d.tensorCores * d.tcRows * d.tcCols), 12);
    expect(f[15]).toBeCloseTo(Math.log2(d.tcRows / d.tcCols), 12);
  });
  it('expected improvement is zero-free, grows with the mean and with uncertainty', () => {
    expect(expectedImprovement(1, 0, 0.5, 0)).toBeCloseTo(0.5, 12);
    expect(expectedImprovement(0, 1, 0, 0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 6);
    expect(expectedImprovement(0.2, 1, 0)).toBeGreaterThan(expectedImprovement(0.1, 1, 0));
    expect(expectedImprovement(0, 2, 0)).toBeGreaterThan(expectedImprovement(0, 1, 0));
  });
  it('inference-only keeps the forward ops and reports training metrics of what it found', async () => {
    const fwd = forwardOnly(graph);
    expect(fwd.ops.filter((op) => op.phase !== 'fwd').map((op) => op.name)).toEqual([]);
    expect(fwd.ops.length).toBeLessThan(graph.ops.length);
    const r = await runSearch({ graphs: [graph], space: toy, objective: 'throughput', limits, strategy: 'random', topK: 2, seed: 1, threads: 1, budget: 30, inferenceOnly: true });
    // the reported throughput is the training step's (re-scheduled with the default improvement passes): equal to
    // evaluating the design on the training graph
    const train = new BatchEvaluator([workloadSpec(graph)], 'throughput', limits, undefined, 'concurrent', DEFAULT_SCHEDULE_PASSES).evaluate([r.best!.design])[0];
    expect(r.best!.objective).toBeCloseTo(train.values[0], 9);
    expect(r.best!.metrics[0].stepTimeS).toBeCloseTo(train.models[0].stepTimeS, 12);
  });
});

describe('accelmine compare', () => {
  it('reports per strategy the best, evaluations and seconds to 95/99% of the exhaustive optimum and writes an SVG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmine-compare-'));
    try {
      const p = spawnSync(process.execPath, [CLI, 'compare', '--model', 'resnet18', '--batch', '2', '--strategies', 'wham,random', '--repeats', '2', '--budget', '150',
        '--space', 'small', '--area', '200', '--tdp', '250', '--threads', '1', '--out', dir, '--json'], { encoding: 'utf8' });
      expect(p.status, p.stderr).toBe(0);
      const [m] = JSON.parse(p.stdout);
      expect(m.model).toBe('resnet18');
      expect(m.bestKnownSource).toBe('exhaustive');
      expect(m.strategies.map((s: { strategy: string }) => s.strategy)).toEqual(['wham', 'random']);
      for (const s of m.strategies) {
        expect(s.runs).toBe(2);
        expect(s.bestMedian).toBeLessThanOrEqual(m.bestKnown * (1 + 1e-9));
        if (s.evaluationsTo99 >= 0) expect(s.evaluationsTo99).toBeGreaterThanOrEqual(s.evaluationsTo95);
      }
      expect(existsSync(m.svg)).toBe(true);
      const svg = readFileSync(m.svg, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('wham');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('when nothing is feasible every field is still a number: 0 for the bests, -1 for never reached', () => {
    const p = spawnSync(process.execPath, [CLI, 'compare', '--model', 'resnet18', '--batch', '2', '--strategies', 'wham,random', '--repeats', '1', '--budget', '20',
      '--space', 'small', '--area', '1', '--tdp', '1', '--threads', '1', '--json'], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).not.toContain('null');
    const [m] = JSON.parse(p.stdout);
    expect(m.bestKnown).toBe(0);
    for (const s of m.strategies) {
      expect([s.feasibleRuns, s.bestMedian, s.bestMin, s.bestMax]).toEqual([0, 0, 0, 0]);
      expect([s.evaluationsTo95, s.evaluationsTo99, s.secondsTo95, s.secondsTo99]).toEqual([-1, -1, -1, -1]);
    }
  });
  it('rejects an unknown strategy with one line naming it', () => {
    const p = spawnSync(process.execPath, [CLI, 'compare', '--model', 'resnet18', '--strategies', 'wham,spotlite'], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr.trim()).toBe('accelmine: --strategies: unknown strategy "spotlite" (did you mean "spotlight"?); strategies: wham, random, genetic, spotlight');
  });
  it('refuses a strategy or a model given twice (each ran twice, printed as two rows or two models of one name)', () => {
    const compare = (...args: string[]) => spawnSync(process.execPath, [CLI, 'compare', '--budget', '5', '--repeats', '1', '--threads', '1', '--space', 'small', ...args], { encoding: 'utf8' });
    const s = compare('--model', 'resnet18', '--strategies', 'wham, wham');
    expect([s.status, s.stderr]).toEqual([2, 'accelmine: --strategies: "wham" is given twice\n']);
    const m = compare('--model', 'resnet18,resnet18', '--strategies', 'wham');
    expect([m.status, m.stderr]).toEqual([2, 'accelmine: --model: "resnet18" is given twice\n']);
  });
  it('refuses exhaustive as a compared strategy, as its help says (it is the ground truth compare runs itself)', () => {
    const p = spawnSync(process.execPath, [CLI, 'compare', '--model', 'resnet18', '--strategies', 'wham,exhaustive', '--budget', '5', '--repeats', '1', '--threads', '1'], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr).toBe('accelmine: --strategies: exhaustive is the ground truth compare runs itself (on spaces of at most 200,000 designs), not a strategy to compare; strategies: wham, random, genetic, spotlight\n');
  });
});
