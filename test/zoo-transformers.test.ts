import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { TRANSFORMER_MODELS } from '../src/workload/zoo/transformers.js';
import type { ZooEntry } from '../src/workload/zoo/types.js';
import { opMacs, paramCount, type ForwardGraph, type Op } from '../src/workload/ir.js';
import { buildTrainingStep } from '../src/workload/training.js';

const NAMES = [
  'vit-b16', 'transformer-base', 'bert-base', 'bert-large', 'gpt2', 'gpt2-medium', 'gpt2-large', 'gpt2-xl', 'gpt3-175b',
  'opt-1.3b', 'llama2-7b', 'llama2-13b', 'llama2-70b', 'mixtral-8x7b', 'llama3-8b', 'llama3-70b',
];

const model = (name: string): ZooEntry => TRANSFORMER_MODELS.find((m) => m.name === name)!;
const cache = new Map<string, ForwardGraph>();
// most checks below read the unfused attention (its ops are the reference implementations' ops and its MACs
// the standard dense count); the fused form has its own describe block at the end
function build(m: ZooEntry, batch: number, seq = m.defaultSeq!, attention: 'fused' | 'unfused' = 'unfused'): ForwardGraph {
  const key = `${m.name}@${batch}x${seq}:${attention}`;
  let g = cache.get(key);
  if (!g) {
    g = m.build({ batch, seq, dtype: 'bf16', attention });
    cache.set(key, g);
  }
  return g;
}
const totalMacs = (g: ForwardGraph) => g.ops.reduce((s, o) => s + opMacs(o), 0);
const relErr = (got: number, want: number) => Math.abs(got - want) / want;
const op = (g: ForwardGraph, name: string): Op => {
  const o = g.ops.find((x) => x.name === name);
  if (!o) throw new Error(`no op ${name}`);
  return o;
};

// ---------------------------------------------------------------------------------------------
// Independent reference: configurations typed from the papers / model cards, and the standard forward
// MAC accounting (Kaplan et al. 2020: every weight matrix once per token, plus QKᵀ and A·V over the
// full context, plus the output head). Nothing here is read from the graphs or the zoo entries.

interface LmRef {
  layers: number;
  d: number;
  ffn: number;
  vocab: number;
  seq: number;
  /** width of the k and v projections (grouped-query attention); d otherwise */
  kvDim?: number;
  /** SwiGLU MLP: three matrices instead of two */
  gated?: boolean;
  /** mixture of experts: a d × count router and top-k experts' MLPs per token */
  experts?: { count: number; topK: number };
}

const LM_REF: Record<string, LmRef> = {
  gpt2: { layers: 12, d: 768, ffn: 3072, vocab: 50257, seq: 1024 },
  'gpt2-medium': { layers: 24, d: 1024, ffn: 4096, vocab: 50257, seq: 1024 },
  'gpt2-large': { layers: 36, d: 1280, ffn: 5120, vocab: 50257, seq: 1024 },
  'gpt2-xl': { layers: 48, d: 1600, ffn: 6400, vocab: 50257, seq: 1024 },
  'gpt3-175b': { layers: 96, d: 12288, ffn: 49152, vocab: 50257, seq: 2048 },
  'opt-1.3b': { layers: 24, d: 2048, ffn: 8192, vocab: 50272, seq: 2048 },
  'llama2-7b': { layers: 32, d: 4096, ffn: 11008, vocab: 32000, seq: 4096, gated: true },
  'llama2-13b': { layers: 40, d: 5120, ffn: 13824, vocab: 32000, seq: 4096, gated: true },
  'llama2-70b': { layers: 80, d: 8192, ffn: 28672, vocab: 32000, seq: 4096, gated: true, kvDim: 8 * 128 },
  'mixtral-8x7b': { layers: 32, d: 4096, ffn: 14336, vocab: 32000, seq: 4096, gated: true, kvDim: 8 * 128, experts: { count: 8, topK: 2 } },
  'llama3-8b': { layers: 32, d: 4096, ffn: 14336, vocab: 128256, seq: 8192, gated: true, kvDim: 8 * 128 },
  'llama3-70b': { layers: 80, d: 8192, ffn: 28672, vocab: 128256, seq: 8192, gated: true, kvDim: 8 * 128 },
};

