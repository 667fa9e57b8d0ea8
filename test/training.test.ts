import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../src/workload/graph-builder.js';
import { buildTrainingStep } from '../src/workload/training.js';
import { memoryFootprint } from '../src/workload/memory.js';
import { opMacs, paramCount, type Conv2dAttrs, type Op, type TrainingGraph } from '../src/workload/ir.js';
import { findModel } from '../src/workload/zoo/index.js';
import { rsView } from '../src/engine/rs-view.js';

function mlp(batch = 32) {
  const b = new GraphBuilder('mlp', batch, 'bf16');
  const x = b.input('x', [batch, 784]);
  const h = b.scope('fc1', () => b.act('relu', b.linear(x, 256, { name: 'fc1' })));
  const y = b.scope('fc2', () => b.linear(h, 10, { name: 'fc2' }));
  b.markOutput(y);
  return b.build();
}

const byPhase = (g: TrainingGraph, phase: string) => g.ops.filter((o) => o.phase === phase);
const macs = (ops: Op[]) => ops.reduce((s, o) => s + opMacs(o), 0);

describe('training step builder', () => {
  it('emits dX = dY·Wᵀ and dW = Xᵀ·dY with the right GEMM shapes', () => {
    const g = buildTrainingStep(mlp(), { fusion: false });
    const dgrad = g.ops.find((o) => o.name === 'fc2.dgrad')!;
    const wgrad = g.ops.find((o) => o.name === 'fc2.wgrad')!;
    expect(dgrad.kind === 'gemm' && dgrad.attrs).toEqual({ b: 1, m: 32, n: 256, k: 10 });
    expect(wgrad.kind === 'gemm' && wgrad.attrs).toEqual({ b: 1, m: 256, n: 10, k: 32 });
    // the first layer reads a graph input: it needs no data gradient
    expect(g.ops.find((o) => o.name === 'fc1.dgrad')).toBeUndefined();
  });

  it('counts every op of the unfused MLP step', () => {
    const g = buildTrainingStep(mlp(), { fusion: false });
    // fwd: gemm, bias add, relu, gemm, bias add
    expect(byPhase(g, 'fwd')).toHaveLength(5);
    // loss grad, fc2 bias grad, fc2 dgrad, relu bwd, fc1 bias grad
    expect(byPhase(g, 'dgrad')).toHaveLength(3);
    expect(byPhase(g, 'wgrad')).toHaveLength(4);
    expect(byPhase(g, 'optimizer')).toHaveLength(4);
    const fwd = 32 * 784 * 256 + 32 * 256 * 10;
    expect(macs(byPhase(g, 'fwd'))).toBe(fwd);
    expect(macs(byPhase(g, 'wgrad'))).toBe(fwd);
    expect(macs(byPhase(g, 'dgrad'))).toBe(32 * 256 * 10);
  });

  it('keeps dependencies topological and every backward op depends on something', () => {
    const g = buildTrainingStep(mlp(), { recompute: true });
    for (const op of g.ops) {
      expect(op.id).toBe(g.ops.indexOf(op));
      for (const d of op.deps) expect(d).toBeLessThan(op.id);
      if (op.phase !== 'fwd') expect(op.deps.length).toBeGreaterThan(0);
    }
  });

  it('gives activation×activation products two data gradients', () => {
    const b = new GraphBuilder('attn', 2, 'bf16', 16);
    const x = b.input('x', [2, 16, 64]);
    const q = b.linear(x, 64, { name: 'q' });
    const k = b.linear(x, 64, { name: 'k' });
    const s = b.matmul(q, b.transpose(k, [0, 2, 1]), { name: 'qk' });
    b.markOutput(b.softmax(s));
    const g = buildTrainingStep(b.build(), { fusion: false });
    const da = g.ops.find((o) => o.name === 'qk.dgrad_a')!;
    const db = g.ops.find((o) => o.name === 'qk.dgrad_b')!;
    expect(da.kind === 'gemm' && da.attrs).toEqual({ b: 2, m: 16, n: 64, k: 16 });
    expect(db.kind === 'gemm' && db.attrs).toEqual({ b: 2, m: 64, n: 16, k: 16 });
    // x feeds both q and k: its gradient is accumulated... but x is a graph input, so none is made
    expect(g.ops.some((o) => o.name.includes('grad_accumulate(x'))).toBe(false);
  });

  it('accumulates the gradient of a tensor read by several ops', () => {
    const b = new GraphBuilder('fanout', 4, 'bf16');
    const x = b.input('x', [4, 32]);
    const h = b.linear(x, 32, { name: 'h' });
    const a = b.linear(h, 32, { name: 'a' });
    const c = b.linear(h, 32, { name: 'c' });
    b.markOutput(b.add(a, c));
    const g = buildTrainingStep(b.build(), { fusion: false });
    const acc = g.ops.filter((o) => o.kind === 'elementwise' && o.attrs.fn === 'grad-accumulate' && o.phase === 'dgrad');
    expect(acc).toHaveLength(1);
    expect(acc[0].outputs[0].shape).toEqual([4, 32]);
  });

  it('lowers convolution gradients to GEMMs with the forward MAC count', () => {
    const b = new GraphBuilder('conv', 2, 'bf16');
    const x = b.input('x', [2, 3, 32, 32]);
    const h = b.conv2d(x, { outChannels: 16, kernel: 3, padding: 1, name: 'c1' });
    const y = b.conv2d(b.act('relu', h), { outChannels: 32, kernel: 3, stride: 2, padding: 1, groups: 2, name: 'c2' });
    b.markOutput(y);
    const g = buildTrainingStep(b.build(), { fusion: false });
    const fwd = g.ops.find((o) => o.name === 'c2')!;
    for (const pass of ['c2.dgrad', 'c2.wgrad']) expect(opMacs(g.ops.find((o) => o.name === pass)!)).toBe(opMacs(fwd));
    // c2: groups 2, out 16×16, C/g·R·S = 8·9, K/g = 16
    expect(opMacs(fwd)).toBe(2 * 2 * 16 * 16 * 8 * 9 * 16);
  });

  it('fusion folds epilogues into GEMMs, keeping FLOPs and cutting bytes', () => {
    const unfused = buildTrainingStep(mlp(), { fusion: false });
    const fused = buildTrainingStep(mlp(), { fusion: true });
    const sum = (g: TrainingGraph, f: (o: Op) => number) => g.ops.reduce((s, o) => s + f(o), 0);
    expect(byPhase(fused, 'fwd')).toHaveLength(2);
    expect(fused.ops.find((o) => o.name === 'fc1')!.fused).toEqual(['fc1.bias_add', 'model.relu2'.replace('model', 'fc1')]);
    expect(sum(fused, (o) => o.flops)).toBe(sum(unfused, (o) => o.flops));
    expect(sum(fused, (o) => o.bytes)).toBeLessThan(sum(unfused, (o) => o.bytes));
    for (const op of fused.ops) for (const d of op.deps) expect(d).toBeLessThan(op.id);
  });

  it('has one optimizer update per parameter tensor, Adam moving master weights and two moments', () => {
    // per-tensor updates: without the multi-tensor fusion (kernel-fusion.test.ts checks the fused one)
    const g = buildTrainingStep(mlp(), { optimizer: 'adam', precision: 'bf16', fusion: false });
    const upd = byPhase(g, 'optimizer');
    expect(upd.map((o) => o.weights[0].name).sort()).toEqual(g.params.map((p) => p.name).sort());
    const w = upd.find((o) => o.weights[0].name === 'fc1.weight')!;
    // grad 2 B + master r/w 8 B + moments r/w 16 B + bf16 copy 2 B per parameter
    expect(w.bytes).toBe(784 * 256 * 28);
  });
});

