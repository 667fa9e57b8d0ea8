import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { presetDesign } from '../src/arch/presets.js';
import { Kernel } from '../src/engine/kernel.js';
import { layerCost, ringBytes } from '../src/distributed/layer-cost.js';
import { interleaveChoices, plainLayout, type Layout } from '../src/distributed/layout.js';
import { allGatherS, linkFor, reduceScatterS, ringAllReduceS, sendRecvS, treeAllReduceS, type Network } from '../src/distributed/network.js';
import { criticalTransfers, pipelineStep } from '../src/distributed/pipeline.js';
import { searchPlacement } from '../src/distributed/placement.js';
import { profileLayers, type LayerProfile } from '../src/distributed/profile.js';
import { runDistributed } from '../src/index.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const net: Network = { name: 'test', devicesPerNode: 4, intraGBs: 100, intraLatencyS: 1e-6, interGBs: 10, interLatencyS: 1e-5, allReduce: 'ring', source: 'test' };
const a100 = presetDesign('a100');

const layer = (name: string, o: Partial<LayerProfile> = {}): LayerProfile => ({
  name, block: false, fwdS: 1, bwdS: 2, optimizerS: 0, params: 0, weightBytes: 0, gradBytes: 0, optimizerBytes: 0, activationBytes: 0, boundaryBytes: 0, flops: 0, ...o,
});
const blocks = (n: number, o: Partial<LayerProfile> = {}) => Array.from({ length: n }, (_, i) => layer(`layers.${i}`, { block: true, ...o }));
const layout = (o: Partial<Layout>): Layout => plainLayout({ dp: 1, pp: 1, tp: 1, microbatch: 1, ...o });
const gpt2 = (tp: number, attention: 'fused' | 'unfused', fullRecompute = false) =>
  profileLayers({ model: 'gpt2', microbatch: 2, seq: 128, tensorParallel: tp, recompute: fullRecompute, attention, optimizer: 'adam', precision: 'bf16' }, a100, new Kernel());
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'distributed', ...args], { encoding: 'utf8' });
const json = (...args: string[]) => {
  const p = cli(...args, '--json');
  expect(p.status, p.stderr).toBe(0);
  return JSON.parse(p.stdout);
};

describe('interleaved 1F1B (--interleave V)', () => {
  it('bubble (p - 1)/(V m): pipeline = m x device time + (p - 1) x chunk time + the critical-path send/recvs', () => {
    const ls = blocks(8, { boundaryBytes: 1e6 }); // 3 s per block
    const send = sendRecvS(1e6, linkFor(net, 2));
    for (const V of [1, 2, 4]) {
      const r = pipelineStep(ls, layout({ pp: 2, interleave: V }), 8, net, Infinity);
      // each device holds 4 blocks (12 s per micro-batch) in V chunks of 12/V s; 1F1B: 2(p - 1)(1 + (m - 1)/p), interleaved 2(pV - 1)
      const transfers = V === 1 ? 2 * (1 + 7 / 2) : 2 * (2 * V - 1);
      expect(criticalTransfers(2, V, 8)).toBeCloseTo(transfers, 12);
      expect(r.pipelineS).toBeCloseTo(8 * 12 + (2 - 1) * (12 / V) + transfers * send, 9);
      expect(r.bubbleOverhead).toBeCloseTo((2 - 1) / (V * 8), 12);
      expect(r.bubbleFraction).toBeCloseTo((2 - 1) / (V * 8 + 2 - 1), 12);
    }
  });
  it('device s holds chunks s, s + p, ...; a middle device sends V times as many activations', () => {
    const ls = [layer('embed'), ...blocks(8, { boundaryBytes: 1e3 }), layer('head')];
    const one = pipelineStep(ls, layout({ pp: 4 }), 8, net, Infinity);
    const two = pipelineStep(ls, layout({ pp: 4, interleave: 2 }), 8, net, Infinity);
    expect(two.stages[0].layers).toEqual(['embed', 'layers.0', 'layers.4']);
    expect(two.stages[3].layers).toEqual(['layers.3', 'layers.7', 'head']);
    expect(two.stages[1].chunks).toEqual([{ firstLayer: 2, lastLayer: 2 }, { firstLayer: 6, lastLayer: 6 }]);
    expect(two.commBytes.pipeline).toBe(2 * one.commBytes.pipeline);
    expect(one.commBytes.pipeline).toBe(8 * 2 * 1e3); // m micro-batches x (forward activation + backward gradient)
    const send = sendRecvS(1e3, linkFor(net, 2));
    expect(one.commTimeS.pipeline).toBeCloseTo(criticalTransfers(4, 1, 8) * send, 15);
    expect(two.commTimeS.pipeline).toBeCloseTo(criticalTransfers(4, 2, 8) * send, 15);
  });
  it('activations in flight as Megatron: min(2(p - s - 1) + (V - 1)p + 1, Vm)/V micro-batches, the first stage p(1 + (p - 1)/(pV))', () => {
    const ls = blocks(16, { activationBytes: 100 });
    const p = 4, V = 2;
    const r = pipelineStep(ls, layout({ pp: p, interleave: V }), 16, net, Infinity);
    // 4 blocks per device
    r.stages.forEach((s, i) => expect(s.activationBytes).toBeCloseTo(400 * Math.min(2 * (p - i - 1) + (V - 1) * p + 1, V * 16) / V, 9));
    expect(r.stages[0].activationBytes).toBeCloseTo(400 * p * (1 + (p - 1) / (p * V)), 9);
    const plain = pipelineStep(ls, layout({ pp: p }), 16, net, Infinity);
    expect(plain.stages[0].activationBytes).toBe(400 * p);
    // few micro-batches cap it
    expect(pipelineStep(ls, layout({ pp: p, interleave: V }), 1, net, Infinity).stages[0].activationBytes).toBeCloseTo(400, 9);
  });
  it('V must divide the blocks per stage', () => {
    expect(interleaveChoices(96, 12)).toEqual([1, 2, 4, 8]);
    expect(interleaveChoices(96, 7)).toEqual([1]);
    expect(interleaveChoices(96, 1)).toEqual([1]);
    const r = pipelineStep(blocks(6), layout({ pp: 2, interleave: 2 }), 4, net, Infinity);
    expect(r.feasible).toBe(false);
    expect(r.reason).toMatch(/--interleave 2 must divide the 3 blocks per stage/);
  });
});

