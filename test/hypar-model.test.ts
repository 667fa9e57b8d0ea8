import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hypar, interCost, intraCost, solveLevel, splitLayers, type HyparLayer } from '../src/distributed/hypar-model.js';
import { networkLayers, readNetworkFile, zooLayers } from '../src/distributed/hypar-input.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const file = fileURLToPath(new URL('../examples/hypar-two-layer-fc.json', import.meta.url));
// fc1: F(1) 4x8 (32), W 8x16 (128), F(2) 4x16 (64); fc2: F(2) 4x16 (64), W 16x2 (32), F(3) 4x2 (8)
const layers: HyparLayer[] = networkLayers(readNetworkFile(file));

describe('HyPar communication model (hand-computed two-layer network)', () => {
  it('intra-layer: I = A(dW), II = A(F(l+1)), III = A(E(l))', () => {
    expect([0, 1, 2].map((t) => intraCost(layers[0], t as 0 | 1 | 2))).toEqual([128, 64, 32]);
    expect([0, 1, 2].map((t) => intraCost(layers[1], t as 0 | 1 | 2))).toEqual([32, 8, 64]);
  });
  it('inter-layer on fc2 inputs (A(F) = A(E) = 64)', () => {
    const m = [0, 1, 2].map((a) => [0, 1, 2].map((b) => interCost(layers[1], a as 0 | 1 | 2, b as 0 | 1 | 2)));
    expect(m).toEqual([[0, 32, 32], [32, 32, 0], [32, 0, 32]]);
  });
  it('one level, types I/II: c0 = [128, 64]; c1[I] = 32 + min(128, 64+32) = 128; c1[II] = 8 + min(128+32, 64+32) = 104', () => {
    expect(solveLevel(layers, [0, 1])).toEqual({ types: [1, 1], cost: 104 });
  });
  it('one level, types I/II/III: c1[II] = 8 + (32 + 0) from III = 40', () => {
    expect(solveLevel(layers, [0, 1, 2])).toEqual({ types: [2, 1], cost: 40 });
  });
  it('two levels: halve by type, level 2 picks [I, I] at 80; total = 104 + 2 x 80 = 264; baselines 480 / 280 / 280', () => {
    const half = splitLayers(layers, [1, 1]);
    expect(half[0].fin).toEqual({ rows: 4, cols: 4, spatial: 1 });
    expect(half[0].w).toEqual({ rows: 4, cols: 16, spatial: 1 });
    expect(half[1].fin.cols).toBe(8);
    const r = hypar(layers, 2, 2);
    expect(r.levels.map((l) => [l.types, l.cost])).toEqual([[[1, 1], 104], [[0, 0], 80]]);
    expect(r.totalCost).toBe(264);
    expect(r.dataParallel.levels.map((l) => l.cost)).toEqual([160, 160]);
    expect(r.dataParallel.totalCost).toBe(480);
    expect(r.modelParallel.levels.map((l) => l.cost)).toEqual([104, 88]);
    expect(r.modelParallel.totalCost).toBe(280);
    expect(r.trick.totalCost).toBe(280);
  });
  it('type III never costs more than types I/II alone at the top level', () => {
    const vgg = zooLayers('vgg16', 32);
    expect(solveLevel(vgg, [0, 1, 2]).cost).toBeLessThanOrEqual(solveLevel(vgg, [0, 1]).cost);
    const r = hypar(vgg, 4, 2);
    expect(r.totalCost).toBeLessThanOrEqual(Math.min(r.dataParallel.totalCost, r.modelParallel.totalCost, r.trick.totalCost));
  });
});

describe('accelmine hypar', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [CLI, 'hypar', ...args], { encoding: 'utf8' });
  it('prints levels (types 0/1/2 per layer, cost), totals and the three baselines as JSON', () => {
    const p = run(['--model', 'vgg16', '--levels', '4', '--json']);
    expect(p.status, p.stderr).toBe(0);
    const r = JSON.parse(p.stdout);
    expect(r.levels).toHaveLength(4);
    expect(r.levels[0].types).toHaveLength(16);
    for (const b of ['dataParallel', 'modelParallel', 'trick']) expect(r[b].levels).toHaveLength(4);
    // data parallel moves the gradients (138,344,128 weights of VGG-16's 16 layers, biases excluded) at every level
    expect(r.dataParallel.levels[0].cost).toBe(138344128);
    expect(r.totalCost).toBeCloseTo(r.levels.reduce((s: number, l: { cost: number }, i: number) => s + 2 ** i * l.cost, 0), 6);
  });
  it('reads a network file; --types 3 uses type III', () => {
    const p = run(['--network', file, '--levels', '1', '--types', '3', '--json']);
    expect(p.status, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).levels[0]).toEqual({ types: [2, 1], cost: 40 });
  });
  it('costs a heterogeneous array in time and beats the even split', () => {
    const p = run(['--model', 'alexnet', '--levels', '1', '--hetero', fileURLToPath(new URL('../examples/hetero-a100-v100.json', import.meta.url)), '--json']);
    expect(p.status, p.stderr).toBe(0);
    const h = JSON.parse(p.stdout).hetero;
    expect(h.layers).toHaveLength(8);
    expect(h.totalS).toBeGreaterThan(0);
    expect(h.totalS).toBeLessThanOrEqual(h.evenSplitS);
    // the faster A100 takes more than half of the work somewhere
    expect(Math.max(...h.layers.map((l: { ratioA: number }) => l.ratioA))).toBeGreaterThan(0.5);
  });
  it('--hetero: a link slower than 0.001 GB/s or faster than 1e7 is refused (1e-320 gave "internal error: Cannot read properties of undefined")', () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmine-hetero-'));
    try {
      for (const linkGBs of [1e-320, 1e300]) {
        const f = join(dir, 'link.json');
        writeFileSync(f, JSON.stringify({ kinds: [{ name: 'a', preset: 'a100' }, { name: 'b', preset: 'a100' }], linkGBs }));
        const p = run(['--model', 'alexnet', '--hetero', f]);
        expect(p.status, p.stderr).toBe(2);
        expect(p.stderr).toBe(`accelmine: ${f}: linkGBs must be a number from 0.001 to 10000000 (GB/s), got ${linkGBs}\n`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it.each([
    [['--model', 'vgg61'], /unknown model "vgg61"; did you mean "vgg16"\?/],
    [['--model', 'vgg16', '--levels', '0'], /--levels must be an integer from 1 to 16/],
    [['--model', 'vgg16', '--types', '4'], /--types must be one of 2, 3/],
    [['--network', fileURLToPath(new URL('../examples/mlp.json', import.meta.url))], /layers|batch|name/],
  ])('rejects %j with one line', (args, re) => {
    const p = run(args);
    expect(p.status).toBe(2);
    expect(p.stderr.trim().split('\n')).toHaveLength(1);
    expect(p.stderr).toMatch(re);
  });
});
