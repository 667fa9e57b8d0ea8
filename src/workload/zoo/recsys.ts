/**
 * Recommendation and recurrent models of the zoo: MLPerf DLRM (Criteo Terabyte) and the large
 * 2-layer LSTM language model of Zaremba et al. (2014) on Penn Treebank.
 */
import { InputError } from '../../errors.js';
import { GraphBuilder, type Value } from '../graph-builder.js';
import type { ForwardGraph, TensorRef } from '../ir.js';
import type { ZooBuildOptions, ZooEntry } from './types.js';

// ---------------------------------------------------------------------------------------------
// DLRM, MLPerf Training reference configuration on Criteo Terabyte
//   --arch-sparse-feature-size=128 --arch-mlp-bot=13-512-256-128 --arch-mlp-top=1024-1024-512-256-1
//   --arch-interaction-op=dot --max-ind-range=40000000

const DLRM_DENSE = 13;
const DLRM_DIM = 128;
const DLRM_BOTTOM = [512, 256, 128];
const DLRM_TOP = [1024, 1024, 512, 256, 1];
/** rows per table (Criteo Terabyte day_fea_count, each capped at 40M by --max-ind-range=40000000) */
export const DLRM_TABLE_ROWS: readonly number[] = [
  39884406, 39043, 17289, 7420, 20263, 3, 7120, 1543, 63, 38532951, 2953546, 403346, 10, 2208, 11938, 155, 4, 976,
  14, 39979771, 25641295, 39664984, 585935, 12972, 108, 36,
];

function mlpParams(widths: number[]): number {
  let n = 0;
  for (let i = 1; i < widths.length; i++) n += widths[i - 1] * widths[i] + widths[i];
  return n;
}

const DLRM_FEATURES = DLRM_TABLE_ROWS.length + 1; // 26 embeddings + the bottom-MLP output
const DLRM_PAIRS = (DLRM_FEATURES * (DLRM_FEATURES - 1)) / 2; // 351
const DLRM_TOP_IN = DLRM_DIM + DLRM_PAIRS; // 479
const DLRM_PARAMS =
  DLRM_TABLE_ROWS.reduce((s, r) => s + r * DLRM_DIM, 0) + mlpParams([DLRM_DENSE, ...DLRM_BOTTOM]) + mlpParams([DLRM_TOP_IN, ...DLRM_TOP]);

function buildDlrm(o: ZooBuildOptions): ForwardGraph {
  const b = new GraphBuilder('dlrm', o.batch, o.dtype);
  const B = o.batch;
  let x = b.input('dense', [B, DLRM_DENSE]);
  DLRM_BOTTOM.forEach((w, i) => {
    const layer = `bot_mlp.${i}`;
    x = b.scope(layer, () => b.act('relu', b.linear(x, w, { name: layer }), `${layer}.relu`));
  });
  const features: Value[] = [];
  DLRM_TABLE_ROWS.forEach((rows, i) => {
    const layer = `emb.${i}`;
    const idx = b.input(`sparse.${i}`, [B], 'int64');
    // one index per sample and table (Criteo Terabyte features are one-hot)
    features.push(b.scope(layer, () => b.reshape(b.embedding(idx, rows, DLRM_DIM, { name: layer }), [B, 1, DLRM_DIM], { name: `${layer}.row` })));
  });
  const inter = b.scope('interaction', () => {
    // T: [B, 27, 128] (bottom-MLP output first); Z = T·Tᵀ: [B, 27, 27] (the reference's torch.bmm)
    const dense = b.reshape(x, [B, 1, DLRM_DIM], { name: 'interaction.dense_row' });
    const t = b.concat([dense, ...features], 1, { name: 'interaction.stack' });
    const tt = b.transpose(t, [0, 2, 1], { name: 'interaction.transpose', copies: false });
    const z = b.matmul(t, tt, { name: 'interaction.bmm' });
    // The reference then gathers the strictly lower triangle Z[:, li, lj] (351 of 729 values).
    // GraphBuilder has no index-gather on activations, so the gather is modelled by a window op
    // with the same shape and traffic: read Z as [B,1,27,27], write [B,1,27,13] = 351 values.
    const z4 = b.reshape(z, [B, 1, DLRM_FEATURES, DLRM_FEATURES], { name: 'interaction.view' });
    const tri = b.pool(z4, 'max', { kernel: [1, 2], stride: [1, 2], name: 'interaction.tril_gather' });
    const flat = b.reshape(tri, [B, DLRM_PAIRS], { name: 'interaction.flatten' });
    // R = cat([dense, Zflat], dim=1): [B, 479]
    return b.concat([x, flat], 1, { name: 'interaction.cat' });
  });
  let y = inter;
  DLRM_TOP.forEach((w, i) => {
    const layer = `top_mlp.${i}`;
    const last = i === DLRM_TOP.length - 1;
    y = b.scope(layer, () => b.act(last ? 'sigmoid' : 'relu', b.linear(y, w, { name: layer }), `${layer}.${last ? 'sigmoid' : 'relu'}`));
  });
  b.markOutput(y);
  return b.build();
}