describe('sequence parallelism (--sequence-parallel)', () => {
  it('the SP region (norms, residual dropouts and adds) runs and is stored on 1/t of the tokens', () => {
    const sp = { fwdS: 0.4, bwdS: 0.6, activationBytes: 600, flops: 80 };
    const l = layer('layers.0', { block: true, fwdS: 1, bwdS: 2, activationBytes: 1000, flops: 100, boundaryBytes: 1e6, seqParallel: sp });
    const off = layerCost(l, layout({ tp: 4 }), net), on = layerCost(l, layout({ tp: 4, sequenceParallel: true }), net);
    expect(on.fwdS).toBeCloseTo(1 - 0.75 * 0.4, 15);
    expect(on.bwdS).toBeCloseTo(2 - 0.75 * 0.6, 15);
    expect(on.activationBytes).toBeCloseTo(1000 - 0.75 * 600, 9);
    expect(on.flops).toBeCloseTo(100 - 0.75 * 80, 9);
    expect([off.fwdS, off.activationBytes]).toEqual([1, 1000]);
    // each all-reduce becomes a reduce-scatter + all-gather: the same ring volume and, on a ring, the same time
    const link = linkFor(net, 4);
    expect(on.tpFwdS).toBeCloseTo(2 * (reduceScatterS(1e6, 4, link) + allGatherS(1e6, 4, link)), 15);
    expect(on.tpFwdS).toBeCloseTo(off.tpFwdS, 15);
    expect(on.tpBytes).toBe(off.tpBytes);
    expect(off.tpBytes).toBe(4 * ringBytes('all-reduce', 1e6, 4));
    // a tree all-reduce is not the pair
    const tree = { ...net, allReduce: 'tree' as const };
    expect(layerCost(l, layout({ tp: 4 }), tree).tpFwdS).toBeCloseTo(2 * treeAllReduceS(1e6, 4, link), 15);
    expect(layerCost(l, layout({ tp: 4, sequenceParallel: true }), tree).tpFwdS).toBeCloseTo(on.tpFwdS, 15);
  });
  it('profiles the SP region of a GPT-2 block: the two norms, two residual adds and the o/fc2 outputs (dropout fused in)', () => {
    const b = gpt2(2, 'fused').find((l) => l.name === 'layers.0')!;
    const tokensTimesWidth = 2 * 128 * 768;
    expect(b.seqParallel!.activationBytes).toBe(6 * tokensTimesWidth * 2);
    expect(b.seqParallel!.fwdS).toBeGreaterThan(0);
    expect(b.seqParallel!.fwdS).toBeLessThan(b.fwdS / 2);
    expect(b.seqParallel!.bwdS).toBeGreaterThan(0);
  });
  it('pipeline sends carry the 1/t sequence shard (without SP: scatter/gather); full recompute stores the 1/t shard of each block input', () => {
    const ls = blocks(4, { boundaryBytes: 8e6, activationBytes: 8e6, seqParallel: { fwdS: 0, bwdS: 0, activationBytes: 8e6, flops: 0 } });
    const off = pipelineStep(ls, layout({ tp: 4, pp: 2, recompute: 'full' }), 4, net, Infinity);
    const on = pipelineStep(ls, layout({ tp: 4, pp: 2, recompute: 'full', sequenceParallel: true }), 4, net, Infinity);
    // each device sends 1/t either way; without SP the receivers all-gather the tensor over the tensor-parallel group
    expect(on.commBytes.pipeline).toBe(off.commBytes.pipeline);
    expect(on.commBytes.pipeline).toBe(4 * 1 * 8e6 / 4); // m micro-batches x one send each (a two-stage pipeline's ends)
    const inter = { GBs: 10, latencyS: 1e-5 }; // t·p = 8 devices > 4 per node: the stages sit on different nodes
    expect(on.commTimeS.pipeline).toBeCloseTo(criticalTransfers(2, 1, 4) * sendRecvS(2e6, inter), 15);
    expect(off.commTimeS.pipeline).toBeCloseTo(criticalTransfers(2, 1, 4) * (sendRecvS(2e6, inter) + allGatherS(8e6, 4, linkFor(net, 4))), 15);
    expect(on.stages[0].activationBytes).toBe(off.stages[0].activationBytes / 4);
  });
  it('needs tp > 1', () => {
    const r = pipelineStep(blocks(2), layout({ sequenceParallel: true }), 2, net, Infinity);
    expect(r.feasible).toBe(false);
    expect(r.reason).toMatch(/--sequence-parallel needs --tp of at least 2/);
  });
});

