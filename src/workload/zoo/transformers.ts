/**
 * Transformer models of the zoo: ViT, the original encoder-decoder Transformer, BERT, GPT-2/3, OPT, Llama-2/3,
 * Mixtral and Megatron-LM's GPT at any shape. Every model is built from one attention implementation and one
 * MLP implementation (`attention`, `mlp`, `block` in transformer-block.ts), configured per model (norm kind and placement, biases, activation,
 * rotary embeddings, grouped-query attention, dropout).
 *
 * Attention, as the reference implementations compute it (HF transformers / timm / fairseq):
 *   q, k, v = x·Wq, x·Wk, x·Wv → view as heads [B, S, h, dh] → transpose to [B, h, S, dh]
 *   (rotary on q and k) → scores = q·kᵀ [B, h, S, S] → scale by 1/√dh → (causal mask) → softmax
 *   → (attention dropout) → ·v → transpose back [B, S, h, dh] → view [B, S, h·dh] → out projection.
 * The head split and kᵀ are views a strided-batched GEMM reads directly (no copy); merging the heads back
 * is a copy (`.contiguous()` before the view, as HF does). The causal mask is an elementwise op on the
 * scores (a `masked_fill`/`where` with a mask generated from the indices, not a stored tensor).
 * Grouped-query attention (Llama-2-70B) groups the g = h/h_kv query heads that share a key/value head:
 * q is viewed as [B, h_kv, g·S, dh] (a free view: the heads of a group are adjacent), so each key/value
 * head is read once and the MACs equal those of full multi-head attention over h query heads.
 *
 * Positions beyond a learned table's size are rejected (GPT-2/BERT: 1024/512; OPT: 2048). Token ids
 * and position ids are int64 graph inputs; position ids are [1, S] (the same rows for every sample).
 * That is the `unfused` attention (ZooBuildOptions.attention). The default, `fused`, replaces everything from
 * the scores to the context product by one FlashAttention-style op (GraphBuilder.fusedAttention): the scores
 * stay on chip, only q, k, v, the output and the rows' log-sum-exp cross memory, grouped-query heads read their
 * shared k/v once, and a causal mask skips the masked query–key tiles (about half the MACs). Unfused
 * attention is dense over the whole S×S score matrix (no causal skipping), which is what the standard MAC
 * formulas count.
 *
 * Forward MACs per sample (`published.fwdMacsPerSample`) follow the standard accounting (Kaplan et al.
 * 2020, arXiv 2001.08361, §2.1: C_forward ≈ 2N + 2·n_layer·n_ctx·d_attn FLOPs per token, with N the
 * non-embedding weight matrices): per token, every weight matrix of the blocks once (N MACs), plus the
 * attention products QKᵀ and A·V over the full context (2·n_ctx·d_attn MACs per layer; Kaplan's table
 * counts only QKᵀ), plus the LM head (vocab·d). Biases, norms, softmax and embeddings are not MACs.
 */
import { InputError, MAX_DIM } from '../../errors.js';
import { GraphBuilder, type Value } from '../graph-builder.js';
import type { ForwardGraph, NormKind, TensorRef } from '../ir.js';
import type { ZooBuildOptions, ZooEntry } from './types.js';
import { blockCfg, type BlockCfg, dropout, type DropoutCfg, layers, type MoeCfg, NO_DROPOUT, shardWidth, tokenIds } from './transformer-block.js';

// ---------------------------------------------------------------------------------------------
// Decoder-only language models (GPT-2, GPT-3, OPT, Llama-2)

interface DecoderLmCfg {
  name: string;
  layers: number;
  d: number;
  heads: number;
  kvHeads?: number;
  ffn: number;
  vocab: number;
  /** learned position table size (absent: rotary) */
  maxPositions?: number;
  /** OPT offsets position ids by 2 */
  positionOffset?: number;
  norm: NormKind;
  bias: boolean;
  mlp: BlockCfg['mlp'];
  tiedHead: boolean;
  dropout: DropoutCfg;
  experts?: MoeCfg;
}

