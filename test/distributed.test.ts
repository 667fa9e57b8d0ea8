import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { presetDesign } from '../src/arch/presets.js';
import { Kernel } from '../src/engine/kernel.js';
import { allGatherS, linkFor, NETWORKS, ringAllReduceS, ringLink, sendRecvS, treeAllReduceS, type Network } from '../src/distributed/network.js';
import { plainLayout, type Layout } from '../src/distributed/layout.js';
import { partitionStages, pipelineStep, tpCommS } from '../src/distributed/pipeline.js';
import { profileLayers, type LayerProfile } from '../src/distributed/profile.js';
import { findModel } from '../src/workload/zoo/index.js';
import { paramCount } from '../src/workload/ir.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const net: Network = { name: 'test', devicesPerNode: 4, intraGBs: 100, intraLatencyS: 1e-6, interGBs: 10, interLatencyS: 1e-5, allReduce: 'ring', source: 'test' };

const layer = (name: string, fwdS: number, bwdS: number, o: Partial<LayerProfile> = {}): LayerProfile => ({
  name, block: false, fwdS, bwdS, optimizerS: 0, params: 0, weightBytes: 0, gradBytes: 0, optimizerBytes: 0, activationBytes: 0, boundaryBytes: 0, flops: 0, ...o,
});
const layout = (o: Partial<Layout>): Layout => plainLayout({ dp: 1, pp: 1, tp: 1, microbatch: 1, ...o });

