// Expert parallelism (--ep): a mixture of experts' experts sharded over data-parallel replicas, the dispatched
// tokens moved by all-to-all (docs/distributed.md).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { presetDesign } from '../src/arch/presets.js';
import { Kernel } from '../src/engine/kernel.js';
import { layerCost, ringBytes } from '../src/distributed/layer-cost.js';
import { expertParallelChoices, plainLayout } from '../src/distributed/layout.js';
import { allToAllS, findNetwork, linkFor, type Network } from '../src/distributed/network.js';
import { searchPlacement, type PlacementProblem } from '../src/distributed/placement.js';
import { profileLayers } from '../src/distributed/profile.js';
import { stateBytes } from '../src/distributed/stage-memory.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const net: Network = { name: 'test', devicesPerNode: 8, intraGBs: 100, intraLatencyS: 1e-6, interGBs: 10, interLatencyS: 1e-5, allReduce: 'ring', source: 'test' };
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'distributed', ...args], { encoding: 'utf8' });

describe('expert parallelism (mixtral-8x7b)', () => {
  const layers = profileLayers({ model: 'mixtral-8x7b', microbatch: 1, seq: 512, tensorParallel: 1, recompute: false, optimizer: 'adam', precision: 'bf16' }, presetDesign('a100'), new Kernel());
  const moe = layers.find((l) => l.experts)!;

  it('profiles each block\'s 8 experts: their parameters and the dispatch payload (tokens × top-2 × d × 2 bytes)', () => {
    expect(layers.filter((l) => l.experts)).toHaveLength(32);
    expect(moe.experts!.count).toBe(8);
    expect(moe.experts!.params).toBe(8 * 3 * 4096 * 14336);
    expect(moe.experts!.dispatchBytes).toBe(512 * 2 * 4096 * 2);
    expect(layers.find((l) => l.name === 'embed')!.experts).toBeUndefined();
  });

  it('a device holds 1/ep of the experts; ZeRO shards them over the d/ep replicas of each expert', () => {
    const e = moe.experts!;
    for (const zero of [0, 1] as const) {
      const dense = stateBytes({ ...moe, experts: undefined, weightBytes: moe.weightBytes - e.weightBytes, masterBytes: (moe.masterBytes ?? 0) - e.masterBytes, gradBytes: moe.gradBytes - e.gradBytes, optimizerBytes: moe.optimizerBytes - e.optimizerBytes }, plainLayout({ dp: 8, pp: 1, tp: 1, microbatch: 1, zero }));
      const with8 = stateBytes(moe, plainLayout({ dp: 8, pp: 1, tp: 1, microbatch: 1, zero, ep: 8 }));
      const expertState = zero === 0 ? (e.weightBytes + e.masterBytes + e.gradBytes + e.optimizerBytes) / 8 : (e.weightBytes + e.gradBytes + e.masterBytes + e.optimizerBytes) / 8;
      expect(with8).toBeCloseTo(dense + expertState, 0);
      expect(with8).toBeLessThan(stateBytes(moe, plainLayout({ dp: 8, pp: 1, tp: 1, microbatch: 1, zero })));
    }
  });

  it('costs two all-to-alls of the dispatch forward and two backward (four with full recompute), on the critical path', () => {
    const D = moe.experts!.dispatchBytes;
    const one = allToAllS(D, 8, linkFor(net, 8, 1));
    const none = layerCost(moe, plainLayout({ dp: 8, pp: 1, tp: 1, microbatch: 1 }), net);
    const ep = layerCost(moe, plainLayout({ dp: 8, pp: 1, tp: 1, microbatch: 1, ep: 8 }), net);
    expect(none.epFwdS + none.epBwdS).toBe(0);
    expect(ep.epFwdS).toBeCloseTo(2 * one, 12);
    expect(ep.epBwdS).toBeCloseTo(2 * one, 12);
    expect(ep.timeS - none.timeS).toBeCloseTo(4 * one, 9);
    expect(ep.epBytes).toBeCloseTo(4 * ringBytes('all-gather', D, 8), 3);
    const full = layerCost(moe, plainLayout({ dp: 8, pp: 1, tp: 1, microbatch: 1, ep: 8, recompute: 'full' }), net);
    expect(full.epBwdS).toBeCloseTo(4 * one, 12);
    expect(expertParallelChoices(8, 16)).toEqual([1, 2, 4, 8]);
    expect(expertParallelChoices(8, 12)).toEqual([1, 2, 4]);
  });

  it('from the CLI: --ep makes a layout fit that does not without it, and --auto-parallel searches it', () => {
    const args = ['--model', 'mixtral-8x7b', '--devices', '64', '--global-batch', '64', '--seq', '1024', '--json'];
    const run = (...extra: string[]) => {
      const p = cli(...args, ...extra);
      expect(p.status, p.stderr).toBe(0);
      return JSON.parse(p.stdout);
    };
    const fixed = ['--tp', '2', '--pp', '4', '--dp', '8', '--microbatch', '1', '--recompute', 'full'];
    expect(run(...fixed).feasible).toBe(false);
    const ep = run(...fixed, '--ep', '8');
    expect(ep).toMatchObject({ feasible: true, layout: { ep: 8 } });
    expect(ep.commTimeS.expertParallel).toBeGreaterThan(0);
    expect(ep.commBytes.expertParallel).toBeGreaterThan(0);
    const auto = run('--auto-parallel');
    expect(auto).toMatchObject({ feasible: true });
  });

  it('the placement search tries every expert-parallel width that divides dp and the experts, and picks one that fits', () => {
    const problem: PlacementProblem = {
      model: 'mixtral-8x7b', seq: 1024, devices: 64, globalBatch: 64, network: findNetwork('nvlink-ib'), optimizer: 'adam', precision: 'bf16',
      fixed: { tp: 2, pp: 4, dp: 8, microbatch: 1, recompute: 'full', interleave: 1, sequenceParallel: false, zero: 0 },
    };
    const r = searchPlacement(problem, presetDesign('a100'), new Kernel());
    expect([...new Set(r.all.map((p) => p.layout.ep))].sort((a, b) => a - b)).toEqual([1, 2, 4, 8]);
    // without sharding the experts nothing fits 80 GB (the CLI test above); the best layout shards them
    expect(r.all.find((p) => p.layout.ep === 1)!.step.feasible).toBe(false);
    expect(r.best!.step).toMatchObject({ feasible: true });
    expect(r.best!.layout.ep).toBeGreaterThan(1);
  });

  it('bad --ep values are one line naming what is allowed, exit code 2', () => {
    const dense = cli('--model', 'gpt2', '--devices', '8', '--tp', '1', '--pp', '1', '--dp', '8', '--ep', '2');
    expect(dense.status).toBe(2);
    expect(dense.stderr.trim()).toBe('accelmine: --ep 2: expert parallelism shards a mixture of experts and gpt2 has none; allowed: 1');
    const odd = cli('--model', 'mixtral-8x7b', '--devices', '12', '--tp', '1', '--pp', '1', '--dp', '12', '--ep', '8', '--global-batch', '12');
    expect(odd.status).toBe(2);
    expect(odd.stderr.trim()).toBe("accelmine: --ep 8 must divide mixtral-8x7b's 8 experts and the 12 data-parallel replicas; allowed: 1, 2, 4");
  });
});

