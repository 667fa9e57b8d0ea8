/**
 * Which convolutions stream zero-bearing data: a ReLU's output is zero wherever its input is negative, and a
 * PE that gates on zero operands (the row-stationary dataflow, after Eyeriss) skips the MAC and the filter and
 * partial-sum scratchpad accesses for them. This pass marks, on a forward graph:
 *  - `inputZeros` on a convolution whose input X is a ReLU output, directly or through ops that keep zeros
 *    (max pooling, dropout, reshape, transpose, concat): its fwd and wgrad passes stream X;
 *  - `gradZeros` on a convolution whose output is read only by ReLUs (directly or through a bias add): its
 *    dgrad pass streams dY, which the ReLU's backward zeroes wherever the ReLU's output is zero.
 * How many zeros a ReLU output holds is one calibrated constant (RELU_ZERO_FRACTION in src/engine/layout.ts);
 * this pass only says where they are.
 */
import type { ForwardGraph, Op } from './ir.js';
import { finalizeOp, type OpDraft } from './op-metrics.js';

function isRelu(op: Op): boolean {
  return op.kind === 'elementwise' && (op.attrs.fn === 'relu' || op.attrs.fn === 'relu6');
}

/** ops whose output is zero wherever their (first) input is */
function keepsZeros(op: Op): boolean {
  if (op.kind === 'pool') return op.attrs.pool === 'max';
  if (op.kind === 'elementwise') return op.attrs.fn === 'dropout' || op.attrs.fn === 'copy' || op.attrs.fn === 'cast';
  return op.kind === 'reshape' || op.kind === 'transpose' || op.kind === 'concat';
}

/** a bias add: its gradient passes dY through unchanged, zeros included */
function isBiasAdd(op: Op): boolean {
  return op.kind === 'elementwise' && op.attrs.fn === 'add' && op.inputs.length === 1 && op.weights.length > 0;
}

export function markReluZeros(fg: ForwardGraph): ForwardGraph {
  const zeroBearing = new Set<string>();
  const readers = new Map<string, Op[]>();
  for (const op of fg.ops) {
    for (const t of op.inputs) {
      const r = readers.get(t.name);
      if (r) r.push(op);
      else readers.set(t.name, [op]);
    }
  }
  // ops are in topological order: one forward sweep settles which tensors carry ReLU zeros
  for (const op of fg.ops) {
    const fromZeros = op.inputs.length > 0 && op.inputs.every((t) => zeroBearing.has(t.name));
    if (isRelu(op) || (keepsZeros(op) && fromZeros)) for (const t of op.outputs) zeroBearing.add(t.name);
  }
  const feedsOnlyRelus = (name: string): boolean => {
    const consumers = readers.get(name) ?? [];
    return consumers.length > 0 && consumers.every((c) => isRelu(c) || (isBiasAdd(c) && c.outputs.every((t) => feedsOnlyRelus(t.name))));
  };
  let changed = false;
  const ops = fg.ops.map((op) => {
    if (op.kind !== 'conv2d') return op;
    const inputZeros = op.inputs.length > 0 && zeroBearing.has(op.inputs[0].name);
    const gradZeros = op.outputs.length > 0 && op.outputs.every((t) => feedsOnlyRelus(t.name));
    if (!inputZeros && !gradZeros) return op;
    changed = true;
    const { flops: _f, bytes, repeatKey: _r, ...rest } = op;
    const attrs = { ...op.attrs, ...(inputZeros ? { inputZeros } : {}), ...(gradZeros ? { gradZeros } : {}) };
    return finalizeOp({ ...rest, attrs, bytes } as OpDraft);
  });
  return changed ? { ...fg, ops } : fg;
}
