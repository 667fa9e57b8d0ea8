import { describe, expect, it } from 'vitest';
import { CNN_MODELS } from '../src/workload/zoo/cnn.js';
import { OTHER_MODELS } from '../src/workload/zoo/recsys.js';
import type { ZooEntry } from '../src/workload/zoo/types.js';
import { opMacs, paramCount, type ForwardGraph } from '../src/workload/ir.js';

const MODELS: ZooEntry[] = [...CNN_MODELS, ...OTHER_MODELS];

const cache = new Map<string, ForwardGraph>();
function build(m: ZooEntry, batch: number): ForwardGraph {
  const key = `${m.name}@${batch}`;
  let g = cache.get(key);
  if (!g) {
    g = m.build({ batch, seq: m.defaultSeq ?? 1, dtype: 'bf16' });
    cache.set(key, g);
  }
  return g;
}
const totalMacs = (g: ForwardGraph) => g.ops.reduce((s, o) => s + opMacs(o), 0);
const relErr = (got: number, want: number) => Math.abs(got - want) / want;

describe('zoo: CNN, recommendation and RNN models', () => {
  it('has the expected names and families', () => {
    expect(CNN_MODELS.map((m) => m.name)).toEqual(['alexnet', 'vgg16', 'resnet18', 'resnet50', 'mobilenetv2']);
    expect(OTHER_MODELS.map((m) => m.name)).toEqual(['dlrm', 'lstm-lm']);
    for (const m of CNN_MODELS) expect(m.family).toBe('cnn');
    expect(OTHER_MODELS.map((m) => m.family)).toEqual(['recommendation', 'rnn']);
    for (const m of MODELS) expect(m.published.source.length).toBeGreaterThan(10);
  });

  describe.each(MODELS.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    it('matches the published parameter count within 1%', () => {
      expect(relErr(paramCount(build(m, 1).params), m.published.params)).toBeLessThan(0.01);
    });

    it('matches the published forward MACs per sample within 2%', () => {
      expect(m.published.fwdMacsPerSample).toBeGreaterThan(0);
      const g = build(m, 1);
      expect(relErr(totalMacs(g) / g.batch, m.published.fwdMacsPerSample!)).toBeLessThan(0.02);
    });

    it('has the expected output shape', () => {
      const g = build(m, 8);
      expect(g.outputs).toHaveLength(1);
      if (m.family === 'cnn') expect(g.outputs[0].shape).toEqual([8, 1000]);
      if (m.name === 'dlrm') expect(g.outputs[0].shape).toEqual([8, 1]);
      if (m.name === 'lstm-lm') expect(g.outputs[0].shape).toEqual([8, m.defaultSeq, 10_000]);
    });

    it('scales MACs exactly with the batch and keeps the parameters fixed', () => {
      const g1 = build(m, 1);
      const g8 = build(m, 8);
      expect(totalMacs(g8)).toBe(8 * totalMacs(g1));
      expect(paramCount(g8.params)).toBe(paramCount(g1.params));
      expect(g8.ops.length).toBe(g1.ops.length);
    });

    it('names a layer for every op and every parameter', () => {
      const g = build(m, 1);
      for (const op of g.ops) expect(op.layer, op.name).not.toBe('model');
      for (const p of g.params) expect(p.layer, p.name).not.toBe('model');
      const layers = new Set(g.ops.map((o) => o.layer));
      for (const p of g.params) expect(layers.has(p.layer), p.name).toBe(true);
    });

    it('keeps each layer one contiguous run of ops', () => {
      const g = build(m, 1);
      const seen = new Set<string>();
      let prev = '';
      for (const op of g.ops) {
        if (op.layer !== prev) {
          expect(seen.has(op.layer), `${op.layer} resumes at ${op.name}`).toBe(false);
          seen.add(op.layer);
          prev = op.layer;
        }
      }
    });

    it('has deps that only point backwards and unique op names', () => {
      const g = build(m, 1);
      g.ops.forEach((op, i) => {
        expect(op.id).toBe(i);
        for (const d of op.deps) expect(d).toBeLessThan(op.id);
      });
      expect(new Set(g.ops.map((o) => o.name)).size).toBe(g.ops.length);
      expect(new Set(g.params.map((p) => p.name)).size).toBe(g.params.length);
    });
  });

  it('builds torchvision-exact parameter counts', () => {
    const exact: Record<string, number> = {
      alexnet: 61_100_840,
      vgg16: 138_357_544,
      resnet18: 11_689_512,
      resnet50: 25_557_032,
      mobilenetv2: 3_504_872,
    };
    for (const m of CNN_MODELS) expect(paramCount(build(m, 1).params), m.name).toBe(exact[m.name]);
  });

  it('uses one residual add per ResNet block and stride on the 3×3 conv (v1.5)', () => {
    const g = build(CNN_MODELS.find((m) => m.name === 'resnet50')!, 1);
    expect(g.ops.filter((o) => o.kind === 'elementwise' && o.name.endsWith('.add'))).toHaveLength(16);
    const c2 = g.ops.find((o) => o.name === 'layer2.0.conv2')!;
    const c1 = g.ops.find((o) => o.name === 'layer2.0.conv1')!;
    expect(c2.kind === 'conv2d' && c2.attrs.strideH).toBe(2);
    expect(c1.kind === 'conv2d' && c1.attrs.strideH).toBe(1);
  });

  it('models the DLRM dot interaction as a 27×27 batched product feeding a 479-wide top MLP', () => {
    const g = build(OTHER_MODELS.find((m) => m.name === 'dlrm')!, 4);
    const bmm = g.ops.find((o) => o.name === 'interaction.bmm')!;
    expect(bmm.kind === 'gemm' && bmm.attrs).toEqual({ b: 4, m: 27, n: 27, k: 128 });
    const top0 = g.ops.find((o) => o.name === 'top_mlp.0')!;
    expect(top0.kind === 'gemm' && top0.attrs).toEqual({ b: 1, m: 4, n: 1024, k: 479 });
    expect(g.ops.filter((o) => o.kind === 'embedding')).toHaveLength(26);
  });

  it('unrolls the LSTM over the given sequence length', () => {
    const lstm = OTHER_MODELS.find((m) => m.name === 'lstm-lm')!;
    const g10 = lstm.build({ batch: 2, seq: 10, dtype: 'bf16' });
    const g20 = lstm.build({ batch: 2, seq: 20, dtype: 'bf16' });
    expect(g10.seq).toBe(10);
    expect(paramCount(g10.params)).toBe(paramCount(g20.params));
    // per step: 2 layers × 4 gate gemms of [B, 2H+1]·[2H+1, H]; then the decoder over all steps
    const H = 1500;
    const perStep = 2 * 4 * 2 * (2 * H + 1) * H;
    expect(totalMacs(g10)).toBe(10 * perStep + 2 * 10 * H * 10_000);
    expect(totalMacs(g20) - totalMacs(g10)).toBe(10 * perStep + 2 * 10 * H * 10_000);
  });
});
