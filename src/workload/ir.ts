/**
 * The operator IR: every operator of a forward graph or a training step.
 *
 * Conventions: FLOPs count a multiply-add as 2; `bytes` is the data an op moves when nothing is
 * kept on chip (inputs + weights read, outputs written). Shapes are element counts per axis.
 */

export type DType = 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8' | 'int32' | 'int64' | 'bool';

export const DTYPE_BYTES: Record<DType, number> = {
  fp32: 4,
  bf16: 2,
  fp16: 2,
  fp8: 1,
  int8: 1,
  int32: 4,
  int64: 8,
  bool: 1,
};

export type Phase = 'fwd' | 'dgrad' | 'wgrad' | 'optimizer' | 'recompute';
export const PHASES: readonly Phase[] = ['fwd', 'dgrad', 'wgrad', 'optimizer', 'recompute'];

export interface TensorRef {
  name: string;
  shape: number[];
  dtype: DType;
}

export type ElementwiseFn =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'relu'
  | 'relu6'
  | 'gelu'
  | 'silu'
  | 'sigmoid'
  | 'tanh'
  | 'exp'
  | 'sqrt'
  | 'pow'
  | 'dropout'
  | 'rotary'
  | 'scale'
  | 'cast'
  | 'copy'
  | 'grad-accumulate'
  // backward kinds
  | 'relu-bwd'
  | 'relu6-bwd'
  | 'gelu-bwd'
  | 'silu-bwd'
  | 'sigmoid-bwd'
  | 'tanh-bwd'
  | 'exp-bwd'
  | 'sqrt-bwd'
  | 'pow-bwd'
  | 'dropout-bwd'
  | 'rotary-bwd'
  | 'mul-bwd'
  | 'div-bwd'
  | 'scale-bwd';

/** Forward elementwise kinds a user (JSON/ONNX) may name. */
export const FORWARD_ELEMENTWISE: readonly ElementwiseFn[] = [
  'add', 'sub', 'mul', 'div', 'relu', 'relu6', 'gelu', 'silu', 'sigmoid', 'tanh', 'exp', 'sqrt', 'pow',
  'dropout', 'rotary', 'scale', 'cast', 'copy',
];

/** FLOPs per output element of each elementwise kind (approximate op counts, see README). */
export const ELEMENTWISE_FLOPS_PER_ELEMENT: Record<ElementwiseFn, number> = {
  add: 1, sub: 1, mul: 1, div: 1, relu: 1, relu6: 2, gelu: 8, silu: 4, sigmoid: 4, tanh: 4, exp: 1,
  sqrt: 1, pow: 1, dropout: 2, rotary: 3, scale: 1, cast: 0, copy: 0, 'grad-accumulate': 1,
  'relu-bwd': 1, 'relu6-bwd': 2, 'gelu-bwd': 12, 'silu-bwd': 6, 'sigmoid-bwd': 3, 'tanh-bwd': 3,
  'exp-bwd': 1, 'sqrt-bwd': 2, 'pow-bwd': 2, 'dropout-bwd': 1, 'rotary-bwd': 3, 'mul-bwd': 2,
  'div-bwd': 3, 'scale-bwd': 1,
};

export type NormKind = 'layer' | 'batch' | 'rms';
export type PoolKind = 'max' | 'avg';
export type CollectiveKind = 'all-reduce' | 'all-gather' | 'reduce-scatter' | 'send' | 'recv';
/**
 * Optimizers: SGD, momentum, Adam, AdamW; LAMB (Adam's update scaled per tensor by the trust ratio
 * ‖w‖ / ‖update‖, BERT pretraining's optimizer); Adafactor (factored second moment, no first moment).
 */
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'adamw', 'lamb', 'adafactor'] as const;
export type OptimizerKind = (typeof OPTIMIZERS)[number];
export type ConvPass = 'fwd' | 'dgrad' | 'wgrad';

export interface GemmAttrs {
  /** batch of independent products (attention heads × samples); weights are shared across it when `weightOperand` is set */
  b: number;
  m: number;
  n: number;
  k: number;
}