function decoderLmMacs(c: LmRef): number {
  const kv = c.kvDim ?? c.d;
  const mlp = (c.gated ? 3 : 2) * c.d * c.ffn;
  const matricesPerToken = c.layers * (2 * c.d * c.d + 2 * c.d * kv + (c.experts ? c.d * c.experts.count + c.experts.topK * mlp : mlp));
  return c.seq * matricesPerToken + 2 * c.layers * c.seq * c.seq * c.d + c.seq * c.vocab * c.d;
}

/** BERT pretraining: encoder + MLM transform (d×d) and tied decoder at every position + pooler + NSP. */
function bertMacs(layers: number, d: number, seq: number): number {
  const vocab = 30522;
  return seq * (layers * 12 * d * d + d * d + vocab * d) + 2 * layers * seq * seq * d + d * d + 2 * d;
}

function referenceMacs(name: string): number {
  if (name in LM_REF) return decoderLmMacs(LM_REF[name]);
  if (name === 'bert-base') return bertMacs(12, 768, 512);
  if (name === 'bert-large') return bertMacs(24, 1024, 512);
  if (name === 'vit-b16') {
    // 14×14 patches of 16×16×3, 197 tokens, 12 layers, d=768, MLP 3072, classifier on the class token
    const t = 197;
    const d = 768;
    return 196 * 768 * 768 + 12 * (t * 12 * d * d + 2 * t * t * d) + d * 1000;
  }
  if (name === 'transformer-base') {
    // 6 encoder + 6 decoder layers, d=512, d_ff=2048, source = target = 512 tokens, vocab 37000
    const [L, d, ff, s, v] = [6, 512, 2048, 512, 37000];
    const encoder = s * L * (4 * d * d + 2 * d * ff) + 2 * L * s * s * d;
    const decoder = s * L * (8 * d * d + 2 * d * ff) + 4 * L * s * s * d;
    return encoder + decoder + s * v * d;
  }
  throw new Error(`no reference for ${name}`);
}

/**
 * Parameter tolerance: 1%, except the original Transformer: Vaswani et al. report 65M for "base", but the
 * architecture they describe (6+6 layers, d=512, d_ff=2048, one 37000×512 matrix shared by both embeddings
 * and the softmax, sinusoidal positions) has 63.08M; the paper does not itemise the difference.
 */
/** attention heads and their total width h·dh */
const HEADS: Record<string, [number, number]> = {
  'vit-b16': [12, 768], 'transformer-base': [8, 512], 'bert-base': [12, 768], 'bert-large': [16, 1024], gpt2: [12, 768],
  'gpt2-medium': [16, 1024], 'gpt2-large': [20, 1280], 'gpt2-xl': [25, 1600], 'gpt3-175b': [96, 12288], 'opt-1.3b': [32, 2048],
  'llama2-7b': [32, 4096], 'llama2-13b': [40, 5120], 'llama2-70b': [64, 8192], 'mixtral-8x7b': [32, 4096], 'llama3-8b': [32, 4096], 'llama3-70b': [64, 8192],
};

const PARAM_TOLERANCE: Record<string, number> = { 'transformer-base': 0.035 };

