import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { areaMm2, tdpW } from '../src/arch/cost.js';
import { BUILTIN_SPACES, choiceAt, designAt, designFromChoice, parseSpace, spaceSize, type DesignSpace } from '../src/arch/space.js';
import { DEFAULT_SCHEDULE_PASSES, defaultKernel, kernelInstances } from '../src/engine/kernel.js';
import { evaluateDesign, prepareWorkload } from '../src/evaluate.js';
import { BatchEvaluator } from '../src/evaluation/evaluator.js';
import { geomean, goodness, objectiveValue } from '../src/evaluation/objectives.js';
import { runSearch, workloadSpec } from '../src/search/run.js';
import { InputError } from '../src/errors.js';
import { designKey } from '../src/search/strategy.js';
import { loadTrainingGraph } from '../src/workload/load.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const graph = loadTrainingGraph({ model: 'resnet18', batch: 4 }, { optimizer: 'adam' });

/** A toy space of 4 x 4 x 4 x 2 x 3 = 384 designs. */
const toy: DesignSpace = {
  ...BUILTIN_SPACES.small,
  name: 'toy',
  values: {
    ...BUILTIN_SPACES.small.values,
    tensorCores: [1, 2, 4, 8], tcRows: [16, 32, 64, 128], tcCols: [16, 32, 64, 128], vectorCores: [1], vectorLanes: [64, 256],
    localBufferBytes: [262144], globalBufferBytes: [4194304], offChipGBs: [400, 1600, 3200], dataflow: ['ws'],
  },
};

describe('design spaces', () => {
  it('small is enumerable and at least 100,000 designs; large is bigger', () => {
    expect(spaceSize(BUILTIN_SPACES.small)).toBe(110592);
    expect(spaceSize(BUILTIN_SPACES.large)).toBeGreaterThan(1e9);
  });
  it('indexes designs one to one and applies ties', () => {
    const n = spaceSize(toy);
    const keys = new Set<string>();
    for (let i = 0; i < n; i++) keys.add(designKey(designAt(toy, i)));
    expect(keys.size).toBe(n);
    const d = designAt(BUILTIN_SPACES.small, 12345);
    expect(d.nocGBs).toBe(4 * d.offChipGBs);
    expect(designFromChoice(BUILTIN_SPACES.small, choiceAt(BUILTIN_SPACES.small, 12345))).toEqual(d);
  });
  it('reads space files with ranges and rejects unknown parameters and bad values', () => {
    const s = parseSpace({ values: { tensorCores: { min: 1, max: 16, pow2: true }, clockGHz: [0.5, 1] } }, 's.json');
    expect(s.values.tensorCores).toEqual([1, 2, 4, 8, 16]);
    expect(() => parseSpace({ values: { tensorCore: [1] } }, 's.json')).toThrow(/s\.json: unknown parameter "tensorCore" \(did you mean "tensorCores"\?\)/);
    expect(() => parseSpace({ values: { tcRows: [0] } }, 's.json')).toThrow(/tcRows must be an integer from 1/);
    expect(() => parseSpace({ values: { clockGHz: { min: 1, max: 2 } } }, 's.json')).toThrow(/"pow2": true or a positive "step"/);
  });
  it('a tie whose values break the design rules is an error naming the tie and the value', () => {
    const sp = (tie: object) => () => parseSpace({ values: { tensorCores: [1, 2, 20] }, ties: [tie] }, 's.json');
    expect(sp({ param: 'clockGHz', of: 'tensorCores', factor: 5 })).toThrow('s.json: tie clockGHz = 5 x tensorCores gives an invalid design at tensorCores = 20: clockGHz must be a number from 0.001 to 10 (GHz), got 100');
    expect(sp({ param: 'nocGBs', of: 'offChipGBs', factor: 1e-300 })).toThrow(/tie nocGBs = 1e-300 x offChipGBs gives an invalid design at offChipGBs = \d+: nocGBs must be a number from 0.001/);
    expect(sp({ param: 'localBufferBytes', of: 'tcRows', factor: 0.3 })).toThrow(/localBufferBytes must be an integer/);
    // precision, dataflow and node are not numbers to multiply
    for (const param of ['dataflow', 'techNm', 'precision']) {
      expect(sp({ param, of: 'tensorCores', factor: 2 })).toThrow(/naming two different numeric parameters/);
      expect(sp({ param: 'tcRows', of: param, factor: 2 })).toThrow(/naming two different numeric parameters/);
    }
    expect(() => parseSpace({ values: {}, ties: [{ param: 'nocGBs', of: 'offChipGBs', factor: 2 }, { param: 'globalBufferGBs', of: 'nocGBs', factor: 2 }] }, 's.json')).toThrow(/"nocGBs" is itself tied/);
    expect(() => parseSpace({ values: {}, ties: [{ param: 'nocGBs', of: 'offChipGBs', factor: 2 }, { param: 'nocGBs', of: 'tcRows', factor: 2 }] }, 's.json')).toThrow(/"nocGBs" is tied twice/);
    // a valid tie still applies
    const ok = parseSpace({ values: { offChipGBs: [100, 200] }, ties: [{ param: 'nocGBs', of: 'offChipGBs', factor: 4 }] }, 's.json');
    expect(designAt(ok, 1).nocGBs).toBe(800);
  });
});