describe('recompute full | selective | none', () => {
  it('selective recomputes and drops only the attention core; full keeps layer inputs and repeats 2 all-reduces', () => {
    const core = { fwdS: 0.3, bwdS: 0, activationBytes: 700, flops: 50 };
    const l = layer('layers.0', { block: true, fwdS: 1, bwdS: 2, activationBytes: 1000, flops: 100, boundaryBytes: 1e6, attentionCore: core });
    const none = layerCost(l, layout({ tp: 2 }), net), sel = layerCost(l, layout({ tp: 2, recompute: 'selective' }), net);
    expect(sel.bwdS).toBeCloseTo(2 + 0.3, 15);
    expect(sel.activationBytes).toBe(300);
    expect(sel.flops).toBe(150);
    expect(sel.tpBwdS).toBe(none.tpBwdS);
    expect(layerCost(l, layout({ tp: 2, recompute: 'full' }), net).tpBwdS).toBeCloseTo(2 * none.tpBwdS, 15);
  });
  it('unfused attention: the core is the scores, softmax, dropout, context chain; memory full < selective < none, time none < selective < full', () => {
    const plain = gpt2(2, 'unfused'), full = gpt2(2, 'unfused', true);
    const b = plain.find((l) => l.name === 'layers.0')!;
    // 6 heads per device: scores (pre- and post-scale), softmax, dropout [2, 6, 128, 128] and context, kᵀ [2, 6, 128, 64], bf16
    expect(b.attentionCore!.activationBytes).toBe(4 * 2 * 6 * 128 * 128 * 2 + 2 * 2 * 6 * 128 * 64 * 2);
    const step = (ls: LayerProfile[], recompute: Layout['recompute']) => pipelineStep(ls, layout({ tp: 2, recompute }), 4, net, Infinity);
    const [n, s, f] = [step(plain, 'none'), step(plain, 'selective'), step(full, 'full')];
    expect(f.stages[0].activationBytes).toBeLessThan(s.stages[0].activationBytes);
    expect(s.stages[0].activationBytes).toBe(n.stages[0].activationBytes - 12 * b.attentionCore!.activationBytes);
    expect(n.stepTimeS).toBeLessThan(s.stepTimeS);
    expect(s.stepTimeS).toBeLessThan(f.stepTimeS);
    expect(s.stages[0].computeS).toBeCloseTo(n.stages[0].computeS + 12 * b.attentionCore!.fwdS, 12);
  });
  it('fused attention never stores the core: selective is none', () => {
    const ls = gpt2(2, 'fused');
    expect(ls.map((l) => l.attentionCore?.activationBytes ?? 0).filter((b) => b !== 0)).toEqual([]);
    const n = pipelineStep(ls, layout({ tp: 2 }), 4, net, Infinity), s = pipelineStep(ls, layout({ tp: 2, recompute: 'selective' }), 4, net, Infinity);
    expect(s.stepTimeS).toBe(n.stepTimeS);
    expect(s.stages[0].memoryBytes).toBe(n.stages[0].memoryBytes);
  });
});

