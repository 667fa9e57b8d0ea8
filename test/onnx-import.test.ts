import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { GraphBuilder } from '../src/workload/graph-builder.js';
import { opMacs, paramCount, type ForwardGraph } from '../src/workload/ir.js';
import { importOnnx, readOnnxFile, SUPPORTED_ONNX_OPS } from '../src/workload/onnx-import.js';
import { buildTrainingStep } from '../src/workload/training.js';
import {
  attrInt,
  attrInts,
  bertEncoderLayerOnnx,
  decodeModel,
  encodeModel,
  encodeProto,
  floatInit,
  int64Tensor,
  node,
  resnetBasicBlockOnnx,
  valueInfo,
  type LooseModel,
} from './helpers/onnx-builders.js';

const macs = (g: ForwardGraph): number => g.ops.reduce((s, o) => s + opMacs(o), 0);

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

/** The same ResNet basic block, built directly. */
function resnetBlockDirect(batch: number): ForwardGraph {
  const b = new GraphBuilder('direct', batch);
  const x = b.input('x', [batch, 64, 56, 56]);
  let h = b.conv2d(x, { outChannels: 64, kernel: 3, padding: 1, name: 'conv1' });
  h = b.act('relu', b.norm(h, 'batch', { name: 'bn1' }));
  h = b.conv2d(h, { outChannels: 64, kernel: 3, padding: 1, name: 'conv2' });
  h = b.norm(h, 'batch', { name: 'bn2' });
  b.act('relu', b.add(h, x));
  return b.build();
}

/** The same BERT encoder layer, built directly. */
function bertLayerDirect(batch: number, seq: number): ForwardGraph {
  const d = 768;
  const heads = 12;
  const dh = 64;
  const b = new GraphBuilder('direct', batch, 'bf16', seq);
  const x = b.input('x', [batch, seq, d]);
  const split = (t: ReturnType<typeof b.input>, perm: number[]) => b.transpose(b.reshape(t, [batch, seq, heads, dh]), perm);
  const q = split(b.linear(x, d), [0, 2, 1, 3]);
  const k = split(b.linear(x, d), [0, 2, 3, 1]);
  const v = split(b.linear(x, d), [0, 2, 1, 3]);
  const p = b.softmax(b.elementwise('div', [b.matmul(q, k)]));
  const ctx = b.reshape(b.transpose(b.matmul(p, v), [0, 2, 1, 3]), [batch, seq, d]);
  const h1 = b.norm(b.add(b.linear(ctx, d), x), 'layer');
  const f = b.linear(b.act('gelu', b.linear(h1, 3072)), d);
  b.norm(b.add(f, h1), 'layer');
  return b.build();
}

