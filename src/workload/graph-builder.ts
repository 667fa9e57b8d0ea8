/**
 * GraphBuilder: the one way forward graphs are made (model zoo, ONNX import, JSON import).
 * Each call appends one operator, registers its parameters under the current layer, and returns
 * the symbolic output tensor. Shapes are checked as they go.
 */
import { InputError, requirePositiveInt } from '../errors.js';
import type {
  DType,
  ElementwiseFn,
  ForwardGraph,
  NormKind,
  Op,
  Param,
  PoolKind,
  TensorRef,
} from './ir.js';
import { numel } from './ir.js';
import { finalizeOp, type OpDraft } from './op-metrics.js';

/** A symbolic tensor: its shape and the op that produced it (-1 for graph inputs). */
export interface Value {
  ref: TensorRef;
  producer: number;
}

export interface Conv2dOptions {
  outChannels: number;
  kernel: number | [number, number];
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
  bias?: boolean;
  name?: string;
  /** reuse an existing parameter as the filter bank (ONNX initializers, tied weights) */
  weight?: TensorRef;
}

export interface PoolOptions {
  kernel: number | [number, number];
  stride?: number | [number, number];
  padding?: number | [number, number];
  name?: string;
}

function pair(v: number | [number, number] | undefined, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  return typeof v === 'number' ? [v, v] : v;
}

export class GraphBuilder {
  private readonly ops: Op[] = [];
  private readonly params: Param[] = [];
  private readonly paramByName = new Map<string, TensorRef>();
  private readonly inputs: TensorRef[] = [];
  private readonly outputs: TensorRef[] = [];
  private layerName = 'model';
  private tensorCounter = 0;

  constructor(
    readonly name: string,
    readonly batch: number,
    readonly dtype: DType = 'bf16',
    readonly seq?: number,
  ) {
    requirePositiveInt('batch', batch);
    if (seq !== undefined) requirePositiveInt('seq', seq);
  }

  /** Runs `fn` with ops and parameters attributed to `layer`. */
  scope<T>(layer: string, fn: () => T): T {
    const saved = this.layerName;
    this.layerName = layer;
    try {
      return fn();
    } finally {
      this.layerName = saved;
    }
  }

  get currentLayer(): string {
    return this.layerName;
  }

  input(name: string, shape: number[], dtype: DType = this.dtype): Value {
    this.checkShape(name, shape);
    const ref: TensorRef = { name, shape: [...shape], dtype };
    this.inputs.push(ref);
    return { ref, producer: -1 };
  }

  /** Registers a parameter tensor (or returns the existing one of that name, for tied weights). */
  param(name: string, shape: number[]): TensorRef {
    const existing = this.paramByName.get(name);
    if (existing) return existing;
    this.checkShape(name, shape);
    const ref: TensorRef = { name, shape: [...shape], dtype: this.dtype };
    this.params.push({ name, shape: [...shape], layer: this.layerName });
    this.paramByName.set(name, ref);
    return ref;
  }

  markOutput(v: Value): void {
    this.outputs.push(v.ref);
  }

  /** y = x·W (+ b); x is [..., K], W is [K, N]. Pass `weight` to reuse (tie) an existing parameter. */
  linear(x: Value, outFeatures: number, opts: { bias?: boolean; name?: string; weight?: TensorRef } = {}): Value {
    const name = opts.name ?? this.autoName('linear');
    requirePositiveInt(`${name}.outFeatures`, outFeatures);
    const k = x.ref.shape[x.ref.shape.length - 1];
    const m = numel(x.ref.shape) / k;
    const w = opts.weight ?? this.param(`${name}.weight`, [k, outFeatures]);
    if (numel(w.shape) !== k * outFeatures) {
      throw new InputError(`${name}: weight ${w.name} has shape [${w.shape}], expected ${k}×${outFeatures}`);
    }
    const outShape = [...x.ref.shape.slice(0, -1), outFeatures];
    let y = this.push(
      { kind: 'gemm', name, attrs: { b: 1, m, n: outFeatures, k }, inputs: [x.ref], weights: [w] },
      [x],
      outShape,
    );
    if (opts.bias ?? true) {
      const b = this.param(`${name}.bias`, [outFeatures]);
      y = this.push(
        { kind: 'elementwise', name: `${name}.bias_add`, attrs: { fn: 'add', elements: numel(outShape), arity: 2 }, inputs: [y.ref], weights: [b] },
        [y],
        outShape,
      );
    }
    return y;
  }

