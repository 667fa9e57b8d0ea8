/**
 * The transformer block every zoo transformer is built from (transformers.ts): one attention implementation,
 * one MLP (or mixture of experts) implementation, the block and its stack, configured per model (norm kind and
 * placement, biases, activation, rotary embeddings, grouped-query attention, dropout), and the tensor-parallel
 * shard of a configuration. The attention semantics (unfused and fused) are described in transformers.ts.
 */
import { InputError } from '../../errors.js';
import type { GraphBuilder, Value } from '../graph-builder.js';
import type { NormKind } from '../ir.js';
import type { ZooBuildOptions } from './types.js';

export interface DropoutCfg {
  /** after the embeddings (sum) */
  embed: boolean;
  /** on the attention probabilities */
  attn: boolean;
  /** on each sublayer's output, before the residual add */
  resid: boolean;
  /** after the MLP's activation (Google ViT) */
  mlpInner: boolean;
}

export const NO_DROPOUT: DropoutCfg = { embed: false, attn: false, resid: false, mlpInner: false };

export interface BlockCfg {
  d: number;
  heads: number;
  /** key/value heads (grouped-query attention when fewer than `heads`) */
  kvHeads: number;
  headDim: number;
  ffn: number;
  norm: NormKind;
  /** pre-norm (GPT-2 onwards) or post-norm (Transformer, BERT) */
  preNorm: boolean;
  /** biases on the attention and MLP projections */
  bias: boolean;
  mlp: 'gelu' | 'relu' | 'swiglu';
  rotary: boolean;
  dropout: DropoutCfg;
  /** one fused attention op (FlashAttention) or the separate score/softmax/context ops */
  fusedAttention: boolean;
  /** mixture of experts in place of the MLP: `count` experts of width `ffn`, each token routed to `topK` */
  experts?: MoeCfg;
}

export interface MoeCfg {
  count: number;
  topK: number;
  /** ZooBuildOptions.capacityFactor (default 1) */
  capacityFactor?: number;
}

/** Rows each expert's buffer holds in a step: ⌈C × tokens × top-k / experts⌉, at most every token. */
export function expertRows(tokens: number, moe: MoeCfg): number {
  return Math.min(tokens, Math.ceil(((moe.capacityFactor ?? 1) * tokens * moe.topK) / moe.count));
}

/** The capacity factor of a build, checked against the model: MoE models only, in (0, experts / top-k]. */
function capacityFactorOf(o: ZooBuildOptions, model: string, moe?: MoeCfg): number | undefined {
  const cf = o.capacityFactor;
  if (cf === undefined) return undefined;
  if (!moe) throw new InputError(`--capacity-factor applies to mixture-of-experts models; ${model} has none`);
  const max = moe.count / moe.topK;
  if (!Number.isFinite(cf) || cf <= 0 || cf > max) {
    throw new InputError(`--capacity-factor must be a number in (0, ${max}] for ${model} (${moe.count} experts, top-${moe.topK}), got ${cf}`);
  }
  return cf;
}

/**
 * Mixture-of-experts MLP (Mixtral, Switch): a router (d × experts, no bias) and its softmax choose top-k
 * experts per token; each expert gathers its tokens (balanced: tokens × k / experts each), runs a SwiGLU MLP
 * of its own, and the combine weights the experts' outputs by the router's probabilities back into [B, S, d].
 */
function moeMlp(b: GraphBuilder, c: BlockCfg, moe: MoeCfg, x: Value, p: string): Value {
  const [B, S, d] = x.ref.shape;
  const rows = expertRows(B * S, moe);
  const probs = b.softmax(b.linear(x, moe.count, { bias: false, name: `${p}.router` }), `${p}.router.softmax`);
  const outs: Value[] = [];
  for (let e = 0; e < moe.count; e++) {
    const xe = b.gatherRows(x, rows, `${p}.experts.${e}.dispatch`);
    const gate = b.act('silu', b.linear(xe, c.ffn, { bias: false, name: `${p}.experts.${e}.gate` }), `${p}.experts.${e}.gate.silu`);
    const up = b.linear(xe, c.ffn, { bias: false, name: `${p}.experts.${e}.up` });
    const h = b.elementwise('mul', [gate, up], { name: `${p}.experts.${e}.gate_mul` });
    outs.push(b.linear(h, d, { bias: false, name: `${p}.experts.${e}.down` }));
  }
  return b.elementwise('mul', [...outs, probs], { name: `${p}.combine`, shape: [B, S, d] });
}