describe('capacity factor (--capacity-factor)', () => {
  const kernel = new Kernel();
  const profile = (capacityFactor?: number) =>
    profileLayers({ model: 'mixtral-8x7b', microbatch: 1, seq: 512, tensorParallel: 1, recompute: false, optimizer: 'adam', precision: 'bf16', capacityFactor }, presetDesign('a100'), kernel).find((l) => l.experts)!;

  it('each expert holds ⌈C × tokens × top-2 / 8⌉ rows: the dispatch payload, the padded rows\' FLOPs and the all-to-alls scale with it', () => {
    const one = profile();
    const pad = profile(1.25);
    const drop = profile(0.5);
    const rows = (c: number) => Math.min(512, Math.ceil((c * 512 * 2) / 8));
    expect(rows(1.25)).toBe(160);
    expect(pad.experts!.dispatchBytes).toBe(8 * rows(1.25) * 4096 * 2);
    expect(drop.experts!.dispatchBytes).toBe(8 * rows(0.5) * 4096 * 2);
    // the experts' SwiGLU MLPs: 3 GEMMs of rows × 4096 × 14336 per expert, forward 2 FLOPs a MAC
    const expertFwdFlops = (r: number) => 8 * 3 * 2 * r * 4096 * 14336;
    expect(pad.flops - one.flops).toBeGreaterThanOrEqual(3 * (expertFwdFlops(160) - expertFwdFlops(128)));
    expect(one.flops - drop.flops).toBeGreaterThanOrEqual(3 * (expertFwdFlops(128) - expertFwdFlops(64)));
    expect(pad.experts!.params).toBe(one.experts!.params);
    const ep = plainLayout({ dp: 8, pp: 1, tp: 1, microbatch: 1, ep: 8 });
    expect(layerCost(pad, ep, net).epFwdS).toBeCloseTo(2 * allToAllS(pad.experts!.dispatchBytes, 8, linkFor(net, 8, 1)), 12);
    expect(layerCost(pad, ep, net).epFwdS).toBeGreaterThan(layerCost(one, ep, net).epFwdS);
  });

  it('one line naming the flag and what is allowed: a dense model, out of (0, experts/top-k]', () => {
    const bad = [
      [['--model', 'gpt2', '--devices', '8', '--tp', '1', '--pp', '1', '--dp', '8', '--capacity-factor', '1.25'], /--capacity-factor applies to mixture-of-experts models; gpt2 has none/],
      [['--model', 'resnet50', '--devices', '8', '--tp', '1', '--pp', '1', '--dp', '8', '--capacity-factor', '1.25'], /--capacity-factor applies to mixture-of-experts models; resnet50 has none/],
      [['--model', 'mixtral-8x7b', '--devices', '64', '--tp', '2', '--pp', '4', '--dp', '8', '--ep', '8', '--capacity-factor', '4.5'], /--capacity-factor must be a number in \(0, 4\] for mixtral-8x7b \(8 experts, top-2\), got 4.5/],
      [['--model', 'mixtral-8x7b', '--devices', '64', '--capacity-factor', '0'], /--capacity-factor must be a positive number/],
    ] as const;
    for (const [args, msg] of bad) {
      const r = cli(...args);
      expect(r.status, r.stdout).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
    const g = spawnSync(process.execPath, [CLI, 'graph', '--model', 'bert-base', '--capacity-factor', '2'], { encoding: 'utf8' });
    expect(g.status).toBe(2);
    expect(g.stderr).toMatch(/bert-base has none/);
  });
});
