/**
 * Epilogue fusion: an elementwise op whose first input is the output of a GEMM or convolution in the
 * same phase is folded into that op, when nothing between the two reads the intermediate tensor.
 * The fused op writes the elementwise result (and the intermediate too, only if a later op reads it,
 * e.g. a backward op that saved it), so the round trip of the intermediate through memory disappears.
 */
import type { ElementwiseFn, Op, TensorRef } from './ir.js';
import { finalizeOp, type OpDraft } from './op-metrics.js';
import { renumberOps, tensorUsers } from './fusion-graph.js';

/** Elementwise kinds a GEMM/convolution epilogue can apply as the tile is written. */
export const FUSABLE: ReadonlySet<ElementwiseFn> = new Set<ElementwiseFn>([
  'add', 'sub', 'mul', 'scale', 'relu', 'relu6', 'gelu', 'silu', 'sigmoid', 'tanh', 'dropout', 'cast',
  'relu-bwd', 'relu6-bwd', 'gelu-bwd', 'silu-bwd', 'sigmoid-bwd', 'tanh-bwd', 'dropout-bwd', 'scale-bwd',
]);

export function fuseEpilogues(input: readonly Op[]): Op[] {
  const ops: (Op | null)[] = input.map((o) => ({ ...o, deps: [...o.deps], outputs: [...o.outputs], weights: [...o.weights] }));
  const { readers, producer } = tensorUsers(input);
  // where each removed op went
  const movedTo = new Map<number, number>();
  const resolve = (id: number): number => {
    let cur = id;
    while (movedTo.has(cur)) cur = movedTo.get(cur)!;
    return cur;
  };

  for (let e = 0; e < ops.length; e++) {
    const ew = ops[e];
    if (!ew || ew.kind !== 'elementwise' || !FUSABLE.has(ew.attrs.fn) || ew.inputs.length === 0) continue;
    const main = ew.inputs[0];
    const pid = producer.get(main.name);
    if (pid === undefined) continue;
    const p = ops[resolve(pid)];
    if (!p || (p.kind !== 'gemm' && p.kind !== 'conv2d') || p.phase !== ew.phase) continue;
    const others = (readers.get(main.name) ?? []).filter((r) => r !== ew.id);
    if (others.some((r) => r < ew.id)) continue; // someone between them reads the intermediate
    // the epilogue's other inputs must exist before the tensor op starts (else fusing could make a cycle,
    // e.g. a recomputed activation that itself waits for this op's gradient)
    if (ew.deps.some((d) => d !== pid && d > pid)) continue;
    const keepIntermediate = others.length > 0;
    const outputs: TensorRef[] = [...p.outputs.filter((t) => t.name !== main.name || keepIntermediate), ...ew.outputs];
    const extraInputs = ew.inputs.slice(1).filter((t) => !p.inputs.some((x) => x.name === t.name));
    const deps = [...new Set([...p.deps, ...ew.deps].map(resolve).filter((d) => d !== p.id && d !== ew.id))];
    const { flops: pFlops, bytes: _b, repeatKey: _r, ...rest } = p;
    const fused = finalizeOp({
      ...rest,
      id: ew.id,
      inputs: [...p.inputs, ...extraInputs],
      weights: [...p.weights, ...ew.weights],
      outputs,
      deps,
      fused: [...(p.fused ?? []), ew.name],
    } as OpDraft);
    // the epilogue's arithmetic rides along with the tensor op
    fused.flops = pFlops + ew.flops;
    fused.repeatKey += `+${fused.flops}`;
    ops[ew.id] = fused;
    ops[p.id] = null;
    movedTo.set(p.id, ew.id);
    for (const t of outputs) producer.set(t.name, ew.id);
  }

  return renumberOps(ops, movedTo);
}