describe('zoo: transformer models', () => {
  it('has the expected names, families and sources', () => {
    expect(TRANSFORMER_MODELS.map((m) => m.name)).toEqual(NAMES);
    for (const m of TRANSFORMER_MODELS) {
      expect(m.family).toBe('transformer');
      expect(m.defaultSeq).toBeGreaterThan(0);
      expect(m.defaultBatch).toBeGreaterThan(0);
      expect(m.published.source.length).toBeGreaterThan(40);
    }
    expect(model('bert-base').defaultSeq).toBe(512);
    expect(model('gpt2').defaultSeq).toBe(1024);
    expect(model('gpt3-175b').defaultSeq).toBe(2048);
    expect(model('opt-1.3b').defaultSeq).toBe(2048);
    expect(model('llama2-7b').defaultSeq).toBe(4096);
    expect(model('transformer-base').defaultSeq).toBe(512);
    expect(model('vit-b16').defaultSeq).toBe(197);
  });

  describe.each(TRANSFORMER_MODELS.map((m) => [m.name, m] as const))('%s', (name, m) => {
    it('matches the published parameter count', () => {
      expect(relErr(paramCount(build(m, 1).params), m.published.params)).toBeLessThan(PARAM_TOLERANCE[name] ?? 0.01);
    });

    it('matches the standard forward MACs per sample within 2%', () => {
      const want = referenceMacs(name);
      expect(relErr(m.published.fwdMacsPerSample!, want)).toBeLessThan(0.02);
      const g = build(m, 1);
      expect(relErr(totalMacs(g) / g.batch, want)).toBeLessThan(0.02);
    });

    it('doubles its MACs exactly with the batch and keeps the parameters fixed', () => {
      const g1 = build(m, 1);
      const g2 = build(m, 2);
      expect(totalMacs(g2)).toBe(2 * totalMacs(g1));
      expect(paramCount(g2.params)).toBe(paramCount(g1.params));
      expect(g2.ops.length).toBe(g1.ops.length);
    });

    it('has the expected outputs and int64 token inputs', () => {
      const g = build(m, 2);
      const S = m.defaultSeq!;
      if (name === 'vit-b16') {
        expect(g.outputs.map((o) => o.shape)).toEqual([[2, 1000]]);
        expect(g.inputs.map((t) => t.shape)).toEqual([[2, 3, 224, 224]]);
        return;
      }
      const vocab = name.startsWith('bert') ? 30522 : name === 'transformer-base' ? 37000 : (LM_REF[name]?.vocab ?? 0);
      expect(g.outputs[0].shape).toEqual([2, S, vocab]);
      if (name.startsWith('bert')) expect(g.outputs.map((o) => o.shape)).toEqual([[2, S, vocab], [2, 2]]);
      else expect(g.outputs).toHaveLength(1);
      expect(g.seq).toBe(S);
      const ids = g.inputs.find((t) => t.name === 'input_ids')!;
      expect(ids).toEqual({ name: 'input_ids', shape: [2, S], dtype: 'int64' });
      for (const t of g.inputs) expect(t.dtype).toBe('int64');
    });

    it('puts every op in embed, layers.N or head, one contiguous run each, in order', () => {
      const g = build(m, 1);
      const runs: string[] = [];
      for (const o of g.ops) if (runs[runs.length - 1] !== o.layer) runs.push(o.layer);
      expect(new Set(runs).size, 'a layer resumes after another').toBe(runs.length);
      const n = runs.length - 2;
      expect(runs).toEqual(['embed', ...Array.from({ length: n }, (_, i) => `layers.${i}`), 'head']);
      const blocks: Record<string, number> = { 'vit-b16': 12, 'transformer-base': 12, 'bert-base': 12, 'bert-large': 24 };
      expect(n).toBe(blocks[name] ?? LM_REF[name].layers);
      const layers = new Set(runs);
      for (const p of g.params) expect(layers.has(p.layer), p.name).toBe(true);
    });

    it('has deps that only point backwards and unique op and parameter names', () => {
      const g = build(m, 1);
      g.ops.forEach((o, i) => {
        expect(o.id).toBe(i);
        for (const d of o.deps) expect(d).toBeLessThan(o.id);
      });
      expect(new Set(g.ops.map((o) => o.name)).size).toBe(g.ops.length);
      expect(new Set(g.params.map((p) => p.name)).size).toBe(g.params.length);
    });

    it('uses one attention implementation: q·kᵀ and A·v batched over heads, softmax over the keys', () => {
      const g = build(m, 2);
      const S = m.defaultSeq!;
      const scores = op(g, 'layers.0.attn.scores');
      const context = op(g, 'layers.0.attn.context');
      const [heads, dAttn] = HEADS[name];
      if (scores.kind !== 'gemm' || context.kind !== 'gemm') throw new Error('attention products are not GEMMs');
      expect(scores.weights).toEqual([]);
      expect(context.weights).toEqual([]);
      // [B·h, S, dh]·[B·h, dh, S] (grouped-query: [B·h_kv, g·S, dh]·[B·h_kv, dh, S])
      expect(scores.attrs.b * scores.attrs.m).toBe(2 * heads * S);
      expect(scores.attrs.n).toBe(S);
      expect(scores.attrs.k).toBe(dAttn / heads);
      expect(opMacs(scores)).toBe(2 * S * S * dAttn);
      expect(opMacs(context)).toBe(2 * S * S * dAttn);
      const softmax = op(g, 'layers.0.attn.softmax');
      expect(softmax.kind === 'softmax' && softmax.attrs.cols).toBe(S);
    });
  });

  it('masks attention causally in decoders only', () => {
    const masks = (g: ForwardGraph) => g.ops.filter((o) => o.name.endsWith('.causal_mask')).length;
    expect(masks(build(model('gpt2'), 1))).toBe(12);
    expect(masks(build(model('llama2-7b'), 1))).toBe(32);
    expect(masks(build(model('bert-base'), 1))).toBe(0);
    expect(masks(build(model('vit-b16'), 1))).toBe(0);
    // transformer-base: decoder self-attention (layers 6..11) only, not the encoder nor cross-attention
    const tb = build(model('transformer-base'), 1);
    expect(tb.ops.filter((o) => o.name.endsWith('.causal_mask')).map((o) => o.layer)).toEqual(
      Array.from({ length: 6 }, (_, i) => `layers.${6 + i}`),
    );
  });

  it('builds Llama-2-70B with grouped-query attention (8 key/value heads of 128)', () => {
    const g = build(model('llama2-70b'), 1);
    const shape = (n: string) => g.params.find((p) => p.name === n)?.shape;
    expect(shape('layers.0.attn.q.weight')).toEqual([8192, 8192]);
    expect(shape('layers.0.attn.k.weight')).toEqual([8192, 1024]);
    expect(shape('layers.0.attn.v.weight')).toEqual([8192, 1024]);
    expect(shape('layers.79.attn.k.weight')).toEqual([8192, 1024]);
    const scores = op(g, 'layers.0.attn.scores');
    expect(scores.kind === 'gemm' && scores.attrs).toEqual({ b: 8, m: 8 * 4096, n: 4096, k: 128 });
    // the smaller Llama-2 models use full multi-head attention
    const g7 = build(model('llama2-7b'), 1);
    expect(g7.params.find((p) => p.name === 'layers.0.attn.k.weight')?.shape).toEqual([4096, 4096]);
  });

  it('builds Llama-2 with RMSNorm, SwiGLU, rotary q and k, no biases and an untied head', () => {
    const g = build(model('llama2-7b'), 1);
    expect(g.params.filter((p) => p.name.endsWith('.bias'))).toEqual([]);
    expect([...new Set(g.ops.flatMap((o) => (o.kind === 'norm' ? [o.attrs.norm] : [])))]).toEqual(['rms']);
    expect(g.ops.filter((o) => o.kind === 'norm')).toHaveLength(2 * 32 + 1);
    const rotary = g.ops.filter((o) => o.kind === 'elementwise' && o.attrs.fn === 'rotary').map((o) => o.name);
    expect(rotary.slice(0, 2)).toEqual(['layers.0.attn.q.rotary', 'layers.0.attn.k.rotary']);
    expect(rotary).toHaveLength(64);
    for (const n of ['gate', 'up', 'down']) expect(g.ops.map((o) => o.name)).toContain(`layers.0.mlp.${n}`);
    expect(op(g, 'layers.0.mlp.gate.silu').kind).toBe('elementwise');
    const head = op(g, 'head.lm_head');
    expect(head.weights.map((w) => w.name)).toEqual(['head.lm_head.weight']);
    expect(g.params.filter((p) => p.layer === 'embed').map((p) => p.name)).toEqual(['embed.tokens.weight']);
    expect(g.ops.some((o) => o.kind === 'elementwise' && o.attrs.fn === 'dropout')).toBe(false);
  });

  it('ties the LM head to the token embeddings in GPT-2, GPT-3, OPT, BERT and the Transformer', () => {
    for (const [name, head, table] of [
      ['gpt2', 'head.lm_head', 'embed.tokens.weight'],
      ['gpt3-175b', 'head.lm_head', 'embed.tokens.weight'],
      ['opt-1.3b', 'head.lm_head', 'embed.tokens.weight'],
      ['bert-base', 'head.mlm.decoder', 'embed.words.weight'],
      ['transformer-base', 'head.logits', 'embed.tokens.weight'],
    ]) {
      const g = build(model(name), 1);
      expect(op(g, head).weights.map((w) => w.name), name).toEqual([table]);
      expect(g.params.filter((p) => p.name === table), name).toHaveLength(1);
    }
    // the Transformer's source and target embeddings read the same table
    const tb = build(model('transformer-base'), 1);
    const lookups = tb.ops.filter((o) => o.kind === 'embedding');
    expect(lookups.map((o) => o.weights[0].name)).toEqual(['embed.tokens.weight', 'embed.tokens.weight']);
  });

  it('counts parameters exactly as the reference implementations do', () => {
    // GPT-2 (HF): wte + wpe + L·(12d² + 13d) + final LayerNorm, head tied
    const gpt2 = (L: number, d: number) => 50257 * d + 1024 * d + L * (12 * d * d + 13 * d) + 2 * d;
    expect(paramCount(build(model('gpt2'), 1).params)).toBe(gpt2(12, 768));
    expect(paramCount(build(model('gpt2-xl'), 1).params)).toBe(gpt2(48, 1600));
    // BERT: BertModel (with pooler) + MLM transform, LayerNorm and decoder bias + NSP
    const bert = (L: number, d: number) => (30522 + 512 + 2) * d + 2 * d + L * (12 * d * d + 13 * d) + (d * d + d) + (d * d + d + 2 * d + 30522) + (2 * d + 2);
    expect(bert(12, 768) - (768 * 768 + 768 + 2 * 768 + 30522) - (2 * 768 + 2)).toBe(109_482_240);
    expect(paramCount(build(model('bert-base'), 1).params)).toBe(bert(12, 768));
    expect(paramCount(build(model('bert-large'), 1).params)).toBe(bert(24, 1024));
    // Llama-2: embeddings + untied head + L·(attention + 3·d·ffn + 2 norms) + final norm
    const llama = (L: number, d: number, ffn: number, kv: number) => 2 * 32000 * d + L * (2 * d * d + 2 * d * kv + 3 * d * ffn + 2 * d) + d;
    expect(paramCount(build(model('llama2-7b'), 1).params)).toBe(llama(32, 4096, 11008, 4096));
    expect(paramCount(build(model('llama2-70b'), 1).params)).toBe(llama(80, 8192, 28672, 1024));
    // ViT-B/16: patch conv + class token + 197 positions + 12 blocks + final LayerNorm + classifier
    const d = 768;
    expect(paramCount(build(model('vit-b16'), 1).params)).toBe(d * 3 * 256 + d + d + 197 * d + 12 * (12 * d * d + 13 * d) + 2 * d + d * 1000 + 1000);
  });

  it('builds GPT-3 175B at seq 2048, batch 1', () => {
    const g = model('gpt3-175b').build({ batch: 1, seq: 2048, dtype: 'bf16', attention: 'unfused' });
    expect(g.outputs[0].shape).toEqual([1, 2048, 50257]);
    expect(new Set(g.ops.map((o) => o.layer)).size).toBe(96 + 2);
    const scores = op(g, 'layers.95.attn.scores');
    expect(scores.kind === 'gemm' && scores.attrs).toEqual({ b: 96, m: 2048, n: 2048, k: 128 });
    expect(relErr(paramCount(g.params), 175e9)).toBeLessThan(0.01);
  });

  it('follows the sequence length it is given and rejects more positions than a learned table has', () => {
    const gpt2 = model('gpt2');
    const g = gpt2.build({ batch: 3, seq: 128, dtype: 'bf16', attention: 'unfused' });
    expect(g.outputs[0].shape).toEqual([3, 128, 50257]);
    expect(paramCount(g.params)).toBe(paramCount(build(gpt2, 1).params));
    expect(totalMacs(g)).toBe(3 * decoderLmMacs({ ...LM_REF.gpt2, seq: 128 }));
    expect(() => gpt2.build({ batch: 1, seq: 1025, dtype: 'bf16' })).toThrow(InputError);
    expect(() => model('bert-base').build({ batch: 1, seq: 513, dtype: 'bf16' })).toThrow(InputError);
    expect(() => model('opt-1.3b').build({ batch: 1, seq: 2049, dtype: 'bf16' })).toThrow(InputError);
    expect(() => model('opt-1.3b').build({ batch: 1, seq: 2048, dtype: 'bf16' })).not.toThrow();
    // rotary positions have no table: Llama-2 builds past 4096 (its trained context) without error
    expect(model('llama2-7b').build({ batch: 1, seq: 8, dtype: 'bf16' }).outputs[0].shape).toEqual([1, 8, 32000]);
    // ViT has 197 tokens whatever the sequence length asked for
    expect(model('vit-b16').build({ batch: 1, seq: 4096, dtype: 'bf16' }).seq).toBe(197);
  });

  it('uses post-norm in BERT and the Transformer, pre-norm with a final norm in the others', () => {
    const firstKinds = (g: ForwardGraph) => g.ops.filter((o) => o.layer === 'layers.0').slice(0, 1).map((o) => o.kind);
    expect(firstKinds(build(model('gpt2'), 1))).toEqual(['norm']);
    expect(firstKinds(build(model('vit-b16'), 1))).toEqual(['norm']);
    expect(firstKinds(build(model('bert-base'), 1))).toEqual(['gemm']);
    expect(firstKinds(build(model('transformer-base'), 1))).toEqual(['gemm']);
    expect(op(build(model('gpt2'), 1), 'head.norm').kind).toBe('norm');
    const bert = build(model('bert-base'), 1);
    const last = bert.ops.filter((o) => o.layer === 'layers.11');
    expect(last[last.length - 1].kind).toBe('norm');
  });

  it('gives every parameter a gradient and an optimizer update in training (tied tables, class token)', () => {
    for (const [name, seq] of [['vit-b16', 197], ['transformer-base', 16], ['bert-base', 16], ['gpt2', 16], ['llama2-7b', 8]] as const) {
      const fg = model(name).build({ batch: 1, seq, dtype: 'bf16' });
      const tg = buildTrainingStep(fg, { optimizer: 'adamw' });
      const updated = new Set(tg.ops.filter((o) => o.kind === 'optimizer').flatMap((o) => o.weights.map((w) => w.name)));
      for (const p of fg.params) expect(updated.has(p.name), `${name}: ${p.name}`).toBe(true);
    }
  });
});