describe('ZeRO 0-3 (--zero)', () => {
  // per layer: 2 bytes compute weights, 4 master, 4 gradients, 8 optimizer state per parameter
  const params = 1e6;
  const ls = [1, 2].map((k) => layer(`l${k}`, { params: k * params, weightBytes: 2 * k * params, masterBytes: 4 * k * params, gradBytes: 4 * k * params, optimizerBytes: 8 * k * params, optimizerS: 0.8 }));
  const P = 3 * params, d = 4;
  const at = (zero: Layout['zero'], m = 4) => pipelineStep(ls, layout({ dp: d, zero }), d * m, net, Infinity);
  it('memory: 1 shards optimizer state and master weights, 2 + gradients, 3 + weights (plus one gathered layer)', () => {
    expect(at(0).stages[0].memoryBytes).toBe(18 * P);
    expect(at(1).stages[0].memoryBytes).toBe(2 * P + 4 * P + (4 + 8) * P / d);
    expect(at(2).stages[0].memoryBytes).toBe(2 * P + (4 + 4 + 8) * P / d);
    expect(at(3).stages[0].memoryBytes).toBe(18 * P / d + 2 * 2 * params);
  });
  it('optimizer time / d from ZeRO-1 on', () => {
    expect(at(0).stages[0].optimizerS).toBeCloseTo(1.6, 15);
    for (const z of [1, 2, 3] as const) expect(at(z).stages[0].optimizerS).toBeCloseTo(1.6 / d, 15);
  });
  it('volumes: all-reduce = reduce-scatter + all-gather (ZeRO-1); ZeRO-2 reduce-scatters every micro-batch; ZeRO-3 is 1.5x per micro-batch', () => {
    const G = 2 * P; // bf16
    const v = (d - 1) / d * G;
    expect(at(0).commBytes.dataParallel).toBeCloseTo(2 * v, 6);
    expect(at(1).commBytes.dataParallel).toBeCloseTo(2 * v, 6);
    expect(at(2, 4).commBytes.dataParallel).toBeCloseTo(4 * v + v, 6);
    expect(at(3, 4).commBytes.dataParallel).toBeCloseTo(4 * 3 * v, 6);
    expect(at(3, 1).commBytes.dataParallel).toBeCloseTo(1.5 * at(0, 1).commBytes.dataParallel, 6);
  });
  it('ZeRO-3 gathers each layer before its forward and backward, overlapped with the layer: max(compute, traffic) per phase', () => {
    const link = linkFor(net, d);
    const l = ls[1];
    const ag = allGatherS(2 * l.params, d, link), rs = reduceScatterS(2 * l.params, d, link);
    const c = layerCost(l, layout({ dp: d, zero: 3 }), net);
    expect(c.timeS).toBeCloseTo(Math.max(1, ag) + Math.max(2, ag + rs), 15);
    const slow = layerCost({ ...l, fwdS: 1e-9, bwdS: 1e-9 }, layout({ dp: d, zero: 3 }), net);
    expect(slow.timeS).toBeCloseTo(ag + ag + rs, 12);
    // ZeRO-1: the gradients reduce-scatter after the last backward (hidden up to its length), the all-gather of the updated weights is exposed
    const z1 = at(1);
    const backward = 2 + 2;
    expect(z1.commTimeS.dataParallelExposed).toBeCloseTo(Math.max(0, reduceScatterS(2 * P, d, link) - backward) + allGatherS(2 * P, d, link), 15);
    expect(at(0).commTimeS.dataParallel).toBeCloseTo(ringAllReduceS(2 * P, d, link), 15);
  });
});