function buildDecoderLm(c: DecoderLmCfg, o: ZooBuildOptions): ForwardGraph {
  const b = new GraphBuilder(c.name, o.batch, o.dtype, o.seq);
  const S = o.seq;
  const rotary = c.maxPositions === undefined;
  const t = shardWidth(o, c.name, c.heads, c.kvHeads ?? c.heads, c.ffn);
  const vocab = Math.ceil(c.vocab / t);
  let table: TensorRef | undefined;
  let x = b.scope('embed', () => {
    const ids = tokenIds(b, 'input_ids', S);
    table = b.param('embed.tokens.weight', [vocab, c.d]);
    let e = b.embedding(ids, vocab, c.d, { name: 'embed.tokens', table });
    if (!rotary) {
      const pos = learnedPositions(b, c.name, c.maxPositions!, c.d, S, c.positionOffset ?? 0);
      e = b.add(e, pos, 'embed.add_positions');
    }
    return dropout(b, c.dropout.embed, e, 'embed.dropout');
  });
  x = layers(b, blockCfg(c, true, rotary, o, t, c.name), x, o.layers ?? c.layers, 0, { causal: true });
  const logits = b.scope('head', () => {
    const h = b.norm(x, c.norm, { name: 'head.norm' });
    return b.linear(h, vocab, { bias: false, name: 'head.lm_head', weight: c.tiedHead ? table : undefined });
  });
  b.markOutput(logits);
  return b.build();
}

function learnedPositions(b: GraphBuilder, model: string, table: number, d: number, seq: number, offset: number): Value {
  if (seq + offset > table) {
    throw new InputError(`${model}: sequence length ${seq} exceeds its ${table - offset} learned positions`);
  }
  const ids = b.input('position_ids', [1, seq], 'int64');
  return b.embedding(ids, table, d, { name: 'embed.positions' });
}

/** Standard forward MACs per sample of a decoder-only LM at sequence length S (see the header). */
function decoderLmMacs(c: DecoderLmCfg, S: number): number {
  const dq = c.d;
  const dkv = (c.kvHeads ?? c.heads) * (c.d / c.heads);
  const mlpMatrices = c.mlp === 'swiglu' ? 3 : 2;
  // a mixture of experts: the router, and top-k experts' MLPs per token
  const mlpPerToken = c.experts ? c.d * c.experts.count + c.experts.topK * mlpMatrices * c.d * c.ffn : mlpMatrices * c.d * c.ffn;
  const perToken = c.layers * (c.d * dq + 2 * c.d * dkv + dq * c.d + mlpPerToken);
  return S * perToken + 2 * c.layers * S * S * dq + S * c.vocab * c.d;
}

const GPT_DROPOUT: DropoutCfg = { embed: true, attn: true, resid: true, mlpInner: false };

function gpt2(name: string, layers: number, d: number, heads: number): DecoderLmCfg {
  return { name, layers, d, heads, ffn: 4 * d, vocab: 50257, maxPositions: 1024, norm: 'layer', bias: true, mlp: 'gelu', tiedHead: true, dropout: GPT_DROPOUT };
}

function llama2(name: string, layers: number, d: number, heads: number, ffn: number, kvHeads?: number): DecoderLmCfg {
  return { name, layers, d, heads, kvHeads, ffn, vocab: 32000, norm: 'rms', bias: false, mlp: 'swiglu', tiedHead: false, dropout: NO_DROPOUT };
}