  /** Batched product of two activations: a [..., M, K] · b [..., K, N] → [..., M, N]. */
  matmul(a: Value, b: Value, opts: { name?: string } = {}): Value {
    const name = opts.name ?? this.autoName('matmul');
    const as = a.ref.shape;
    const bs = b.ref.shape;
    if (as.length < 2 || bs.length < 2) throw new InputError(`${name}: matmul operands need at least 2 dimensions, got [${as}] and [${bs}]`);
    const m = as[as.length - 2];
    const k = as[as.length - 1];
    const k2 = bs[bs.length - 2];
    const n = bs[bs.length - 1];
    if (k !== k2) throw new InputError(`${name}: matmul inner dimensions differ: [${as}] · [${bs}]`);
    const batchA = numel(as.slice(0, -2));
    const batchB = numel(bs.slice(0, -2));
    const bt = Math.max(batchA, batchB);
    if (batchA !== batchB && batchA !== 1 && batchB !== 1) {
      throw new InputError(`${name}: matmul batch dimensions do not broadcast: [${as}] · [${bs}]`);
    }
    const lead = (batchA >= batchB ? as : bs).slice(0, -2);
    return this.push(
      { kind: 'gemm', name, attrs: { b: bt, m, n, k }, inputs: [a.ref, b.ref], weights: [] },
      [a, b],
      [...lead, m, n],
    );
  }

  /** 2-D convolution on NCHW input. */
  conv2d(x: Value, o: Conv2dOptions): Value {
    const name = o.name ?? this.autoName('conv');
    const [n, c, h, w] = this.nchw(name, x);
    const [kH, kW] = pair(o.kernel, 1);
    const [sH, sW] = pair(o.stride, 1);
    const [pH, pW] = pair(o.padding, 0);
    const [dH, dW] = pair(o.dilation, 1);
    const groups = o.groups ?? 1;
    for (const [f, v] of [['kernel', kH], ['kernel', kW], ['stride', sH], ['stride', sW], ['dilation', dH], ['dilation', dW], ['groups', groups], ['outChannels', o.outChannels]] as const) {
      requirePositiveInt(`${name}.${f}`, v);
    }
    if (c % groups !== 0 || o.outChannels % groups !== 0) {
      throw new InputError(`${name}: groups (${groups}) must divide input channels (${c}) and output channels (${o.outChannels})`);
    }
    const outH = Math.floor((h + 2 * pH - dH * (kH - 1) - 1) / sH) + 1;
    const outW = Math.floor((w + 2 * pW - dW * (kW - 1) - 1) / sW) + 1;
    if (outH < 1 || outW < 1) throw new InputError(`${name}: kernel ${kH}×${kW} does not fit input ${h}×${w} with padding ${pH}×${pW}`);
    const weight = o.weight ?? this.param(`${name}.weight`, [o.outChannels, c / groups, kH, kW]);
    if (numel(weight.shape) !== o.outChannels * (c / groups) * kH * kW) {
      throw new InputError(`${name}: weight ${weight.name} has shape [${weight.shape}], expected ${o.outChannels}×${c / groups}×${kH}×${kW}`);
    }
    const outShape = [n, o.outChannels, outH, outW];
    let y = this.push(
      {
        kind: 'conv2d',
        name,
        attrs: { batch: n, inC: c, inH: h, inW: w, outC: o.outChannels, outH, outW, kH, kW, strideH: sH, strideW: sW, padH: pH, padW: pW, dilationH: dH, dilationW: dW, groups, pass: 'fwd' },
        inputs: [x.ref],
        weights: [weight],
      },
      [x],
      outShape,
    );
    if (o.bias ?? false) {
      const b = this.param(`${name}.bias`, [o.outChannels]);
      y = this.push(
        { kind: 'elementwise', name: `${name}.bias_add`, attrs: { fn: 'add', elements: numel(outShape), arity: 2 }, inputs: [y.ref], weights: [b] },
        [y],
        outShape,
      );
    }
    return y;
  }

