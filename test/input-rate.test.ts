/**
 * The host's input pipeline (EvaluateOptions.inputSamplesPerS, `evaluate --input-rate`): a step takes at least
 * batch / rate; the chip idles (leaking) for what is left. And the PyTorch DataLoader rate the ResNet-50
 * throughput rows of `validate` run with (PYTORCH_LOADER_IMAGES_PER_S_PER_WORKER), re-derived from its row.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetDesign } from '../src/arch/presets.js';
import { Kernel } from '../src/engine/kernel.js';
import { InputError } from '../src/errors.js';
import { evaluateDesign, prepareWorkload, type PreparedWorkload } from '../src/evaluate.js';
import { PYTORCH_LOADER_IMAGES_PER_S_PER_WORKER, THROUGHPUT_CASES } from '../src/validation/fidelity.js';
import { readReferenceCsv } from '../src/validation/rows.js';
import { loadTrainingGraph } from '../src/workload/load.js';

const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env: { ...process.env, ACCELMINE_DEBUG: '' } });

let kernel: Kernel;
let resnet: PreparedWorkload;
beforeAll(() => {
  kernel = new Kernel();
  resnet = prepareWorkload(loadTrainingGraph({ model: 'resnet50', batch: 32, precision: 'bf16' }, { optimizer: 'momentum' }));
});

describe('a step waits for the host input pipeline', () => {
  it('takes batch / rate when the pipeline is slower than the chip, the chip leaking while it waits', () => {
    const design = presetDesign('a100');
    const free = evaluateDesign(design, resnet, kernel, { execution: 'single-stream' });
    const rate = (0.5 * resnet.graph.batch) / free.stepTimeS; // half the chip's rate
    const bound = evaluateDesign(design, resnet, kernel, { execution: 'single-stream', inputSamplesPerS: rate });
    expect(bound.stepTimeS).toBeCloseTo(resnet.graph.batch / rate, 12);
    expect(bound.throughput).toBeCloseTo(rate, 6);
    expect(bound.inputWaitS).toBeCloseTo(free.stepTimeS, 12);
    expect(bound.inputSamplesPerS).toBe(rate);
    // the wait adds leakage only: leakage power × wait
    const leakW = free.energy.leakageJ / free.stepTimeS;
    expect(bound.energy.leakageJ).toBeCloseTo(free.energy.leakageJ + leakW * bound.inputWaitS, 9);
    expect(bound.energy.macJ).toBe(free.energy.macJ);
    expect(bound.energy.clockJ).toBe(free.energy.clockJ);
    const parts = Object.values(bound.energy).reduce((a, b) => a + b, 0);
    expect(parts).toBeCloseTo(bound.energyJ, 9);
    expect(bound.avgPowerW).toBeCloseTo(bound.energyJ / bound.stepTimeS, 9);
    expect(bound.avgPowerW).toBeLessThan(free.avgPowerW);
    // the chip is busy half the step
    expect(bound.utilization.tensor).toBeCloseTo(free.utilization.tensor / 2, 9);
    expect(bound.achievedTflops).toBeCloseTo(free.achievedTflops / 2, 9);
  });

  it('changes nothing when the pipeline keeps up', () => {
    const design = presetDesign('v100');
    const free = evaluateDesign(design, resnet, kernel);
    const fast = evaluateDesign(design, resnet, kernel, { inputSamplesPerS: (2 * resnet.graph.batch) / free.stepTimeS });
    expect(fast.stepTimeS).toBe(free.stepTimeS);
    expect(fast.energyJ).toBe(free.energyJ);
    expect(fast.inputWaitS).toBe(0);
    expect(free.inputSamplesPerS).toBeUndefined();
  });

  it('refuses a rate below 0.001 samples/s or not a number, and the other bad options, naming the option', () => {
    const design = presetDesign('v100');
    for (const bad of [0, -5, 1e-320, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => evaluateDesign(design, resnet, kernel, { inputSamplesPerS: bad })).toThrow(InputError);
      expect(() => evaluateDesign(design, resnet, kernel, { inputSamplesPerS: bad })).toThrow(/^inputSamplesPerS must be a number of samples per second of at least 0.001, got /);
    }
    // the other options a library caller gives evaluateDesign (the CLI checks them as flags): 1e-320 made the step Infinity
    expect(() => evaluateDesign(design, resnet, kernel, { execution: 'single-stream', arrayRateFraction: 1e-320 })).toThrow(/^arrayRateFraction must be a number from 0.001 to 1, got 1e-320$/);
    expect(() => evaluateDesign(design, resnet, kernel, { execution: 'bogus' as never })).toThrow(/^execution must be one of concurrent, single-stream, got "bogus"$/);
  });
});

describe('evaluate --input-rate', () => {
  it('reports the wait in text and JSON', () => {
    const text = run('evaluate', '--preset', 'a100', '--model', 'resnet50', '--batch', '64', '--input-rate', '500');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^step 128\.000 ms, 500\.0 samples\/s; input-bound: input pipeline 500\.0 samples\/s, the chip waits [\d.]+ ms a step$/m);
    expect(text.stdout).toMatch(/input wait \d+\.\d%/);
    const j = JSON.parse(run('evaluate', '--preset', 'a100', '--model', 'resnet50', '--batch', '64', '--input-rate', '500', '--json').stdout);
    expect(j.stepTimeS).toBeCloseTo(0.128, 12);
    expect(j.inputSamplesPerS).toBe(500);
    expect(j.inputWaitS).toBeGreaterThan(0);
    expect(j.avgPowerW).toBeCloseTo(j.energyJ / j.stepTimeS, 9);
    // the chip idles (leaking) for the wait: the average over the step is below the unlimited step's
    const free = JSON.parse(run('evaluate', '--preset', 'a100', '--model', 'resnet50', '--batch', '64', '--json').stdout);
    expect(j.stepTimeS - j.inputWaitS).toBeCloseTo(free.stepTimeS, 12);
    expect(j.avgPowerW).toBeLessThan(free.avgPowerW);
  });

  it('says so when the pipeline keeps up', () => {
    const r = run('evaluate', '--preset', 'a100', '--model', 'resnet50', '--batch', '64', '--input-rate', '1e9');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/; input pipeline 1000000000\.0 samples\/s keeps up$/m);
  });

  it('refuses a bad rate in one line', () => {
    for (const bad of ['0', '-3', 'fast', '1e400']) {
      const r = run('evaluate', '--preset', 'a100', '--model', 'resnet50', '--input-rate', bad);
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim()).toBe(`accelmine: --input-rate must be a positive number, got "${bad}"`);
    }
  });
});

describe('the PyTorch DataLoader rate of the ResNet-50 throughput rows', () => {
  it('is the DGX-1 32GB calibration row over its 8 workers, and that row is not a validate case', () => {
    const row = readReferenceCsv('training-throughput.csv').find((r) => r.model === 'resnet50' && r.chip === 'v100-sxm2-32gb');
    expect(row).toBeDefined();
    expect(PYTORCH_LOADER_IMAGES_PER_S_PER_WORKER).toBe(+row!.throughput / 8);
    expect(THROUGHPUT_CASES.some((c) => c.csvChip === 'v100-sxm2-32gb' && c.model === 'resnet50')).toBe(false);
  });

  it('feeds the PyTorch ResNet-50 rows with their platforms\' workers and no other row', () => {
    const workers = THROUGHPUT_CASES.map((c) => [c.model, c.preset, c.framework ?? 'PyTorch', c.loaderWorkers ?? null]);
    expect(workers).toContainEqual(['resnet50', 'v100', 'PyTorch', 8]);
    expect(workers).toContainEqual(['resnet50', 'a100', 'PyTorch', 16]);
    for (const [model, , framework, w] of workers) if (model !== 'resnet50' || framework !== 'PyTorch') expect(w).toBeNull();
  });
});