describe('memory footprint', () => {
  it('follows the mixed-precision Adam accounting (2 + 2 + 12 bytes per parameter)', () => {
    const g = buildTrainingStep(mlp(), { precision: 'bf16', optimizer: 'adam' });
    const p = paramCount(g.params);
    const m = memoryFootprint(g);
    expect(m.weights).toBe(2 * p);
    expect(m.gradients).toBe(2 * p);
    expect(m.optimizer).toBe(12 * p);
    expect(m.peak).toBeGreaterThan(m.weights + m.gradients + m.optimizer + m.activations);
  });

  it('fp32 SGD keeps no optimizer state', () => {
    const m = memoryFootprint(buildTrainingStep(mlp(), { precision: 'fp32', optimizer: 'sgd' }));
    expect(m.optimizer).toBe(0);
  });

  it('stashes the input and the hidden activations, and recomputation stashes less', () => {
    const deep = (recompute: boolean) => {
      const b = new GraphBuilder('deep', 16, 'bf16');
      let x = b.input('x', [16, 512]);
      for (let i = 0; i < 8; i++) x = b.scope(`l${i}`, () => b.act('gelu', b.linear(x, 512, { name: `l${i}.fc` })));
      b.markOutput(x);
      return memoryFootprint(buildTrainingStep(b.build(), { recompute }));
    };
    const plain = deep(false);
    const rec = deep(true);
    expect(plain.activations).toBeGreaterThan(0);
    expect(rec.activations).toBeLessThan(plain.activations);
  });
});