  /**
   * Elementwise op; the output takes the shape of the largest input (numpy broadcasting) unless `shape`
   * gives it (a broadcast or a reduction); it touches max(largest input, output) elements. `weights` are
   * parameter operands (a bias, a scale), counted in the arity.
   */
  elementwise(fn: ElementwiseFn, xs: Value[], opts: { name?: string; weights?: TensorRef[]; shape?: number[] } = {}): Value {
    const name = opts.name ?? this.autoName(fn);
    if (xs.length === 0) throw new InputError(`${name}: elementwise ${fn} needs at least one input`);
    let out = xs[0].ref.shape;
    for (const v of xs) if (numel(v.ref.shape) > numel(out)) out = v.ref.shape;
    const weights = opts.weights ?? [];
    const shape = opts.shape ?? out;
    return this.push(
      { kind: 'elementwise', name, attrs: { fn, elements: Math.max(numel(out), numel(shape)), arity: xs.length + weights.length }, inputs: xs.map((v) => v.ref), weights: [...weights] },
      xs,
      [...shape],
    );
  }

  add(a: Value, b: Value, name?: string): Value {
    return this.elementwise('add', [a, b], { name });
  }

  act(fn: ElementwiseFn, x: Value, name?: string): Value {
    return this.elementwise(fn, [x], { name });
  }

  /** Layer/RMS norm over the last axis, batch norm over axis 1 (channels); affine parameters included (or given as `weights`). */
  norm(x: Value, norm: NormKind, opts: { name?: string; affine?: boolean; weights?: TensorRef[] } = {}): Value {
    const name = opts.name ?? this.autoName(`${norm}norm`);
    const s = x.ref.shape;
    const features = norm === 'batch' ? s[1] : s[s.length - 1];
    if (features === undefined) throw new InputError(`${name}: ${norm} norm needs a feature axis, got shape [${s}]`);
    const rows = numel(s) / features;
    // `weights`: existing parameters as the affine scale/shift (ONNX initializers)
    const weights: TensorRef[] = opts.weights ? [...opts.weights] : [];
    if (!opts.weights && (opts.affine ?? true)) {
      weights.push(this.param(`${name}.weight`, [features]));
      if (norm !== 'rms') weights.push(this.param(`${name}.bias`, [features]));
    }
    return this.push(
      { kind: 'norm', name, attrs: { norm, rows: norm === 'batch' ? features : rows, cols: norm === 'batch' ? rows : features, backward: false }, inputs: [x.ref], weights },
      [x],
      [...s],
    );
  }

  /**
   * Fused attention (FlashAttention-style) of q [B, h, S, dh] over k, v [B, hkv, Skv, dh]: returns the output
   * [B, h, S, dh]; the op also writes the rows' log-sum-exp [B, h, S] (fp32) that its backward pass reads.
   */
  fusedAttention(q: Value, k: Value, v: Value, o: { causal: boolean; dropout: boolean; name?: string }): Value {
    const name = o.name ?? this.autoName('attention');
    const [B, h, S, dh] = q.ref.shape;
    const [Bk, hkv, Skv, dk] = k.ref.shape;
    if (q.ref.shape.length !== 4 || k.ref.shape.length !== 4 || Bk !== B || dk !== dh || v.ref.shape.join() !== k.ref.shape.join() || h % hkv !== 0) {
      throw new InputError(`${name}: fused attention needs q [B, h, S, d] and k, v [B, h_kv, S_kv, d] with h a multiple of h_kv; got [${q.ref.shape}], [${k.ref.shape}], [${v.ref.shape}]`);
    }
    const outShape = [B, h, S, dh];
    this.checkShape(name, outShape);
    const id = this.ops.length;
    const out: TensorRef = { name: `${name}:out${this.tensorCounter++}`, shape: outShape, dtype: this.dtype };
    const lse: TensorRef = { name: `${name}:lse${this.tensorCounter++}`, shape: [B, h, S], dtype: 'fp32' };
    const deps = [...new Set([q, k, v].map((x) => x.producer).filter((p) => p >= 0))];
    this.ops.push(finalizeOp({
      kind: 'attention', name, id, phase: 'fwd', layer: this.layerName, deps,
      attrs: { batch: B, heads: h, kvHeads: hkv, seqQ: S, seqKv: Skv, headDim: dh, causal: o.causal, dropout: o.dropout, backward: false },
      inputs: [q.ref, k.ref, v.ref], weights: [], outputs: [out, lse],
    } as OpDraft));
    return { ref: out, producer: id };
  }

