/**
 * Training-step builder: forward graph → forward + backward (dgrad, wgrad) + gradient accumulation +
 * one optimizer update per parameter tensor, with optional per-layer recomputation and epilogue fusion.
 *
 * Stages: seed the loss gradient → walk forward ops in reverse emitting gradient ops (recomputing a
 * layer's forward just before its first backward op when asked) → accumulate micro-batch gradients →
 * optimizer updates → fuse elementwise epilogues into their GEMM/convolution, residual adds into the norms
 * that read them, and each layer's optimizer updates into one multi-tensor update (kernel-fusion.ts).
 */
import { InputError, MAX_GRAD_ACCUMULATION, requirePositiveInt } from '../errors.js';
import {
  type DType,
  type ElementwiseFn,
  type ForwardGraph,
  numel,
  type Op,
  type OptimizerKind,
  type Phase,
  type TensorRef,
  type TrainingGraph,
  type TrainingOptionsResolved,
  DTYPE_BYTES,
} from './ir.js';
import { finalizeOp, OPTIMIZER_SECOND_PASS_BYTES, OPTIMIZER_STATE_BYTES_PER_PARAM, type OpDraft } from './op-metrics.js';
import { fuseEpilogues } from './fusion.js';
import { fuseOptimizerUpdates, fuseResidualNorms } from './kernel-fusion.js';
import { markReluZeros } from './relu-zeros.js';

export interface TrainingOptions {
  /** bf16: bf16 compute with fp32 master weights and optimizer state; fp32: everything fp32 */
  precision?: 'bf16' | 'fp32';
  optimizer?: OptimizerKind;
  /** recompute every layer's forward before its backward (only layer inputs are stashed) */
  recompute?: boolean;
  /** fuse elementwise epilogues into the preceding GEMM/convolution (default on) */
  fusion?: boolean;
  /** micro-batches whose gradients are summed before one optimizer step */
  gradAccumulationSteps?: number;
}

export const DEFAULT_TRAINING_OPTIONS: TrainingOptionsResolved = {
  precision: 'bf16',
  optimizer: 'adam',
  recompute: false,
  fusion: true,
  gradAccumulationSteps: 1,
};