describe('ReLU zeros (which convolutions a zero-gating PE can gate)', () => {
  const convs = (model: string) => {
    const g = buildTrainingStep(findModel(model).build({ batch: 2 }));
    return new Map(g.ops.filter((o) => o.kind === 'conv2d').map((o) => [o.name, o.attrs as Conv2dAttrs]));
  };

  it('AlexNet: conv1 reads the image, conv2–5 read ReLU outputs through pooling; every conv feeds a ReLU through its bias add', () => {
    const c = convs('alexnet');
    expect(c.get('conv1')!.inputZeros).toBeUndefined();
    for (const n of ['conv2', 'conv3', 'conv4', 'conv5']) expect(c.get(n)!.inputZeros).toBe(true);
    for (const n of ['conv2.dgrad', 'conv5.dgrad']) expect(c.get(n)!.gradZeros).toBe(true);
    // the passes that stream the marked tensor carry the flag into the op record
    expect(rsView(c.get('conv3.wgrad')!).zeros).toBe(true);
    expect(rsView(c.get('conv1')!).zeros).toBe(false);
    expect(rsView(c.get('conv2.dgrad')!).zeros).toBe(true);
    expect(c.has('conv1.dgrad')).toBe(false); // nothing to propagate into the image
  });

  it('ResNet-50: batch norm sits between conv and ReLU, so dY is dense; the inputs after a ReLU are zero-bearing', () => {
    const c = convs('resnet50');
    expect(c.get('conv1')!.inputZeros).toBeUndefined();
    expect(c.get('layer1.0.conv2')!.inputZeros).toBe(true);
    expect(c.get('layer1.0.conv2')!.gradZeros).toBeUndefined();
    expect(rsView(c.get('layer1.0.conv2.dgrad')!).zeros).toBe(false);
  });
});

describe('LAMB and Adafactor', () => {
  const step = (optimizer: 'sgd' | 'adam' | 'lamb' | 'adafactor') => {
    const b = new GraphBuilder('mlp', 4);
    const x = b.input('x', [4, 256]);
    b.markOutput(b.linear(x, 512, { name: 'fc' }));
    return buildTrainingStep(b.build(), { optimizer, fusion: false });
  };
  const opt = (g: TrainingGraph) => g.ops.find((o) => o.kind === 'optimizer' && o.weights[0].name === 'fc.weight')!;

  it('LAMB: Adam\'s moments, the trust-ratio norms (20 FLOPs a parameter) and a second fp32 pass of 12 bytes a parameter', () => {
    const n = 256 * 512;
    const adam = opt(step('adam'));
    const lamb = opt(step('lamb'));
    expect(lamb.flops).toBe(20 * n);
    expect(lamb.bytes - adam.bytes).toBe(12 * n);
    expect(memoryFootprint(step('lamb')).optimizer).toBe(memoryFootprint(step('adam')).optimizer);
  });

  it('Adafactor: no per-parameter state (factored second moment), one extra pass to clip the update', () => {
    const n = 256 * 512;
    expect(memoryFootprint(step('adafactor')).optimizer).toBe(memoryFootprint(step('sgd')).optimizer);
    expect(opt(step('adafactor')).flops).toBe(14 * n);
    expect(opt(step('adafactor')).bytes - opt(step('adam')).bytes).toBe(8 * n - 16 * n);
  });

  it('the CLI takes them and names what is allowed for anything else', async () => {
    const { spawnSync } = await import('node:child_process');
    const cli = new URL('../dist/cli.js', import.meta.url).pathname;
    const ok = spawnSync(process.execPath, [cli, 'graph', '--model', 'bert-base', '--batch', '2', '--seq', '32', '--optimizer', 'lamb', '--json'], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    const bad = spawnSync(process.execPath, [cli, 'graph', '--model', 'bert-base', '--optimizer', 'lion'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--optimizer must be one of sgd, momentum, adam, adamw, lamb, adafactor/);
  });
});

describe('gradient accumulation', () => {
  it('a step pays 1/n of the optimizer update and adds one fp32 accumulation per parameter; memory keeps the whole state', () => {
    const b = new GraphBuilder('mlp', 4);
    b.markOutput(b.linear(b.input('x', [4, 256]), 512, { name: 'fc' }));
    const fg = b.build();
    const one = buildTrainingStep(fg, { optimizer: 'lamb', fusion: false });
    const eight = buildTrainingStep(fg, { optimizer: 'lamb', gradAccumulationSteps: 8, fusion: false });
    const upd = (g: TrainingGraph) => g.ops.find((o) => o.kind === 'optimizer' && o.weights[0].name === 'fc.weight')!;
    expect(upd(eight).flops).toBeCloseTo(upd(one).flops / 8, 6);
    // the update reads the fp32 accumulator (4 B) instead of the bf16 gradient (2 B)
    expect(upd(eight).bytes).toBeCloseTo((upd(one).bytes + 2 * 256 * 512) / 8, 6);
    expect(upd(eight).kind === 'optimizer' && upd(eight).attrs.params).toBe(256 * 512);
    expect(eight.ops.map((o) => o.name).filter((n) => n.endsWith('grad_accumulate(fc.weight)'))).toHaveLength(1);
    expect(memoryFootprint(eight).optimizer).toBe(memoryFootprint(one).optimizer);
    expect(memoryFootprint(eight).gradients).toBe(memoryFootprint(one).gradients * 2); // fp32 accumulators instead of bf16 gradients
  });
});