  /**
   * Gathers `rows` rows of x [..., d] into a new [rows, d] tensor (a mixture-of-experts dispatch: the tokens
   * routed to one expert). Moves only the rows it gathers (read and written once).
   */
  gatherRows(x: Value, rows: number, name?: string): Value {
    const n = name ?? this.autoName('gather');
    const d = x.ref.shape[x.ref.shape.length - 1];
    requirePositiveInt(`${n}: rows`, rows);
    return this.push(
      { kind: 'elementwise', name: n, attrs: { fn: 'copy', elements: rows * d, arity: 1 }, inputs: [x.ref], weights: [], bytes: 2 * rows * d * this.elemBytes() },
      [x],
      [rows, d],
    );
  }

  softmax(x: Value, name?: string): Value {
    const n = name ?? this.autoName('softmax');
    const s = x.ref.shape;
    const cols = s[s.length - 1];
    return this.push({ kind: 'softmax', name: n, attrs: { rows: numel(s) / cols, cols, backward: false }, inputs: [x.ref], weights: [] }, [x], [...s]);
  }

  pool(x: Value, pool: PoolKind, o: PoolOptions): Value {
    const name = o.name ?? this.autoName(`${pool}pool`);
    const [n, c, h, w] = this.nchw(name, x);
    const [kH, kW] = pair(o.kernel, 1);
    const [sH, sW] = pair(o.stride, kH);
    const [pH, pW] = pair(o.padding, 0);
    requirePositiveInt(`${name}.kernel`, kH);
    requirePositiveInt(`${name}.kernel`, kW);
    requirePositiveInt(`${name}.stride`, sH);
    requirePositiveInt(`${name}.stride`, sW);
    const outH = Math.floor((h + 2 * pH - kH) / sH) + 1;
    const outW = Math.floor((w + 2 * pW - kW) / sW) + 1;
    if (outH < 1 || outW < 1) throw new InputError(`${name}: pooling window ${kH}×${kW} does not fit input ${h}×${w}`);
    return this.push(
      { kind: 'pool', name, attrs: { pool, batch: n, channels: c, inH: h, inW: w, outH, outW, kH, kW, backward: false }, inputs: [x.ref], weights: [] },
      [x],
      [n, c, outH, outW],
    );
  }

  /** Global average pooling NCHW → [N, C]. */
  globalAvgPool(x: Value, name?: string): Value {
    const [n, c, h, w] = this.nchw(name ?? 'gap', x);
    const pooled = this.pool(x, 'avg', { kernel: [h, w], stride: [h, w], name });
    return this.reshape(pooled, [n, c], { name: `${name ?? 'gap'}.flatten` });
  }

  /** Embedding gather: indices [...] → [..., dim]. Pass `table` to reuse a table (tied weights). */
  embedding(indices: Value, vocab: number, dim: number, opts: { name?: string; table?: TensorRef } = {}): Value {
    const name = opts.name ?? this.autoName('embedding');
    requirePositiveInt(`${name}.vocab`, vocab);
    requirePositiveInt(`${name}.dim`, dim);
    const table = opts.table ?? this.param(`${name}.weight`, [vocab, dim]);
    const lookups = numel(indices.ref.shape);
    const outShape = [...indices.ref.shape, dim];
    return this.push(
      {
        kind: 'embedding',
        name,
        attrs: { vocab, dim, lookups, backward: false },
        inputs: [indices.ref],
        weights: [table],
        // a gather reads only the rows it looks up, not the whole table
        bytes: lookups * dim * 2 * this.elemBytes() + lookups * 8,
      },
      [indices],
      outShape,
    );
  }