describe('placement search over the new dimensions', () => {
  const problem = (attention: 'fused' | 'unfused') => ({
    model: 'gpt2', seq: 128, attention, devices: 12, globalBatch: 24, network: net, optimizer: 'adam' as const, precision: 'bf16' as const, fixed: { microbatch: 2 },
  });
  it('covers interleave 1/2/4 where the blocks allow, SP on/off when tp > 1, every recompute mode, ZeRO 0-3 when dp > 1', () => {
    const fused = searchPlacement(problem('fused'), a100, new Kernel()).all.map((p) => p.layout);
    const unfused = searchPlacement(problem('unfused'), a100, new Kernel()).all.map((p) => p.layout);
    const values = <K extends keyof Layout>(ls: Layout[], k: K) => [...new Set(ls.map((l) => l[k]))].sort();
    expect(values(fused, 'interleave')).toEqual([1, 2, 4]);
    // gpt2 has 12 blocks: V = 4 needs 4, 8 or 12 blocks per stage
    for (const l of fused) if (l.interleave > 1) expect((12 / l.pp) % l.interleave).toBe(0);
    expect(fused.map((l) => [l.pp, l.interleave])).toContainEqual([3, 4]);
    expect(values(fused.filter((l) => l.tp > 1), 'sequenceParallel')).toEqual([false, true]);
    expect(values(fused.filter((l) => l.tp === 1), 'sequenceParallel')).toEqual([false]);
    expect(values(fused.filter((l) => l.dp > 1), 'zero')).toEqual([0, 1, 2, 3]);
    expect(values(fused.filter((l) => l.dp === 1), 'zero')).toEqual([0]);
    // with fused attention selective would repeat none
    expect(values(fused, 'recompute')).toEqual(['full', 'none']);
    expect(values(unfused, 'recompute')).toEqual(['full', 'none', 'selective']);
    const key = (l: Layout) => JSON.stringify(l);
    expect(new Set(fused.map(key)).size).toBe(fused.length);
  });
  it('what is given stays fixed', () => {
    const r = searchPlacement({ ...problem('fused'), fixed: { microbatch: 2, interleave: 2, zero: 1, sequenceParallel: true, recompute: 'full' } }, a100, new Kernel());
    expect(r.all.length).toBeGreaterThan(0);
    for (const p of r.all) expect(p.layout).toMatchObject({ interleave: 2, zero: 1, sequenceParallel: true, recompute: 'full' });
  });
});

describe('runDistributed (library)', () => {
  it('takes the new request fields and the former recompute boolean and zero1', async () => {
    const base = { model: 'gpt2', devices: 8, tp: 2, pp: 2, dp: 2, microbatch: 2, globalBatch: 16, seq: 128, autoParallel: false, design: a100, network: net, optimizer: 'adam' as const, precision: 'bf16' as const };
    const r = await runDistributed({ ...base, recompute: 'selective', interleave: 2, sequenceParallel: true, zero: 2 });
    expect(r.layout).toEqual({ dp: 2, pp: 2, tp: 2, microbatch: 2, recompute: 'selective', interleave: 2, sequenceParallel: true, zero: 2, ep: 1, overlapGradReduce: true });
    expect(r.stages[0].chunks).toEqual([{ firstLayer: 'embed', lastLayer: 'layers.2' }, { firstLayer: 'layers.6', lastLayer: 'layers.8' }]);
    const old = await runDistributed({ ...base, recompute: true, zero1: true, interleave: 1, sequenceParallel: false });
    expect(old.layout).toMatchObject({ recompute: 'full', zero: 1 });
    const off = await runDistributed({ ...base, recompute: false, zero1: false, interleave: 1, sequenceParallel: false });
    expect(off.layout).toMatchObject({ recompute: 'none', zero: 0 });
    // left undefined, the ZeRO stage is searched
    const searched = await runDistributed({ ...base, recompute: 'none', interleave: 1, sequenceParallel: false });
    expect([0, 1, 2, 3]).toContain(searched.layout.zero);
    expect(searched.stepTimeS).toBeLessThanOrEqual(off.stepTimeS);
    await expect(runDistributed({ ...base, zero: 2, zero1: true })).rejects.toThrow(/--zero1 is --zero 1/);
  });
});