describe('collectives', () => {
  const l = { GBs: 100, latencyS: 1e-6 };
  it('ring all-reduce = 2(n-1)/n bytes/B + 2(n-1) latency', () => {
    expect(ringAllReduceS(1e9, 8, l)).toBeCloseTo((2 * 7) / 8 * 0.01 + 14e-6, 15);
    expect(ringAllReduceS(1e9, 1, l)).toBe(0);
  });
  it('tree all-reduce, all-gather and send/recv', () => {
    expect(treeAllReduceS(1e9, 8, l)).toBeCloseTo(2 * 3 * (1e-6 + 0.01), 15);
    expect(allGatherS(1e9, 4, l)).toBeCloseTo(0.75 * 0.01 + 3e-6, 15);
    expect(sendRecvS(1e9, l)).toBeCloseTo(1e-6 + 0.01, 15);
  });
  it('groups that fit a node use the intra-node link', () => {
    expect(linkFor(net, 4).GBs).toBe(100);
    expect(linkFor(net, 2, 4).GBs).toBe(10);
    expect(NETWORKS['nvlink-ib'].devicesPerNode).toBe(8);
  });
  it('a ring over nodes runs on the NICs of its members in each node: g x the inter-node bandwidth, at most the intra-node', () => {
    expect(ringLink(net, 4)).toEqual({ GBs: 100, latencyS: 1e-6 });
    expect(ringLink(net, 8)).toEqual({ GBs: 40, latencyS: 1e-5 }); // 4 members per node
    expect(ringLink(net, 8, 2).GBs).toBe(20); // 2 per node
    expect(ringLink(net, 8, 4).GBs).toBe(10); // one per node: its own NIC
    expect(ringLink(net, 3, 8).GBs).toBe(10);
    expect(ringLink({ ...net, intraGBs: 25 }, 8).GBs).toBe(25);
    // a point-to-point transfer or an all-to-all stays on one device's link
    expect(linkFor(net, 8).GBs).toBe(10);
  });
  it('nvlink-ib carries what NCCL achieves: ~230 GB/s on A100 NVLink, 24 GB/s per HDR NIC', () => {
    const n = NETWORKS['nvlink-ib'];
    expect([n.intraGBs, n.interGBs]).toEqual([230, 24]);
    expect(n.source).toMatch(/nccl-tests#149/);
    expect(n.source).toMatch(/nccl-tests#119/);
  });
});

describe('1F1B pipeline step', () => {
  const layers = [layer('a', 1, 2), layer('b', 1, 2), layer('c', 2, 4), layer('d', 1, 2)];
  it('step = (m + p - 1) x slowest stage + 2(p - 1)(1 + (m - 1)/p) send/recvs, bubble (p-1)/(m+p-1)', () => {
    const ls = layers.map((l) => ({ ...l, boundaryBytes: 1e6 }));
    const r = pipelineStep(ls, layout({ pp: 2 }), 8, net, Infinity);
    // best split: [a, b, c] = 9 s? no: [a,b]=6, [c,d]=9 or [a,b,c]=12,[d]=3 -> slowest 9
    expect(r.stages.map((s) => s.layers)).toEqual([['a', 'b'], ['c', 'd']]);
    // the two stages share a node: the intra-node link; fill, drain and one round trip per p micro-batches
    const p2p = 2 * (2 - 1) * (1 + 7 / 2) * (1e-6 + 1e6 / 100e9);
    expect(r.stepTimeS).toBeCloseTo((8 + 2 - 1) * 9 + p2p, 12);
    expect(r.bubbleFraction).toBeCloseTo(1 / 9, 12);
    expect(r.microbatches).toBe(8);
  });
  it('the partition DP matches brute force on random layer costs', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let t = 0; t < 20; t++) {
      const ls = Array.from({ length: 7 }, (_, i) => layer(`l${i}`, rnd(), 2 * rnd()));
      const starts = partitionStages(ls, layout({ pp: 3 }), 4, net, Infinity)!;
      const cost = (a: number, b: number) => ls.slice(a, b).reduce((s, l) => s + l.fwdS + l.bwdS, 0);
      const got = Math.max(cost(starts[0], starts[1]), cost(starts[1], starts[2]), cost(starts[2], 7));
      let best = Infinity;
      for (let i = 1; i < 6; i++) for (let j = i + 1; j < 7; j++) best = Math.min(best, Math.max(cost(0, i), cost(i, j), cost(j, 7)));
      expect(got).toBeCloseTo(best, 12);
    }
  });
  it('memory per stage: weights, gradients, optimizer (÷ dp with ZeRO-1) and min(m, p - s) micro-batches of activations', () => {
    const ls = [layer('a', 1, 1, { weightBytes: 6, gradBytes: 4, optimizerBytes: 8, activationBytes: 100 }), layer('b', 1, 1, { weightBytes: 6, gradBytes: 4, optimizerBytes: 8, activationBytes: 100 })];
    const r = pipelineStep(ls, layout({ pp: 2, dp: 2, zero: 1 }), 16, net, Infinity);
    // m = 16 / 2 = 8; stage 0 holds min(8, 2) = 2 micro-batches, stage 1 holds 1
    expect(r.stages[0].memoryBytes).toBe(6 + 4 + 8 / 2 + 2 * 100);
    expect(r.stages[1].memoryBytes).toBe(6 + 4 + 8 / 2 + 1 * 100);
    const tight = pipelineStep(ls, layout({ pp: 2, dp: 2, zero: 1 }), 16, net, 150);
    expect(tight.feasible).toBe(false);
    expect(tight.reason).toMatch(/no partition into 2 stages fits/);
  });
  it('data-parallel all-reduce is hidden behind the backward pass up to its length, unless it starts after the backward', () => {
    const ls = [layer('a', 1, 0.001, { params: 1e9 })];
    const r = pipelineStep(ls, layout({ dp: 8 }), 8, { ...net, devicesPerNode: 1 }, Infinity);
    const ar = ringAllReduceS(2e9, 8, { GBs: 10, latencyS: 1e-5 });
    expect(r.commTimeS.dataParallel).toBeCloseTo(ar, 12);
    expect(r.commTimeS.dataParallelExposed).toBeCloseTo(ar - 0.001, 12);
    const after = pipelineStep(ls, layout({ dp: 8, overlapGradReduce: false }), 8, { ...net, devicesPerNode: 1 }, Infinity);
    expect(after.commTimeS.dataParallelExposed).toBeCloseTo(ar, 12);
    expect(after.stepTimeS - r.stepTimeS).toBeCloseTo(0.001, 12);
  });
  it('tensor-parallel blocks pay 4 all-reduces of their output per micro-batch (6 with recompute)', () => {
    const l = layer('layers.0', 1, 1, { block: true, boundaryBytes: 1e8 });
    const one = ringAllReduceS(1e8, 4, linkFor(net, 4));
    expect(tpCommS(l, layout({ tp: 4 }), net)).toBeCloseTo(4 * one, 12);
    expect(tpCommS(l, layout({ tp: 4, recompute: 'full' }), net)).toBeCloseTo(6 * one, 12);
    expect(tpCommS({ ...l, block: false }, layout({ tp: 4 }), net)).toBe(0);
  });
});

