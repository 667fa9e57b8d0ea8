/**
 * The JSON graph format: a forward graph as a list of named operators. One zod schema validates
 * files and generates the published JSON Schema (`accelmine graph-schema`).
 *
 * Every op's output is named by its `name`; `input`/`inputs` refer to graph inputs or earlier op
 * names (any order in the file; cycles are reported). In input shapes, the strings "batch" and "seq"
 * stand for --batch and --seq.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import type { z } from 'zod';
import { describe, InputError } from '../errors.js';
import { parseJson, readTextFile } from '../json-file.js';
import { GraphBuilder, type Value } from './graph-builder.js';
import { FORWARD_ELEMENTWISE, type DType, type ElementwiseFn, type ForwardGraph } from './ir.js';

/**
 * The validator (zod), built when the first JSON graph is read or the schema is asked for, so that commands
 * that never read one do not load zod at start-up.
 */
function buildSchemas() {
  const { z } = createRequire(import.meta.url)('zod') as typeof Zod;
  const dim = z.number().int().positive().max(2 ** 31);
  // a union's own message: zod says only "Invalid input" when no branch comes close (2.5, "foo", [1])
  const pairOrNum = z.union([dim, z.tuple([dim, dim])], { error: (i) => `must be a positive integer up to 2^31 or a pair [a, b] of them, got ${describe(i.input)}` });
  const nonNeg = z.number().int().min(0).max(2 ** 31);
  const nonNegPair = z.union([nonNeg, z.tuple([nonNeg, nonNeg])], { error: (i) => `must be an integer from 0 to 2^31 or a pair [a, b] of them, got ${describe(i.input)}` });
  const shapeDim = z.union([dim, z.enum(['batch', 'seq'])], { error: (i) => `must be a positive integer up to 2^31, "batch" or "seq", got ${describe(i.input)}` });
  const name = z.string().min(1).max(200);
  const common = { name, layer: z.string().min(1).max(200).optional() };

  const opSchema = z.discriminatedUnion('op', [
    z.object({ ...common, op: z.literal('linear'), input: name, outFeatures: dim, bias: z.boolean().optional() }).strict(),
    z.object({ ...common, op: z.literal('matmul'), inputs: z.tuple([name, name]) }).strict(),
    z.object({
      ...common,
      op: z.literal('conv2d'),
      input: name,
      outChannels: dim,
      kernel: pairOrNum,
      stride: pairOrNum.optional(),
      padding: nonNegPair.optional(),
      dilation: pairOrNum.optional(),
      groups: dim.optional(),
      bias: z.boolean().optional(),
    }).strict(),
    z.object({ ...common, op: z.enum(FORWARD_ELEMENTWISE as [ElementwiseFn, ...ElementwiseFn[]]), inputs: z.array(name).min(1).max(8) }).strict(),
    z.object({ ...common, op: z.enum(['layernorm', 'batchnorm', 'rmsnorm']), input: name, affine: z.boolean().optional() }).strict(),
    z.object({ ...common, op: z.literal('softmax'), input: name }).strict(),
    z.object({
      ...common,
      op: z.enum(['maxpool', 'avgpool']),
      input: name,
      kernel: pairOrNum,
      stride: pairOrNum.optional(),
      padding: nonNegPair.optional(),
    }).strict(),
    z.object({ ...common, op: z.literal('globalavgpool'), input: name }).strict(),
    z.object({ ...common, op: z.literal('embedding'), input: name, vocab: dim, dim }).strict(),
    z.object({ ...common, op: z.literal('reshape'), input: name, shape: z.array(shapeDim).min(1).max(8) }).strict(),
    z.object({ ...common, op: z.literal('transpose'), input: name, perm: z.array(nonNeg).min(1).max(8) }).strict(),
    z.object({ ...common, op: z.literal('concat'), inputs: z.array(name).min(1), axis: z.number().int() }).strict(),
  ]);

  const jsonGraphSchema = z
    .object({
      name: name.describe('model name'),
      batch: dim.optional().describe('default batch size (overridden by --batch)'),
      seq: dim.optional().describe('default sequence length (overridden by --seq)'),
      inputs: z
        .array(
          z.object({
            name,
            shape: z.array(shapeDim).min(1).max(8),
            dtype: z.enum(['fp32', 'bf16', 'fp16', 'int32', 'int64']).optional(),
          }).strict(),
        )
        .min(1),
      ops: z.array(opSchema).min(1),
      outputs: z.array(name).optional().describe('op names whose outputs feed the loss (default: the last op)'),
    })
    .strict();
  return { z, jsonGraphSchema, opSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | null = null;
function getSchemas(): Schemas {
  schemas ??= buildSchemas();
  return schemas;
}

/** The zod validator of the JSON graph format (what `importJsonGraph` parses with). */
export function jsonGraphValidator(): Schemas['jsonGraphSchema'] {
  return getSchemas().jsonGraphSchema;
}

export type JsonGraph = z.infer<Schemas['jsonGraphSchema']>;
type JsonOp = z.infer<Schemas['opSchema']>;

/** The JSON Schema of the graph format, generated from the validator itself. */
export function graphJsonSchema(): object {
  const { z, jsonGraphSchema } = getSchemas();
  return z.toJSONSchema(jsonGraphSchema, { target: 'draft-2020-12' });
}

export interface JsonImportOptions {
  batch?: number;
  seq?: number;
  dtype?: DType;
  fileName?: string;
}

export function readJsonGraphFile(path: string, opts: JsonImportOptions = {}): ForwardGraph {
  return importJsonGraph(readTextFile(path), { ...opts, fileName: path });
}

export function importJsonGraph(text: string | unknown, opts: JsonImportOptions = {}): ForwardGraph {
  const file = opts.fileName ?? 'graph';
  const raw = typeof text === 'string' ? parseJson(text, file) : text;
  const parsed = getSchemas().jsonGraphSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new InputError(`${file}: ${path}: ${issue.message}`);
  }
  const g = parsed.data;
  const batch = opts.batch ?? g.batch ?? 1;
  const seq = opts.seq ?? g.seq;
  const resolveDim = (d: number | 'batch' | 'seq', where: string): number => {
    if (d === 'batch') return batch;
    if (d === 'seq') {
      if (seq === undefined) throw new InputError(`${file}: ${where} uses "seq" but no sequence length was given (set "seq" or pass --seq)`);
      return seq;
    }
    return d;
  };

  const order = topologicalOrder(g, file);
  const b = new GraphBuilder(g.name, batch, opts.dtype ?? 'bf16', seq);
  const values = new Map<string, Value>();
  g.inputs.forEach((inp, i) => {
    if (values.has(inp.name)) throw new InputError(`${file}: inputs.${i}.name: duplicate name "${inp.name}"`);
    const dtype = inp.dtype === 'int32' || inp.dtype === 'int64' ? inp.dtype : (opts.dtype ?? 'bf16');
    values.set(inp.name, b.input(inp.name, inp.shape.map((d, j) => resolveDim(d, `inputs.${i}.shape.${j}`)), dtype));
  });
  const get = (ref: string, idx: number): Value => {
    const v = values.get(ref);
    if (!v) throw new InputError(`${file}: ops.${idx} (${g.ops[idx].name}) reads "${ref}", which is neither an input nor an op`);
    return v;
  };
  for (const idx of order) {
    const op = g.ops[idx];
    const where = `${file}: ops.${idx} (${op.name})`;
    try {
      const out = b.scope(op.layer ?? op.name, () => buildOp(b, op, idx, get, resolveDim));
      values.set(op.name, out);
    } catch (e) {
      if (e instanceof InputError && !e.message.startsWith(file)) throw new InputError(`${where}: ${e.message}`);
      throw e;
    }
  }
  const marked = new Set<string>();
  for (const o of g.outputs ?? []) {
    const v = values.get(o);
    if (!v) throw new InputError(`${file}: outputs: "${o}" is not an op name`);
    if (marked.has(o)) throw new InputError(`${file}: outputs: "${o}" is listed twice; each op name at most once`);
    marked.add(o);
    b.markOutput(v);
  }
  return b.build();
}

function buildOp(
  b: GraphBuilder,
  op: JsonOp,
  idx: number,
  get: (ref: string, idx: number) => Value,
  resolveDim: (d: number | 'batch' | 'seq', where: string) => number,
): Value {
  switch (op.op) {
    case 'linear':
      return b.linear(get(op.input, idx), op.outFeatures, { bias: op.bias ?? true, name: op.name });
    case 'matmul':
      return b.matmul(get(op.inputs[0], idx), get(op.inputs[1], idx), { name: op.name });
    case 'conv2d':
      return b.conv2d(get(op.input, idx), {
        outChannels: op.outChannels, kernel: op.kernel, stride: op.stride, padding: op.padding, dilation: op.dilation,
        groups: op.groups, bias: op.bias, name: op.name,
      });
    case 'layernorm':
    case 'batchnorm':
    case 'rmsnorm':
      return b.norm(get(op.input, idx), op.op === 'layernorm' ? 'layer' : op.op === 'batchnorm' ? 'batch' : 'rms', { name: op.name, affine: op.affine });
    case 'softmax':
      return b.softmax(get(op.input, idx), op.name);
    case 'maxpool':
    case 'avgpool':
      return b.pool(get(op.input, idx), op.op === 'maxpool' ? 'max' : 'avg', { kernel: op.kernel, stride: op.stride, padding: op.padding, name: op.name });
    case 'globalavgpool':
      return b.globalAvgPool(get(op.input, idx), op.name);
    case 'embedding':
      return b.embedding(get(op.input, idx), op.vocab, op.dim, { name: op.name });
    case 'reshape':
      return b.reshape(get(op.input, idx), op.shape.map((d, j) => resolveDim(d, `ops.${idx}.shape.${j}`)), { name: op.name });
    case 'transpose':
      return b.transpose(get(op.input, idx), op.perm, { name: op.name });
    case 'concat':
      return b.concat(op.inputs.map((r) => get(r, idx)), op.axis, { name: op.name });
    default:
      return b.elementwise(op.op, op.inputs.map((r) => get(r, idx)), { name: op.name });
  }
}

function opReads(op: JsonOp): string[] {
  return 'inputs' in op ? [...op.inputs] : [op.input];
}

/** Op indices in dependency order; names one cycle if there is one. */
function topologicalOrder(g: JsonGraph, file: string): number[] {
  const byName = new Map<string, number>();
  g.ops.forEach((op, i) => {
    if (byName.has(op.name)) throw new InputError(`${file}: ops.${i}.name: duplicate op name "${op.name}"`);
    if (g.inputs.some((inp) => inp.name === op.name)) throw new InputError(`${file}: ops.${i}.name: "${op.name}" is also an input name`);
    byName.set(op.name, i);
  });
  const state = new Uint8Array(g.ops.length); // 0 new, 1 on stack, 2 done
  const order: number[] = [];
  for (let root = 0; root < g.ops.length; root++) {
    if (state[root] !== 0) continue;
    // iterative DFS keeping the path, so a cycle can be named
    const path: number[] = [root];
    const next: number[] = [0];
    state[root] = 1;
    while (path.length > 0) {
      const cur = path[path.length - 1];
      const reads = opReads(g.ops[cur]);
      if (next[next.length - 1] < reads.length) {
        const dep = byName.get(reads[next[next.length - 1]++]);
        if (dep === undefined) continue;
        if (state[dep] === 1) {
          const cycle = path.slice(path.indexOf(dep)).map((i) => g.ops[i].name);
          throw new InputError(`${file}: the graph has a cycle: ${[...cycle, g.ops[dep].name].join(' -> ')}`);
        }
        if (state[dep] === 0) {
          state[dep] = 1;
          path.push(dep);
          next.push(0);
        }
      } else {
        state[cur] = 2;
        order.push(cur);
        path.pop();
        next.pop();
      }
    }
  }
  return order;
}
