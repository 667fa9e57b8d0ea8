import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { opMacs, paramCount } from '../src/workload/ir.js';
import { graphJsonSchema, importJsonGraph, readJsonGraphFile } from '../src/workload/json-graph.js';

const example = (f: string) => new URL(`../examples/${f}`, import.meta.url).pathname;
const mlpText = readFileSync(example('mlp.json'), 'utf8');

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('JSON graph import', () => {
  it('reads the MLP example with its parameters and MACs', () => {
    const g = readJsonGraphFile(example('mlp.json'), { batch: 64 });
    expect(paramCount(g.params)).toBe(784 * 256 + 256 + 256 * 10 + 10);
    expect(g.ops.reduce((s, o) => s + opMacs(o), 0)).toBe(64 * (784 * 256 + 256 * 10));
    expect(g.batch).toBe(64);
  });

  it('resolves "seq" in shapes and builds the attention example', () => {
    const g = readJsonGraphFile(example('attention.json'), { seq: 64 });
    const scores = g.ops.find((o) => o.name === 'scores')!;
    expect(scores.kind === 'gemm' && scores.attrs).toEqual({ b: 4, m: 64, n: 64, k: 256 });
  });

  it('accepts ops in any order', () => {
    const doc = JSON.parse(mlpText);
    doc.ops.reverse();
    expect(paramCount(importJsonGraph(doc).params)).toBe(784 * 256 + 256 + 256 * 10 + 10);
  });

  it('rejects an output listed twice (a million duplicates ran out of heap)', () => {
    const doc = JSON.parse(mlpText);
    const last = doc.ops.at(-1).name;
    doc.outputs = Array.from({ length: 1_000_000 }, () => last);
    expect(errorOf(() => importJsonGraph(doc, { fileName: 'g.json' }))).toBe(`g.json: outputs: "${last}" is listed twice; each op name at most once`);
    doc.outputs = [last];
    expect(paramCount(importJsonGraph(doc).params)).toBe(784 * 256 + 256 + 256 * 10 + 10);
  });

  it('names one cycle', () => {
    const doc = JSON.parse(mlpText);
    doc.ops[0].input = 'fc2';
    expect(errorOf(() => importJsonGraph(doc, { fileName: 'g.json' }))).toMatch(/g\.json: the graph has a cycle: .*fc1.*fc2|cycle: .*fc2.*fc1/);
  });

  it('names the field of a schema violation', () => {
    const doc = JSON.parse(mlpText);
    doc.ops[0].outFeatures = 0;
    expect(errorOf(() => importJsonGraph(doc, { fileName: 'g.json' }))).toMatch(/^g\.json: ops\.0\.outFeatures: /);
    doc.ops[0].outFeatures = 2.5;
    expect(errorOf(() => importJsonGraph(doc, { fileName: 'g.json' }))).toMatch(/ops\.0\.outFeatures/);
    doc.ops[0].outFeatures = 1e12;
    expect(errorOf(() => importJsonGraph(doc, { fileName: 'g.json' }))).toMatch(/ops\.0\.outFeatures/);
  });

  it('rejects unknown ops, references and malformed JSON with one line', () => {
    const doc = JSON.parse(mlpText);
    doc.ops[1].op = 'frobnicate';
    expect(errorOf(() => importJsonGraph(doc))).toMatch(/ops\.1\.op/);
    const doc2 = JSON.parse(mlpText);
    doc2.ops[1].inputs = ['nowhere'];
    expect(errorOf(() => importJsonGraph(doc2))).toMatch(/reads "nowhere"/);
    const msg = errorOf(() => importJsonGraph('{"name": "x", ', { fileName: 'bad.json' }));
    expect(msg).toMatch(/^bad\.json: not valid JSON/);
    expect(msg.includes('\n')).toBe(false);
  });

  it('says what a shape entry, a kernel or a padding may be (zod said only "Invalid input")', () => {
    const doc = JSON.parse(mlpText);
    doc.inputs[0].shape = ['batch', 'foo'];
    expect(errorOf(() => importJsonGraph(doc, { fileName: 'g.json' }))).toBe('g.json: inputs.0.shape.1: must be a positive integer up to 2^31, "batch" or "seq", got "foo"');
    doc.inputs[0].shape = ['batch', 78.4];
    expect(errorOf(() => importJsonGraph(doc, { fileName: 'g.json' }))).toBe('g.json: inputs.0.shape.1: must be a positive integer up to 2^31, "batch" or "seq", got 78.4');
    const conv = (fields: object) => ({
      name: 'c', inputs: [{ name: 'x', shape: ['batch', 3, 8, 8] }], ops: [{ name: 'conv', op: 'conv2d', input: 'x', outChannels: 4, kernel: 3, ...fields }],
    });
    expect(errorOf(() => importJsonGraph(conv({ kernel: [3] }), { fileName: 'g.json' }))).toBe('g.json: ops.0.kernel: must be a positive integer up to 2^31 or a pair [a, b] of them, got [3]');
    expect(errorOf(() => importJsonGraph(conv({ padding: 0.5 }), { fileName: 'g.json' }))).toBe('g.json: ops.0.padding: must be an integer from 0 to 2^31 or a pair [a, b] of them, got 0.5');
  });

  it('rejects a shape mismatch naming the op', () => {
    const doc = {
      name: 'bad', inputs: [{ name: 'a', shape: [2, 3, 4] }, { name: 'b', shape: [2, 5, 6] }],
      ops: [{ name: 'mm', op: 'matmul', inputs: ['a', 'b'] }],
    };
    expect(errorOf(() => importJsonGraph(doc))).toMatch(/mm.*inner dimensions differ/);
  });

  it('publishes a JSON Schema generated from the validator', () => {
    const schema = graphJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'inputs', 'ops', 'outputs']));
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'inputs', 'ops']));
  });

  it('never throws anything but InputError on random or mutated input (fuzz)', () => {
    const valid = JSON.parse(mlpText);
    const mutate = fc.tuple(fc.nat(), fc.anything()).map(([i, v]) => {
      const doc = structuredClone(valid);
      const paths: [object, string][] = [];
      const walk = (o: unknown) => {
        if (o && typeof o === 'object') for (const k of Object.keys(o)) { paths.push([o, k]); walk((o as Record<string, unknown>)[k]); }
      };
      walk(doc);
      const [obj, key] = paths[i % paths.length];
      (obj as Record<string, unknown>)[key] = v;
      return doc;
    });
    const truncated = fc.nat(mlpText.length).map((n) => mlpText.slice(0, n));
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string(), mutate, truncated), (input) => {
        try {
          importJsonGraph(input as unknown);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          expect(e.message.includes('\n')).toBe(false);
        }
      }),
      { numRuns: 400, seed: 42 },
    );
  });
});