// ---------------------------------------------------------------------------------------------
// LSTM language model (Zaremba, Sutskever, Vinyals 2014, "Recurrent Neural Network Regularization"):
// the large PTB model: 2 layers, 1500 units, 10k vocabulary, untied input embedding and softmax,
// dropout 0.65 on non-recurrent connections, unrolled 35 steps.

const LSTM_VOCAB = 10_000;
const LSTM_LAYERS = 2;
/** The most time steps the graph unrolls (the paper's are 35). */
const LSTM_MAX_STEPS = 1024;
const LSTM_HIDDEN = 1500;

/** One gate weight per layer: [x_t; h_{t-1}; 1] · W with the bias as the last row of W. */
function lstmParams(vocab: number, hidden: number, layers: number): number {
  const embed = vocab * hidden;
  const cell = 4 * (2 * hidden + 1) * hidden; // W_{i,f,g,o} over [x, h] plus one bias per gate unit
  const softmax = hidden * vocab + vocab;
  return embed + layers * cell + softmax;
}

function buildLstmLm(o: ZooBuildOptions): ForwardGraph {
  const H = LSTM_HIDDEN;
  const V = LSTM_VOCAB;
  const B = o.batch;
  const T = o.seq;
  // unrolled: one cell per layer per step (--seq 5000 took 19 s and 2 GB to build, 16777216 never finished)
  if (T > LSTM_MAX_STEPS) throw new InputError(`lstm-lm: --seq must be at most ${LSTM_MAX_STEPS} (unrolled time steps), got ${T}`);
  const b = new GraphBuilder('lstm-lm', B, o.dtype, T);
  // The gate bias is folded into the gate weight (a constant-one column in the gemm input), so that
  // every step reuses one weight-and-bias tensor per gate; GraphBuilder.linear would otherwise create a
  // separate bias per step. Same parameter count as W + b; +1 on K.
  const ones = b.input('ones', [B, 1]);
  const table: TensorRef = b.scope('embed', () => b.param('embed.weight', [V, H]));
  const h: Value[] = [];
  const c: Value[] = [];
  for (let l = 0; l < LSTM_LAYERS; l++) {
    // state carried over from the previous truncated-BPTT segment
    h.push(b.input(`h0.${l}`, [B, H]));
    c.push(b.input(`c0.${l}`, [B, H]));
  }
  // all lookups first, so the `embed` layer is one contiguous run of ops
  const embedded: Value[] = [];
  for (let t = 0; t < T; t++) {
    const tok = b.input(`tokens.${t}`, [B], 'int64');
    embedded.push(b.scope('embed', () => b.embedding(tok, V, H, { name: `embed.t${t}`, table })));
  }
  const tops: Value[] = [];
  for (let t = 0; t < T; t++) {
    let x = embedded[t];
    for (let l = 0; l < LSTM_LAYERS; l++) {
      const p = `lstm${l}.t${t}`;
      const xIn = x;
      x = b.scope(p, () => {
        // the weight tensors are registered in the first step's layer
        const w = (gate: string): TensorRef => b.param(`lstm${l}.w_${gate}`, [2 * H + 1, H]);
        const xd = b.act('dropout', xIn, `${p}.dropout`);
        const xh = b.concat([xd, h[l], ones], 1, { name: `${p}.concat` });
        const gate = (name: string, fn: 'sigmoid' | 'tanh'): Value =>
          b.act(fn, b.linear(xh, H, { name: `${p}.gate_${name}`, weight: w(name), bias: false }), `${p}.${name}.${fn}`);
        const i = gate('i', 'sigmoid');
        const f = gate('f', 'sigmoid');
        const g = gate('g', 'tanh');
        const og = gate('o', 'sigmoid');
        // c_t = f ⊙ c_{t-1} + i ⊙ g;  h_t = o ⊙ tanh(c_t)
        const cNew = b.add(b.elementwise('mul', [f, c[l]], { name: `${p}.f_c` }), b.elementwise('mul', [i, g], { name: `${p}.i_g` }), `${p}.c`);
        const hNew = b.elementwise('mul', [og, b.act('tanh', cNew, `${p}.c.tanh`)], { name: `${p}.h` });
        c[l] = cNew;
        h[l] = hNew;
        return hNew;
      });
    }
    tops.push(x);
  }
  const logits = b.scope('decoder', () => {
    const rows = tops.map((v, t) => b.reshape(v, [B, 1, H], { name: `decoder.t${t}.row` }));
    const hs = T === 1 ? rows[0] : b.concat(rows, 1, { name: 'decoder.stack' });
    const d = b.act('dropout', hs, 'decoder.dropout');
    return b.linear(d, V, { name: 'decoder' });
  });
  b.markOutput(logits);
  return b.build();
}

