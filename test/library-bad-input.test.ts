/**
 * The library's entry points refuse numbers a caller got wrong (the CLI checks its flags; library callers bypass
 * it) with one InputError naming the option, before any work: sweep, compareStrategies and runDistributed.
 * Before, sweep looped forever on a commitEvery of 0 or NaN and took a budget of 1.5 and a seed of NaN; compare
 * returned empty summaries for repeats 0 and never ended for Infinity; runDistributed never ended for 1e12 devices
 * with autoParallel and took a micro-batch of 0 or NaN as "search it".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { presetDesign } from '../src/arch/presets.js';
import { BUILTIN_SPACES, type DesignSpace } from '../src/arch/space.js';
import { findNetwork } from '../src/distributed/network.js';
import { runDistributed, type DistributedRequest } from '../src/distributed/run.js';
import { InputError } from '../src/errors.js';
import { compareStrategies, type CompareOptions } from '../src/search/compare.js';
import { SweepStore } from '../src/sweep/store.js';
import { sweep, type SweepOptions } from '../src/sweep/sweep.js';
import { loadTrainingGraph } from '../src/workload/load.js';

const graph = loadTrainingGraph({ model: 'resnet18', batch: 2 }, { optimizer: 'adam' });

/** 2 x 2 x 2 x 2 = 16 designs. */
const toy: DesignSpace = {
  ...BUILTIN_SPACES.small,
  name: 'toy',
  values: {
    ...BUILTIN_SPACES.small.values,
    tensorCores: [1, 2], tcRows: [16, 32], tcCols: [16, 32], vectorCores: [1], vectorLanes: [64],
    localBufferBytes: [262144], globalBufferBytes: [4194304], offChipGBs: [400, 1600], dataflow: ['ws'],
  },
};

