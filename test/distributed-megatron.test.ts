/**
 * Megatron-LM's weak scaling (Narayanan et al., SC21, Table 1) and the mechanisms its rows exercise: the pipeline's
 * critical-path transfers against an event simulation of the schedules, scatter/gather, block-only recomputation,
 * launch gaps and the calibrated compute efficiency, the parametric Megatron GPT, and the reference CSV itself.
 */
import { describe, expect, it } from 'vitest';
import { presetDesign } from '../src/arch/presets.js';
import { Kernel } from '../src/engine/kernel.js';
import { MEGATRON_A100_COMPUTE_EFFICIENCY } from '../src/distributed/calibration.js';
import { plainLayout, type Layout } from '../src/distributed/layout.js';
import { allGatherS, ringLink, sendRecvS, type Network } from '../src/distributed/network.js';
import { criticalTransfers, p2pTransferS } from '../src/distributed/pipeline.js';
import { profileLayers } from '../src/distributed/profile.js';
import { readReferenceCsv } from '../src/validation/rows.js';
import { MEGATRON_BOUND_PCT, megatronIterationFlops, megatronRows, megatronRuns, predictMegatronRun } from '../src/validation/megatron.js';
import { paramCount } from '../src/workload/ir.js';
import { findModel } from '../src/workload/zoo/index.js';

const net: Network = { name: 'test', devicesPerNode: 8, intraGBs: 200, intraLatencyS: 2e-6, interGBs: 20, interLatencyS: 1e-5, allReduce: 'ring', source: 'test' };
const layout = (o: Partial<Layout>): Layout => plainLayout({ dp: 1, pp: 1, tp: 1, microbatch: 1, ...o });

/**
 * Event simulation of Megatron's pipeline schedules (schedules.py: 1F1B with p − s − 1 warm-up forwards; interleaved
 * with 2(p − s − 1) + (V − 1)p warm-up chunk-forwards), every chunk-boundary transfer taking `c` and sent asynchronously
 * (a chunk waits only for its input). Returns the step time.
 */
function simulate(p: number, V: number, m: number, fwd: number, bwd: number, c: number): number {
  const total = m * V;
  const order = (s: number) => {
    const warm = V > 1 ? Math.min(2 * (p - s - 1) + (V - 1) * p, total) : Math.min(p - s - 1, m);
    const chunk = (k: number, forward: boolean) => {
      const v = Math.floor((k % (p * V)) / p);
      return forward ? v : V - 1 - v;
    };
    const mb = (k: number) => Math.floor(k / (p * V)) * p + (k % p);
    const ops: [boolean, number, number][] = [];
    let f = 0, b = 0;
    for (; f < warm; f++) ops.push([true, mb(f), chunk(f, true)]);
    while (f < total) {
      ops.push([true, mb(f), chunk(f, true)]);
      f++;
      ops.push([false, mb(b), chunk(b, false)]);
      b++;
    }
    for (; b < total; b++) ops.push([false, mb(b), chunk(b, false)]);
    return ops;
  };
  const orders = Array.from({ length: p }, (_, s) => order(s));
  const done = new Map<string, number>();
  const pos = new Array(p).fill(0), clock = new Array(p).fill(0);
  const f = fwd / V, b = bwd / V, last = p * V - 1;
  for (let progress = true; progress; ) {
    progress = false;
    for (let s = 0; s < p; s++) {
      for (; pos[s] < orders[s].length; pos[s]++) {
        const [forward, mbi, ch] = orders[s][pos[s]];
        const g = ch * p + s; // global chunk
        let ready: number | undefined;
        if (forward) ready = g === 0 ? 0 : done.has(`F${mbi}.${g - 1}`) ? done.get(`F${mbi}.${g - 1}`)! + c : undefined;
        else ready = g === last ? done.get(`F${mbi}.${g}`) : done.has(`B${mbi}.${g + 1}`) ? done.get(`B${mbi}.${g + 1}`)! + c : undefined;
        if (ready === undefined) break;
        clock[s] = Math.max(clock[s], ready) + (forward ? f : b);
        done.set(`${forward ? 'F' : 'B'}${mbi}.${g}`, clock[s]);
        progress = true;
      }
    }
  }
  if (pos.some((x, s) => x < orders[s].length)) throw new Error('the schedule deadlocked');
  return Math.max(...clock);
}