// ---------------------------------------------------------------------------------------------

export const OTHER_MODELS: ZooEntry[] = [
  {
    name: 'dlrm',
    family: 'recommendation',
    defaultBatch: 32768, // MLPerf reference global batch
    published: {
      params: DLRM_PARAMS,
      // MLPs (13·512 + 512·256 + 256·128 + 479·1024 + 1024·1024 + 1024·512 + 512·256 + 256·1) + interaction 27·27·128
      fwdMacsPerSample: 170_496 + 2_194_688 + 27 * 27 * 128,
      source:
        'MLPerf Training reference, recommendation/dlrm (facebookresearch/dlrm, Criteo Terabyte, --max-ind-range=40000000): ' +
        '26 tables × 128 dims (Terabyte day_fea_count, capped at 40M rows) + bottom MLP 13-512-256-128 + top MLP 479-1024-1024-512-256-1, ' +
        '≈24.0G params (≈96 GB in fp32), almost all in the embedding tables',
    },
    build: buildDlrm,
  },
  {
    name: 'lstm-lm',
    family: 'rnn',
    defaultBatch: 20,
    defaultSeq: 35,
    published: {
      params: 66e6,
      // per token: layers × 4 gates × H × (input + H) + decoder H × vocab; × 35 tokens
      fwdMacsPerSample: 35 * (2 * 4 * 1500 * 3000 + 1500 * 10_000),
      source:
        'Zaremba, Sutskever, Vinyals 2014 (arXiv 1409.2329), large PTB LSTM: 2 layers × 1500 units, vocabulary 10k, 35 unrolled steps, ' +
        `batch 20: "66M parameters" (this graph: ${lstmParams(LSTM_VOCAB, LSTM_HIDDEN, LSTM_LAYERS).toLocaleString('en-US')})`,
    },
    build: buildLstmLm,
  },
];