type Case<T> = [Partial<T>, RegExp];

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('library entry points refuse bad numbers with an InputError naming the option', () => {
  it('sweep', async () => {
    const out = mkdtempSync(join(tmpdir(), 'accelmine-bad-sweep-'));
    dirs.push(out);
    const base: SweepOptions = { out, graphs: [graph], space: toy, strategy: 'exhaustive', threads: 1, seed: 1 };
    const cases: Case<SweepOptions>[] = [
      [{ commitEvery: 0 }, /^commitEvery must be a positive integer/], // looped forever
      [{ commitEvery: -1 }, /^commitEvery must be a positive integer/],
      [{ commitEvery: Number.NaN }, /^commitEvery must be a positive integer/],
      [{ commitEvery: 1.5 }, /^commitEvery must be a positive integer/],
      [{ budget: 1.5 }, /^budget must be a positive integer or Infinity/], // ran a plan of 2 designs
      [{ budget: 0 }, /^budget must be a positive integer or Infinity/],
      [{ budget: Number.NaN }, /^budget must be a positive integer or Infinity/],
      [{ strategy: 'random', budget: 4, seed: Number.NaN }, /^seed must be a non-negative integer/], // ran as some other seed
      [{ strategy: 'random', budget: 4, seed: -1 }, /^seed must be a non-negative integer/],
      [{ strategy: 'random', budget: 4, seed: 1.5 }, /^seed must be a non-negative integer/],
      [{ strategy: 'random', budget: 4, seed: 1e300 }, /^seed must be a non-negative integer/],
      // an adaptive strategy's threads were refused only after the store was made
      [{ strategy: 'wham', threads: 0 }, /^threads must be a positive integer no larger than 256, got 0$/],
      [{ threads: 1e12 }, /^threads must be a positive integer no larger than 256/],
      [{ threads: 1.5 }, /^threads must be a positive integer no larger than 256/],
      [{ limits: { areaMm2: -1 } }, /^limits\.areaMm2 must be a positive number/],
      [{ limits: { tdpW: Number.NaN } }, /^limits\.tdpW must be a positive number/],
    ];
    for (const [bad, message] of cases) {
      await expect(sweep({ ...base, ...bad }), JSON.stringify(bad)).rejects.toThrow(InputError);
      await expect(sweep({ ...base, ...bad }), JSON.stringify(bad)).rejects.toThrow(message);
    }
    // refused before the store was made: the same --out takes a good sweep afterwards
    expect(SweepStore.exists(out)).toBe(false);
  });

  it('compareStrategies', async () => {
    const base: CompareOptions = {
      models: [graph], strategies: ['random'], space: toy, objective: 'throughput', limits: { areaMm2: Infinity, tdpW: Infinity },
      budget: 8, repeats: 1, seed: 1, threads: 1,
    };
    const cases: Case<CompareOptions>[] = [
      [{ repeats: 0 }, /^repeats must be a positive integer no larger than 1000, got 0$/], // returned empty summaries
      [{ repeats: -1 }, /^repeats must be a positive integer no larger than 1000/],
      [{ repeats: 1.5 }, /^repeats must be a positive integer no larger than 1000/], // ran 2 runs
      [{ repeats: Number.NaN }, /^repeats must be a positive integer no larger than 1000/],
      [{ repeats: Infinity }, /^repeats must be a positive integer no larger than 1000/], // never ended
      [{ repeats: 1e12 }, /^repeats must be a positive integer no larger than 1000/],
      [{ repeats: 1001 }, /^repeats must be a positive integer no larger than 1000/],
      [{ budget: 0 }, /^budget must be a positive integer or Infinity/],
      [{ budget: 1.5 }, /^budget must be a positive integer or Infinity/],
      [{ seed: -1 }, /^seed must be a non-negative integer/],
      [{ seed: Number.NaN }, /^seed must be a non-negative integer/],
      [{ seed: Number.MAX_SAFE_INTEGER, repeats: 2 }, /^seed \+ repeats - 1 \(the last run's seed\) must be no larger than/],
      [{ timeBudgetS: 0 }, /^timeBudgetS must be a positive number of seconds/],
      [{ timeBudgetS: Infinity }, /^timeBudgetS must be a positive number of seconds/],
      [{ threads: 0 }, /^threads must be a positive integer no larger than 256/],
      [{ threads: 1e12 }, /^threads must be a positive integer no larger than 256/],
      [{ limits: { areaMm2: -1, tdpW: Infinity } }, /^limits\.areaMm2 must be a positive number/],
      [{ exhaustiveLimit: Number.NaN }, /^exhaustiveLimit must be a non-negative integer or Infinity/], // skipped the ground truth
    ];
    for (const [bad, message] of cases) {
      await expect(compareStrategies({ ...base, ...bad }), JSON.stringify(bad)).rejects.toThrow(InputError);
      await expect(compareStrategies({ ...base, ...bad }), JSON.stringify(bad)).rejects.toThrow(message);
    }
  });

  it('runDistributed', async () => {
    const base: DistributedRequest = {
      model: 'gpt2', devices: 8, tp: 2, pp: 2, dp: 2, microbatch: 2, globalBatch: 16, seq: 128, autoParallel: false, design: presetDesign('a100'),
      network: findNetwork('nvlink-ib'), optimizer: 'adam', precision: 'bf16', recompute: 'none', interleave: 1, sequenceParallel: false, zero: 0, ep: 1,
    };
    const auto: Partial<DistributedRequest> = { autoParallel: true, tp: undefined, pp: undefined, dp: undefined };
    const search = { space: toy, limits: { areaMm2: Infinity, tdpW: Infinity }, topK: 5, seed: 1, threads: 1, budgetPerStage: 20, perStageDesigns: false };
    const cases: Case<DistributedRequest>[] = [
      [{ ...auto, devices: 1e12 }, /^devices must be a positive integer no larger than 65536, got 1000000000000$/], // never ended
      [{ ...auto, devices: 0 }, /^devices must be a positive integer no larger than 65536/], // "no layout of these devices fits the model"
      [{ ...auto, devices: -1 }, /^devices must be a positive integer/],
      [{ ...auto, devices: 1.5 }, /^devices must be a positive integer/],
      [{ ...auto, devices: Number.NaN }, /^devices must be a positive integer/],
      [{ ...auto, devices: 70000 }, /^devices must be a positive integer no larger than 65536/],
      [{ microbatch: 0 }, /^microbatch must be a positive integer/], // taken as "search it"
      [{ microbatch: Number.NaN }, /^microbatch must be a positive integer/],
      [{ ...auto, microbatch: 0 }, /^microbatch must be a positive integer/],
      [{ globalBatch: 0 }, /^globalBatch must be a positive integer/], // returned an infeasible result
      [{ globalBatch: 1.5 }, /^globalBatch must be a positive integer/],
      [{ tp: 0.5, dp: 8 }, /^tp must be a positive integer/], // 0.5 x 2 x 8 = 8 devices
      [{ tp: Number.NaN }, /^tp must be a positive integer/],
      [{ pp: -1 }, /^pp must be a positive integer/],
      [{ dp: Infinity }, /^dp must be a positive integer/],
      [{ seq: 0 }, /^seq must be a positive integer/],
      [{ capacityFactor: Number.NaN }, /^capacityFactor must be a positive number/],
      [{ arrayRateFraction: 1e-320 }, /^arrayRateFraction must be a number from 0.001 to 1/], // "no partition fits" (op times overflowed)
      [{ arrayRateFraction: 1.5 }, /^arrayRateFraction must be a number from 0.001 to 1/],
      [{ interleave: 0 }, /interleave must be a positive integer/],
      [{ ep: 1.5 }, /ep must be a positive integer/],
      [{ computeEfficiency: Number.NaN }, /compute-efficiency must be a number from 0.001 to 1/],
      [{ launchOverheadS: -1 }, /launch-us must be from 0 to 1e6/],
      [{ search: { ...search, budgetPerStage: 0 } }, /^search\.budgetPerStage must be a positive integer/],
      [{ search: { ...search, seed: Number.NaN } }, /^search\.seed must be a non-negative integer/],
      [{ search: { ...search, threads: 1e12 } }, /^search\.threads must be a positive integer no larger than 256/],
      [{ search: { ...search, topK: 0 } }, /^search\.topK must be a positive integer/],
      [{ search: { ...search, limits: { areaMm2: -1, tdpW: Infinity } } }, /^search\.limits\.areaMm2 must be a positive number/],
    ];
    for (const [bad, message] of cases) {
      await expect(runDistributed({ ...base, ...bad }), JSON.stringify(bad)).rejects.toThrow(InputError);
      await expect(runDistributed({ ...base, ...bad }), JSON.stringify(bad)).rejects.toThrow(message);
    }
  });
});