describe('fused attention (the default): one FlashAttention op per attention', () => {
  const fused = (name: string, batch = 2, seq = model(name).defaultSeq!) => build(model(name), batch, seq, 'fused');

  it('is the default, and replaces scores, scale, mask, softmax, dropout and context by one op reading q, k, v', () => {
    const g = model('bert-base').build({ batch: 2, seq: 128, dtype: 'bf16' });
    expect(g.ops.some((o) => o.name === 'layers.0.attn.scores')).toBe(false);
    expect(g.ops.some((o) => o.kind === 'softmax')).toBe(false);
    const f = op(g, 'layers.0.attn.flash');
    if (f.kind !== 'attention') throw new Error('not an attention op');
    expect(f.attrs).toEqual({ batch: 2, heads: 12, kvHeads: 12, seqQ: 128, seqKv: 128, headDim: 64, causal: false, dropout: true, backward: false });
    expect(f.inputs.map((t) => t.shape)).toEqual([[2, 12, 128, 64], [2, 12, 128, 64], [2, 12, 128, 64]]);
    // the output and the rows' log-sum-exp (fp32); no S×S tensor anywhere
    expect(f.outputs.map((t) => [t.shape, t.dtype])).toEqual([[[2, 12, 128, 64], 'bf16'], [[2, 12, 128], 'fp32']]);
    expect(g.ops.filter((o) => o.outputs.some((t) => t.shape.length >= 2 && t.shape.slice(-2).join() === '128,128')).map((o) => o.name)).toEqual([]);
    // the dense MACs of unfused attention: Q·Kᵀ and P·V
    expect(opMacs(f)).toBe(2 * 2 * 12 * 128 * 128 * 64);
  });

  it('skips the masked half of the query–key pairs in decoders ((S + 1) / 2S of them)', () => {
    const S = 1024;
    const f = op(fused('gpt2', 1, S), 'layers.0.attn.flash');
    if (f.kind !== 'attention') throw new Error('not an attention op');
    expect(f.attrs.causal).toBe(true);
    expect(opMacs(f)).toBeCloseTo(2 * 12 * S * S * 64 * ((S + 1) / (2 * S)), 3);
    // unfused decoders compute the whole S×S product and mask it
    const u = build(model('gpt2'), 1, S, 'unfused');
    expect(opMacs(op(u, 'layers.0.attn.scores'))).toBe(12 * S * S * 64);
  });

  it('reads grouped-query k/v heads once: Llama-2-70B has 8 key/value heads under 64 query heads', () => {
    const f = op(fused('llama2-70b', 1, 512), 'layers.0.attn.flash');
    if (f.kind !== 'attention') throw new Error('not an attention op');
    expect([f.attrs.heads, f.attrs.kvHeads, f.attrs.headDim]).toEqual([64, 8, 128]);
    expect(f.inputs[1].shape).toEqual([1, 8, 512, 128]);
  });

  it('trains with one backward op that reads q, k, v, the output and the log-sum-exp and writes dq, dk, dv', () => {
    const tg = buildTrainingStep(model('bert-base').build({ batch: 2, seq: 128, dtype: 'bf16' }));
    const b = op(tg, 'layers.0.attn.flash.dgrad');
    if (b.kind !== 'attention') throw new Error('not an attention op');
    expect(b.attrs.backward).toBe(true);
    expect(b.inputs).toHaveLength(6);
    expect(b.inputs[5].dtype).toBe('fp32');
    expect(b.outputs.map((t) => t.shape)).toEqual([[2, 12, 128, 64], [2, 12, 128, 64], [2, 12, 128, 64]]);
    // recomputing the scores: 5 products per query–key pair against the forward's 2
    expect(opMacs(b)).toBe((5 / 2) * opMacs(op(tg, 'layers.0.attn.flash')));
  });

  it('keeps the S×S scores out of the saved activations: BERT-large at seq 512 needs far less activation memory', async () => {
    const { memoryFootprint } = await import('../src/workload/memory.js');
    const act = (attention: 'fused' | 'unfused') =>
      memoryFootprint(buildTrainingStep(model('bert-large').build({ batch: 8, seq: 512, dtype: 'bf16', attention }))).activations;
    // unfused saves the probabilities (and dropout masks) of 24 layers × 16 heads × 512² per sample
    expect(act('unfused') - act('fused')).toBeGreaterThan(8 * 24 * 16 * 512 * 512 * 2);
  });
});