/**
 * Fused (FlashAttention-style) attention of `heads` query heads over `kvHeads` key/value heads (grouped-query
 * attention when fewer): softmax(Q·Kᵀ/√d)·V computed tile by tile on chip; only Q, K, V, O and the row
 * log-sum-exp cross the memory hierarchy. The backward pass recomputes the scores.
 */
export interface AttentionAttrs {
  batch: number;
  heads: number;
  kvHeads: number;
  seqQ: number;
  seqKv: number;
  headDim: number;
  /** decoder self-attention: key j > query i is masked, and its tile skipped */
  causal: boolean;
  /** dropout on the attention probabilities (a mask regenerated from a seed, never stored) */
  dropout: boolean;
  backward: boolean;
}

/** Query–key pairs computed, as a share of seqQ × seqKv: (seqKv + 1) / (2·seqKv) under a causal mask. */
export function attentionLiveShare(a: AttentionAttrs): number {
  return a.causal ? (a.seqKv + 1) / (2 * a.seqKv) : 1;
}

/** GEMMs per query–key tile: Q·Kᵀ and P·V forward; the backward recomputes Q·Kᵀ and adds dV, dP, dQ, dK. */
export const ATTENTION_GEMMS = { fwd: 2, bwd: 5 } as const;
/** Vector FLOPs per computed score: scale, running max, subtract, exp, sum (forward); exp, dS = P∘(dP − D), scale (backward); dropout adds 2. */
export const ATTENTION_FLOPS_PER_SCORE = { fwd: 5, bwd: 5, dropout: 2 } as const;

export interface Conv2dAttrs {
  batch: number;
  inC: number;
  inH: number;
  inW: number;
  outC: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  groups: number;
  /** which product of the convolution this op computes (forward, data gradient, weight gradient) */
  pass: ConvPass;
  /** the input X is a ReLU output (set by markReluZeros): the fwd and wgrad passes stream a zero-bearing ifmap */
  inputZeros?: boolean;
  /** the output feeds only ReLUs (set by markReluZeros): the dgrad pass streams a zero-bearing dY */
  gradZeros?: boolean;
}

interface OpCommon {
  /** index in its graph's `ops` array */
  id: number;
  name: string;
  phase: Phase;
  /** the layer (block) this op belongs to, e.g. `encoder.3` */
  layer: string;
  inputs: TensorRef[];
  outputs: TensorRef[];
  /** parameter tensors read (forward) or written (wgrad, optimizer) */
  weights: TensorRef[];
  /** ids of ops that must finish before this one */
  deps: number[];
  flops: number;
  bytes: number;
  /** ops with equal keys cost the same on any hardware */
  repeatKey: string;
  /** elementwise ops fused into this op's epilogue (names) */
  fused?: string[];
}

export type Op =
  | (OpCommon & { kind: 'gemm'; attrs: GemmAttrs })
  | (OpCommon & { kind: 'conv2d'; attrs: Conv2dAttrs })
  | (OpCommon & { kind: 'attention'; attrs: AttentionAttrs })
  | (OpCommon & { kind: 'elementwise'; attrs: { fn: ElementwiseFn; elements: number; arity: number } })
  | (OpCommon & { kind: 'norm'; attrs: { norm: NormKind; rows: number; cols: number; backward: boolean } })
  | (OpCommon & { kind: 'softmax'; attrs: { rows: number; cols: number; backward: boolean } })
  | (OpCommon & {
      kind: 'pool';
      attrs: {
        pool: PoolKind;
        batch: number;
        channels: number;
        inH: number;
        inW: number;
        outH: number;
        outW: number;
        kH: number;
        kW: number;
        backward: boolean;
      };
    })
  | (OpCommon & { kind: 'embedding'; attrs: { vocab: number; dim: number; lookups: number; backward: boolean } })
  | (OpCommon & { kind: 'concat' | 'reshape' | 'transpose'; attrs: { elements: number; copies: boolean } })
  | (OpCommon & { kind: 'collective'; attrs: { collective: CollectiveKind; bytes: number; groupSize: number } })
  | (OpCommon & {
      kind: 'optimizer';
      /** `params` updated once every `microBatches` steps (gradient accumulation): a step pays 1/microBatches of it */
      attrs: { optimizer: OptimizerKind; params: number; microBatches: number };
    });