describe('pipeline transfers on the critical path', () => {
  it('the schedules simulate to (m + (p − 1)/V)(t_f + t_b) without transfers (the bubble formula)', () => {
    for (const [p, V, m] of [[4, 1, 16], [8, 2, 48], [4, 3, 28], [5, 1, 3]]) expect(simulate(p, V, m, 1, 2, 0)).toBeCloseTo((m + (p - 1) / V) * 3, 9);
  });
  it('1F1B: 2(p − 1)(1 + (m − 1)/p) transfers, within two of the simulation for every p and m', () => {
    const c = 1e-3;
    for (const p of [2, 3, 4, 8, 16]) {
      for (const m of [1, 2, 3, 4, 6, 8, 16, 32, 64]) {
        const simulated = (simulate(p, 1, m, 1, 2, c) - simulate(p, 1, m, 1, 2, 0)) / c;
        expect(Math.abs(criticalTransfers(p, 1, m) - simulated), `p ${p} m ${m}`).toBeLessThanOrEqual(2);
      }
    }
    // the steady state pays a round trip per p micro-batches: far more than the fill and drain alone
    expect((simulate(64, 1, 512, 1, 3, c) - simulate(64, 1, 512, 1, 3, 0)) / c).toBeGreaterThan(8 * 2 * 63);
  });
  it('interleaved: 2(pV − 1) transfers (fill and drain through every chunk), within two of the simulation: its deeper warm-up hides the steady state', () => {
    const c = 1e-3;
    for (const [p, V, m] of [[4, 2, 16], [8, 2, 48], [4, 3, 28], [16, 2, 144], [35, 3, 280], [4, 5, 28], [8, 3, 8]]) {
      const simulated = (simulate(p, V, m, 1, 2, c) - simulate(p, V, m, 1, 2, 0)) / c;
      expect(Math.abs(criticalTransfers(p, V, m) - simulated), `p ${p} V ${V} m ${m}`).toBeLessThanOrEqual(2);
    }
    expect(criticalTransfers(1, 1, 8)).toBe(0);
  });
  it('a transfer: 1/t per device on its own link (inter-node when the pipeline spans nodes), then an all-gather over the t devices', () => {
    const inter = { GBs: 20, latencyS: 1e-5 };
    expect(p2pTransferS(8e6, layout({ tp: 8, pp: 2 }), net)).toBeCloseTo(sendRecvS(1e6, inter) + allGatherS(8e6, 8, ringLink(net, 8)), 15);
    expect(p2pTransferS(8e6, layout({ tp: 8, pp: 2, sequenceParallel: true }), net)).toBeCloseTo(sendRecvS(1e6, inter), 15);
    expect(p2pTransferS(8e6, layout({ tp: 1, pp: 2 }), net)).toBeCloseTo(sendRecvS(8e6, { GBs: 200, latencyS: 2e-6 }), 15);
    expect(p2pTransferS(8e6, layout({ tp: 1, pp: 16 }), net)).toBeCloseTo(sendRecvS(8e6, inter), 15);
  });
});

describe('profiles of a Megatron GPT', () => {
  const a100 = presetDesign('a100');
  const kernel = new Kernel();
  const profile = (o: { recompute?: boolean; launchOverheadS?: number; computeEfficiency?: number } = {}) =>
    profileLayers({ model: 'megatron-gpt-l4-h256-a4', microbatch: 2, seq: 128, tensorParallel: 2, recompute: !!o.recompute, optimizer: 'adam', precision: 'bf16', attention: 'unfused', launchOverheadS: o.launchOverheadS, computeEfficiency: o.computeEfficiency }, a100, kernel);
  const by = (ls: ReturnType<typeof profile>, name: string) => ls.find((l) => l.name === name)!;
  it('full recomputation reruns the blocks only: the embedding, head and loss keep their activations and run once', () => {
    const plain = profile(), full = profile({ recompute: true });
    for (const name of ['embed', 'head', 'loss']) {
      expect(by(full, name).bwdS, name).toBeCloseTo(by(plain, name).bwdS, 15);
      expect(by(full, name).activationBytes, name).toBe(by(plain, name).activationBytes);
      expect(by(full, name).flops, name).toBe(by(plain, name).flops);
    }
    const block = by(full, 'layers.0'), plainBlock = by(plain, 'layers.0');
    expect(block.bwdS).toBeGreaterThan(plainBlock.bwdS + 0.9 * plainBlock.fwdS);
    expect(block.activationBytes).toBe(by(full, 'embed').boundaryBytes);
  });
  it('a launch gap before every op with work, and op times ÷ the compute efficiency', () => {
    const base = profile(), gap = profile({ launchOverheadS: 1e-3 }), slow = profile({ computeEfficiency: 0.5 });
    const b = by(base, 'layers.0');
    const gaps = (by(gap, 'layers.0').fwdS - b.fwdS) / 1e-3;
    expect(Math.abs(gaps - Math.round(gaps))).toBeLessThan(1e-6);
    expect(gaps).toBeGreaterThanOrEqual(8); // norms, q/k/v/o projections, scores, softmax, context, MLP, residuals
    expect(by(slow, 'layers.0').fwdS).toBeCloseTo(2 * b.fwdS, 15);
    expect(by(slow, 'layers.0').bwdS).toBeCloseTo(2 * b.bwdS, 15);
  });
});