describe('accelmine distributed: the new options (CLI)', () => {
  const base = ['--model', 'gpt2-medium', '--devices', '16', '--tp', '2', '--pp', '4', '--dp', '2', '--microbatch', '2', '--global-batch', '32', '--seq', '512'];
  it('--zero1 still works and equals --zero 1; --recompute with no mode is full', () => {
    const z1 = json(...base, '--zero1');
    const zero1 = json(...base, '--zero', '1');
    expect(z1.layout.zero).toBe(1);
    expect(z1.stages.map((s: { memoryBytes: number }) => s.memoryBytes)).toEqual(zero1.stages.map((s: { memoryBytes: number }) => s.memoryBytes));
    expect(z1.stages[0].memoryBytes).toBeLessThan(json(...base).stages[0].memoryBytes);
    expect(json(...base, '--recompute').layout.recompute).toBe('full');
    expect(json(...base, '--recompute', 'selective').layout.recompute).toBe('selective');
  });
  it('prints the chosen layout with its trade-offs', () => {
    const p = cli(...base, '--interleave', '2', '--sequence-parallel', '--recompute', 'selective', '--zero', '2');
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/layout: dp 2 x pp 4 x tp 2, micro-batch 2 \(8 per step\), recompute selective, interleave 2, sequence parallel, ZeRO-2/);
    expect(p.stdout).toMatch(/dp comm ms/);
  });
  it('--auto-parallel reports every dimension of the chosen layout', () => {
    const r = json('--model', 'gpt2', '--devices', '8', '--auto-parallel', '--global-batch', '64', '--seq', '256');
    expect(Object.keys(r.layout).sort()).toEqual(['dp', 'ep', 'interleave', 'microbatch', 'overlapGradReduce', 'pp', 'recompute', 'sequenceParallel', 'tp', 'zero']);
    expect(r.placement.layoutsEvaluated).toBeGreaterThan(100);
  });
  it.each([
    [['--interleave', '4'], /--interleave 4 must divide the 6 blocks per stage \(gpt2-medium's 24 blocks over --pp 4\); allowed: 1, 2, 3, 6/],
    [['--interleave', '0'], /--interleave must be a positive integer, got "0"/],
    [['--tp', '2', '--pp', '1', '--dp', '8', '--interleave', '2'], /--interleave 2 needs --pp of at least 2/],
    [['--tp', '1', '--pp', '4', '--dp', '4', '--sequence-parallel'], /--sequence-parallel needs --tp of at least 2 .*got --tp 1/],
    [['--recompute', 'partial'], /--recompute must be one of none, selective, full, got "partial"/],
    [['--zero', '4'], /--zero must be one of 0, 1, 2, 3, got "4"/],
    [['--zero', '2', '--zero1'], /--zero1 is --zero 1; give one of --zero 2 or --zero1/],
  ])('rejects %j with one line naming the flag', (extra, re) => {
    const args = ['--model', 'gpt2-medium', '--devices', '16'];
    const layoutArgs = extra.includes('--tp') ? [] : ['--tp', '2', '--pp', '4', '--dp', '2'];
    const p = cli(...args, ...layoutArgs, ...extra);
    expect(p.status).toBe(2);
    expect(p.stderr.trim().split('\n')).toHaveLength(1);
    expect(p.stderr).toMatch(re);
  });
  it('rejects interleaving a model without blocks, and auto-parallel layouts that cannot satisfy a fixed option', () => {
    const cnn = cli('--model', 'resnet50', '--devices', '4', '--tp', '1', '--pp', '2', '--dp', '2', '--interleave', '2');
    expect(cnn.status).toBe(2);
    expect(cnn.stderr).toMatch(/--interleave 2: interleaving splits transformer blocks into model chunks and resnet50 has none; allowed: 1/);
    const auto = cli('--model', 'gpt2', '--devices', '4', '--auto-parallel', '--interleave', '5');
    expect(auto.status).toBe(2);
    expect(auto.stderr.trim().split('\n')).toHaveLength(1);
    expect(auto.stderr).toMatch(/--interleave 5: no layout of 4 devices has blocks per stage divisible by 5 \(gpt2 has 12 blocks\)/);
  });
});
