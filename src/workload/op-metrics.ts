/**
 * FLOPs, bytes and repeat keys of operators: the one place these formulas live.
 */
import {
  DTYPE_BYTES,
  ELEMENTWISE_FLOPS_PER_ELEMENT,
  type NormKind,
  type Op,
  type OptimizerKind,
  opMacs,
  attentionVectorFlops,
  tensorBytes,
} from './ir.js';

/** FLOPs per element of a normalisation (forward); the backward pass costs `NORM_BACKWARD_FACTOR` times that. */
export const NORM_FLOPS_PER_ELEMENT: Record<NormKind, number> = { layer: 8, batch: 8, rms: 5 };
export const NORM_BACKWARD_FACTOR = 2;
/** softmax forward: max, subtract, exp, sum, divide; backward: dot(y, dy), subtract, multiply */
export const SOFTMAX_FLOPS_PER_ELEMENT = { fwd: 5, bwd: 4 };
/**
 * optimizer arithmetic per parameter (update rule incl. bias correction for Adam; LAMB adds the two norms and
 * the trust-ratio scaling; Adafactor squares the gradient, reduces rows and columns, and clips the update by
 * its RMS)
 */
export const OPTIMIZER_FLOPS_PER_PARAM: Record<OptimizerKind, number> = { sgd: 2, momentum: 4, adam: 12, adamw: 14, lamb: 20, adafactor: 14 };
/**
 * fp32 optimizer state per parameter, in bytes (momentum: one buffer; Adam, AdamW, LAMB: first and second
 * moments; Adafactor: none per parameter, only a row and a column vector per matrix, left out)
 */
export const OPTIMIZER_STATE_BYTES_PER_PARAM: Record<OptimizerKind, number> = { sgd: 0, momentum: 4, adam: 8, adamw: 8, lamb: 8, adafactor: 0 };
/**
 * bytes per parameter of the optimizer's second pass (fp32): LAMB writes the update, then reads it back with
 * the master weight once the tensor's norms are known (apex FusedLAMB's two stages); Adafactor writes and
 * reads the update to clip it by its RMS
 */
export const OPTIMIZER_SECOND_PASS_BYTES: Record<OptimizerKind, number> = { sgd: 0, momentum: 0, adam: 0, adamw: 0, lamb: 12, adafactor: 8 };

export type OpDraft = Omit<Op, 'flops' | 'bytes' | 'repeatKey'> & { bytes?: number };

export function opFlops(op: OpDraft): number {
  const o = op as Op;
  switch (o.kind) {
    case 'gemm':
    case 'conv2d':
      return 2 * opMacs(o);
    case 'attention':
      return 2 * opMacs(o) + attentionVectorFlops(o.attrs);
    case 'elementwise':
      return o.attrs.elements * ELEMENTWISE_FLOPS_PER_ELEMENT[o.attrs.fn];
    case 'norm':
      return o.attrs.rows * o.attrs.cols * NORM_FLOPS_PER_ELEMENT[o.attrs.norm] * (o.attrs.backward ? NORM_BACKWARD_FACTOR : 1);
    case 'softmax':
      return o.attrs.rows * o.attrs.cols * (o.attrs.backward ? SOFTMAX_FLOPS_PER_ELEMENT.bwd : SOFTMAX_FLOPS_PER_ELEMENT.fwd);
    case 'pool': {
      const a = o.attrs;
      return a.batch * a.channels * a.outH * a.outW * a.kH * a.kW;
    }
    case 'embedding':
      return o.attrs.backward ? o.attrs.lookups * o.attrs.dim : 0;
    case 'optimizer':
      return (o.attrs.params * OPTIMIZER_FLOPS_PER_PARAM[o.attrs.optimizer]) / o.attrs.microBatches;
    case 'concat':
    case 'reshape':
    case 'transpose':
    case 'collective':
      return 0;
  }
}

/**
 * Bytes moved when nothing stays on chip: every input, weight and output once. Batch normalisation reads its
 * inputs twice: its statistics span batch × H × W per channel, far more than stays on chip, so the reduction
 * and the normalisation (forward), or the two gradient reductions and dX (backward), are separate passes, as in
 * cuDNN's training kernels. Layer and RMS norms reduce one row, which stays on chip: one pass.
 */
export function opBytes(op: OpDraft): number {
  if (op.bytes !== undefined) return op.bytes;
  const o = op as Op;
  if ((o.kind === 'reshape' || o.kind === 'concat' || o.kind === 'transpose') && !o.attrs.copies) return 0;
  if (o.kind === 'collective') return o.attrs.bytes;
  let b = 0;
  const passes = o.kind === 'norm' && o.attrs.norm === 'batch' ? 2 : 1;
  for (const t of o.inputs) b += passes * tensorBytes(t);
  for (const t of o.weights) b += tensorBytes(t);
  for (const t of o.outputs) b += tensorBytes(t);
  return b;
}

/** Ops with equal keys have equal cost on any hardware: kind, shape attributes, element width, bytes. */
export function opRepeatKey(op: OpDraft, bytes: number): string {
  const o = op as Op;
  const width = o.outputs.length > 0 ? DTYPE_BYTES[o.outputs[0].dtype] : 0;
  const attrs = Object.values(o.attrs as unknown as Record<string, unknown>).join(',');
  const fused = o.fused && o.fused.length > 0 ? `|${o.fused.length}` : '';
  return `${o.kind}:${attrs}:${width}:${bytes}${fused}`;
}

export function finalizeOp(draft: OpDraft): Op {
  const bytes = opBytes(draft);
  const flops = opFlops(draft);
  const { bytes: _ignored, ...rest } = draft;
  return { ...(rest as Op), flops, bytes, repeatKey: opRepeatKey(draft, bytes) };
}
