/**
 * Which ops of a transformer block's tensor-parallel shard belong to the two regions the layout trade-offs act on
 * (docs/distributed.md), by the zoo's op names:
 *
 * - Sequence-parallel region (Megatron SP, Korthikanti et al. 2022 §4.2.2): the parts of a block Megatron's tensor
 *   parallelism leaves replicated on all t devices: the sublayer norms, the residual dropouts and the residual adds,
 *   forward, recomputed and backward (norm and dropout gradients, the residual stream's gradient sums, the row-
 *   parallel biases' gradients). Their stashed outputs also include the row-parallel projections' outputs
 *   (o, fc2, down), which sequence parallelism reduce-scatters instead of all-reducing.
 * - Attention core: the unfused chain from the scores to the context product (kᵀ view, scores with its scale and
 *   causal mask, softmax, attention dropout, P·V), what selective recomputation discards and recomputes. With the
 *   fused (FlashAttention) op the core is never stored, so the region is empty.
 */
import type { Op } from '../workload/ir.js';

const SP_FORWARD = /\.(norm|dropout|residual)$/;
const SP_STASHED = /\.(norm|dropout|residual|o|fc2|down)$/;
const SP_BACKWARD = /\.(norm|dropout)\.dgrad$|\.(o|fc2|down)\.bias_add\.wgrad\(/;
const RESIDUAL_GRAD_SUM = /\.grad_accumulate\((.+)\)$/;
const ATTENTION_CORE = /\.(k\.t|q\.group|scores|scale|causal_mask|softmax|attn_dropout|context|context\.ungroup)$/;

const baseName = (op: Op) => (op.phase === 'recompute' ? op.name.replace(/\.recompute$/, '') : op.name);

/**
 * Classifies ops of one block layer. `residualStream` holds the names of forward tensors on the residual stream
 * (outputs of residual adds, and tensors produced outside the layer), whose gradient sums are in the SP region.
 */
export function inSequenceParallelRegion(op: Op, residualStream: ReadonlySet<string>): boolean {
  if (op.phase === 'fwd' || op.phase === 'recompute') return SP_FORWARD.test(baseName(op));
  if (op.phase === 'optimizer') return false;
  if (SP_BACKWARD.test(op.name)) return true;
  const m = RESIDUAL_GRAD_SUM.exec(op.name);
  return m !== null && residualStream.has(m[1]);
}

/** Forward outputs of this op that sequence parallelism stores sharded (a subset of the SP region's tensors). */
export function stashedInSequenceParallelRegion(op: Op): boolean {
  return op.phase === 'fwd' && SP_STASHED.test(op.name);
}

export function inAttentionCore(op: Op): boolean {
  return op.phase === 'fwd' && ATTENTION_CORE.test(op.name);
}

/** The residual-stream tensors of a layer: outputs of its residual adds and inputs produced by other layers. */
export function residualStreamTensors(ops: readonly Op[], layer: string): Set<string> {
  const produced = new Map<string, Op>();
  for (const op of ops) if (op.phase === 'fwd') for (const t of op.outputs) produced.set(t.name, op);
  const out = new Set<string>();
  for (const op of ops) {
    if (op.phase !== 'fwd' || op.layer !== layer) continue;
    // a residual add's output, also when a fused add + norm writes it (the tensor keeps the add's name)
    for (const t of op.outputs) if (/\.residual$/.test(op.name) || /\.residual:/.test(t.name)) out.add(t.name);
    for (const t of op.inputs) {
      const p = produced.get(t.name);
      if (p && p.layer !== layer) out.add(t.name);
    }
  }
  return out;
}
