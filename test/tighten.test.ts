/**
 * The critical-path tightening loop inside the kernel (assembly/tighten.ts, src/search/wham-kernel.ts):
 * its cost model port against src/arch/cost.ts, its evaluations against evaluateSteps, its end at a local
 * optimum, its top-k, and the search's determinism across thread counts.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { areaMm2, tdpW, unitEnergies } from '../src/arch/cost.js';
import { BUILTIN_SPACES, designFromChoice, randomChoice, rng, SPACE_PARAMS, spaceAxes, type DesignSpace } from '../src/arch/space.js';
import {
  CHOICE_PARAMS, H_EVALUATIONS, H_FINAL_CHOICE, H_FINAL_SCORE, H_LOCAL_OPTIMUM, H_NLOG, H_NTOP, H_NTRACE, REC_CHOICE, REC_EVAL,
  REC_EVALUATED, REC_FEASIBLE, REC_HEAD, REC_SCORE, RW_ENERGY_J, RW_STRIDE, RW_TIME_S, RW_VALID,
} from '../src/engine/climb-layout.js';
import { Kernel } from '../src/engine/kernel.js';
import { DESIGN_STRIDE, S_ENERGY_J, S_TIME_S, S_VALID, writeDesign } from '../src/engine/layout.js';
import { BatchEvaluator, type WorkloadSpec } from '../src/evaluation/evaluator.js';
import { OBJECTIVES, type Constraints, type Objective } from '../src/evaluation/objectives.js';
import { runSearch, workloadSpec } from '../src/search/run.js';
import { randomStart, wham } from '../src/search/wham.js';
import { designKey, TopK } from '../src/search/strategy.js';
import { ClimbDriver, type ClimbOutcome } from '../src/evaluation/climb-driver.js';
import { recordResult } from '../src/search/wham-kernel.js';
import { loadTrainingGraph } from '../src/workload/load.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const resnet = workloadSpec(loadTrainingGraph({ model: 'resnet18', batch: 4 }, { optimizer: 'adam' }));
const bert = workloadSpec(loadTrainingGraph({ model: 'bert-base', batch: 2, seq: 64 }, { optimizer: 'adam' }));
const small = BUILTIN_SPACES.small;
const large = BUILTIN_SPACES.large;
const limits: Constraints = { areaMm2: 250, tdpW: 250 };

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);

function startIn(space: DesignSpace, seed: number): Int32Array {
  const rand = rng(seed);
  for (;;) {
    const c = randomChoice(space, rand);
    const d = designFromChoice(space, c);
    if (areaMm2(d) <= limits.areaMm2 && tdpW(d) <= limits.tdpW) return c;
  }
}

function startInLimits(space: DesignSpace, seed: number, l: Constraints): Int32Array {
  const rand = rng(seed);
  for (;;) {
    const c = randomChoice(space, rand);
    const d = designFromChoice(space, c);
    if (areaMm2(d) <= l.areaMm2 && tdpW(d) <= l.tdpW) return c;
  }
}

function records(o: ClimbOutcome, which: 'top' | 'trace' | 'log'): Float64Array[] {
  const a = o[which];
  const out: Float64Array[] = [];
  for (let i = 0; i < a.length; i += o.recordStride) out.push(a.subarray(i, i + o.recordStride));
  return out;
}

const choiceOf = (r: Float64Array) => Int32Array.from(r.subarray(REC_CHOICE, REC_CHOICE + CHOICE_PARAMS));

describe('kernel cost model port (area, TDP, unit energies)', () => {
  it('agrees with src/arch/cost.ts to 1e-9 on random designs of the large space', () => {
    const driver = new ClimbDriver({ workloads: [], objective: 'throughput', limits, space: large });
    const rand = rng(42);
    let worst = 0;
    for (let i = 0; i < 2000; i++) {
      const c = randomChoice(large, rand);
      const ref = designFromChoice(large, c);
      const k = driver.cost(c);
      worst = Math.max(worst, rel(k.areaMm2, areaMm2(ref)), rel(k.tdpW, tdpW(ref)));
      const rec = new Float64Array(DESIGN_STRIDE);
      writeDesign(rec, 0, ref, unitEnergies(ref));
      for (let j = 0; j < DESIGN_STRIDE; j++) worst = Math.max(worst, rel(k.record[j], rec[j]));
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('agrees for every precision, dataflow and technology node, with ties', () => {
    const space: DesignSpace = {
      ...large, name: 'nodes',
      values: { ...large.values, precision: ['fp32', 'bf16', 'fp16', 'fp8', 'int8'], dataflow: ['ws', 'os', 'is', 'rs'], techNm: [65, 45, 16, 7, 5], clockGHz: [0.5, 1.3] },
      ties: [{ param: 'nocGBs', of: 'offChipGBs', factor: 4 }],
    };
    const driver = new ClimbDriver({ workloads: [], objective: 'throughput', limits, space });
    const rand = rng(7);
    for (let i = 0; i < 500; i++) {
      const c = randomChoice(space, rand);
      const d = designFromChoice(space, c);
      const k = driver.cost(c);
      expect(rel(k.areaMm2, areaMm2(d))).toBeLessThan(1e-9);
      expect(rel(k.tdpW, tdpW(d))).toBeLessThan(1e-9);
      const rec = new Float64Array(DESIGN_STRIDE);
      writeDesign(rec, 0, d, unitEnergies(d));
      for (let j = 0; j < DESIGN_STRIDE; j++) expect(rel(k.record[j], rec[j])).toBeLessThan(1e-9);
      expect(k.record[10]).toBe(d.nocGBs); // the tie applied (D_NOC_GBS)
    }
  });
});

describe('one climb in the kernel', () => {
  const objective: Objective = 'throughput';
  const two: WorkloadSpec[] = [resnet, bert];
  const driver = new ClimbDriver({ workloads: two, objective, limits, space: small });
  const start = startIn(small, 3);
  const full = driver.run({ kind: 'climb', start, maxEvals: 100000, topK: 5, log: true });
  const log = records(full, 'log');

  it('evaluates each design at most once and gives exactly the step times of evaluateSteps (two workloads)', () => {
    expect(full.header[H_EVALUATIONS]).toBeGreaterThan(10);
    expect(full.header[H_NLOG]).toBe(full.header[H_EVALUATIONS]);
    const keys = log.map((r) => choiceOf(r).join(','));
    expect(new Set(keys).size).toBe(keys.length);
    const kernels = two.map((w) => {
      const k = new Kernel({ designCapacity: log.length });
      k.loadGraph(w.flat);
      return k;
    });
    const designs = log.map((r) => designFromChoice(small, choiceOf(r)));
    const recs = new Float64Array(designs.length * DESIGN_STRIDE);
    designs.forEach((d, i) => writeDesign(recs, i * DESIGN_STRIDE, d, unitEnergies(d)));
    two.forEach((_, w) => {
      const steps = kernels[w].evaluateStep(recs);
      log.forEach((r, i) => {
        const q = REC_HEAD + CHOICE_PARAMS + w * RW_STRIDE;
        const s = i * 40;
        expect(r[q + RW_TIME_S]).toBe(steps[s + S_TIME_S]);
        expect(r[q + RW_VALID]).toBe(steps[s + S_VALID]);
        expect(rel(r[q + RW_ENERGY_J], steps[s + S_ENERGY_J])).toBeLessThan(1e-12);
      });
    });
    // and the same feasibility and score as the BatchEvaluator
    const ref = new BatchEvaluator(two, objective, limits).evaluate(designs);
    log.forEach((r, i) => {
      expect(r[REC_EVALUATED]).toBe(1);
      expect(r[REC_FEASIBLE] === 1).toBe(ref[i].feasible);
      expect(rel(r[REC_SCORE], ref[i].score)).toBeLessThan(1e-12);
      const asTs = recordResult(r, 0, { space: small, workloads: two, objective, limits });
      expect(asTs.score).toBe(ref[i].score);
      expect(asTs.values).toEqual(ref[i].values);
    });
  });

  it('scores every objective as the host does: the kernel\'s goodnessOf and objectives.ts goodness agree', () => {
    for (const o of OBJECTIVES) {
      const d = new ClimbDriver({ workloads: two, objective: o, limits, space: small });
      const run = d.run({ kind: 'climb', start: startIn(small, 5), maxEvals: 25, topK: 1, log: true });
      const logged = records(run, 'log');
      const ref = new BatchEvaluator(two, o, limits).evaluate(logged.map((r) => designFromChoice(small, choiceOf(r))));
      expect(logged.length, o).toBeGreaterThan(5);
      logged.forEach((r, i) => {
        expect(r[REC_FEASIBLE] === 1, o).toBe(ref[i].feasible);
        expect(rel(r[REC_SCORE], ref[i].score), o).toBeLessThan(1e-12);
      });
    }
  });

  it('ends at a local optimum: no in-budget one-step neighbour is better', () => {
    expect(full.header[H_LOCAL_OPTIMUM]).toBe(1);
    const fin = Int32Array.from(full.header.subarray(H_FINAL_CHOICE, H_FINAL_CHOICE + CHOICE_PARAMS));
    const neighbours = [];
    for (const p of spaceAxes(small)) {
      const i = SPACE_PARAMS.indexOf(p);
      for (const dlt of [-1, 1]) {
        const v = fin[i] + dlt;
        if (v < 0 || v >= small.values[p].length) continue;
        const n = fin.slice();
        n[i] = v;
        neighbours.push(designFromChoice(small, n));
      }
    }
    expect(neighbours.length).toBeGreaterThan(10);
    const ev = new BatchEvaluator(two, objective, limits);
    const [here] = ev.evaluate([designFromChoice(small, fin)]);
    // the end point is inside the budget and the kernel scored it as the batch evaluator does
    expect([here.feasible, here.reason]).toEqual([true, '']);
    expect(rel(here.score, full.header[H_FINAL_SCORE])).toBeLessThan(1e-12);
    const inBudget = ev.evaluate(neighbours).filter((r) => r.models.length > 0);
    expect(inBudget.length).toBeGreaterThan(0);
    for (const r of inBudget) expect(r.score).toBeLessThanOrEqual(here.score * (1 + 1e-12));
    // the end point is the climb's best
    expect(records(full, 'top')[0][REC_SCORE]).toBe(full.header[H_FINAL_SCORE]);
  });

  it('keeps the top-k distinct and sorted, and traces every rise of the best', () => {
    const top = records(full, 'top');
    expect(top).toHaveLength(5);
    expect(new Set(top.map((r) => choiceOf(r).join(','))).size).toBe(5);
    for (let i = 1; i < top.length; i++) expect(top[i][REC_SCORE]).toBeLessThanOrEqual(top[i - 1][REC_SCORE]);
    const feasible = log.filter((r) => r[REC_FEASIBLE] === 1).map((r) => r[REC_SCORE]).sort((a, b) => b - a);
    expect(top.map((r) => r[REC_SCORE])).toEqual(feasible.slice(0, 5));
    const trace = records(full, 'trace');
    expect(trace.length).toBe(full.header[H_NTRACE]);
    let best = 0;
    const rises = log.filter((r) => (r[REC_FEASIBLE] === 1 && r[REC_SCORE] > best ? ((best = r[REC_SCORE]), true) : false));
    expect(trace.map((r) => r[REC_EVAL])).toEqual(rises.map((r) => r[REC_EVAL]));
  });

  it("ranks as the host's TopK: the climb's top-k is TopK over every design it evaluated, score ties to the cheaper", () => {
    // a space where designs differ in resources resnet18 leaves idle, so throughput ties are common
    const ctx = { space: large, workloads: [resnet], objective: 'throughput' as const, limits: { areaMm2: 300, tdpW: 250 } };
    const d = new ClimbDriver({ workloads: ctx.workloads, objective: ctx.objective, limits: ctx.limits, space: large });
    let tiesSeen = 0;
    for (const seed of [2, 4, 7]) {
      const run = d.run({ kind: 'climb', start: startInLimits(large, seed, ctx.limits), maxEvals: 400, topK: 5, log: true });
      const all = new TopK(5);
      for (let i = 0; i < run.header[H_NLOG]; i++) all.offer(recordResult(run.log, i * run.recordStride, ctx));
      const kept = records(run, 'top').map((r, i) => recordResult(run.top, i * run.recordStride, ctx));
      expect(kept.map((r) => designKey(r.design))).toEqual(all.items.map((r) => designKey(r.design)));
      for (let i = 1; i < kept.length; i++) if (kept[i].score === kept[i - 1].score) tiesSeen++;
    }
    expect(tiesSeen).toBeGreaterThan(0); // the ranking below the score was exercised
  });

  it('capped at c evaluations is the prefix of the uncapped climb', () => {
    const c = Math.floor(full.header[H_EVALUATIONS] / 2);
    const part = driver.run({ kind: 'climb', start, maxEvals: c, topK: 5, log: true });
    expect(part.header[H_EVALUATIONS]).toBe(c);
    expect(part.header[H_LOCAL_OPTIMUM]).toBe(0);
    expect(Array.from(part.log)).toEqual(Array.from(full.log.subarray(0, c * full.recordStride)));
    const again = driver.run({ kind: 'climb', start, maxEvals: 100000, topK: 5, log: false });
    expect(Array.from(again.top)).toEqual(Array.from(full.top));
    expect(again.header[H_NTOP]).toBe(5);
  });
});

describe('one kernel host for batches and climbs', () => {
  const objective: Objective = 'throughput';
  const two: WorkloadSpec[] = [resnet, bert];
  const designs = Array.from({ length: 40 }, (_, i) => designFromChoice(small, startIn(small, 100 + i)));
  const asNumbers = (rs: ReturnType<BatchEvaluator['evaluate']>) => rs.map((r) => [r.feasible, r.score, ...r.values, ...r.models.map((m) => m.stepTimeS)]);

  it('interleaved climbs (two setups) and batch evaluations (other graphs, passes, execution) give what each gives alone', () => {
    const start = startIn(small, 5);
    const task = { kind: 'climb' as const, start, maxEvals: 400, topK: 5, log: true };
    const alone = new ClimbDriver({ workloads: two, objective, limits, space: small }, new Kernel()).run(task);
    const aloneEdp = new ClimbDriver({ workloads: [bert], objective: 'edp', limits, space: large, execution: 'single-stream' }, new Kernel()).run({ ...task, start: startIn(large, 6) });
    const batchAlone = asNumbers(new BatchEvaluator([bert, resnet], objective, limits, new Kernel(), 'single-stream', 12).evaluate(designs));
    const batchTwo = asNumbers(new BatchEvaluator(two, objective, limits, new Kernel()).evaluate(designs));

    const k = new Kernel();
    const driver = new ClimbDriver({ workloads: two, objective, limits, space: small }, k);
    const other = new ClimbDriver({ workloads: [bert], objective: 'edp', limits, space: large, execution: 'single-stream' }, k);
    const same = (o: ClimbOutcome, r: ClimbOutcome) => {
      expect(Array.from(o.header)).toEqual(Array.from(r.header));
      for (const w of ['top', 'trace', 'log'] as const) expect(Array.from(o[w])).toEqual(Array.from(r[w]));
    };
    same(driver.run(task), alone);
    expect(alone.header[H_EVALUATIONS]).toBeGreaterThan(20);
    expect(aloneEdp.header[H_EVALUATIONS]).toBeGreaterThan(20);
    expect(k.graph).toBeNull(); // a climb leaves the scheduler on one of its graphs: the next batch re-points it
    // the same graphs in the same slots: no copy; swapped slots, other passes and execution: copies
    expect(asNumbers(new BatchEvaluator(two, objective, limits, k).evaluate(designs))).toEqual(batchTwo);
    same(driver.run(task), alone);
    expect(asNumbers(new BatchEvaluator([bert, resnet], objective, limits, k, 'single-stream', 12).evaluate(designs))).toEqual(batchAlone);
    same(driver.run(task), alone);
    same(other.run({ ...task, start: startIn(large, 6) }), aloneEdp);
    same(driver.run(task), alone);
    expect([k.execution, k.schedulePasses]).toEqual(['concurrent', 0]);
    expect(asNumbers(new BatchEvaluator(two, objective, limits, k).evaluate(designs))).toEqual(batchTwo);
    same(other.run({ ...task, start: startIn(large, 6) }), aloneEdp);
  });
});

describe('wham search with climbs in the kernel', () => {
  const opts = { graphs: [loadTrainingGraph({ model: 'resnet18', batch: 4 }, { optimizer: 'adam' })], space: small, objective: 'perf-per-tdp' as const, limits, strategy: 'wham', topK: 4, seed: 9, budget: 400, schedulePasses: 0 };

  it('gives the same result on 1 and 2 threads, uses the budget exactly, and keeps distinct sorted top-k', async () => {
    const one = await runSearch({ ...opts, threads: 1 });
    const two = await runSearch({ ...opts, threads: 2 });
    expect(one.evaluations).toBe(400);
    expect(two.evaluations).toBe(400);
    expect(two.topK.map((t) => designKey(t.design))).toEqual(one.topK.map((t) => designKey(t.design)));
    expect(two.topK.map((t) => t.objective)).toEqual(one.topK.map((t) => t.objective));
    expect(two.trace.map((t) => [t.evaluations, t.objective])).toEqual(one.trace.map((t) => [t.evaluations, t.objective]));
    expect(one.topK).toHaveLength(4);
    expect(new Set(one.topK.map((t) => designKey(t.design))).size).toBe(4);
    for (let i = 1; i < one.topK.length; i++) expect(one.topK[i].score).toBeLessThanOrEqual(one.topK[i - 1].score);
    for (const t of one.topK) {
      expect(t.areaMm2).toBeLessThanOrEqual(limits.areaMm2);
      expect(t.tdpW).toBeLessThanOrEqual(limits.tdpW);
    }
    expect(one.best!.objective).toBe(one.trace.at(-1)!.objective);
    const other = await runSearch({ ...opts, threads: 1, seed: 10 });
    expect(other.trace.map((t) => t.evaluations)).not.toEqual(one.trace.map((t) => t.evaluations));
  });

  it('logs every design it considered and stops on request with what finished', async () => {
    const seen: number[] = [];
    const stop = { stopped: false };
    const r = await runSearch({ ...opts, threads: 1, budget: 100000, stop, onResults: (rs) => { seen.push(rs.length); stop.stopped = true; } });
    // in-thread, one climb is in flight when the stop comes: the search ends after it, with its designs kept
    expect(seen).toHaveLength(1);
    expect(r.evaluations).toBeGreaterThan(0);
    expect(r.evaluations).toBeLessThan(100000);
    expect(seen[0]).toBe(r.designsConsidered);
    expect(r.topK.length).toBeGreaterThan(0);
    expect(r.best!.design).toEqual(r.topK[0].design);
    // the same climb, not stopped and given exactly that budget, finds the same designs and says it was not stopped
    const whole = await runSearch({ ...opts, threads: 1, budget: r.evaluations });
    expect([r.stopped, whole.stopped]).toEqual([true, false]);
    expect(whole.topK.map((t) => designKey(t.design))).toEqual(r.topK.map((t) => designKey(t.design)));
  });

  it('CLI: search --model resnet50 --space small --area 400 --tdp 300 --budget 1500 --seed 1 --json', () => {
    const p = spawnSync(process.execPath, [CLI, 'search', '--model', 'resnet50', '--space', 'small', '--area', '400', '--tdp', '300', '--budget', '1500', '--seed', '1', '--json'], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const r = JSON.parse(p.stdout);
    expect(r.strategy).toBe('wham');
    expect(r.evaluations).toBe(1500);
    expect(r.best.objective).toBeGreaterThan(0);
    expect(r.best.areaMm2).toBeLessThanOrEqual(400);
    expect(r.best.tdpW).toBeLessThanOrEqual(300);
    expect(r.topK.length).toBe(5);
    expect(r.trace.length).toBeGreaterThan(0);
    // the trace is the climbs' (list schedules); the top-k were re-scheduled with the improvement passes
    expect(r.schedulePasses).toBe(200);
    expect(r.best.objective).toBeGreaterThanOrEqual(r.trace.at(-1).objective);
    expect(r.best.objective).toBeCloseTo(r.best.metrics[0].throughput, 6);
    const l = spawnSync(process.execPath, [CLI, 'search', '--model', 'resnet50', '--space', 'small', '--area', '400', '--tdp', '300', '--budget', '1500', '--seed', '1', '--schedule-passes', '0', '--json'], { encoding: 'utf8' });
    expect(l.status, l.stderr).toBe(0);
    const q = JSON.parse(l.stdout);
    expect(q.schedulePasses).toBe(0);
    expect(q.trace.at(-1).objective).toBe(q.best.objective);
    expect(q.best.metrics[0].schedulePasses).toBe(0);
  });
});

describe('array shapes from the critical GEMMs (the climb\'s escape move)', () => {
  // ResNet-18 (batch 4) on `small` at 400 mm2 / 260 W (the reshape draws 259 W), from 32 arrays of 128 x 32: the critical-path moves do not
  // improve it, and the best one-step neighbour is worse than reshaping the arrays to 32 x 128 (the same
  // processing elements), which the full-neighbourhood stage proposes from the critical GEMMs' dimensions.
  it('takes a reshape at equal processing elements that beats every one-step neighbour', () => {
    const w = resnet;
    const lim: Constraints = { areaMm2: 400, tdpW: 260 };
    const start = Int32Array.from([5, 3, 1, 2, 3, 1, 0, 0, 0, 3, 0, 0, 0, 1, 0]);
    const d0 = designFromChoice(small, start);
    expect([d0.tensorCores, d0.tcRows, d0.tcCols]).toEqual([32, 128, 32]);
    const driver = new ClimbDriver({ workloads: [w], objective: 'throughput', limits: lim, space: small });
    const o = driver.run({ kind: 'climb', start, maxEvals: 5000, topK: 1, log: true });
    const trace = records(o, 'trace');
    const next = designFromChoice(small, choiceOf(trace[1]));
    expect([next.tensorCores, next.tcRows, next.tcCols]).toEqual([32, 32, 128]);
    expect({ ...next, tcRows: 0, tcCols: 0 }).toEqual({ ...d0, tcRows: 0, tcCols: 0 });
    expect(trace[1][REC_SCORE]).toBeGreaterThan(trace[0][REC_SCORE] * 1.1);
    // no design of the ±1 neighbourhood (TS evaluator) comes close to the reshape
    const ev = new BatchEvaluator([w], 'throughput', lim);
    const neighbours: Int32Array[] = [];
    for (const i of spaceAxes(small).map((p) => SPACE_PARAMS.indexOf(p))) {
      for (const d of [-1, 1]) {
        const c = start.slice();
        c[i] += d;
        if (c[i] >= 0 && c[i] < (small.values[SPACE_PARAMS[i]] as unknown[]).length) neighbours.push(c);
      }
    }
    const best = Math.max(...ev.evaluate(neighbours.map((c) => designFromChoice(small, c))).map((r) => r.score));
    expect(best).toBeLessThan(trace[1][REC_SCORE]);
  });
});

describe('the ask/tell WHAM (src/search/wham.ts) against the kernel climb', () => {
  // one climb each from the same seeded start: the designs at which the best score rises, in evaluation order,
  // are the same until the kernel takes its array-reshape escape (a move the ask/tell form does not have)
  it('rise through the same designs from the same start, up to the kernel\'s reshape escape', () => {
    const lim: Constraints = { areaMm2: 250, tdpW: 250 };
    const budgetOk = (d: ReturnType<typeof designFromChoice>) => areaMm2(d) <= lim.areaMm2 && tdpW(d) <= lim.tdpW;
    const keyOf = (c: Int32Array) => designKey(designFromChoice(small, c));
    let compared = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const strategy = wham({ space: small, seed, limits: lim, budgetOk }, { parallelClimbs: 1 });
      const ev = new BatchEvaluator([resnet], 'throughput', lim);
      const rises: string[] = [];
      let best = -1;
      for (let n = 0; n < 400; ) {
        const ds = strategy.ask(1000);
        if (ds.length === 0) break;
        const rs = ev.evaluate(ds);
        rs.forEach((r, i) => {
          n++;
          if (r.feasible && r.score > best) {
            best = r.score;
            rises.push(designKey(ds[i]));
          }
        });
        strategy.tell(rs);
      }
      const start = randomStart(small, rng(seed), budgetOk, 2000);
      const o = new ClimbDriver({ workloads: [resnet], objective: 'throughput', limits: lim, space: small }).run({ kind: 'climb', start, maxEvals: 5000, topK: 1, log: false });
      const trace = records(o, 'trace').map(choiceOf);
      expect(keyOf(trace[0]), `seed ${seed}: same start`).toBe(rises[0]);
      for (let i = 1; i < trace.length; i++) {
        if (keyOf(trace[i]) === rises[i]) {
          compared++;
          continue;
        }
        // the only allowed difference: the kernel re-arranged the same processing elements (array shape, and
        // how many arrays) to fit the critical GEMMs
        const a = designFromChoice(small, trace[i - 1]);
        const b = designFromChoice(small, trace[i]);
        const pes = (d: typeof a) => d.tensorCores * d.tcRows * d.tcCols;
        expect({ ...b, tensorCores: 0, tcRows: 0, tcCols: 0 }, `seed ${seed}, rise ${i}`).toEqual({ ...a, tensorCores: 0, tcRows: 0, tcCols: 0 });
        expect(pes(b), `seed ${seed}, rise ${i}: ${JSON.stringify([a.tensorCores, a.tcRows, a.tcCols])} -> ${JSON.stringify([b.tensorCores, b.tcRows, b.tcCols])}`).toBe(pes(a));
        break;
      }
    }
    expect(compared).toBeGreaterThan(30);
  });
});