describe('megatron-gpt-l<layers>-h<hidden>-a<heads>: Megatron-LM GPT at any shape', () => {
  it('counts the paper\'s equation 2 plus the final LayerNorm, and builds it', () => {
    const m = findModel('megatron-gpt-l24-h2304-a24');
    const built = paramCount(m.build({ batch: 1, seq: 8, dtype: 'bf16' }).params);
    const [l, h, V, s] = [24, 2304, 51200, 2048];
    expect(built).toBe(12 * l * h * h + 13 * l * h + (V + s) * h + 2 * h);
    expect(m.published.params).toBeCloseTo(built, 0);
    expect(findModel('megatron-gpt-l2-h64-a4-v1000-s512').build({ batch: 1, seq: 8, dtype: 'bf16' }).params.find((p) => p.name === 'embed.tokens.weight')!.shape).toEqual([1000, 64]);
    expect(() => findModel('megatron-gpt-l2-h64-a5')).toThrow(/heads must divide the hidden size/);
    expect(() => findModel('megatron-gpt-l2')).toThrow(/unknown model "megatron-gpt-l2".*megatron-gpt-l<layers>-h<hidden>-a<heads>/);
  });
  it('reproduces the table\'s parameter counts', () => {
    for (const r of megatronRuns()) {
      const m = findModel(`megatron-gpt-l${r.layers}-h${r.hidden}-a${r.heads}`);
      expect(Math.abs(m.published.params / 1e9 - +r.paramsBillion), r.paramsBillion).toBeLessThan(0.051);
    }
  });
});

describe('the SC21 table (data/reference/megatron-sc21-weak-scaling.csv)', () => {
  const raw = readReferenceCsv('megatron-sc21-weak-scaling.csv');
  it('is consistent with itself: aggregate = per GPU x GPUs, % of the 312 TFLOP/s peak, layouts that divide', () => {
    expect(raw).toHaveLength(10);
    for (const r of raw) {
      expect(Math.abs((+r.tflops_per_gpu * +r.gpus) / 1000 / +r.aggregate_pflops - 1), r.params_billion).toBeLessThan(0.006);
      expect(Math.round(+r.tflops_per_gpu / 3.12), r.params_billion).toBe(+r.percent_peak);
      expect(+r.gpus % (+r.tp * +r.pp), r.params_billion).toBe(0);
      const d = +r.gpus / (+r.tp * +r.pp);
      expect(+r.global_batch % (d * +r.microbatch), r.params_billion).toBe(0);
      if (r.layers_per_virtual_stage) expect((+r.layers / +r.pp) % +r.layers_per_virtual_stage, r.params_billion).toBe(0);
      expect(r.source).toMatch(/2104\.04473.*run_table_1\.sh @6985e58938d4/);
    }
  });
  it('counts FLOPs as the paper\'s equation 3: 4 passes of the blocks (recomputation included), 3 of the logits', () => {
    const [B, s, l, h, V] = [512, 2048, 24, 2304, 51200];
    const blocks = 4 * l * (24 * B * s * h * h + 4 * B * s * s * h), logits = 3 * 2 * B * s * h * V;
    expect(megatronIterationFlops(B, s, l, h, V) / (blocks + logits)).toBeCloseTo(1, 12);
  });
});

describe('megatron rows of accelmine validate', () => {
  const kernel = new Kernel();
  it('every row within 15% with the calibrated compute efficiency, whose fit zeroes the mean error', () => {
    const rows = megatronRows(kernel);
    expect(rows).toHaveLength(10);
    for (const r of rows) {
      expect(r.allowed).toBe(`±${MEGATRON_BOUND_PCT}%`);
      expect(r.case).toMatch(/^megatron gpt [\d.]+b on \d+ a100s \(t \d+, p \d+, batch \d+\) TFLOP\/s per GPU$/);
      expect(Math.abs(r.errorPct), r.case).toBeLessThanOrEqual(MEGATRON_BOUND_PCT);
    }
    const mean = rows.reduce((s, r) => s + r.errorPct, 0) / rows.length;
    expect(Math.abs(mean)).toBeLessThan(1);
  });
  it('without the calibration every row is fast, the 1.7B row (no tensor- or pipeline-parallel traffic) by over 20%', () => {
    const runs = megatronRuns();
    const errors = runs.map((r) => predictMegatronRun(r, kernel, 1).tflopsPerGpu / r.tflopsPerGpu - 1);
    for (const e of errors) expect(e).toBeGreaterThan(0.05);
    expect(errors[0]).toBeGreaterThan(0.2);
    const calibrated = predictMegatronRun(runs[0], kernel);
    expect(calibrated.tflopsPerGpu / predictMegatronRun(runs[0], kernel, 1).tflopsPerGpu).toBeGreaterThan(MEGATRON_A100_COMPUTE_EFFICIENCY);
  });
});