const GPT2 = gpt2('gpt2', 12, 768, 12);
const GPT2_MEDIUM = gpt2('gpt2-medium', 24, 1024, 16);
const GPT2_LARGE = gpt2('gpt2-large', 36, 1280, 20);
const GPT2_XL = gpt2('gpt2-xl', 48, 1600, 25);
// GPT-3 "uses the same model and architecture as GPT-2" (learned positions, tied embeddings); its context is 2048
const GPT3: DecoderLmCfg = { ...gpt2('gpt3-175b', 96, 12288, 96), maxPositions: 2048 };
// OPT: pre-norm, ReLU, biases, dropout 0.1 but none on the embeddings, attention dropout 0; 2048 + 2 positions
const OPT_1_3B: DecoderLmCfg = {
  name: 'opt-1.3b', layers: 24, d: 2048, heads: 32, ffn: 8192, vocab: 50272, maxPositions: 2050, positionOffset: 2,
  norm: 'layer', bias: true, mlp: 'relu', tiedHead: true, dropout: { embed: false, attn: false, resid: true, mlpInner: false },
};
const LLAMA2_7B = llama2('llama2-7b', 32, 4096, 32, 11008);
const LLAMA2_13B = llama2('llama2-13b', 40, 5120, 40, 13824);
const LLAMA2_70B = llama2('llama2-70b', 80, 8192, 64, 28672, 8);
// Llama 3: the Llama 2 block with grouped-query attention (8 key/value heads) at every size and a 128,256-token vocabulary
const LLAMA3_8B: DecoderLmCfg = { ...llama2('llama3-8b', 32, 4096, 32, 14336, 8), vocab: 128256 };
const LLAMA3_70B: DecoderLmCfg = { ...llama2('llama3-70b', 80, 8192, 64, 28672, 8), vocab: 128256 };
// Mixtral 8x7B: the Mistral 7B block (GQA over 8 key/value heads) with 8 SwiGLU experts of 14336, top-2 routing
const MIXTRAL_8X7B: DecoderLmCfg = { ...llama2('mixtral-8x7b', 32, 4096, 32, 14336, 8), experts: { count: 8, topK: 2 } };

/**
 * Megatron-LM's GPT at any size (Narayanan et al., SC21, arXiv 2104.04473, §5.1): the GPT-2/3 block (pre-LayerNorm,
 * biases, GeLU MLP of 4h, dropout), learned positions, the LM head tied to the word embeddings, and Megatron's
 * padded vocabulary of 51,200 (a multiple of 1024) and 2,048 positions unless the name says otherwise. The name
 * gives the shape: `megatron-gpt-l<layers>-h<hidden>-a<heads>[-v<vocab>][-s<positions>]`, e.g.
 * `megatron-gpt-l24-h2304-a24` (Table 1's 1.7B). Its parameter count is the paper's equation 2,
 * P = 12lh²(1 + 13/(12h) + (V + s)/(12lh)), plus the final LayerNorm (2h) the equation leaves out.
 */
/** The most layers a megatron-gpt name takes (the largest Megatron-LM run, 1T parameters, has 128). */
const MEGATRON_MAX_LAYERS = 1024;

export const MEGATRON_GPT_NAME = /^megatron-gpt-l(\d+)-h(\d+)-a(\d+)(?:-v(\d+))?(?:-s(\d+))?$/;

export function megatronGptEntry(name: string): ZooEntry | null {
  const m = MEGATRON_GPT_NAME.exec(name);
  if (!m) return null;
  const [l, h, a] = [+m[1], +m[2], +m[3]];
  const V = m[4] ? +m[4] : 51200, s = m[5] ? +m[5] : 2048;
  if (l < 1 || h < 1 || a < 1 || V < 1 || s < 1 || h % a !== 0) {
    throw new InputError(`${name}: layers, hidden size, heads, vocabulary and positions must be positive and the heads must divide the hidden size (${h} / ${a})`);
  }
  // every layer is built: 10^5 layers ran for minutes (10^11 until killed); the vocabulary and positions are tensor sides
  if (l > MEGATRON_MAX_LAYERS) throw new InputError(`${name}: layers must be at most ${MEGATRON_MAX_LAYERS}, got ${l}`);
  if (V > MAX_DIM || s > MAX_DIM) throw new InputError(`${name}: vocabulary (-v) and positions (-s) must be at most ${MAX_DIM}, got ${V} and ${s}`);
  const c: DecoderLmCfg = { ...gpt2(name, l, h, a), vocab: V, maxPositions: s };
  const params = 12 * l * h * h * (1 + 13 / (12 * h) + (V + s) / (12 * l * h)) + 2 * h;
  return decoderEntry(c, s, 1, params,
    `Megatron-LM GPT (Narayanan et al. SC21, arXiv 2104.04473 §5.1): ${l} layers, hidden ${h}, ${a} heads, vocabulary ${V}, ${s} learned positions, ` +
      `tied LM head; parameters by the paper's equation 2 plus the final LayerNorm: ${(params / 1e9).toFixed(2)}B`);
}