export function dropout(b: GraphBuilder, on: boolean, x: Value, name: string): Value {
  return on ? b.act('dropout', x, name) : x;
}

/** Multi-head (or grouped-query) attention of queries from `xq` over keys/values from `xkv`, with the out projection. */
function attention(b: GraphBuilder, c: BlockCfg, xq: Value, xkv: Value, causal: boolean, p: string): Value {
  const [B, S] = xq.ref.shape;
  const Skv = xkv.ref.shape[1];
  const { heads: h, kvHeads: hkv, headDim: dh } = c;
  const g = h / hkv;
  const bias = c.bias;
  const heads = (x: Value, n: number, len: number, name: string): Value =>
    b.transpose(b.reshape(x, [B, len, n, dh], { name: `${name}.view` }), [0, 2, 1, 3], { name: `${name}.heads`, copies: false });

  let q = heads(b.linear(xq, h * dh, { bias, name: `${p}.q` }), h, S, `${p}.q`);
  let k = heads(b.linear(xkv, hkv * dh, { bias, name: `${p}.k` }), hkv, Skv, `${p}.k`);
  const v = heads(b.linear(xkv, hkv * dh, { bias, name: `${p}.v` }), hkv, Skv, `${p}.v`);
  if (c.rotary) {
    q = b.act('rotary', q, `${p}.q.rotary`);
    k = b.act('rotary', k, `${p}.k.rotary`);
  }
  if (c.fusedAttention) {
    const o = b.fusedAttention(q, k, v, { causal, dropout: c.dropout.attn, name: `${p}.flash` });
    const merged = b.reshape(b.transpose(o, [0, 2, 1, 3], { name: `${p}.merge_heads` }), [B, S, h * dh], { name: `${p}.merge_heads.view` });
    return b.linear(merged, c.d, { bias, name: `${p}.o` });
  }
  if (g > 1) q = b.reshape(q, [B, hkv, g * S, dh], { name: `${p}.q.group` });
  const kT = b.transpose(k, [0, 1, 3, 2], { name: `${p}.k.t`, copies: false });
  let s = b.matmul(q, kT, { name: `${p}.scores` });
  s = b.elementwise('scale', [s], { name: `${p}.scale` });
  if (causal) s = b.elementwise('add', [s], { name: `${p}.causal_mask` });
  s = b.softmax(s, `${p}.softmax`);
  s = dropout(b, c.dropout.attn, s, `${p}.attn_dropout`);
  let o = b.matmul(s, v, { name: `${p}.context` });
  if (g > 1) o = b.reshape(o, [B, h, S, dh], { name: `${p}.context.ungroup` });
  o = b.transpose(o, [0, 2, 1, 3], { name: `${p}.merge_heads` });
  o = b.reshape(o, [B, S, h * dh], { name: `${p}.merge_heads.view` });
  return b.linear(o, c.d, { bias, name: `${p}.o` });
}

function mlp(b: GraphBuilder, c: BlockCfg, x: Value, p: string): Value {
  const bias = c.bias;
  let hdn: Value;
  if (c.mlp === 'swiglu') {
    const gate = b.act('silu', b.linear(x, c.ffn, { bias, name: `${p}.gate` }), `${p}.gate.silu`);
    const up = b.linear(x, c.ffn, { bias, name: `${p}.up` });
    hdn = b.elementwise('mul', [gate, up], { name: `${p}.gate_mul` });
  } else {
    hdn = b.act(c.mlp, b.linear(x, c.ffn, { bias, name: `${p}.fc1` }), `${p}.${c.mlp}`);
  }
  hdn = dropout(b, c.dropout.mlpInner, hdn, `${p}.act_dropout`);
  return b.linear(hdn, c.d, { bias, name: c.mlp === 'swiglu' ? `${p}.down` : `${p}.fc2` });
}

