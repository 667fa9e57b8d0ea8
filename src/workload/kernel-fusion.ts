/**
 * The fused kernels training frameworks launch beyond GEMM epilogues (fusion.ts):
 *  - residual + norm: a norm whose input is a residual add of the same phase and layer takes the add over
 *    (the fused add + layer norm kernels of FasterTransformer and Transformer Engine): it reads the add's
 *    operands, normalises on chip and writes the sum only when a later op reads it (a pre-norm residual
 *    stream, or a backward op that saved it). The sum's read-back by a second kernel disappears, its write too
 *    when nothing else reads it, and one launch with them. The fused op keeps the norm's name; the sum keeps
 *    its tensor name (`….residual:out…`).
 *  - multi-tensor optimizer: the per-tensor optimizer updates of one layer run as one update (apex's
 *    multi_tensor_apply, PyTorch's foreach optimizers): the same bytes and FLOPs, one launch per layer instead
 *    of one per parameter tensor. Updates stay per layer so pipeline stages still own their layers' updates.
 */
import type { Op, TensorRef } from './ir.js';

type OptimizerOp = Extract<Op, { kind: 'optimizer' }>;
import { finalizeOp, type OpDraft } from './op-metrics.js';
import { dependentsOf, renumberOps, tensorUsers } from './fusion-graph.js';

export function fuseResidualNorms(input: readonly Op[]): Op[] {
  const ops: (Op | null)[] = input.map((o) => ({ ...o, deps: [...o.deps], outputs: [...o.outputs] }));
  const { readers, producer } = tensorUsers(input);
  const dependents = dependentsOf(input);
  const movedTo = new Map<number, number>();

  for (let i = 0; i < ops.length; i++) {
    const norm = ops[i];
    if (!norm || norm.kind !== 'norm' || norm.attrs.backward || norm.inputs.length !== 1) continue;
    const sum = norm.inputs[0];
    const pid = producer.get(sum.name);
    if (pid === undefined) continue;
    const add = ops[pid];
    if (!add || add.kind !== 'elementwise' || add.attrs.fn !== 'add' || add.inputs.length !== 2 || add.phase !== norm.phase) continue;
    if (add.layer !== norm.layer) continue; // a fused op belongs to one layer (pipeline stages own whole layers)
    if (add.fused && add.fused.length > 0) continue;
    const others = (readers.get(sum.name) ?? []).filter((r) => r !== norm.id);
    if (others.some((r) => r < norm.id)) continue; // something between the two reads the sum
    if (norm.deps.some((d) => d !== pid && d > pid)) continue; // norm waits for an op the add does not: keep order
    if ((dependents.get(pid) ?? []).some((d) => d !== norm.id && d < norm.id)) continue; // an op between waits for the add
    const keepSum = others.length > 0;
    const { flops: nFlops, bytes: _b, repeatKey: _r, ...rest } = norm;
    const fused = finalizeOp({
      ...rest,
      inputs: [...add.inputs],
      outputs: [...(keepSum ? [sum] : []), ...norm.outputs],
      deps: [...new Set([...add.deps, ...norm.deps.filter((d) => d !== pid)])],
      fused: [...(norm.fused ?? []), add.name],
    } as OpDraft);
    fused.flops = nFlops + add.flops;
    fused.repeatKey += `+${fused.flops}`;
    ops[i] = fused;
    ops[pid] = null;
    movedTo.set(pid, i);
  }
  return renumberOps(ops, movedTo);
}

export function fuseOptimizerUpdates(input: readonly Op[]): Op[] {
  const ops: (Op | null)[] = input.map((o) => ({ ...o, deps: [...o.deps] }));
  const movedTo = new Map<number, number>();
  const dependents = dependentsOf(input);
  const group = new Map<string, OptimizerOp[]>();
  for (const o of input) {
    if (o.kind !== 'optimizer') continue;
    const g = group.get(o.layer);
    if (g) g.push(o);
    else group.set(o.layer, [o]);
  }
  for (const [layer, members] of group) {
    if (members.length < 2) continue;
    // the last update of the layer (members are in graph order) carries the others
    const last = members[members.length - 1].id;
    const params = members.reduce((s, m) => s + m.attrs.params, 0);
    const bytes = members.reduce((s, m) => s + m.bytes, 0);
    const flops = members.reduce((s, m) => s + m.flops, 0);
    const uniq = (ts: TensorRef[]) => [...new Map(ts.map((t) => [t.name, t])).values()];
    // an op before the last update that waits for an earlier one would wait for a later op once they merge
    const ids = new Set(members.map((m) => m.id));
    if (members.some((m) => (dependents.get(m.id) ?? []).some((d) => d < last && !ids.has(d)))) continue;
    const merged: OptimizerOp = {
      ...members[members.length - 1],
      name: `optimizer(${layer || 'model'}: ${members.length} tensors)`,
      attrs: { ...members[0].attrs, params },
      inputs: uniq(members.flatMap((m) => m.inputs)),
      outputs: uniq(members.flatMap((m) => m.outputs)),
      weights: uniq(members.flatMap((m) => m.weights)),
      deps: [...new Set(members.flatMap((m) => m.deps))],
      fused: members.slice(0, -1).map((m) => m.name),
      bytes,
      flops,
    };
    merged.repeatKey = `optimizer:${merged.attrs.optimizer},${params},${merged.attrs.microBatches}:${bytes}|${members.length}`;
    ops[last] = merged;
    for (const m of members) if (m.id !== last) {
      ops[m.id] = null;
      movedTo.set(m.id, last);
    }
  }
  return renumberOps(ops, movedTo);
}