function decoderEntry(c: DecoderLmCfg, defaultSeq: number, defaultBatch: number, params: number, source: string): ZooEntry {
  const macs = decoderLmMacs(c, defaultSeq);
  const kv = c.kvHeads ?? c.heads;
  const dense = c.mlp === 'swiglu' ? `3·d·${c.ffn}` : `2·d·${c.ffn}`;
  const mats = c.experts ? `d·${c.experts.count} + ${c.experts.topK}·${dense}` : dense;
  const attnMats = kv === c.heads ? '4d²' : `2d² + 2·d·${kv * (c.d / c.heads)}`;
  return {
    name: c.name,
    family: 'transformer',
    defaultBatch,
    defaultSeq,
    published: {
      params,
      fwdMacsPerSample: macs,
      source:
        `${source}. Forward MACs/sample at S=${defaultSeq}: S·L·(${attnMats} + ${mats}) + 2·L·S²·d (QKᵀ, A·V) + S·vocab·d (LM head), ` +
        `L=${c.layers}, d=${c.d}, vocab=${c.vocab} → ${(macs / 1e9).toFixed(1)} GMACs (Kaplan et al. 2020 accounting, with A·V counted)`,
    },
    build: (o) => buildDecoderLm(c, o),
  };
}

// ---------------------------------------------------------------------------------------------
// BERT (BertForPreTraining: encoder + pooler + MLM head tied to the word embeddings + NSP head)

interface BertCfg {
  name: string;
  layers: number;
  d: number;
  heads: number;
}

const BERT_VOCAB = 30522;
const BERT_POSITIONS = 512;
const BERT_DROPOUT: DropoutCfg = { embed: true, attn: true, resid: true, mlpInner: false };

function buildBert(c: BertCfg, o: ZooBuildOptions): ForwardGraph {
  const b = new GraphBuilder(c.name, o.batch, o.dtype, o.seq);
  const S = o.seq;
  const { d } = c;
  const t = shardWidth(o, c.name, c.heads, c.heads, 4 * d);
  const cfg = blockCfg({ d, heads: c.heads, ffn: 4 * d, norm: 'layer', bias: true, mlp: 'gelu', dropout: BERT_DROPOUT }, false, false, o, t, c.name);
  let words: TensorRef | undefined;
  let x = b.scope('embed', () => {
    const ids = tokenIds(b, 'input_ids', S);
    const types = tokenIds(b, 'token_type_ids', S);
    words = b.param('embed.words.weight', [BERT_VOCAB, d]);
    const w = b.embedding(ids, BERT_VOCAB, d, { name: 'embed.words', table: words });
    const t = b.embedding(types, 2, d, { name: 'embed.token_types' });
    const pos = learnedPositions(b, c.name, BERT_POSITIONS, d, S, 0);
    let e = b.add(b.add(w, t, 'embed.add_token_types'), pos, 'embed.add_positions');
    e = b.norm(e, 'layer', { name: 'embed.norm' });
    return dropout(b, BERT_DROPOUT.embed, e, 'embed.dropout');
  });
  x = layers(b, cfg, x, o.layers ?? c.layers, 0, { causal: false });
  const [mlm, nsp] = b.scope('head', () => {
    // masked-LM head over every position (as HF BertForPreTraining computes it)
    let t = b.act('gelu', b.linear(x, d, { name: 'head.mlm.transform' }), 'head.mlm.transform.gelu');
    t = b.norm(t, 'layer', { name: 'head.mlm.norm' });
    const scores = b.linear(t, BERT_VOCAB, { name: 'head.mlm.decoder', weight: words });
    // pooler on the [CLS] token, then next-sentence prediction
    const cls = selectFirstToken(b, x, 'head.pooler.select_cls');
    const pooled = b.act('tanh', b.linear(cls, d, { name: 'head.pooler' }), 'head.pooler.tanh');
    return [scores, b.linear(pooled, 2, { name: 'head.nsp' })];
  });
  b.markOutput(mlm);
  b.markOutput(nsp);
  return b.build();
}