/**
 * One transformer block: self-attention (causal for decoders), optional cross-attention over `memory`
 * (encoder-decoder), MLP; each sublayer with dropout, residual add and a norm before (pre-norm) or after
 * the residual (post-norm). Call inside `b.scope('layers.N', ...)`.
 */
function block(b: GraphBuilder, c: BlockCfg, x: Value, p: string, o: { causal: boolean; memory?: Value }): Value {
  const sublayer = (x: Value, name: string, f: (h: Value) => Value): Value => {
    if (c.preNorm) {
      const y = dropout(b, c.dropout.resid, f(b.norm(x, c.norm, { name: `${p}.${name}.norm` })), `${p}.${name}.dropout`);
      return b.add(x, y, `${p}.${name}.residual`);
    }
    const y = dropout(b, c.dropout.resid, f(x), `${p}.${name}.dropout`);
    return b.norm(b.add(x, y, `${p}.${name}.residual`), c.norm, { name: `${p}.${name}.norm` });
  };
  x = sublayer(x, 'attn', (h) => attention(b, c, h, h, o.causal, `${p}.attn`));
  const memory = o.memory;
  if (memory) x = sublayer(x, 'cross_attn', (h) => attention(b, c, h, memory, false, `${p}.cross_attn`));
  const experts = c.experts;
  return sublayer(x, 'mlp', (h) => (experts ? moeMlp(b, c, experts, h, `${p}.moe`) : mlp(b, c, h, `${p}.mlp`)));
}

export function layers(b: GraphBuilder, c: BlockCfg, x: Value, n: number, first: number, o: { causal: boolean; memory?: Value }): Value {
  for (let i = first; i < first + n; i++) {
    const p = `layers.${i}`;
    x = b.scope(p, () => block(b, c, x, p, o));
  }
  return x;
}

export function tokenIds(b: GraphBuilder, name: string, seq: number): Value {
  return b.input(name, [b.batch, seq], 'int64');
}

/** The shard width t of a tensor-parallel build, checked against what it must divide. */
export function shardWidth(o: ZooBuildOptions, model: string, heads: number, kvHeads: number, ffn: number): number {
  const t = o.tensorParallel ?? 1;
  if (!Number.isInteger(t) || t < 1 || heads % t !== 0 || kvHeads % t !== 0 || ffn % t !== 0) {
    throw new InputError(`tensor-parallel width ${t} must divide ${model}'s ${heads} attention heads, ${kvHeads} key/value heads and MLP width ${ffn}`);
  }
  return t;
}

export function blockCfg(
  c: { d: number; heads: number; kvHeads?: number; ffn: number; norm: NormKind; bias: boolean; mlp: BlockCfg['mlp']; dropout: DropoutCfg; experts?: MoeCfg },
  preNorm: boolean, rotary: boolean, o: ZooBuildOptions, t: number, model: string,
): BlockCfg {
  const capacityFactor = capacityFactorOf(o, model, c.experts);
  return {
    fusedAttention: (o.attention ?? 'fused') === 'fused',
    d: c.d,
    heads: c.heads / t,
    kvHeads: (c.kvHeads ?? c.heads) / t,
    headDim: c.d / c.heads,
    ffn: c.ffn / t,
    norm: c.norm,
    preNorm,
    bias: c.bias,
    mlp: c.mlp,
    rotary,
    dropout: c.dropout,
    ...(c.experts ? { experts: { ...c.experts, ...(capacityFactor !== undefined ? { capacityFactor } : {}) } } : {}),
  };
}