describe('mixture of experts (mixtral-8x7b)', () => {
  const moe = () => build(model('mixtral-8x7b'), 2, 256, 'fused');

  it('routes each token to 2 of 8 experts: a router, 8 expert MLPs of tokens × 2 / 8 rows, a combine back to [B, S, d]', () => {
    const g = moe();
    const router = op(g, 'layers.0.moe.router');
    expect(router.kind === 'gemm' && [router.attrs.m * router.attrs.b, router.attrs.n, router.attrs.k]).toEqual([512, 8, 4096]);
    for (let e = 0; e < 8; e++) {
      const gate = op(g, `layers.0.moe.experts.${e}.gate`);
      expect(gate.kind === 'gemm' && [gate.attrs.m, gate.attrs.n, gate.attrs.k]).toEqual([128, 14336, 4096]);
      expect(op(g, `layers.0.moe.experts.${e}.dispatch`).outputs[0].shape).toEqual([128, 4096]);
    }
    expect(g.ops.some((o) => o.name === 'layers.0.moe.experts.8.gate')).toBe(false);
    expect(op(g, 'layers.0.moe.combine').outputs[0].shape).toEqual([2, 256, 4096]);
    // all 8 experts' weights are parameters; each token's MACs are two experts'
    const expertParams = g.params.filter((p) => p.name.startsWith('layers.0.moe.experts.')).length;
    expect(expertParams).toBe(8 * 3);
  });

  it('trains every expert: each expert weight gets a gradient and an optimizer update', () => {
    const tg = buildTrainingStep(model('mixtral-8x7b').build({ batch: 1, seq: 64, dtype: 'bf16', layers: 1 }), { optimizer: 'adamw' });
    const updated = new Set(tg.ops.filter((o) => o.kind === 'optimizer').flatMap((o) => o.weights.map((w) => w.name)));
    for (let e = 0; e < 8; e++) for (const m of ['gate', 'up', 'down']) expect(updated.has(`layers.0.moe.experts.${e}.${m}.weight`), `${e}.${m}`).toBe(true);
    expect(updated.has('layers.0.moe.router.weight')).toBe(true);
  });

  it('is searched like any graph: one Mixtral block, WHAM on the small space, a feasible best design', async () => {
    const { runSearch } = await import('../src/search/run.js');
    const { BUILTIN_SPACES } = await import('../src/arch/space.js');
    const g = buildTrainingStep(model('mixtral-8x7b').build({ batch: 1, seq: 128, dtype: 'bf16', layers: 1 }), { optimizer: 'adamw' });
    const r = await runSearch({
      graphs: [g], space: BUILTIN_SPACES.small, objective: 'throughput', limits: { areaMm2: 600, tdpW: 500 }, strategy: 'wham', topK: 3, seed: 1, threads: 1, budget: 200,
    });
    expect(r.best).not.toBeNull();
    expect(r.best!.objective).toBeGreaterThan(0);
    expect(r.best!.areaMm2).toBeLessThanOrEqual(600);
    expect(r.best!.metrics[0].stepTimeS).toBeGreaterThan(0);
  });
});