export function resolveTrainingOptions(o: TrainingOptions = {}): TrainingOptionsResolved {
  const r = { ...DEFAULT_TRAINING_OPTIONS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  if (r.precision !== 'bf16' && r.precision !== 'fp32') throw new InputError(`precision must be bf16 or fp32, got ${String(r.precision)}`);
  if (!(r.optimizer in OPTIMIZER_STATE_BYTES_PER_PARAM)) {
    throw new InputError(`optimizer must be one of ${Object.keys(OPTIMIZER_STATE_BYTES_PER_PARAM).join(', ')}, got ${String(r.optimizer)}`);
  }
  requirePositiveInt('gradAccumulationSteps', r.gradAccumulationSteps, MAX_GRAD_ACCUMULATION);
  return r;
}

/** Backward kind of each forward elementwise kind that has a saved-input backward. */
const UNARY_BACKWARD: Partial<Record<ElementwiseFn, ElementwiseFn>> = {
  relu: 'relu-bwd',
  relu6: 'relu6-bwd',
  gelu: 'gelu-bwd',
  silu: 'silu-bwd',
  sigmoid: 'sigmoid-bwd',
  tanh: 'tanh-bwd',
  exp: 'exp-bwd',
  sqrt: 'sqrt-bwd',
  pow: 'pow-bwd',
  dropout: 'dropout-bwd',
  rotary: 'rotary-bwd',
  scale: 'scale-bwd',
};

interface Grad {
  ref: TensorRef;
  /** op that produced this gradient */
  producer: number;
}

/** Emits ops in order, assigning ids and finalising FLOPs/bytes. */
class OpSink {
  readonly ops: Op[] = [];
  private counter = 0;
  constructor(readonly dtype: DType) {}

  emit(d: Omit<OpDraft, 'id' | 'deps'> & { deps: number[] }): number {
    const id = this.ops.length;
    const deps = [...new Set(d.deps.filter((x) => x >= 0 && x < id))];
    this.ops.push(finalizeOp({ ...d, id, deps } as OpDraft));
    return id;
  }

  tensor(name: string, shape: number[], dtype: DType = this.dtype): TensorRef {
    return { name: `${name}:${this.counter++}`, shape: [...shape], dtype };
  }
}

export function buildTrainingStep(forward: ForwardGraph, options: TrainingOptions = {}): TrainingGraph {
  const fg = markReluZeros(forward);
  const opts = resolveTrainingOptions(options);
  const sink = new OpSink(fg.dtype);
  // 1. forward ops, unchanged
  for (const op of fg.ops) sink.ops.push({ ...op, deps: [...op.deps] });

  const producerOf = new Map<string, number>();
  for (const op of fg.ops) for (const t of op.outputs) producerOf.set(t.name, op.id);
  const graphInputs = new Set(fg.inputs.map((t) => t.name));

  // 2. loss gradient: dL/dy for each graph output (softmax-cross-entropy style: y - target)
  const grads = new Map<string, Grad>();
  for (const out of fg.outputs) {
    const p = producerOf.get(out.name) ?? -1;
    const ref = sink.tensor(`d(${out.name})`, out.shape);
    const id = sink.emit({
      kind: 'elementwise', name: `loss.grad(${out.name})`, phase: 'dgrad', layer: 'loss',
      attrs: { fn: 'sub', elements: numel(out.shape), arity: 2 }, inputs: [out], outputs: [ref], weights: [], deps: [p],
    });
    grads.set(out.name, { ref, producer: id });
  }

  // 3. reverse walk
  const recomputed = new Map<number, number>(); // forward id → recompute id
  const recomputedTensors = new Map<string, TensorRef>(); // forward tensor name → its recomputed copy
  const saved = (t: TensorRef): TensorRef => recomputedTensors.get(t.name) ?? t;
  const recomputedLayers = new Set<string>();
  const paramGrads = new Map<string, Grad>();
  // rows of an embedding table the step touches; a table that only embeddings read gets a sparse update
  const touchedRows = new Map<string, number>();
  const denseGrad = new Set<string>();
  const savedDep = (tensor: TensorRef): number => {
    const p = producerOf.get(tensor.name);
    if (p === undefined) return -1;
    return recomputed.get(p) ?? p;
  };
  const addGrad = (target: Map<string, Grad>, t: TensorRef, g: Grad, layer: string, phase: Phase): void => {
    const prev = target.get(t.name);
    if (!prev) {
      target.set(t.name, g);
      return;
    }
    const ref = sink.tensor(`d(${t.name})`, t.shape);
    const id = sink.emit({
      kind: 'elementwise', name: `${layer}.grad_accumulate(${t.name})`, phase, layer,
      attrs: { fn: 'grad-accumulate', elements: numel(t.shape), arity: 2 }, inputs: [prev.ref, g.ref], outputs: [ref], weights: [],
      deps: [prev.producer, g.producer],
    });
    target.set(t.name, { ref, producer: id });
  };
  const needsGrad = (t: TensorRef): boolean => !graphInputs.has(t.name) && producerOf.has(t.name);

  for (let i = fg.ops.length - 1; i >= 0; i--) {
    const op = fg.ops[i];
    const dY = grads.get(op.outputs[0].name);
    if (!dY) continue; // output does not reach the loss
    if (opts.recompute && !recomputedLayers.has(op.layer)) {
      recomputedLayers.add(op.layer);
      recomputeLayer(fg, op.layer, sink, recomputed, recomputedTensors, dY.producer);
    }
    if (op.kind === 'embedding') touchedRows.set(op.weights[0].name, (touchedRows.get(op.weights[0].name) ?? 0) + op.attrs.lookups);
    else for (const w of op.weights) denseGrad.add(w.name);
    emitBackward(op, dY, { sink, saved, savedDep, needsGrad, grads, paramGrads, addGrad });
  }

  // 4. gradient accumulation across micro-batches, then 5. one optimizer update per parameter tensor
  const stateBytes = OPTIMIZER_STATE_BYTES_PER_PARAM[opts.optimizer];
  const masterBytes = opts.precision === 'bf16' ? 4 : 0;
  const e = DTYPE_BYTES[fg.dtype];
  for (const p of fg.params) {
    let g = paramGrads.get(p.name);
    if (!g) continue; // parameter unused by anything that reaches the loss
    const rows = touchedRows.get(p.name);
    // sparse update: only the looked-up rows of a table no dense op reads
    const n = rows !== undefined && !denseGrad.has(p.name) ? Math.min(p.shape[0], rows) * numel(p.shape.slice(1)) : numel(p.shape);
    if (opts.gradAccumulationSteps > 1) {
      const ref = sink.tensor(`acc(${p.name})`, p.shape, 'fp32');
      const id = sink.emit({
        kind: 'elementwise', name: `${p.layer}.grad_accumulate(${p.name})`, phase: 'wgrad', layer: p.layer,
        attrs: { fn: 'grad-accumulate', elements: n, arity: 2 }, inputs: [g.ref], outputs: [ref], weights: [], deps: [g.producer],
        bytes: n * (e + 8),
      });
      g = { ref, producer: id };
    }
    const weight: TensorRef = { name: p.name, shape: p.shape, dtype: fg.dtype };
    sink.emit({
      kind: 'optimizer', name: `optimizer(${p.name})`, phase: 'optimizer', layer: p.layer,
      attrs: { optimizer: opts.optimizer, params: n, microBatches: opts.gradAccumulationSteps }, inputs: [g.ref], outputs: [weight], weights: [weight], deps: [g.producer],
      // read grad; read+write master weights and optimizer state; write the compute copy; a second pass (LAMB,
      // Adafactor); one update per `gradAccumulationSteps` micro-batches, so a step pays that share
      bytes: (n * (DTYPE_BYTES[g.ref.dtype] + 2 * masterBytes + 2 * stateBytes + (masterBytes > 0 ? e : 2 * e) + OPTIMIZER_SECOND_PASS_BYTES[opts.optimizer])) / opts.gradAccumulationSteps,
    });
  }

  const ops = opts.fusion ? fuseOptimizerUpdates(fuseResidualNorms(fuseEpilogues(sink.ops))) : sink.ops;
  return { ...fg, ops, options: opts };
}

/** Re-emits a layer's forward ops; they wait for the gradient reaching the layer (`trigger`). */
function recomputeLayer(
  fg: ForwardGraph,
  layer: string,
  sink: OpSink,
  recomputed: Map<number, number>,
  tensors: Map<string, TensorRef>,
  trigger: number,
): void {
  for (const op of fg.ops) {
    if (op.layer !== layer) continue;
    const deps = [...op.deps.map((d) => recomputed.get(d) ?? d), trigger];
    const { id: _id, flops: _f, repeatKey: _r, ...rest } = op;
    const inputs = op.inputs.map((t) => tensors.get(t.name) ?? t);
    const outputs = op.outputs.map((t) => {
      const copy = { ...t, name: `${t.name}@recompute` };
      tensors.set(t.name, copy);
      return copy;
    });
    const id = sink.emit({ ...rest, inputs, outputs, name: `${op.name}.recompute`, phase: 'recompute', deps } as OpDraft & { deps: number[] });
    recomputed.set(op.id, id);
  }
}

interface BackwardContext {
  sink: OpSink;
  /** the tensor a backward op reads for a saved forward tensor (its recomputed copy, if any) */
  saved: (t: TensorRef) => TensorRef;
  savedDep: (t: TensorRef) => number;
  needsGrad: (t: TensorRef) => boolean;
  grads: Map<string, Grad>;
  paramGrads: Map<string, Grad>;
  addGrad: (target: Map<string, Grad>, t: TensorRef, g: Grad, layer: string, phase: Phase) => void;
}

/** Appends the gradient ops of one forward op, given the gradient of its output. */
function emitBackward(op: Op, dY: Grad, c: BackwardContext): void {
  const { sink } = c;
  const L = op.layer;
  const base = { layer: L, weights: [] as TensorRef[] };
  const gradOut = (t: TensorRef): TensorRef => sink.tensor(`d(${t.name})`, t.shape, t.dtype === 'int64' ? sink.dtype : t.dtype);
  const giveInput = (t: TensorRef, id: number, ref: TensorRef): void => c.addGrad(c.grads, t, { ref, producer: id }, L, 'dgrad');
  const giveParam = (t: TensorRef, id: number, ref: TensorRef): void => c.addGrad(c.paramGrads, t, { ref, producer: id }, L, 'wgrad');
  /** weight gradient of an elementwise op's parameter (bias, scale): a reduction of dY over the other axes */
  const paramReduction = (w: TensorRef): void => {
    const ref = gradOut(w);
    const id = sink.emit({
      ...base, kind: 'elementwise', name: `${op.name}.wgrad(${w.name})`, phase: 'wgrad',
      attrs: { fn: 'grad-accumulate', elements: numel(dY.ref.shape), arity: 1 }, inputs: [dY.ref], outputs: [ref], deps: [dY.producer],
    });
    giveParam(w, id, ref);
  };

  switch (op.kind) {
    case 'gemm': {
      const { b, m, n, k } = op.attrs;
      if (op.weights.length > 0) {
        const [x] = op.inputs;
        const w = op.weights[0];
        if (c.needsGrad(x)) {
          const dx = gradOut(x);
          const id = sink.emit({
            ...base, kind: 'gemm', name: `${op.name}.dgrad`, phase: 'dgrad', attrs: { b, m, n: k, k: n },
            inputs: [dY.ref], weights: [w], outputs: [dx], deps: [dY.producer],
          });
          giveInput(x, id, dx);
        }
        const dw = gradOut(w);
        const id = sink.emit({
          ...base, kind: 'gemm', name: `${op.name}.wgrad`, phase: 'wgrad', attrs: { b: 1, m: k, n, k: m * b },
          inputs: [c.saved(x), dY.ref], outputs: [dw], deps: [dY.producer, c.savedDep(x)],
        });
        giveParam(w, id, dw);
      } else {
        const [a, bb] = op.inputs;
        const batchA = numel(a.shape.slice(0, -2));
        const batchB = numel(bb.shape.slice(0, -2));
        if (c.needsGrad(a)) {
          const da = gradOut(a);
          const attrs = batchA === b ? { b, m, n: k, k: n } : { b: 1, m, n: k, k: n * b };
          const id = sink.emit({ ...base, kind: 'gemm', name: `${op.name}.dgrad_a`, phase: 'dgrad', attrs, inputs: [dY.ref, c.saved(bb)], outputs: [da], deps: [dY.producer, c.savedDep(bb)] });
          giveInput(a, id, da);
        }
        if (c.needsGrad(bb)) {
          const db = gradOut(bb);
          const attrs = batchB === b ? { b, m: k, n, k: m } : { b: 1, m: k, n, k: m * b };
          const id = sink.emit({ ...base, kind: 'gemm', name: `${op.name}.dgrad_b`, phase: 'dgrad', attrs, inputs: [c.saved(a), dY.ref], outputs: [db], deps: [dY.producer, c.savedDep(a)] });
          giveInput(bb, id, db);
        }
      }
      return;
    }
    case 'conv2d': {
      const [x] = op.inputs;
      const w = op.weights[0];
      if (c.needsGrad(x)) {
        const dx = gradOut(x);
        const id = sink.emit({
          ...base, kind: 'conv2d', name: `${op.name}.dgrad`, phase: 'dgrad', attrs: { ...op.attrs, pass: 'dgrad' },
          inputs: [dY.ref], weights: [w], outputs: [dx], deps: [dY.producer],
        });
        giveInput(x, id, dx);
      }
      const dw = gradOut(w);
      const id = sink.emit({
        ...base, kind: 'conv2d', name: `${op.name}.wgrad`, phase: 'wgrad', attrs: { ...op.attrs, pass: 'wgrad' },
        inputs: [c.saved(x), dY.ref], outputs: [dw], deps: [dY.producer, c.savedDep(x)],
      });
      giveParam(w, id, dw);
      return;
    }
    case 'elementwise': {
      const fn = op.attrs.fn;
      const elements = op.attrs.elements;
      const acts = op.inputs.filter((t) => c.needsGrad(t));
      if (fn === 'add' || fn === 'sub' || fn === 'cast' || fn === 'copy' || fn === 'grad-accumulate') {
        // gradient passes through; a broadcast operand receives the reduction of dY
        for (const t of acts) {
          if (numel(t.shape) === numel(dY.ref.shape) && fn !== 'sub') {
            c.addGrad(c.grads, t, dY, L, 'dgrad');
          } else {
            const ref = gradOut(t);
            const id = sink.emit({
              ...base, kind: 'elementwise', name: `${op.name}.dgrad(${t.name})`, phase: 'dgrad',
              attrs: { fn: numel(t.shape) === numel(dY.ref.shape) ? 'scale' : 'grad-accumulate', elements, arity: 1 },
              inputs: [dY.ref], outputs: [ref], deps: [dY.producer],
            });
            giveInput(t, id, ref);
          }
        }
      } else if (fn === 'mul' || fn === 'div') {
        if (acts.length > 0) {
          const outs = acts.map((t) => gradOut(t));
          const id = sink.emit({
            ...base, kind: 'elementwise', name: `${op.name}.dgrad`, phase: 'dgrad', attrs: { fn: fn === 'mul' ? 'mul-bwd' : 'div-bwd', elements, arity: 1 + op.inputs.length },
            inputs: [dY.ref, ...op.inputs.map(c.saved)], outputs: outs, deps: [dY.producer, ...op.inputs.map(c.savedDep)],
          });
          acts.forEach((t, j) => giveInput(t, id, outs[j]));
        }
      } else {
        const bwd = UNARY_BACKWARD[fn] ?? 'scale-bwd';
        const x = op.inputs[0];
        // relu/sigmoid/tanh/exp/sqrt backward read the output; the others read the input
        const savesOutput = fn === 'relu' || fn === 'relu6' || fn === 'sigmoid' || fn === 'tanh' || fn === 'exp' || fn === 'sqrt';
        const saved = savesOutput ? op.outputs[0] : x;
        const savedRef: TensorRef = fn === 'dropout' ? { name: `${op.name}.mask`, shape: x.shape, dtype: 'bool' } : c.saved(saved);
        if (x && c.needsGrad(x)) {
          const dx = gradOut(x);
          const id = sink.emit({
            ...base, kind: 'elementwise', name: `${op.name}.dgrad`, phase: 'dgrad', attrs: { fn: bwd, elements, arity: 2 },
            inputs: [dY.ref, savedRef], outputs: [dx], deps: [dY.producer, fn === 'dropout' ? c.savedDep(op.outputs[0]) : c.savedDep(saved)],
          });
          giveInput(x, id, dx);
        }
      }
      for (const w of op.weights) paramReduction(w);
      return;
    }
    case 'norm':
    case 'softmax':
    case 'pool': {
      const x = op.inputs[0];
      const saved = op.kind === 'softmax' ? op.outputs[0] : x;
      const dx = gradOut(x);
      const wgrads = op.weights.map((w) => gradOut(w));
      const id = sink.emit({
        ...base, kind: op.kind, name: `${op.name}.dgrad`, phase: 'dgrad', attrs: { ...op.attrs, backward: true },
        inputs: [dY.ref, c.saved(saved)], outputs: c.needsGrad(x) ? [dx, ...wgrads] : wgrads, weights: op.weights,
        deps: [dY.producer, c.savedDep(saved)],
      } as OpDraft & { deps: number[] });
      if (c.needsGrad(x)) giveInput(x, id, dx);
      op.weights.forEach((w, j) => giveParam(w, id, wgrads[j]));
      return;
    }
    case 'embedding': {
      const table = op.weights[0];
      const { lookups, dim } = op.attrs;
      const dT = gradOut(table);
      const e = DTYPE_BYTES[sink.dtype];
      const id = sink.emit({
        ...base, kind: 'embedding', name: `${op.name}.wgrad`, phase: 'wgrad', attrs: { ...op.attrs, backward: true },
        inputs: [dY.ref, op.inputs[0]], outputs: [dT], deps: [dY.producer],
        // read dY rows and indices, read-modify-write the touched table rows
        bytes: lookups * dim * 3 * e + lookups * 8,
      });
      giveParam(table, id, dT);
      return;
    }
    case 'reshape':
    case 'transpose':
    case 'concat': {
      const acts = op.inputs.filter((t) => c.needsGrad(t));
      if (acts.length === 0) return;
      if (op.kind === 'reshape') {
        // a view: the gradient is the same buffer with the input's shape
        for (const t of acts) c.addGrad(c.grads, t, { ref: { ...dY.ref, shape: t.shape }, producer: dY.producer }, L, 'dgrad');
        return;
      }
      const outs = acts.map((t) => gradOut(t));
      const id = sink.emit({
        ...base, kind: op.kind, name: `${op.name}.dgrad`, phase: 'dgrad', attrs: { ...op.attrs },
        inputs: [dY.ref], outputs: outs, deps: [dY.producer],
      });
      acts.forEach((t, j) => giveInput(t, id, outs[j]));
      return;
    }
    case 'collective': {
      const acts = op.inputs.filter((t) => c.needsGrad(t));
      const outs = acts.map((t) => gradOut(t));
      const id = sink.emit({ ...base, kind: 'collective', name: `${op.name}.dgrad`, phase: 'dgrad', attrs: { ...op.attrs }, inputs: [dY.ref], outputs: outs, deps: [dY.producer] });
      acts.forEach((t, j) => giveInput(t, id, outs[j]));
      return;
    }
    case 'attention': {
      // FlashAttention's backward: one op that recomputes the scores from q, k and the saved log-sum-exp and
      // writes dq, dk and dv
      const [q, k, v] = op.inputs;
      const [o, lse] = op.outputs;
      const outs = [q, k, v].map((t) => gradOut(t));
      const saved = [q, k, v, o, lse];
      const id = sink.emit({
        ...base, kind: 'attention', name: `${op.name}.dgrad`, phase: 'dgrad', attrs: { ...op.attrs, backward: true },
        inputs: [dY.ref, ...saved.map(c.saved)], outputs: outs, deps: [dY.producer, ...saved.map(c.savedDep)],
      });
      [q, k, v].forEach((t, j) => {
        if (c.needsGrad(t)) giveInput(t, id, outs[j]);
      });
      return;
    }
    case 'optimizer':
      throw new InputError(`${op.name}: an optimizer op cannot appear in a forward graph`);
  }
}