describe('objectives', () => {
  const m = { model: 'x', stepTimeS: 0.5, throughput: 8, energyPerSampleJ: 2, fits: true };
  it('compute each objective from throughput, energy, area and TDP', () => {
    expect(objectiveValue('throughput', m, 100, 50)).toBe(8);
    expect(objectiveValue('perf-per-tdp', m, 100, 50)).toBeCloseTo(0.16, 12);
    expect(objectiveValue('perf-per-area', m, 100, 50)).toBeCloseTo(0.08, 12);
    expect(objectiveValue('energy', m, 100, 50)).toBe(2);
    expect(objectiveValue('edp', m, 100, 50)).toBeCloseTo(0.25, 12);
    expect(goodness('energy', 2)).toBe(0.5);
    expect(geomean([2, 8])).toBeCloseTo(4, 12);
  });
});

describe('search', () => {
  const limits = { areaMm2: 150, tdpW: 200 };
  const evaluator = new BatchEvaluator([workloadSpec(graph)], 'throughput', limits);
  const all = evaluator.evaluate(Array.from({ length: spaceSize(toy) }, (_, i) => designAt(toy, i)));
  const optimum = Math.max(...all.filter((r) => r.feasible).map((r) => r.score));

  it('evaluator: infeasible designs carry their reason, feasible ones respect the budget', () => {
    const bad = all.find((r) => !r.feasible)!;
    expect(bad.reason).toMatch(/exceeds the (150 mm2|200 W) budget/);
    for (const r of all.filter((x) => x.feasible)) {
      expect(r.areaMm2).toBeLessThanOrEqual(150);
      expect(r.tdpW).toBeLessThanOrEqual(200);
      expect(Number.isFinite(r.score) && r.score > 0).toBe(true);
    }
  });

  // the optimum as the strategies rank designs: by the list schedule (schedulePasses 0: no final re-scheduling)
  it('exhaustive finds the optimum of the toy space', async () => {
    const r = await runSearch({ graphs: [graph], space: toy, objective: 'throughput', limits, strategy: 'exhaustive', topK: 3, seed: 1, threads: 1, budget: Infinity, schedulePasses: 0 });
    expect(r.designsConsidered).toBe(spaceSize(toy));
    expect(r.best!.score).toBeCloseTo(optimum, 9);
    expect(r.topK).toHaveLength(3);
    expect(new Set(r.topK.map((t) => designKey(t.design))).size).toBe(3);
    expect(r.topK[0].score).toBeGreaterThanOrEqual(r.topK[1].score);
  });

  it('refuses numeric options a library caller got wrong, naming the option (a top-k of 1e10 aborted the kernel)', async () => {
    const base = { graphs: [graph], space: toy, objective: 'throughput' as const, limits, strategy: 'wham', topK: 3, seed: 1, threads: 1, budget: 20, schedulePasses: 0 };
    const cases: [Record<string, number>, RegExp][] = [
      [{ topK: 1e10 }, /^topK must be a positive integer no larger than 10000, got 10000000000$/],
      [{ topK: 0 }, /^topK must be a positive integer/],
      [{ seed: -1 }, /^seed must be a non-negative integer/],
      [{ seed: 1.5 }, /^seed must be a non-negative integer/],
      [{ budget: 0 }, /^budget must be a positive integer or Infinity/],
      [{ budget: Number.NaN }, /^budget must be a positive integer or Infinity/],
      [{ timeBudgetS: -1 }, /^timeBudgetS must be a positive number of seconds/],
    ];
    for (const [bad, message] of cases) {
      await expect(runSearch({ ...base, ...bad })).rejects.toThrow(InputError);
      await expect(runSearch({ ...base, ...bad })).rejects.toThrow(message);
    }
  });

  it('cuts a budget above the space size to it: every strategy ends after as many evaluations as the space has designs', async () => {
    // before, wham on a one-design space with --budget 1000000 evaluated that design 1,000,000 times (40 s)
    for (const strategy of ['wham', 'random', 'genetic', 'spotlight'] as const) {
      const r = await runSearch({ graphs: [graph], space: toy, objective: 'throughput', limits, strategy, topK: 1, seed: 1, threads: 1, budget: 1e6, schedulePasses: 0 });
      expect([strategy, r.evaluations <= spaceSize(toy)]).toEqual([strategy, true]);
      expect(r.best).not.toBeNull();
    }
  });

  it('re-schedules the final top-k with the improvement passes and re-ranks them; the best reports what evaluate prints', async () => {
    // batch 8: the passes shorten some of the top-k's schedules (at batch 4 the list schedules are already tight)
    const graph = loadTrainingGraph({ model: 'resnet18', batch: 8 }, { optimizer: 'adam' });
    const base = { graphs: [graph], space: toy, objective: 'throughput' as const, limits, strategy: 'exhaustive', topK: 5, seed: 1, threads: 1, budget: Infinity };
    const list = await runSearch({ ...base, schedulePasses: 0 });
    const refined = await runSearch(base);
    expect([list.schedulePasses, refined.schedulePasses]).toEqual([0, DEFAULT_SCHEDULE_PASSES]);
    const key = (t: { design: Parameters<typeof designKey>[0] }) => designKey(t.design);
    // the same search ran: the same designs reach the final stage, each re-scheduled, never slower than its list schedule
    expect(new Set(refined.topK.map(key))).toEqual(new Set(list.topK.map(key)));
    const improved = new BatchEvaluator([workloadSpec(graph)], 'throughput', limits, undefined, 'concurrent', DEFAULT_SCHEDULE_PASSES);
    let faster = 0;
    for (const t of refined.topK) {
      const l = list.topK.find((x) => key(x) === key(t))!;
      expect(t.perModel[0].stepTimeS).toBeLessThanOrEqual(l.perModel[0].stepTimeS);
      if (t.perModel[0].stepTimeS < l.perModel[0].stepTimeS * (1 - 1e-9)) faster++;
      expect(t.objective).toBeCloseTo(improved.evaluate([t.design])[0].values[0], 9);
    }
    expect(faster).toBeGreaterThan(0);
    for (let i = 1; i < refined.topK.length; i++) expect(refined.topK[i].score).toBeLessThanOrEqual(refined.topK[i - 1].score);
    const ev = evaluateDesign(refined.best!.design, prepareWorkload(graph));
    expect(ev.schedulePasses).toBe(DEFAULT_SCHEDULE_PASSES);
    expect(refined.best!.metrics[0].stepTimeS).toBeCloseTo(ev.stepTimeS, 12);
    expect(refined.best!.objective).toBeCloseTo(ev.throughput, 9);
  });

  it('wham reaches the toy optimum within its budget, inside the constraints, deterministically', async () => {
    const opts = { graphs: [graph], space: toy, objective: 'throughput' as const, limits, strategy: 'wham', topK: 5, seed: 7, threads: 1, budget: 200 };
    const a = await runSearch(opts);
    const b = await runSearch(opts);
    expect(a.best!.score).toBeGreaterThanOrEqual(0.99 * optimum);
    expect(a.evaluations).toBeLessThanOrEqual(200 + 64);
    for (const t of a.topK) {
      expect(areaMm2(t.design)).toBeLessThanOrEqual(150);
      expect(tdpW(t.design)).toBeLessThanOrEqual(200);
    }
    expect(b.topK.map((t) => designKey(t.design))).toEqual(a.topK.map((t) => designKey(t.design)));
    expect(b.trace.map((t) => [t.evaluations, t.objective])).toEqual(a.trace.map((t) => [t.evaluations, t.objective]));
    // the trace only improves
    for (let i = 1; i < a.trace.length; i++) expect(a.trace[i].objective).toBeGreaterThan(a.trace[i - 1].objective);
  });

  it('gives the same result on a 2-thread pool as in-thread', async () => {
    const opts = { graphs: [graph], space: toy, objective: 'perf-per-tdp' as const, limits, strategy: 'wham', topK: 3, seed: 3, budget: 150 };
    const one = await runSearch({ ...opts, threads: 1 });
    const two = await runSearch({ ...opts, threads: 2 });
    expect(two.topK.map((t) => designKey(t.design))).toEqual(one.topK.map((t) => designKey(t.design)));
    expect(two.evaluations).toBe(one.evaluations);
  });

  it('runs on the thread\'s one kernel host: searches in this thread make no WebAssembly instance of their own', async () => {
    defaultKernel();
    const made = kernelInstances();
    const g2 = loadTrainingGraph({ model: 'bert-base', batch: 2, seq: 64 }, { optimizer: 'adam' });
    const base = { space: toy, objective: 'throughput' as const, limits, topK: 2, seed: 1, threads: 1, budget: 60 };
    for (const strategy of ['wham', 'random', 'genetic']) {
      await runSearch({ ...base, graphs: [graph, g2], strategy });
      await runSearch({ ...base, graphs: [g2], strategy, inferenceOnly: true, execution: 'single-stream' });
    }
    expect(kernelInstances()).toBe(made);
  });

  it('ranks several workloads by the geometric mean of objectives normalised by each best', async () => {
    const g2 = loadTrainingGraph({ model: 'bert-base', batch: 2, seq: 64 }, { optimizer: 'adam' });
    const r = await runSearch({ graphs: [graph, g2], space: toy, objective: 'throughput', limits, strategy: 'exhaustive', topK: 2, seed: 1, threads: 1, budget: Infinity });
    expect(r.models).toHaveLength(2);
    expect(r.best!.objective).toBeGreaterThan(0);
    expect(r.best!.objective).toBeLessThanOrEqual(1 + 1e-12);
    expect(r.best!.metrics).toHaveLength(2);
  });
});