/**
 * x[:, 0]: the first token of each sample, [B, S, d] → [B, d]. The IR has no slice op: a copy with the
 * output's shape (it reads the sequence's strided rows; it is a tiny vector op either way).
 */
function selectFirstToken(b: GraphBuilder, x: Value, name: string): Value {
  const [B, , d] = x.ref.shape;
  return b.elementwise('copy', [x], { name, shape: [B, d] });
}

function bertMacs(c: BertCfg, S: number): number {
  const { d } = c;
  const perToken = c.layers * (4 * d * d + 2 * d * 4 * d) + d * d + BERT_VOCAB * d; // blocks + MLM transform + decoder
  return S * perToken + 2 * c.layers * S * S * d + d * d + 2 * d; // + attention + pooler + NSP
}

function bertEntry(c: BertCfg, params: number, source: string): ZooEntry {
  const S = 512;
  const macs = bertMacs(c, S);
  return {
    name: c.name,
    family: 'transformer',
    defaultBatch: 8,
    defaultSeq: S,
    published: {
      params,
      fwdMacsPerSample: macs,
      source:
        `${source}. Forward MACs/sample at S=${S}: S·(L·12d² + d² + vocab·d) + 2·L·S²·d + d² + 2d ` +
        `(blocks, MLM transform and tied decoder over every position, QKᵀ and A·V, pooler, NSP), L=${c.layers}, d=${c.d} → ${(macs / 1e9).toFixed(1)} GMACs`,
    },
    build: (o) => buildBert(c, o),
  };
}

// ---------------------------------------------------------------------------------------------
// Transformer (Vaswani et al. 2017), base: 6 + 6 post-norm layers, sinusoidal positions, shared vocabulary

const TB = { layers: 6, d: 512, heads: 8, ffn: 2048, vocab: 37000 };

function buildTransformerBase(o: ZooBuildOptions): ForwardGraph {
  const b = new GraphBuilder('transformer-base', o.batch, o.dtype, o.seq);
  const S = o.seq;
  const cfg = blockCfg({ ...TB, norm: 'layer', bias: true, mlp: 'relu', dropout: { embed: true, attn: false, resid: true, mlpInner: false } }, false, false, o, 1, 'transformer-base');
  // one matrix for both embeddings and the pre-softmax projection
  const table = b.scope('embed', () => b.param('embed.tokens.weight', [TB.vocab, TB.d]));
  // both embeddings up front (they are independent of the encoder): ids → shared table → ×√d → + sinusoid → dropout
  const embed = (ids: Value, p: string): Value => {
    let e = b.embedding(ids, TB.vocab, TB.d, { name: `${p}.tokens`, table });
    e = b.elementwise('scale', [e], { name: `${p}.scale` });
    e = b.elementwise('add', [e], { name: `${p}.add_sinusoid` }); // fixed sinusoidal encoding, computed, not learned
    return b.act('dropout', e, `${p}.dropout`);
  };
  const [src, tgt] = b.scope('embed', () => {
    const srcIds = tokenIds(b, 'input_ids', S);
    const tgtIds = tokenIds(b, 'target_ids', S);
    return [embed(srcIds, 'embed.source'), embed(tgtIds, 'embed.target')];
  });
  const memory = layers(b, cfg, src, TB.layers, 0, { causal: false });
  const y = layers(b, cfg, tgt, TB.layers, TB.layers, { causal: true, memory });
  // the pre-softmax projection (no bias)
  const logits = b.scope('head', () => b.linear(y, TB.vocab, { bias: false, name: 'head.logits', weight: table }));
  b.markOutput(logits);
  return b.build();
}

