/**
 * A parallel layout (docs/distributed.md): how a model's training step is spread over d × p × t devices, and
 * the memory/time trade-offs applied on top (interleaved pipeline chunks, sequence parallelism, activation
 * recomputation, ZeRO sharding), with the checks that say which combinations exist.
 */
import { InputError } from '../errors.js';

/** Activation recomputation: none, the attention core only (Korthikanti et al. 2022), or every layer. */
export type RecomputeMode = 'none' | 'selective' | 'full';
export const RECOMPUTE_MODES: readonly RecomputeMode[] = ['none', 'selective', 'full'];

/** ZeRO stage: 0 none; 1 optimizer state (and fp32 master weights); 2 + gradients; 3 + parameters (FSDP). */
export type ZeroStage = 0 | 1 | 2 | 3;
export const ZERO_STAGES: readonly ZeroStage[] = [0, 1, 2, 3];

export interface Layout {
  dp: number;
  pp: number;
  tp: number;
  microbatch: number;
  /** model chunks per pipeline device (interleaved 1F1B when > 1) */
  interleave: number;
  /** Megatron sequence parallelism: norms, dropouts and residuals sharded over the t tensor-parallel devices */
  sequenceParallel: boolean;
  recompute: RecomputeMode;
  zero: ZeroStage;
  /** expert parallelism: a mixture-of-experts layer's experts sharded over `ep` of the data-parallel replicas */
  ep: number;
  /**
   * ZeRO 0/1: the gradients' data-parallel reduction starts during the last micro-batch's backward, bucket by bucket
   * (PyTorch DDP, Megatron's --overlap-grad-reduce), or only after it (Megatron-LM's own DDP before 2023, and
   * Megatron-Core without --overlap-grad-reduce)
   */
  overlapGradReduce: boolean;
}

/** The layout with every trade-off off: plain 1F1B, no sequence parallelism, no recomputation, no ZeRO (gradient reduction overlapped). */
export function plainLayout(o: Pick<Layout, 'dp' | 'pp' | 'tp' | 'microbatch'> & Partial<Layout>): Layout {
  return { interleave: 1, sequenceParallel: false, recompute: 'none', zero: 0, ep: 1, overlapGradReduce: true, ...o };
}

/** `--recompute` as the library takes it: a mode, or the former boolean (true = full). */
export function recomputeMode(v: boolean | RecomputeMode | undefined): RecomputeMode | undefined {
  if (v === undefined) return undefined;
  if (v === true) return 'full';
  if (v === false) return 'none';
  if (!RECOMPUTE_MODES.includes(v)) throw new InputError(`--recompute must be one of ${RECOMPUTE_MODES.join(', ')}, got "${String(v)}"`);
  return v;
}

/**
 * The ZeRO stage of a request: `zero`; else the former `zero1` flag (true 1, false 0); undefined when neither is
 * given (searched). `zero1: true` with another `zero` is an error.
 */
export function zeroStage(zero: number | undefined, zero1: boolean | undefined): ZeroStage | undefined {
  if (zero !== undefined && !ZERO_STAGES.includes(zero as ZeroStage)) throw new InputError(`--zero must be one of ${ZERO_STAGES.join(', ')}, got "${zero}"`);
  if (zero1 && zero !== undefined && zero !== 1) throw new InputError(`--zero1 is --zero 1; give one of --zero ${zero} or --zero1`);
  if (zero !== undefined) return zero as ZeroStage;
  return zero1 === undefined ? undefined : zero1 ? 1 : 0;
}

/** Interleave factors V for `blocks` transformer blocks over `pp` stages: V must divide the blocks per stage. */
export function interleaveChoices(blocks: number, pp: number): number[] {
  if (pp <= 1 || blocks === 0 || blocks % pp !== 0) return [1];
  const perStage = blocks / pp;
  const out: number[] = [];
  for (let v = 1; v <= perStage; v++) if (perStage % v === 0) out.push(v);
  return out;
}

/** Why `interleave` is not possible for this model and pipeline depth (null when it is). */
export function interleaveProblem(interleave: number, blocks: number, pp: number, model: string): string | null {
  if (interleave === 1) return null;
  if (blocks === 0) return `--interleave ${interleave}: interleaving splits transformer blocks into model chunks and ${model} has none; allowed: 1`;
  if (pp <= 1) return `--interleave ${interleave} needs --pp of at least 2 (one stage has nothing to interleave); allowed with --pp 1: 1`;
  if (blocks % pp !== 0) return `--interleave ${interleave}: ${model}'s ${blocks} blocks do not split evenly over --pp ${pp} stages; allowed: 1`;
  const allowed = interleaveChoices(blocks, pp);
  if (!allowed.includes(interleave)) {
    return `--interleave ${interleave} must divide the ${blocks / pp} blocks per stage (${model}'s ${blocks} blocks over --pp ${pp}); allowed: ${allowed.join(', ')}`;
  }
  return null;
}

/** Why sequence parallelism is not possible at this tensor-parallel width (null when it is). */
export function sequenceParallelProblem(sequenceParallel: boolean, tp: number): string | null {
  return sequenceParallel && tp <= 1 ? `--sequence-parallel needs --tp of at least 2 (it shards the tensor-parallel group's norms and dropouts); got --tp ${tp}` : null;
}

/** One line naming the layout's trade-offs, for the CLI. */
export function describeLayout(l: Layout): string {
  return [
    `recompute ${l.recompute}`,
    l.interleave > 1 ? `interleave ${l.interleave}` : '',
    l.sequenceParallel ? 'sequence parallel' : '',
    l.zero > 0 ? `ZeRO-${l.zero}` : '',
    l.ep > 1 ? `expert parallel ${l.ep}` : '',
    l.dp > 1 && l.zero <= 1 && !l.overlapGradReduce ? 'gradient reduction after the backward' : '',
  ].filter(Boolean).join(', ');
}

/** Expert-parallel widths possible: powers of two dividing both the data-parallel replicas and the experts. */
export function expertParallelChoices(experts: number, dp: number): number[] {
  const out = [1];
  for (let e = 2; e <= Math.min(experts, dp); e *= 2) if (experts % e === 0 && dp % e === 0) out.push(e);
  return out;
}

/** Why `ep` is not possible (null when it is): the model needs experts, and ep must divide them and dp. */
export function expertParallelProblem(ep: number, experts: number, dp: number, model: string): string | null {
  if (ep === 1) return null;
  if (experts === 0) return `--ep ${ep}: expert parallelism shards a mixture of experts and ${model} has none; allowed: 1`;
  if (experts % ep !== 0 || dp % ep !== 0) {
    return `--ep ${ep} must divide ${model}'s ${experts} experts and the ${dp} data-parallel replicas; allowed: ${expertParallelChoices(experts, dp).join(', ')}`;
  }
  return null;
}