describe('tensor-parallel shards and layer profiles', () => {
  it('a t-way shard of a block holds 1/t of its matrices', () => {
    const gpt2 = findModel('gpt2');
    const blockParams = (t: number) => paramCount(gpt2.build({ batch: 1, seq: 16, dtype: 'bf16', tensorParallel: t, layers: 1 }).params.filter((p) => p.layer === 'layers.0'));
    const d = 768;
    // QKV and fc1 column-parallel (with their biases), out-proj and fc2 row-parallel; norms and row-parallel biases replicated
    const matrices = 4 * d * d + 2 * d * 4 * d;
    expect(blockParams(1) - blockParams(4)).toBe(matrices - matrices / 4 + (3 * d + 4 * d) * (1 - 1 / 4));
  });
  it('rejects a width that does not divide the heads', () => {
    expect(() => findModel('gpt2').build({ batch: 1, seq: 8, dtype: 'bf16', tensorParallel: 5 })).toThrow(/tensor-parallel width 5 must divide gpt2's 12 attention heads/);
  });
  it('profiles every block of the model from one', () => {
    const layers = profileLayers({ model: 'gpt2', microbatch: 2, seq: 128, tensorParallel: 2, recompute: false, optimizer: 'adam', precision: 'bf16' }, presetDesign('a100'), new Kernel());
    expect(layers.filter((l) => l.block)).toHaveLength(12);
    for (const l of layers) expect(Number.isFinite(l.fwdS + l.bwdS) && l.fwdS >= 0).toBe(true);
    expect(layers.find((l) => l.name === 'layers.11')!.fwdS).toBe(layers.find((l) => l.name === 'layers.0')!.fwdS);
  });
});

describe('accelmine distributed (CLI)', () => {
  it('prints layout, stages, step time, throughput, bubble, communication and TFLOP/s', () => {
    const p = spawnSync(process.execPath, [CLI, 'distributed', '--model', 'gpt2-medium', '--devices', '16', '--tp', '2', '--pp', '4', '--dp', '2', '--microbatch', '2', '--global-batch', '32', '--seq', '512', '--json'], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const r = JSON.parse(p.stdout);
    expect(r.layout).toMatchObject({ dp: 2, pp: 4, tp: 2, microbatch: 2, recompute: 'none', interleave: 1, sequenceParallel: false, zero: 0 });
    expect(r.stages).toHaveLength(4);
    expect(r.stages.reduce((s: number, x: { layers: number }) => s + x.layers, 0)).toBeGreaterThanOrEqual(24);
    expect(r.throughput.samplesPerS).toBeCloseTo(32 / r.stepTimeS, 6);
    expect(r.throughput.tokensPerS).toBeCloseTo(r.throughput.samplesPerS * 512, 3);
    expect(r.bubbleFraction).toBeCloseTo(3 / (8 + 3), 12);
    expect(Object.keys(r.commTimeS)).toEqual(['tensorParallel', 'expertParallel', 'pipeline', 'dataParallel', 'dataParallelExposed']);
    expect(r.perDeviceTflops).toBeGreaterThan(0);
    expect(r.design.tensorCores).toBe(108);
  });
  it('an infeasible layout is a result with its reason and zeros, never a JSON null', () => {
    const p = spawnSync(process.execPath, [CLI, 'distributed', '--model', 'gpt2', '--devices', '64', '--tp', '1', '--pp', '64', '--dp', '1', '--json'], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).not.toContain('null');
    const r = JSON.parse(p.stdout);
    expect(r.feasible).toBe(false);
    expect(r.reason).toBe('64 pipeline stages but only 15 layers');
    expect([r.stepTimeS, r.throughput.samplesPerS, r.perDeviceTflops]).toEqual([0, 0, 0]);
  });
  it('a --microbatch that does not divide the per-replica batch is an infeasible result, printed without a fraction of a micro-batch', () => {
    const p = spawnSync(process.execPath, [CLI, 'distributed', '--model', 'gpt2', '--devices', '8', '--tp', '2', '--pp', '2', '--dp', '2', '--microbatch', '3'], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    // it printed "micro-batch 3 (2.6666666666666665 per step)"
    expect(p.stdout.split('\n').slice(1, 3)).toEqual([
      'layout: dp 2 x pp 2 x tp 2, micro-batch 3 (not a whole number per step), recompute none',
      'INFEASIBLE: global batch 16 is not a multiple of dp × microbatch = 6',
    ]);
  });
  it('searches the layout with --auto-parallel', () => {
    const p = spawnSync(process.execPath, [CLI, 'distributed', '--model', 'gpt2', '--devices', '8', '--auto-parallel', '--global-batch', '64', '--seq', '256', '--json'], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const r = JSON.parse(p.stdout);
    expect(r.layout.dp * r.layout.pp * r.layout.tp).toBe(8);
    expect(r.placement.layoutsEvaluated).toBeGreaterThan(10);
    for (const t of r.placement.top) expect(t.stepTimeS).toBeGreaterThanOrEqual(r.stepTimeS - 1e-12);
  });
  it('keeps the --tp, --pp and --dp given with --auto-parallel (they were dropped: the search chose dp 8 x pp 1 x tp 1)', () => {
    const auto = (...args: string[]) => {
      const p = spawnSync(process.execPath, [CLI, 'distributed', '--model', 'gpt2', '--devices', '8', '--auto-parallel', '--global-batch', '64', '--seq', '256', ...args, '--json'], { encoding: 'utf8' });
      expect(p.status, p.stderr).toBe(0);
      return JSON.parse(p.stdout).layout;
    };
    expect(auto('--tp', '4').tp).toBe(4);
    expect(auto('--pp', '2').pp).toBe(2);
    expect(auto('--dp', '2', '--tp', '2')).toMatchObject({ dp: 2, tp: 2, pp: 2 });
  });
  it.each([
    [['--devices', '8', '--auto-parallel', '--tp', '16'], /^accelmine: --tp 16 must divide --devices 8\n/],
    [['--devices', '8', '--auto-parallel', '--tp', '4', '--pp', '4'], /^accelmine: --tp 4 x --pp 4 = 16 must divide --devices 8\n/],
    [['--devices', '8', '--auto-parallel', '--tp', '2', '--pp', '2', '--dp', '4'], /^accelmine: --tp 2 x --pp 2 x --dp 4 = 16 must equal --devices 8\n/],
    [['--devices', '8', '--auto-parallel', '--tp', '1', '--sequence-parallel'], /^accelmine: --sequence-parallel needs --tp of at least 2 .*; got --tp 1\n/],
    // 5e-324 divided every op time into Infinity: "INFEASIBLE: no partition into 2 stages fits 74.5 GiB per device"
    [['--devices', '8', '--tp', '2', '--pp', '2', '--dp', '2', '--compute-efficiency', '5e-324'], /^accelmine: --compute-efficiency must be a number from 0\.001 to 1, got 5e-324\n/],
    // without --search these were taken and did nothing
    [['--devices', '8', '--tp', '2', '--pp', '2', '--dp', '2', '--area', '100'], /^accelmine: --area applies to --search \(the device design search\); give --search, or leave --area out\n/],
    [['--devices', '8', '--tp', '2', '--pp', '2', '--dp', '2', '--per-stage-designs'], /^accelmine: --per-stage-designs applies to --search/],
    [['--tp', '3', '--pp', '1', '--dp', '1', '--devices', '4'], /--tp 3 x --pp 1 x --dp 1 = 3 must equal --devices 4/],
    [['--devices', '4'], /give --tp T --pp P --dp D, or --auto-parallel/],
    [['--devices', '4', '--auto-parallel', '--network', 'infiniband'], /--network: unknown network "infiniband"/],
    [['--devices', '2147483647', '--auto-parallel'], /--devices must be at most 65536, got 2147483647/],
    [['--devices', '8', '--tp', '2', '--pp', '2', '--dp', '2', '--global-batch', '3'], /--global-batch 3 must be a multiple of --dp 2/],
  ])('rejects %j with one line', (args, re) => {
    const p = spawnSync(process.execPath, [CLI, 'distributed', '--model', 'gpt2', ...args], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr.trim().split('\n')).toHaveLength(1);
    expect(p.stderr).toMatch(re);
  });
});
