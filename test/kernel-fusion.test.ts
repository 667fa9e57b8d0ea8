import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { presetDesign, presetInfo } from '../src/arch/presets.js';
import { evaluateDesign, prepareWorkload } from '../src/evaluate.js';
import { DTYPE_BYTES, numel, type Op, type TensorRef, type TrainingGraph } from '../src/workload/ir.js';
import { buildTrainingStep } from '../src/workload/training.js';
import { fuseEpilogues } from '../src/workload/fusion.js';
import { ZOO } from '../src/workload/zoo/index.js';

const zoo = (name: string) => ZOO.find((z) => z.name === name)!;
const bytesOf = (t: TensorRef) => numel(t.shape) * DTYPE_BYTES[t.dtype];
const sum = (g: TrainingGraph, f: (o: Op) => number) => g.ops.reduce((s, o) => s + f(o), 0);

function steps(name: string) {
  const fg = zoo(name).build({ batch: 2, seq: 64, dtype: 'bf16', layers: 2 });
  const none = buildTrainingStep(fg, { optimizer: 'lamb', fusion: false });
  return { none, epilogues: { ...none, ops: fuseEpilogues(none.ops) }, fused: buildTrainingStep(fg, { optimizer: 'lamb' }) };
}

describe('fused residual + norm', () => {
  it('BERT (post-norm): both sublayer norms of a layer take their residual add over; the sum is written once and read back by no one', () => {
    const { epilogues, fused } = steps('bert-base');
    const layer = (g: TrainingGraph) => g.ops.filter((o) => o.layer === 'layers.1' && o.phase === 'fwd');
    const adds = layer(epilogues).filter((o) => /\.residual$/.test(o.name));
    expect(adds.map((o) => o.name)).toEqual(['layers.1.attn.residual', 'layers.1.mlp.residual']);
    for (const add of adds) {
      const normName = add.name.replace(/residual$/, 'norm');
      const before = layer(epilogues).find((o) => o.name === normName)!;
      const after = layer(fused).find((o) => o.name === normName)!;
      expect(after.fused).toEqual([add.name]);
      expect(after.inputs.map((t) => t.name)).toEqual(add.inputs.map((t) => t.name));
      // the backward pass reads the sum (the norm's saved input), so the fused kernel still writes it
      expect(after.outputs.map((t) => t.name)).toEqual([add.outputs[0].name, ...before.outputs.map((t) => t.name)]);
      // bytes: the two kernels' less the norm reading the sum back
      expect(after.bytes).toBe(add.bytes + before.bytes - bytesOf(add.outputs[0]));
      expect(after.flops).toBe(add.flops + before.flops);
    }
    expect(layer(fused).some((o) => /\.residual$/.test(o.name))).toBe(false);
  });

  it('GPT-2 (pre-norm): only the add and norm inside one layer fuse; the residual stream keeps the sum', () => {
    const { epilogues, fused } = steps('gpt2');
    const f = fused.ops.find((o) => o.name === 'layers.1.mlp.norm')!;
    expect(f.fused).toEqual(['layers.1.attn.residual']);
    // the next residual add reads the sum too
    expect(f.outputs[0].name).toMatch(/^layers\.1\.attn\.residual:out/);
    // the attention norm reads the previous layer's sum: different layers, not fused
    expect(fused.ops.find((o) => o.name === 'layers.1.attn.norm')!.fused).toBeUndefined();
    expect(fused.ops.map((o) => o.name)).toContain('layers.0.mlp.residual');
    expect(sum(fused, (o) => o.flops)).toBe(sum(epilogues, (o) => o.flops));
    for (const op of fused.ops) for (const d of op.deps) expect(d).toBeLessThan(op.id);
  });
});

describe('multi-tensor optimizer updates', () => {
  it('one update per layer carrying all its tensors: the same parameters, bytes and FLOPs as per-tensor updates', () => {
    const { epilogues, fused } = steps('bert-base');
    const upd = (g: TrainingGraph) => g.ops.filter((o) => o.kind === 'optimizer');
    const layers = new Set(upd(epilogues).map((o) => o.layer));
    expect(upd(fused).map((o) => o.layer).sort()).toEqual([...layers].sort());
    expect(upd(epilogues).length).toBeGreaterThan(3 * layers.size);
    const params = (ops: Op[]) => ops.reduce((s, o) => s + (o.kind === 'optimizer' ? o.attrs.params : 0), 0);
    expect(params(upd(fused))).toBe(params(upd(epilogues)));
    expect(sum({ ...fused, ops: upd(fused) }, (o) => o.bytes)).toBeCloseTo(sum({ ...epilogues, ops: upd(epilogues) }, (o) => o.bytes), 3);
    expect(sum({ ...fused, ops: upd(fused) }, (o) => o.flops)).toBeCloseTo(sum({ ...epilogues, ops: upd(epilogues) }, (o) => o.flops), 3);
    const written = upd(fused).flatMap((o) => o.weights.map((w) => w.name)).sort();
    expect(written).toEqual(upd(epilogues).map((o) => o.weights[0].name).sort());
    // each update waits for all of its layer's gradients
    const l1 = upd(fused).find((o) => o.layer === 'layers.1')!;
    const grads = upd(epilogues).filter((o) => o.layer === 'layers.1').flatMap((o) => o.inputs.map((t) => t.name));
    expect(l1.inputs.map((t) => t.name).sort()).toEqual([...new Set(grads)].sort());
  });

  it('single-stream: fewer kernels, fewer launch gaps, a shorter step on a GPU', () => {
    const fg = zoo('bert-base').build({ batch: 8, seq: 128, dtype: 'bf16' });
    const run = (fusion: boolean) => {
      const tg = buildTrainingStep(fg, { optimizer: 'lamb', fusion });
      const ev = evaluateDesign(presetDesign('v100'), prepareWorkload(tg), undefined, { execution: 'single-stream', launchOverheadS: presetInfo('v100').launchOverheadS });
      return { ops: tg.ops.length, stepS: ev.stepTimeS };
    };
    const off = run(false);
    const on = run(true);
    expect(on.ops).toBeLessThan(off.ops);
    expect(on.stepS).toBeLessThan(off.stepS);
  });
});

describe('the CLI', () => {
  it('graph --no-fusion keeps the per-tensor updates and the separate residual adds', () => {
    const cli = new URL('../dist/cli.js', import.meta.url).pathname;
    const count = (extra: string[]) => {
      const r = spawnSync(process.execPath, [cli, 'graph', '--model', 'bert-base', '--batch', '2', '--seq', '32', '--json', ...extra], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const on = count([]);
    const off = count(['--no-fusion']);
    // 12 layers + embeddings + heads: one update each; unfused, one per parameter tensor (16 a layer)
    expect(on.ops.optimizer).toBe(14);
    expect(off.ops.optimizer).toBeGreaterThan(12 * 16);
    expect(on.ops.fwd).toBeLessThan(off.ops.fwd);
    expect(on.flops.total).toBe(off.flops.total);
  });
});
