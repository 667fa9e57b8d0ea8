/**
 * Training graph → flat graph for the kernel: the unique operator shapes (by repeatKey) in one Float64Array
 * table of op records (layout.ts), the slot of every op, its phase, and the dependencies as CSR arrays
 * (for the scheduler; op indices = positions in `ops`, which need not be in topological order — the
 * kernel orders them and refuses cycles). Identical shapes are costed once per design (the kernel memoises by slot).
 */
import { InputError } from '../errors.js';
import type { Op } from '../workload/ir.js';
import { O_COUNT, O_SLOT, OP_STRIDE, PHASE_CODES, writeOp } from './layout.js';

export interface FlatGraph {
  /** unique op records, `nUnique × OP_STRIDE` f64 (O_COUNT = how many ops share the shape) */
  ops: Float64Array;
  nUnique: number;
  /** number of ops in the graph */
  nOps: number;
  /** slot (unique record index) of each op */
  opSlot: Int32Array;
  /** phase code of each op (PHASE_CODES) */
  opPhase: Int32Array;
  /** CSR: deps of op i are depIndex[depOffsets[i] .. depOffsets[i+1]) (op indices, not ids) */
  depOffsets: Int32Array;
  depIndex: Int32Array;
  /** repeatKey of each slot */
  slotKeys: string[];
  /** index of the first op of each slot */
  slotFirstOp: Int32Array;
  /** IR id of each op (schedules and critical paths speak op indices; this maps them back) */
  opIds?: Int32Array;
}

export function flattenOps(ops: readonly Op[]): FlatGraph {
  const nOps = ops.length;
  const slotOf = new Map<string, number>();
  const slotKeys: string[] = [];
  const firsts: number[] = [];
  const opSlot = new Int32Array(nOps);
  const opPhase = new Int32Array(nOps);
  const indexOfId = new Map<number, number>();
  for (let i = 0; i < nOps; i++) indexOfId.set(ops[i].id, i);
  let nDeps = 0;
  for (let i = 0; i < nOps; i++) {
    const op = ops[i];
    let s = slotOf.get(op.repeatKey);
    if (s === undefined) {
      s = slotKeys.length;
      slotOf.set(op.repeatKey, s);
      slotKeys.push(op.repeatKey);
      firsts.push(i);
    }
    opSlot[i] = s;
    opPhase[i] = PHASE_CODES[op.phase];
    nDeps += op.deps.length;
  }
  const nUnique = slotKeys.length;
  const table = new Float64Array(nUnique * OP_STRIDE);
  for (let s = 0; s < nUnique; s++) {
    writeOp(table, s * OP_STRIDE, ops[firsts[s]]);
    table[s * OP_STRIDE + O_SLOT] = s;
    table[s * OP_STRIDE + O_COUNT] = 0;
  }
  for (let i = 0; i < nOps; i++) table[opSlot[i] * OP_STRIDE + O_COUNT] += 1;
  const depOffsets = new Int32Array(nOps + 1);
  const depIndex = new Int32Array(nDeps);
  let p = 0;
  for (let i = 0; i < nOps; i++) {
    depOffsets[i] = p;
    for (const id of ops[i].deps) {
      const j = indexOfId.get(id);
      if (j === undefined) throw new InputError(`op ${ops[i].name}: depends on op id ${id}, which is not in the graph`);
      depIndex[p++] = j;
    }
  }
  depOffsets[nOps] = p;
  const opIds = Int32Array.from(ops, (o) => o.id);
  return { ops: table, nUnique, nOps, opSlot, opPhase, depOffsets, depIndex, slotKeys, slotFirstOp: Int32Array.from(firsts), opIds };
}