describe('ONNX import', () => {
  const resnet = resnetBasicBlockOnnx();
  const bert = bertEncoderLayerOnnx();

  it('lists the supported operators', () => {
    for (const op of ['MatMul', 'Gemm', 'Conv', 'LayerNormalization', 'Reshape', 'Gather', 'Constant', 'Shape']) {
      expect(SUPPORTED_ONNX_OPS).toContain(op);
    }
  });

  it('imports a ResNet basic block with the parameters and MACs of the same block built directly', () => {
    const g = importOnnx(resnet, { fileName: 'block.onnx', batch: 8 });
    const direct = resnetBlockDirect(8);
    // BatchNormalization running mean/variance are statistics, not weights
    expect(paramCount(g.params)).toBe(2 * 64 * 64 * 9 + 2 * 2 * 64);
    expect(paramCount(g.params)).toBe(paramCount(direct.params));
    expect(macs(g)).toBe(macs(direct));
    expect(macs(g)).toBe(2 * 8 * 56 * 56 * 64 * 64 * 9);
    expect(g.ops.map((o) => o.kind)).toEqual(direct.ops.map((o) => o.kind));
    expect(g.batch).toBe(8);
    expect(g.outputs[0].shape).toEqual([8, 64, 56, 56]);
    expect(g.params.map((p) => p.name)).toContain('conv1.weight');
    expect(g.ops[0].layer).toBe('layer1.layer1.0');
  });

  it('imports a BERT encoder layer with external-data weights, matching the directly built layer', () => {
    const g = importOnnx(bert, { fileName: 'bert.onnx', batch: 4, seq: 128 });
    const direct = bertLayerDirect(4, 128);
    expect(paramCount(g.params)).toBe(7_087_872);
    expect(paramCount(g.params)).toBe(paramCount(direct.params));
    expect(macs(g)).toBe(macs(direct));
    expect(g.seq).toBe(128);
    expect(g.outputs[0].shape).toEqual([4, 128, 768]);
    const scores = g.ops.find((o) => o.name.endsWith('/attention/self/MatMul'))!;
    expect(scores.kind === 'gemm' && scores.attrs).toEqual({ b: 48, m: 128, n: 128, k: 64 });
    // the scalar divisor is an immediate, not a parameter
    expect(g.params.some((p) => p.name === 'sqrt_dh')).toBe(false);
    expect(new Set(g.ops.map((o) => o.kind))).toEqual(new Set(direct.ops.map((o) => o.kind)));
    // the imported graph trains
    const t = buildTrainingStep(g, {});
    expect(t.ops.length).toBeGreaterThan(g.ops.length);
  });

  it('reads a file and names a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmine-onnx-'));
    try {
      const path = join(dir, 'block.onnx');
      writeFileSync(path, resnet);
      expect(paramCount(readOnnxFile(path, { batch: 2 }).params)).toBe(73_984);
      const missing = join(dir, 'nope.onnx');
      expect(errorOf(() => readOnnxFile(missing))).toBe(`${missing}: cannot read the ONNX file (no such file)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs --seq for a symbolic sequence axis and rejects other symbolic dims', () => {
    expect(errorOf(() => importOnnx(bert, { fileName: 'bert.onnx' }))).toMatch(/^bert\.onnx: graph input 'x': dimension 1 is symbolic \('sequence'\); pass --seq/);
    const odd = encodeModel({
      name: 'odd',
      inputs: [valueInfo('img', ['N', 3, 'height', 32])],
      outputs: [valueInfo('y', ['N', 3, 'height', 32])],
      nodes: [node('Relu', 'relu', ['img'], ['y'])],
    });
    expect(errorOf(() => importOnnx(odd, { fileName: 'odd.onnx' }))).toMatch(/odd\.onnx: graph input 'img': dimension 2 is symbolic \('height'\)/);
  });

  const weird = encodeModel({
    name: 'weird',
    inputs: [valueInfo('x', ['N', 16])],
    outputs: [valueInfo('y', ['N', 8])],
    initializers: [floatInit('w', [16, 8])],
    nodes: [node('HardSwish', 'act/hswish', ['x'], ['h']), node('MatMul', 'fc', ['h', 'w'], ['y'])],
  });

  it('names an unsupported operator, its node and the supported list', () => {
    const msg = errorOf(() => importOnnx(weird, { fileName: 'weird.onnx' }));
    expect(msg).toMatch(/^weird\.onnx: node 'act\/hswish' uses unsupported operator 'HardSwish'; supported: /);
    expect(msg).toContain(SUPPORTED_ONNX_OPS.join(', '));
    expect(msg).toContain('--unsupported as-elementwise');
    expect(msg.split('\n')).toHaveLength(1);
  });

  it('treats an unsupported operator as an elementwise copy when asked', () => {
    const g = importOnnx(weird, { fileName: 'weird.onnx', batch: 2, unsupported: 'as-elementwise' });
    const h = g.ops[0];
    expect(h.kind === 'elementwise' && h.attrs.fn).toBe('copy');
    expect(h.outputs[0].shape).toEqual([2, 16]);
    expect(macs(g)).toBe(2 * 16 * 8);
    expect(paramCount(g.params)).toBe(128);
  });

  it('maps Gemm (transB), Flatten, pooling, Gather → embedding and shape arithmetic', () => {
    const bytes = encodeModel({
      name: 'mix',
      inputs: [valueInfo('img', ['N', 3, 32, 32]), valueInfo('ids', ['N', 'seq_len'], 7)],
      outputs: [valueInfo('logits', ['N', 10]), valueInfo('e', ['N', 'seq_len', 32])],
      initializers: [
        floatInit('conv.w', [16, 3, 3, 3]),
        floatInit('conv.b', [16]),
        floatInit('fc.w', [10, 16 * 8 * 8]),
        floatInit('fc.b', [10]),
        floatInit('emb', [1000, 32]),
      ],
      nodes: [
        node('Conv', 'conv', ['img', 'conv.w', 'conv.b'], ['c'], [attrInts('kernel_shape', [3, 3]), attrInts('pads', [1, 1, 1, 1]), attrInts('strides', [2, 2])]),
        node('MaxPool', 'pool', ['c'], ['p'], [attrInts('kernel_shape', [2, 2]), attrInts('strides', [2, 2])]),
        node('Flatten', 'flat', ['p'], ['f'], [attrInt('axis', 1)]),
        node('Gemm', 'fc', ['f', 'fc.w', 'fc.b'], ['logits'], [attrInt('transB', 1)]),
        node('Gather', 'emb', ['emb', 'ids'], ['e']),
      ],
    });
    const g = importOnnx(bytes, { fileName: 'mix.onnx', batch: 2, seq: 7 });
    expect(paramCount(g.params)).toBe(16 * 27 + 16 + 10 * 1024 + 10 + 32_000);
    expect(macs(g)).toBe(2 * 16 * 16 * 16 * 27 + 2 * 1024 * 10);
    const emb = g.ops.find((o) => o.kind === 'embedding')!;
    expect(emb.kind === 'embedding' && emb.attrs).toMatchObject({ vocab: 1000, dim: 32, lookups: 14 });
    expect(g.outputs.map((o) => o.shape)).toEqual([[2, 10], [2, 7, 32]]);
  });

  it('folds Shape/Gather/Unsqueeze/Concat into a Reshape target', () => {
    const bytes = encodeModel({
      name: 'dyn',
      inputs: [valueInfo('x', ['batch', 'seq', 64])],
      outputs: [valueInfo('y', ['batch', 'seq', 4, 16])],
      initializers: [int64Tensor('zero', [0], false), int64Tensor('one', [1]), int64Tensor('heads', [4, 16])],
      nodes: [
        node('Shape', 'shape', ['x'], ['s']),
        node('Gather', 'g0', ['s', 'zero'], ['b']),
        node('Gather', 'g1', ['s', 'one'], ['t']),
        node('Concat', 'cat', ['b', 't', 'heads'], ['target'], [attrInt('axis', 0)]),
        node('Reshape', 'reshape', ['x', 'target'], ['y']),
      ],
    });
    const g = importOnnx(bytes, { fileName: 'dyn.onnx', batch: 3, seq: 5 });
    expect(g.ops.map((o) => o.kind)).toEqual(['reshape']);
    expect(g.outputs[0].shape).toEqual([3, 5, 4, 16]);
  });

  it('maps decomposed LayerNorm, erf-GELU, Split, Unsqueeze/Squeeze and names unmodelled outputs', () => {
    const d = 32;
    const nodes = [
      node('ReduceMean', 'ln/mean', ['x'], ['mu'], [attrInts('axes', [-1])]),
      node('Sub', 'ln/sub', ['x', 'mu'], ['xc']),
      node('Pow', 'ln/pow', ['xc', 'two'], ['sq']),
      node('ReduceMean', 'ln/var', ['sq'], ['var'], [attrInts('axes', [-1])]),
      node('Add', 'ln/eps', ['var', 'eps'], ['ve']),
      node('Sqrt', 'ln/sqrt', ['ve'], ['sd']),
      node('Div', 'ln/div', ['xc', 'sd'], ['xn']),
      node('Mul', 'ln/scale', ['xn', 'gamma'], ['xs']),
      node('Add', 'ln/shift', ['xs', 'beta'], ['h']),
      node('MatMul', 'qkv', ['h', 'w_qkv'], ['qkv']),
      node('Split', 'split', ['qkv', 'sizes'], ['q', 'k', 'v'], [attrInt('axis', -1)]),
      node('Div', 'gelu/div', ['v', 'sqrt2'], ['vd']),
      node('Erf', 'gelu/erf', ['vd'], ['ve2']),
      node('Unsqueeze', 'unsq', ['ve2', 'ax1'], ['u']),
      node('Squeeze', 'sq', ['u', 'ax1'], ['y']),
      node('Dropout', 'drop', ['q'], ['qd', 'mask']),
    ];
    const inits = [
      { name: 'two', dims: [], dataType: 1, floatData: [2] },
      { name: 'eps', dims: [], dataType: 1, floatData: [1e-5] },
      { name: 'sqrt2', dims: [], dataType: 1, floatData: [Math.SQRT2] },
      floatInit('gamma', [d]),
      floatInit('beta', [d]),
      floatInit('w_qkv', [d, 3 * d]),
      int64Tensor('sizes', [d, d, d]),
      int64Tensor('ax1', [1]),
    ];
    const model = (extra: typeof nodes) =>
      encodeModel({ name: 'ln', inputs: [valueInfo('x', ['B', 'seq', d])], outputs: [valueInfo('y', ['B', 'seq', d])], initializers: inits, nodes: [...nodes, ...extra] });
    const g = importOnnx(model([]), { fileName: 'ln.onnx', batch: 2, seq: 4 });
    expect(paramCount(g.params)).toBe(d + d + d * 3 * d);
    expect(macs(g)).toBe(2 * 4 * d * 3 * d);
    const mean = g.ops.find((o) => o.name === 'ln/mean')!;
    expect(mean.outputs[0].shape).toEqual([2, 4, 1]);
    expect(mean.kind === 'elementwise' && mean.attrs.elements).toBe(2 * 4 * d);
    expect(g.ops.find((o) => o.name === 'gelu/erf')!.kind === 'elementwise').toBe(true);
    expect(g.ops.find((o) => o.name === 'split.2')!.outputs[0].shape).toEqual([2, 4, d]);
    expect(g.outputs[0].shape).toEqual([2, 4, d]);
    const msg = errorOf(() => importOnnx(model([node('Relu', 'use-mask', ['mask'], ['z'])]), { fileName: 'ln.onnx', batch: 2, seq: 4 }));
    expect(msg).toBe("ln.onnx: node 'use-mask' (Relu) reads 'mask', an extra output of node 'drop' that is not modelled (only its first output is)");
  });

  it('refuses to change a fixed batch dimension', () => {
    const fixed = encodeModel({ name: 'f', inputs: [valueInfo('x', [1, 8])], outputs: [valueInfo('y', [1, 8])], nodes: [node('Relu', 'r', ['x'], ['y'])] });
    expect(importOnnx(fixed).batch).toBe(1);
    expect(errorOf(() => importOnnx(fixed, { fileName: 'f.onnx', batch: 4 }))).toMatch(/^f\.onnx: graph input 'x' has a fixed batch dimension 1; --batch 4 cannot change it/);
  });

  it('rejects truncated and garbage bytes with one line', () => {
    const msg = errorOf(() => importOnnx(bert.subarray(0, Math.floor(bert.length / 2)), { fileName: 'cut.onnx' }));
    expect(msg).toMatch(/^cut\.onnx: not a valid ONNX model \(/);
    expect(msg.split('\n')).toHaveLength(1);
    expect(errorOf(() => importOnnx(new Uint8Array([0xff, 0xff, 0xff, 0xff]), { fileName: 'g.onnx' }))).toMatch(/^g\.onnx: not a valid ONNX model/);
    expect(errorOf(() => importOnnx(new Uint8Array(0), { fileName: 'empty.onnx' }))).toMatch(/^empty\.onnx: not a valid ONNX model \(it has no graph\)/);
  });

  it('fuzz: random bytes and mutated models raise only InputError', () => {
    const small = bertEncoderLayerOnnx({ d: 64, heads: 4, ff: 128 });
    const check = (bytes: Uint8Array): void => {
      try {
        const g = importOnnx(bytes, { fileName: 'fuzz.onnx', batch: 2, seq: 8, unsupported: 'as-elementwise' });
        for (const op of g.ops) {
          expect(Number.isFinite(op.flops) && Number.isFinite(op.bytes)).toBe(true);
        }
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        expect((e as Error).message.startsWith('fuzz.onnx: ')).toBe(true);
        expect((e as Error).message).not.toMatch(/[\n\r]/);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => check(bytes)), { numRuns: 100, seed: 1 });
    const models = [small, bert, resnet];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: models.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        (which, flips, cut) => {
          const src = models[which];
          const bytes = Uint8Array.from(src);
          for (const [pos, val] of flips) bytes[pos % bytes.length] = val;
          check(cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length));
        },
      ),
      { numRuns: 150, seed: 2 },
    );
    // structural mutations: decoded models with one field changed, re-encoded
    const names = (m: LooseModel): string[] => [
      '', 'nope', ...m.graph.input.map((i) => i.name), ...m.graph.initializer.map((t) => t.name), ...m.graph.node.flatMap((n) => n.output),
    ];
    const smallResnet = resnetBasicBlockOnnx(4, 8);
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.nat(), fc.nat(), fc.integer({ min: -3, max: 300 })), { minLength: 1, maxLength: 3 }),
        (useBert, muts) => {
          const m = decodeModel(useBert ? small : smallResnet);
          const g = m.graph;
          const pool = names(m);
          for (const [kind, i, j, v] of muts) {
            const n = g.node[i % g.node.length];
            if (kind === 0) n.opType = [...SUPPORTED_ONNX_OPS, 'Foo'][j % (SUPPORTED_ONNX_OPS.length + 1)];
            else if (kind === 1 && n.input.length > 0) n.input[j % n.input.length] = pool[(j + v + 3) % pool.length];
            else if (kind === 2 && n.attribute.length > 0) {
              const at = n.attribute[j % n.attribute.length];
              if (at.ints.length > 0) at.ints[Math.abs(v) % at.ints.length] = v;
              else at.i = v;
            } else if (kind === 3) {
              const t = g.initializer[j % g.initializer.length];
              if (t.dims.length > 0) t.dims[Math.abs(v) % t.dims.length] = v;
            } else if (kind === 4) {
              const d = g.input[0].type.tensorType.shape.dim[j % 3];
              d.dimValue = v;
              d.dimParam = '';
            } else if (kind === 5) g.node.splice(i % g.node.length, 1);
          }
          check(encodeProto(m));
        },
      ),
      { numRuns: 150, seed: 3 },
    );
  });
});