export type OpKind = Op['kind'];
export const OP_KINDS: readonly OpKind[] = [
  'gemm', 'conv2d', 'elementwise', 'norm', 'softmax', 'pool', 'embedding', 'concat', 'reshape', 'transpose',
  'collective', 'optimizer', 'attention',
];

/** A parameter tensor of the model. */
export interface Param {
  name: string;
  shape: number[];
  layer: string;
}

export interface ForwardGraph {
  name: string;
  /** samples per step (the micro-batch) */
  batch: number;
  /** sequence length, where the model has one */
  seq?: number;
  dtype: DType;
  ops: Op[];
  params: Param[];
  /** graph inputs (data, labels) */
  inputs: TensorRef[];
  outputs: TensorRef[];
}

export interface TrainingGraph extends ForwardGraph {
  options: Required<TrainingOptionsResolved>;
}

export interface TrainingOptionsResolved {
  precision: 'bf16' | 'fp32';
  optimizer: OptimizerKind;
  recompute: boolean;
  fusion: boolean;
  gradAccumulationSteps: number;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensorBytes(t: TensorRef): number {
  return numel(t.shape) * DTYPE_BYTES[t.dtype];
}

export function paramCount(params: readonly Param[]): number {
  let n = 0;
  for (const p of params) n += numel(p.shape);
  return n;
}

/** Multiply-accumulates of a tensor op (GEMM or convolution pass); 0 for other kinds. */
export function opMacs(op: Op): number {
  if (op.kind === 'gemm') return op.attrs.b * op.attrs.m * op.attrs.n * op.attrs.k;
  if (op.kind === 'conv2d') {
    const g = convAsGemm(op.attrs);
    return g.b * g.m * g.n * g.k;
  }
  if (op.kind === 'attention') return attentionMacs(op.attrs);
  return 0;
}

/** MACs of a fused attention pass: per computed query–key pair, head dim × GEMMs (2 forward, 5 backward). */
export function attentionMacs(a: AttentionAttrs): number {
  const gemms = a.backward ? ATTENTION_GEMMS.bwd : ATTENTION_GEMMS.fwd;
  return a.batch * a.heads * a.seqQ * a.seqKv * attentionLiveShare(a) * a.headDim * gemms;
}

/** Vector FLOPs of a fused attention pass (the on-chip softmax and its gradient). */
export function attentionVectorFlops(a: AttentionAttrs): number {
  const perScore = (a.backward ? ATTENTION_FLOPS_PER_SCORE.bwd : ATTENTION_FLOPS_PER_SCORE.fwd) + (a.dropout ? ATTENTION_FLOPS_PER_SCORE.dropout : 0);
  return a.batch * a.heads * a.seqQ * a.seqKv * attentionLiveShare(a) * perScore;
}

/**
 * Every convolution pass as a batched GEMM (implicit GEMM, one product per group):
 *  fwd:   Y[N·P·Q, K/g]   = col[N·P·Q, C/g·R·S] · W[C/g·R·S, K/g]
 *  dgrad: dcol[N·P·Q, C/g·R·S] = dY[N·P·Q, K/g] · Wᵀ   (implicit GEMM: dcol is never
 *         materialised; its scatter into dX happens as the tiles are written)
 *  wgrad: dW[C/g·R·S, K/g]   = colᵀ · dY              (reduction over N·P·Q)
 */
export function convAsGemm(a: Conv2dAttrs): GemmAttrs {
  const npq = a.batch * a.outH * a.outW;
  const crs = (a.inC / a.groups) * a.kH * a.kW;
  const kg = a.outC / a.groups;
  switch (a.pass) {
    case 'fwd':
      return { b: a.groups, m: npq, n: kg, k: crs };
    case 'dgrad':
      return { b: a.groups, m: npq, n: crs, k: kg };
    case 'wgrad':
      return { b: a.groups, m: crs, n: kg, k: npq };
  }
}