  reshape(x: Value, shape: number[], opts: { name?: string } = {}): Value {
    const name = opts.name ?? this.autoName('reshape');
    this.checkShape(name, shape);
    if (numel(shape) !== numel(x.ref.shape)) {
      throw new InputError(`${name}: cannot reshape [${x.ref.shape}] (${numel(x.ref.shape)} elements) to [${shape}]`);
    }
    return this.push({ kind: 'reshape', name, attrs: { elements: numel(shape), copies: false }, inputs: [x.ref], weights: [] }, [x], shape);
  }

  transpose(x: Value, perm: number[], opts: { name?: string; copies?: boolean } = {}): Value {
    const name = opts.name ?? this.autoName('transpose');
    const s = x.ref.shape;
    if (perm.length !== s.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
      throw new InputError(`${name}: permutation [${perm}] does not fit shape [${s}]`);
    }
    return this.push(
      { kind: 'transpose', name, attrs: { elements: numel(s), copies: opts.copies ?? true }, inputs: [x.ref], weights: [] },
      [x],
      perm.map((p) => s[p]),
    );
  }

  concat(xs: Value[], axis: number, opts: { name?: string } = {}): Value {
    const name = opts.name ?? this.autoName('concat');
    if (xs.length === 0) throw new InputError(`${name}: concat needs at least one input`);
    const rank = xs[0].ref.shape.length;
    const ax = axis < 0 ? axis + rank : axis;
    if (ax < 0 || ax >= rank) throw new InputError(`${name}: concat axis ${axis} out of range for rank ${rank}`);
    const out = [...xs[0].ref.shape];
    out[ax] = 0;
    for (const v of xs) {
      if (v.ref.shape.length !== rank) throw new InputError(`${name}: concat inputs differ in rank`);
      if (v.ref.shape.some((d, i) => i !== ax && d !== out[i])) {
        throw new InputError(`${name}: concat inputs differ outside axis ${ax}: [${xs[0].ref.shape}] and [${v.ref.shape}]`);
      }
      out[ax] += v.ref.shape[ax];
    }
    return this.push({ kind: 'concat', name, attrs: { elements: numel(out), copies: true }, inputs: xs.map((v) => v.ref), weights: [] }, xs, out);
  }

  build(): ForwardGraph {
    if (this.ops.length === 0) throw new InputError(`${this.name}: the graph has no operators`);
    return {
      name: this.name,
      batch: this.batch,
      seq: this.seq,
      dtype: this.dtype,
      ops: this.ops,
      params: this.params,
      inputs: this.inputs,
      outputs: this.outputs.length > 0 ? this.outputs : [this.ops[this.ops.length - 1].outputs[0]],
    };
  }

  /** Appends an op computing one output of `outShape` from `deps`. */
  private push(draft: Omit<OpDraft, 'id' | 'phase' | 'layer' | 'outputs' | 'deps'> & { bytes?: number }, deps: Value[], outShape: number[]): Value {
    this.checkShape(draft.name, outShape);
    const id = this.ops.length;
    const out: TensorRef = { name: `${draft.name}:out${this.tensorCounter++}`, shape: outShape, dtype: this.dtype };
    const depIds = [...new Set(deps.map((d) => d.producer).filter((p) => p >= 0))];
    const op = finalizeOp({ ...draft, id, phase: 'fwd', layer: this.layerName, outputs: [out], deps: depIds } as OpDraft);
    this.ops.push(op);
    return { ref: out, producer: id };
  }

  private nchw(name: string, x: Value): [number, number, number, number] {
    const s = x.ref.shape;
    if (s.length !== 4) throw new InputError(`${name}: expects an NCHW input, got shape [${s}]`);
    return [s[0], s[1], s[2], s[3]];
  }

  private checkShape(name: string, shape: number[]): void {
    if (!Array.isArray(shape) || shape.length === 0) throw new InputError(`${name}: shape must be a non-empty list of positive integers`);
    shape.forEach((d, i) => requirePositiveInt(`${name}: dimension ${i}`, d));
    if (numel(shape) > 2 ** 50) throw new InputError(`${name}: shape [${shape}] has more than 2^50 elements`);
  }

  private autoName(kind: string): string {
    return `${this.layerName}.${kind}${this.ops.length}`;
  }

  private elemBytes(): number {
    return this.dtype === 'fp32' ? 4 : 2;
  }
}
