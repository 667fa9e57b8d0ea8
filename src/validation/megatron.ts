/**
 * Megatron-LM's weak-scaling table against the distributed model (docs/fidelity.md): Narayanan et al., SC21
 * (arXiv 2104.04473) Table 1, GPT from 1.7B parameters on 32 A100s to 1T on 3,072, as copied in
 * data/reference/megatron-sc21-weak-scaling.csv with the settings of the authors' scripts for it
 * (NVIDIA/Megatron-LM examples/sc21/run_table_1.sh): t, p, global batch, micro-batch, layers per virtual stage
 * (interleaving), the DDP implementation (`torch`: gradient all-reduce overlapped with the backward; `local`:
 * after it), full recomputation of every block, fp16, vocabulary 51,200, sequence 2,048. Megatron-LM's attention
 * of 2021 is unfused (baddbmm, fused scale-mask-softmax, dropout, bmm: megatron/model/transformer.py at that commit),
 * so the rows build the model with `attention: 'unfused'`. Cluster: the `a100` preset on `nvlink-ib` (Selene: DGX
 * A100 nodes, 8 GPUs on NVSwitch, 8 HDR InfiniBand NICs per node), the GPU launch gap, and the one calibrated
 * constant MEGATRON_A100_COMPUTE_EFFICIENCY (src/distributed/calibration.ts).
 *
 * Per-GPU throughput is counted as the paper counts it (its equation 3, which includes the recomputed forward pass):
 * F = 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)) FLOPs per iteration, over the predicted step time and the GPUs.
 */
import { presetDesign, presetInfo } from '../arch/presets.js';
import { defaultKernel, type Kernel } from '../engine/kernel.js';
import { MEGATRON_A100_COMPUTE_EFFICIENCY } from '../distributed/calibration.js';
import { NETWORKS } from '../distributed/network.js';
import { searchPlacement } from '../distributed/placement.js';
import { pctRow, readReferenceCsv, type FidelityRow } from './rows.js';

export const MEGATRON_BOUND_PCT = 15;
const VOCAB = 51200;
const SEQ = 2048;

/** The paper's equation 3: FLOPs of one iteration with activation recomputation. */
export function megatronIterationFlops(batch: number, seq: number, layers: number, hidden: number, vocab: number): number {
  return 96 * batch * seq * layers * hidden * hidden * (1 + seq / (6 * hidden) + vocab / (16 * layers * hidden));
}

export interface MegatronRun {
  paramsBillion: string;
  heads: number;
  hidden: number;
  layers: number;
  tp: number;
  pp: number;
  gpus: number;
  globalBatch: number;
  microbatch: number;
  /** model chunks per pipeline device: (layers / pp) / layers per virtual stage, 1 without interleaving */
  interleave: number;
  overlapGradReduce: boolean;
  tflopsPerGpu: number;
}

export function megatronRuns(): MegatronRun[] {
  return readReferenceCsv('megatron-sc21-weak-scaling.csv').map((r) => {
    const layers = +r.layers, pp = +r.pp;
    if (r.ddp !== 'torch' && r.ddp !== 'local') throw new Error(`megatron-sc21-weak-scaling.csv: ddp must be torch or local, got "${r.ddp}"`);
    return {
      paramsBillion: r.params_billion, heads: +r.heads, hidden: +r.hidden, layers, tp: +r.tp, pp, gpus: +r.gpus, globalBatch: +r.global_batch,
      microbatch: +r.microbatch, interleave: r.layers_per_virtual_stage ? layers / pp / +r.layers_per_virtual_stage : 1,
      overlapGradReduce: r.ddp === 'torch', tflopsPerGpu: +r.tflops_per_gpu,
    };
  });
}

/** The predicted step of one run (seconds; Infinity when the layout is infeasible) and its paper-basis TFLOP/s per GPU. */
export function predictMegatronRun(run: MegatronRun, kernel: Kernel = defaultKernel(), computeEfficiency = MEGATRON_A100_COMPUTE_EFFICIENCY): { stepTimeS: number; tflopsPerGpu: number; feasible: boolean } {
  const dp = run.gpus / (run.tp * run.pp);
  const { best } = searchPlacement(
    {
      model: `megatron-gpt-l${run.layers}-h${run.hidden}-a${run.heads}`, seq: SEQ, attention: 'unfused', devices: run.gpus, globalBatch: run.globalBatch,
      network: NETWORKS['nvlink-ib'], optimizer: 'adam', precision: 'bf16', launchOverheadS: presetInfo('a100').launchOverheadS, computeEfficiency,
      fixed: {
        tp: run.tp, pp: run.pp, dp, microbatch: run.microbatch, recompute: 'full', interleave: run.interleave, sequenceParallel: false, zero: 0, ep: 1,
        overlapGradReduce: run.overlapGradReduce,
      },
    },
    presetDesign('a100'),
    kernel,
  );
  if (!best) throw new Error(`megatron gpt ${run.paramsBillion}B: the layout could not be profiled`);
  const stepTimeS = best.step.stepTimeS;
  const flops = megatronIterationFlops(run.globalBatch, SEQ, run.layers, run.hidden, VOCAB);
  return { stepTimeS, tflopsPerGpu: Number.isFinite(stepTimeS) ? flops / stepTimeS / run.gpus / 1e12 : 0, feasible: best.step.feasible };
}

/** One row per run of the table: predicted against published TFLOP/s per GPU, within ±15%. */
export function megatronRows(kernel?: Kernel): FidelityRow[] {
  const k = kernel ?? defaultKernel();
  return megatronRuns().map((run) => {
    const p = predictMegatronRun(run, k);
    const label = `megatron gpt ${run.paramsBillion}b on ${run.gpus} a100s (t ${run.tp}, p ${run.pp}, batch ${run.globalBatch}) TFLOP/s per GPU`;
    return pctRow(label, p.feasible ? p.tflopsPerGpu : 0, run.tflopsPerGpu, 'TFLOP/s', MEGATRON_BOUND_PCT);
  });
}