function transformerBaseMacs(S: number): number {
  const { layers: L, d, ffn, vocab } = TB;
  const enc = S * L * (4 * d * d + 2 * d * ffn) + 2 * L * S * S * d;
  // decoder: self- and cross-attention projections (source length = S), self QKᵀ/A·V and cross QKᵀ/A·V
  const dec = S * L * (8 * d * d + 2 * d * ffn) + 4 * L * S * S * d;
  return enc + dec + S * vocab * d;
}

// ---------------------------------------------------------------------------------------------
// ViT-B/16 (Dosovitskiy et al. 2021), 224×224, 1000 classes

const VIT = { image: 224, patch: 16, layers: 12, d: 768, heads: 12, ffn: 3072, classes: 1000 };
const VIT_TOKENS = (VIT.image / VIT.patch) ** 2 + 1;

function buildVitB16(o: ZooBuildOptions): ForwardGraph {
  const { d } = VIT;
  const b = new GraphBuilder('vit-b16', o.batch, o.dtype, VIT_TOKENS);
  const B = o.batch;
  // Google's ViT: dropout 0.1 after the embeddings, each sublayer and the MLP activation; no attention dropout
  const cfg = blockCfg({ ...VIT, norm: 'layer', bias: true, mlp: 'gelu', dropout: { embed: true, attn: false, resid: true, mlpInner: true } }, true, false, o, 1, 'vit-b16');
  let x = b.scope('embed', () => {
    const img = b.input('image', [B, 3, VIT.image, VIT.image]);
    const grid = VIT.image / VIT.patch;
    let p = b.conv2d(img, { outChannels: d, kernel: VIT.patch, stride: VIT.patch, bias: true, name: 'embed.patch' });
    p = b.reshape(p, [B, d, grid * grid], { name: 'embed.patch.flatten' });
    p = b.transpose(p, [0, 2, 1], { name: 'embed.patch.tokens', copies: false });
    // the class token, expanded over the batch, then prepended
    const clsParam = b.param('embed.cls_token', [1, 1, d]);
    const cls = b.elementwise('copy', [{ ref: clsParam, producer: -1 }], { name: 'embed.cls_token.expand', weights: [clsParam], shape: [B, 1, d] });
    let t = b.concat([cls, p], 1, { name: 'embed.concat_cls' });
    t = b.elementwise('add', [t], { name: 'embed.add_positions', weights: [b.param('embed.positions', [1, VIT_TOKENS, d])] });
    return b.act('dropout', t, 'embed.dropout');
  });
  x = layers(b, cfg, x, VIT.layers, 0, { causal: false });
  const logits = b.scope('head', () => {
    const h = b.norm(x, 'layer', { name: 'head.norm' });
    return b.linear(selectFirstToken(b, h, 'head.select_cls'), VIT.classes, { name: 'head.classifier' });
  });
  b.markOutput(logits);
  return b.build();
}

function vitMacs(): number {
  const { d, ffn, layers: L, patch, classes } = VIT;
  const T = VIT_TOKENS;
  return (T - 1) * d * 3 * patch * patch + L * (T * (4 * d * d + 2 * d * ffn) + 2 * T * T * d) + d * classes;
}

// ---------------------------------------------------------------------------------------------