describe('accelmine search (CLI)', () => {
  it('prints the JSON result with best, topK, evaluations, wallTimeS and trace; --out writes every evaluation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmine-search-'));
    try {
      const p = cli(['search', '--model', 'resnet18', '--batch', '4', '--space', 'small', '--area', '200', '--tdp', '250', '--budget', '300', '--threads', '1', '--seed', '5', '--out', dir, '--json']);
      expect(p.status, p.stderr).toBe(0);
      const r = JSON.parse(p.stdout);
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['best', 'topK', 'evaluations', 'wallTimeS', 'trace']));
      expect(r.best.design.tensorCores).toBeGreaterThan(0);
      expect(r.best.metrics[0].stepTimeS).toBeGreaterThan(0);
      expect(r.best.objective).toBeCloseTo(r.best.metrics[0].throughput, 6);
      expect(r.best.areaMm2).toBeLessThanOrEqual(200);
      expect(r.evaluations).toBeGreaterThanOrEqual(300);
      const lines = readFileSync(join(dir, 'evaluations.jsonl'), 'utf8').trim().split('\n');
      expect(lines).toHaveLength(r.designsConsidered);
      expect(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).best.design).toEqual(r.best.design);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('--execution single-stream ranks designs by the one-op-at-a-time step and reports it that way', () => {
    const args = ['search', '--model', 'resnet18', '--batch', '4', '--space', 'small', '--area', '200', '--tdp', '250', '--budget', '300', '--threads', '1', '--json'];
    const ss = cli([...args, '--execution', 'single-stream']);
    expect(ss.status, ss.stderr).toBe(0);
    const r = JSON.parse(ss.stdout);
    const m = r.best.metrics[0];
    expect(m.execution).toBe('single-stream');
    expect(Math.abs(m.stepTimeS - m.serialTimeS) / m.serialTimeS).toBeLessThan(1e-12);
    expect(r.best.objective).toBeCloseTo(m.throughput, 6);
    const cc = JSON.parse(cli(args).stdout);
    expect(cc.best.metrics[0].execution).toBe('concurrent');
    expect(cc.best.metrics[0].stepTimeS).toBeLessThan(cc.best.metrics[0].serialTimeS);
  });

  it('ranks equal objectives by the cheaper design: smaller area, then lower TDP, then less off-chip capacity', async () => {
    const { byRank, ranksBefore } = await import('../src/search/strategy.js');
    type R = import('../src/evaluation/evaluator.js').DesignResult;
    const mk = (name: string, score: number, areaMm2: number, tdpW: number, offChipBytes: number) =>
      ({ name, score, areaMm2, tdpW, design: { offChipBytes } }) as never as R & { name: string };
    const shuffled = [
      mk('bigger-capacity', 10, 90, 40, 32e9), mk('hotter', 10, 90, 45, 16e9), mk('best', 11, 500, 400, 80e9),
      mk('larger', 10, 100, 30, 16e9), mk('cheapest-tie', 10, 90, 40, 16e9),
    ];
    expect([...shuffled].sort(byRank).map((r) => (r as R & { name: string }).name)).toEqual(
      ['best', 'cheapest-tie', 'bigger-capacity', 'hotter', 'larger'],
    );
    expect(ranksBefore(shuffled[0], shuffled[0])).toBe(false);
    // a real search: BERT-large's top 5 on the large space tie on throughput (the step does not see those
    // parameters) and come out cheapest first
    const r = JSON.parse(cli(['search', '--model', 'bert-large', '--batch', '2', '--seq', '128', '--area', '400', '--tdp', '300', '--budget', '1500', '--threads', '1', '--top-k', '5', '--json']).stdout);
    type Row = { objective: number; areaMm2: number; tdpW: number };
    const top: Row[] = r.topK;
    const pairs = top.slice(1).map((c, i) => [top[i], c] as const);
    for (const [a, c] of pairs) expect(a.objective).toBeGreaterThanOrEqual(c.objective);
    const ties = pairs.filter(([a, c]) => a.objective === c.objective);
    expect(ties.length).toBeGreaterThan(0);
    // lexicographic (area, TDP): never larger than the next
    for (const [a, c] of ties) expect(Math.sign(a.areaMm2 - c.areaMm2) || Math.sign(a.tdpW - c.tdpW)).toBeLessThanOrEqual(0);
  });

  it('says when neither --area nor --tdp bounds the search', () => {
    const free = cli(['search', '--model', 'resnet18', '--batch', '2', '--space', 'small', '--budget', '50', '--threads', '1', '--json']);
    expect(free.status, free.stderr).toBe(0);
    expect(free.stderr).toContain('note: no --area or --tdp given: the search was unconstrained');
    const bounded = cli(['search', '--model', 'resnet18', '--batch', '2', '--space', 'small', '--budget', '50', '--threads', '1', '--tdp', '300', '--json']);
    expect(bounded.status, bounded.stderr).toBe(0);
    expect(bounded.stderr).not.toContain('unconstrained');
  });
  it.each([
    [['--objective', 'speed'], /--objective must be one of throughput, perf-per-tdp, perf-per-area, energy, edp/],
    [['--strategy', 'magic'], /--strategy must be one of wham, exhaustive/],
    [['--space', 'smal'], /--space: "smal" is neither a built-in space .*did you mean "small"/],
    [['--area', '-5'], /--area must be a positive number/],
    [['--area', '1', '--budget', '50'], /no feasible design .* smallest design needs/],
  ])('rejects %j with one line', (args, re) => {
    const p = cli(['search', '--model', 'resnet18', '--batch', '2', '--threads', '1', ...args]);
    expect(p.status).not.toBe(0);
    expect(p.stderr.trim().split('\n')).toHaveLength(1);
    expect(p.stderr).toMatch(re);
  });
});

describe('TopK (the one top-k bookkeeping of every search)', () => {
  it('keeps the k best distinct feasible designs, best first, ties to the cheaper design', async () => {
    const { TopK } = await import('../src/search/strategy.js');
    const ev = new BatchEvaluator([workloadSpec(graph)], 'throughput', { areaMm2: 400, tdpW: 300 });
    const designs = Array.from({ length: 40 }, (_, i) => designAt(toy, (i * 37) % spaceSize(toy)));
    const results = ev.evaluate([...designs, ...designs]); // every design twice
    const top = new TopK(5);
    for (const r of results) top.offer(r);
    const want = results.filter((r, i) => r.feasible && i < designs.length).sort((a, b) => b.score - a.score || a.areaMm2 - b.areaMm2 || a.tdpW - b.tdpW);
    expect(top.items).toHaveLength(Math.min(5, want.length));
    expect(new Set(top.items.map((r) => designKey(r.design))).size).toBe(top.items.length);
    expect(top.items.map((r) => r.score)).toEqual(want.slice(0, 5).map((r) => r.score));
    expect(top.items.filter((r) => !r.feasible)).toEqual([]);
  });
});