export const TRANSFORMER_MODELS: ZooEntry[] = [
  {
    name: 'vit-b16',
    family: 'transformer',
    defaultBatch: 64,
    defaultSeq: VIT_TOKENS,
    fixedSeq: true,
    published: {
      params: 86_567_656,
      fwdMacsPerSample: vitMacs(),
      source:
        'Dosovitskiy et al. 2021 (arXiv 2010.11929) ViT-B/16: 12 layers, d=768, MLP 3072, 12 heads, 86M; torchvision vit_b_16 / timm ' +
        'vit_base_patch16_224: 86,567,656 parameters, 17.56 GFLOPS (multiply-adds; DeiT, Touvron et al. 2021, Table 1: 17.6). ' +
        'Forward MACs/sample: patch conv 196·768·(3·16·16) + 12·(197·(4d² + 2·d·3072) + 2·197²·d) + 768·1000 ' +
        `= ${(vitMacs() / 1e9).toFixed(2)} GMACs (197 tokens fixed; the sequence length option is ignored)`,
    },
    build: buildVitB16,
  },
  {
    name: 'transformer-base',
    family: 'transformer',
    defaultBatch: 8,
    defaultSeq: 512,
    published: {
      params: 65e6,
      fwdMacsPerSample: transformerBaseMacs(512),
      source:
        'Vaswani et al. 2017 (arXiv 1706.03762), Table 3 "base": N=6 encoder + 6 decoder layers, d_model=512, d_ff=2048, h=8, ' +
        '65M parameters; shared source-target BPE vocabulary of about 37000 tokens, one matrix for both embeddings and the ' +
        'pre-softmax projection, sinusoidal positions (this graph: 63.08M; the paper does not itemise its 65M). Forward MACs/sample ' +
        'with source = target = S = 512: S·6·(4d² + 2·d·2048) + 2·6·S²·d (encoder) + S·6·(8d² + 2·d·2048) + 4·6·S²·d (decoder self + ' +
        `cross) + S·37000·d (logits) = ${(transformerBaseMacs(512) / 1e9).toFixed(1)} GMACs`,
    },
    build: buildTransformerBase,
  },
  bertEntry(
    { name: 'bert-base', layers: 12, d: 768, heads: 12 },
    110e6,
    'Devlin et al. 2019 (arXiv 1810.04805) BERT-BASE: L=12, H=768, A=12, 110M parameters (HF BertModel with pooler: 109,482,240; ' +
      'BertForPreTraining adds the MLM transform, LayerNorm and decoder bias, decoder tied to the word embeddings, and NSP: 110,106,428); ' +
      'vocab 30522, 512 positions, 2 token types',
  ),
  bertEntry(
    { name: 'bert-large', layers: 24, d: 1024, heads: 16 },
    336e6,
    'Devlin et al. 2019 (arXiv 1810.04805) BERT-LARGE: L=24, H=1024, A=16 ("340M"); HF BertModel with pooler: 335,141,888, ' +
      'BertForPreTraining (MLM transform + LayerNorm + decoder bias, decoder tied to the word embeddings, NSP): 336,226,108 ≈ 336M',
  ),
  decoderEntry(GPT2, 1024, 8, 124_439_808, 'Radford et al. 2019 GPT-2 small (12 layers, d=768): 124,439,808 parameters (HF gpt2, LM head tied; the paper\'s "117M" was a miscount)'),
  decoderEntry(GPT2_MEDIUM, 1024, 8, 354_823_168, 'Radford et al. 2019 GPT-2 medium (24 layers, d=1024, 16 heads): 354,823,168 parameters (HF gpt2-medium; paper "345M")'),
  decoderEntry(GPT2_LARGE, 1024, 8, 774_030_080, 'Radford et al. 2019 GPT-2 large (36 layers, d=1280, 20 heads): 774,030,080 parameters (HF gpt2-large; paper "762M")'),
  decoderEntry(GPT2_XL, 1024, 8, 1_557_611_200, 'Radford et al. 2019 GPT-2 XL (48 layers, d=1600, 25 heads): 1,557,611,200 parameters (HF gpt2-xl; paper "1542M")'),
  decoderEntry(
    GPT3,
    2048,
    1,
    175.0e9,
    'Brown et al. 2020 (arXiv 2005.14165) Table 2.1 GPT-3 175B: n_layers=96, d_model=12288, 96 heads of 128, d_ff=4·d_model, n_ctx=2048, ' +
      '175.0B parameters, GPT-2 architecture with tied embeddings (its alternating locally banded sparse attention is modelled dense)',
  ),
  decoderEntry(
    OPT_1_3B,
    2048,
    8,
    1_315_758_080,
    'Zhang et al. 2022 (arXiv 2205.01068) Table 1 OPT-1.3B: 24 layers, 32 heads, d_model=2048, "1.3B"; HF facebook/opt-1.3b: ' +
      '1,315,758,080 parameters (ffn 8192, vocab 50272, 2048 + 2 learned positions, tied LM head)',
  ),
  decoderEntry(
    LLAMA2_7B,
    4096,
    1,
    6_738_415_616,
    'Touvron et al. 2023 (arXiv 2307.09288) Llama 2 7B: 32 layers, d=4096, 32 heads, SwiGLU ffn 11008, RMSNorm, RoPE, vocab 32000, ' +
      'untied LM head: 6,738,415,616 parameters (HF meta-llama/Llama-2-7b-hf, "6.74B")',
  ),
  decoderEntry(
    LLAMA2_13B,
    4096,
    1,
    13_015_864_320,
    'Touvron et al. 2023 (arXiv 2307.09288) Llama 2 13B: 40 layers, d=5120, 40 heads, SwiGLU ffn 13824, RMSNorm, RoPE, vocab 32000, ' +
      'untied LM head: 13,015,864,320 parameters (HF meta-llama/Llama-2-13b-hf, "13.02B")',
  ),
  decoderEntry(
    LLAMA2_70B,
    4096,
    1,
    68_976_648_192,
    'Touvron et al. 2023 (arXiv 2307.09288) Llama 2 70B: 80 layers, d=8192, 64 query heads with grouped-query attention over 8 ' +
      'key/value heads, SwiGLU ffn 28672, RMSNorm, RoPE, vocab 32000, untied LM head: 68,976,648,192 parameters (HF meta-llama/Llama-2-70b-hf, "68.98B")',
  ),
  decoderEntry(
    MIXTRAL_8X7B,
    4096,
    1,
    46_702_792_704,
    'Jiang et al. 2024 (arXiv 2401.04088) Mixtral 8x7B: 32 layers, d=4096, 32 query heads over 8 key/value heads, 8 SwiGLU experts ' +
      'of 14336 with top-2 routing, RMSNorm, RoPE, vocab 32000, untied LM head: 46,702,792,704 parameters (HF mistralai/Mixtral-8x7B-v0.1, ' +
      '"46.7B", 12.9B active per token); MACs count the router and two experts per token',
  ),
  decoderEntry(
    LLAMA3_8B,
    8192,
    1,
    8_030_261_248,
    'Llama Team 2024 (arXiv 2407.21783) Llama 3 8B: 32 layers, d=4096, 32 query heads over 8 key/value heads, SwiGLU ffn 14336, ' +
      'RMSNorm, RoPE, vocab 128,256, untied LM head, context 8192: 8,030,261,248 parameters (HF meta-llama/Meta-Llama-3-8B, "8.03B")',
  ),
  decoderEntry(
    LLAMA3_70B,
    8192,
    1,
    70_553_706_496,
    'Llama Team 2024 (arXiv 2407.21783) Llama 3 70B: 80 layers, d=8192, 64 query heads over 8 key/value heads, SwiGLU ffn 28672, ' +
      'RMSNorm, RoPE, vocab 128,256, untied LM head, context 8192: 70,553,706,496 parameters (HF meta-llama/Meta-Llama-3-70B, "70.6B")',
  ),
];
