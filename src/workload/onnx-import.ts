/**
 * ONNX import: a ModelProto (bytes) → a forward graph, through GraphBuilder.
 *
 * - Weights are never read: initializers contribute only their dims (external-data initializers work
 *   without their files). The one exception is small integer tensors (Reshape targets, axes, indices),
 *   whose values are read from raw_data/int64_data/int32_data, and Constant nodes.
 * - Shapes come from the graph inputs (symbolic dims: the first axis is --batch, dims named like
 *   seq/sequence/length are --seq) and are inferred op by op; value_info is only a fallback.
 * - Tensors that do not depend on a graph input (initializers, constants, shape arithmetic) cost
 *   nothing: they are folded or carried as dims. A float initializer with more than one element that
 *   feeds compute is a parameter (weight); scalar initializers (a divisor, an exponent) and
 *   BatchNormalization running statistics are not.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createRequire } from 'node:module';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { InputError } from '../errors.js';
import { GraphBuilder, type Value } from './graph-builder.js';
import { numel, type DType, type ElementwiseFn, type ForwardGraph, type TensorRef } from './ir.js';

/** onnx-proto (protobufjs) is loaded when the first ONNX file is read, not when the CLI starts. */
let onnxLib: typeof OnnxTypes | null = null;
function onnxProto(): typeof OnnxTypes {
  onnxLib ??= (createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxTypes }).onnx;
  return onnxLib;
}

type NodeProto = OnnxTypes.INodeProto;
type AttributeProto = OnnxTypes.IAttributeProto;
type TensorProto = OnnxTypes.ITensorProto;
type ValueInfoProto = OnnxTypes.IValueInfoProto;

export interface OnnxImportOptions {
  /** names the model in error messages (default "model.onnx") */
  fileName?: string;
  batch?: number;
  seq?: number;
  dtype?: DType;
  /** what to do with an operator we do not model (default: error) */
  unsupported?: 'error' | 'as-elementwise';
}

const UNARY: Record<string, ElementwiseFn> = {
  Relu: 'relu',
  LeakyRelu: 'relu',
  Clip: 'relu6',
  Gelu: 'gelu',
  Erf: 'gelu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Sqrt: 'sqrt',
  Exp: 'exp',
  Neg: 'scale',
  Reciprocal: 'div',
  Dropout: 'dropout',
};
const BINARY: Record<string, ElementwiseFn> = { Add: 'add', Sub: 'sub', Mul: 'mul', Div: 'div', Pow: 'pow' };
const REDUCE = ['ReduceMean', 'ReduceSum', 'ReduceMax'];
const OTHER = [
  'MatMul', 'Gemm', 'Conv', 'Softmax', 'LogSoftmax', 'LayerNormalization', 'RMSNormalization', 'BatchNormalization',
  'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Flatten', 'Reshape', 'Transpose', 'Concat',
  'Gather', 'Slice', 'Split', 'Identity', 'Cast', 'Unsqueeze', 'Squeeze', 'Shape', 'Constant',
];

/** ONNX operator types (default domain) the importer models. */
export const SUPPORTED_ONNX_OPS: readonly string[] = [...OTHER, ...Object.keys(UNARY), ...Object.keys(BINARY), ...REDUCE].sort();
const SUPPORTED_SET = new Set(SUPPORTED_ONNX_OPS);

// ONNX TensorProto.DataType codes
const FLOAT_TYPES = new Set([1, 10, 11, 16]);
const INT_TYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]);
/** integer constants longer than this are carried as dims only */
const MAX_CONST_VALUES = 4096;

/** Something a node input names: an activation (depends on a graph input) or a tensor (does not). */
type Entry =
  | { k: 'act'; v: Value }
  | {
      k: 'tensor';
      name: string;
      dims: number[];
      /** ONNX element type */
      type: number;
      /** values, for small integer/float constants (never for weights) */
      vals?: number[];
      /** the float initializer this tensor is (a view of): a parameter when it feeds compute */
      param?: { name: string; dims: number[] };
    };
type TensorEntry = Extract<Entry, { k: 'tensor' }>;

/** Reads `path` and imports it; a missing or unreadable file is an InputError naming it. */
export function readOnnxFile(path: string, opts: OnnxImportOptions = {}): ForwardGraph {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read the ONNX file (${code === 'ENOENT' ? 'no such file' : code ?? 'read error'})`);
  }
  return importOnnx(bytes, { ...opts, fileName: opts.fileName ?? path });
}

/** Imports an ONNX ModelProto. Every problem, including malformed bytes, is an InputError. */
export function importOnnx(bytes: Uint8Array, opts: OnnxImportOptions = {}): ForwardGraph {
  const file = opts.fileName ?? 'model.onnx';
  if (!(bytes instanceof Uint8Array)) throw new InputError(`${file}: not a valid ONNX model (expected bytes)`);
  let model: OnnxTypes.ModelProto;
  try {
    model = onnxProto().ModelProto.decode(bytes);
  } catch (e) {
    throw new InputError(`${file}: not a valid ONNX model (${reason(e)})`);
  }
  try {
    return new Importer(model, file, opts).run();
  } catch (e) {
    if (e instanceof InputError) {
      // names inside the model may hold control characters: keep the message on one line
      const m = oneLine(e.message);
      throw new InputError(m.startsWith(file) ? m : `${file}: ${m}`);
    }
    // a structure the decoder accepted but that makes no sense as a model
    throw new InputError(`${file}: not a valid ONNX model (${reason(e)})`);
  }
}

function oneLine(m: string): string {
  return m.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

function reason(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return oneLine(m).slice(0, 200);
}

/** int64 fields decode as Long objects (or numbers); NaN for anything else. */
function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && typeof (v as { toNumber?: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return NaN;
}

function prod(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

/** numpy broadcasting of two shapes; undefined when they do not broadcast. */
function broadcast(a: readonly number[], b: readonly number[]): number[] | undefined {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

const ONNX_DTYPE: Record<number, DType> = { 6: 'int32', 7: 'int64', 9: 'bool', 3: 'int8', 2: 'int8' };

class Importer {
  private readonly env = new Map<string, Entry>();
  private readonly valueInfo = new Map<string, ValueInfoProto>();
  /** symbolic dim name → its value, learned from the graph inputs */
  private readonly dimParams = new Map<string, number>();
  /** outputs of nodes we do not model (Dropout's mask, MaxPool's indices, ...) → the node */
  private readonly unmodelled = new Map<string, string>();
  private opset = 13;
  private b!: GraphBuilder;
  private readonly dtype: DType;

  constructor(
    private readonly model: OnnxTypes.ModelProto,
    private readonly file: string,
    private readonly opts: OnnxImportOptions,
  ) {
    this.dtype = opts.dtype ?? 'bf16';
  }

  private fail(msg: string): never {
    throw new InputError(`${this.file}: ${msg}`);
  }

  run(): ForwardGraph {
    const g = this.model.graph;
    if (!g) this.fail('not a valid ONNX model (it has no graph)');
    for (const os of this.model.opsetImport ?? []) {
      if (!os.domain || os.domain === 'ai.onnx') {
        const v = toNum(os.version);
        if (Number.isInteger(v) && v > 0) this.opset = v;
      }
    }
    for (const t of g.initializer ?? []) this.addInitializer(t, 'initializer');
    for (const sp of g.sparseInitializer ?? []) {
      if (sp.values) this.addInitializer({ ...sp.values, dims: sp.dims ?? [] }, 'sparse initializer');
    }
    for (const vi of [...(g.valueInfo ?? []), ...(g.output ?? [])]) if (vi.name) this.valueInfo.set(vi.name, vi);

    // graph inputs that are not initializers are the data
    const data = (g.input ?? []).filter((vi) => !this.env.has(vi.name ?? ''));
    const raw = data.map((vi, i) => this.inputDims(vi, i));
    const batch = this.pickBatch(data, raw);
    const name = g.name || basename(this.file).replace(/\.onnx$/i, '') || 'onnx-model';
    this.b = new GraphBuilder(name, batch, this.dtype, this.opts.seq);
    data.forEach((vi, i) => {
      const inName = vi.name!;
      const dims = raw[i].map((d, j) => this.resolveInputDim(inName, d, j, batch));
      const elem = vi.type?.tensorType?.elemType ?? 1;
      const dtype = FLOAT_TYPES.has(elem) ? this.dtype : (ONNX_DTYPE[elem] ?? 'int64');
      this.env.set(inName, { k: 'act', v: this.b.input(inName, dims.length === 0 ? [1] : dims, dtype) });
    });

    const nodes = g.node ?? [];
    nodes.forEach((node, i) => this.node(node, i));

    for (const o of g.output ?? []) {
      const e = this.env.get(o.name ?? '');
      if (e?.k === 'act') this.b.markOutput(e.v);
    }
    try {
      return this.b.build();
    } catch (e) {
      if (e instanceof InputError) this.fail(`${e.message} (no operator depends on a graph input)`);
      throw e;
    }
  }

  // ---------------------------------------------------------------- tensors and shapes

  private addInitializer(t: TensorProto, what: string): void {
    const name = t.name ?? '';
    if (!name) this.fail(`not a valid ONNX model (an ${what} has no name)`);
    const dims = (t.dims ?? []).map(toNum);
    dims.forEach((d, i) => {
      if (!Number.isInteger(d) || d < 0 || d > 2 ** 31) this.fail(`${what} '${name}': dimension ${i} is ${d}; dimensions must be non-negative integers`);
    });
    const type = t.dataType ?? 0;
    const entry: TensorEntry = { k: 'tensor', name, dims, type };
    if (FLOAT_TYPES.has(type)) entry.param = { name, dims };
    else if (INT_TYPES.has(type)) entry.vals = readInts(t, dims);
    this.env.set(name, entry);
  }

  /** Raw dims of a graph input: numbers, symbolic names, or null (unknown). */
  private inputDims(vi: ValueInfoProto, i: number): (number | string | null)[] {
    const name = vi.name ?? '';
    if (!name) this.fail(`not a valid ONNX model (graph input ${i} has no name)`);
    const tt = vi.type?.tensorType;
    if (!tt) this.fail(`graph input '${name}' is not a tensor; only tensor inputs are supported`);
    if (!tt.shape) this.fail(`graph input '${name}' has no shape; export the model with input shapes`);
    return (tt.shape.dim ?? []).map((d) => {
      if (d.dimParam) return d.dimParam;
      if (d.dimValue !== undefined && d.dimValue !== null) {
        const v = toNum(d.dimValue);
        return Number.isFinite(v) && v > 0 ? v : null;
      }
      return null;
    });
  }

  private pickBatch(data: ValueInfoProto[], raw: (number | string | null)[][]): number {
    const firsts = raw.filter((r) => r.length > 0).map((r) => r[0]);
    const anySymbolic = firsts.some((d) => typeof d !== 'number');
    const staticFirst = firsts.find((d): d is number => typeof d === 'number');
    if (this.opts.batch !== undefined) {
      if (!anySymbolic && staticFirst !== undefined && staticFirst !== this.opts.batch) {
        const i = raw.findIndex((r) => r[0] === staticFirst);
        this.fail(`graph input '${data[i].name}' has a fixed batch dimension ${staticFirst}; --batch ${this.opts.batch} cannot change it (export the model with a dynamic first axis)`);
      }
      return this.opts.batch;
    }
    return anySymbolic ? 1 : (staticFirst ?? 1);
  }

  private resolveInputDim(input: string, d: number | string | null, axis: number, batch: number): number {
    if (typeof d === 'number') {
      if (!Number.isInteger(d) || d > 2 ** 31) this.fail(`graph input '${input}': dimension ${axis} is ${d}; dimensions must be positive integers`);
      return d;
    }
    const label = d === null ? 'unknown' : `symbolic ('${d}')`;
    if (axis === 0) {
      if (d) this.dimParams.set(d, batch);
      return batch;
    }
    if (d !== null && /seq|len/i.test(d)) {
      if (this.opts.seq === undefined) this.fail(`graph input '${input}': dimension ${axis} is ${label}; pass --seq to set the sequence length`);
      this.dimParams.set(d, this.opts.seq);
      return this.opts.seq;
    }
    if (d !== null && this.dimParams.has(d)) return this.dimParams.get(d)!;
    return this.fail(`graph input '${input}': dimension ${axis} is ${label}; only the first axis (--batch) and dims named like seq/sequence/length (--seq) may be symbolic`);
  }

  /** The shape value_info gives `name`, when every dim is known. */
  private infoShape(name: string): number[] | undefined {
    const shape = this.valueInfo.get(name)?.type?.tensorType?.shape;
    if (!shape) return undefined;
    const out: number[] = [];
    for (const d of shape.dim ?? []) {
      if (d.dimParam) {
        const v = this.dimParams.get(d.dimParam) ?? (out.length === 0 ? this.b.batch : /seq|len/i.test(d.dimParam) ? this.opts.seq : undefined);
        if (v === undefined) return undefined;
        out.push(v);
      } else {
        const v = toNum(d.dimValue);
        if (!Number.isInteger(v) || v <= 0) return undefined;
        out.push(v);
      }
    }
    return out;
  }

  private dimsOf(e: Entry): number[] {
    return e.k === 'act' ? e.v.ref.shape : e.dims;
  }

  /** Registers a float initializer as a parameter (once; tied uses share it). */
  private weight(t: TensorEntry): TensorRef {
    const p = t.param!;
    return this.b.param(p.name, p.dims.length === 0 ? [1] : p.dims);
  }

  /** The activation for `e`; a tensor feeding compute becomes a constant operand (a parameter if it is a weight). */
  private act(e: Entry): Value {
    if (e.k === 'act') return e.v;
    if (e.param && numel(e.param.dims) > 1) this.weight(e);
    const dtype = FLOAT_TYPES.has(e.type) ? this.dtype : (ONNX_DTYPE[e.type] ?? 'int64');
    return { ref: { name: e.name, shape: e.dims.length === 0 ? [1] : [...e.dims], dtype }, producer: -1 };
  }

  // ---------------------------------------------------------------- nodes

  private node(node: NodeProto, index: number): void {
    const opType = node.opType ?? '';
    const nodeName = node.name || `${opType || 'node'}_${index}`;
    const where = `node '${nodeName}' (${opType})`;
    const domain = node.domain ?? '';
    const known = (domain === '' || domain === 'ai.onnx') && SUPPORTED_SET.has(opType);
    if (!known && this.opts.unsupported !== 'as-elementwise') {
      const opName = domain && domain !== 'ai.onnx' ? `${domain}.${opType}` : opType;
      this.fail(
        `node '${nodeName}' uses unsupported operator '${opName}'; supported: ${SUPPORTED_ONNX_OPS.join(', ')}. ` +
          'Pass --unsupported as-elementwise to treat it as elementwise',
      );
    }
    const ins = (node.input ?? []).map((n) => {
      if (!n) return undefined;
      const e = this.env.get(n);
      if (e) return e;
      const from = this.unmodelled.get(n);
      if (from) this.fail(`${where} reads '${n}', an extra output of node '${from}' that is not modelled (only its first output is)`);
      return this.fail(`${where} reads '${n}', which is not a graph input, an initializer or the output of an earlier node`);
    });
    // positional outputs; '' marks an optional output that is not produced
    const outs = node.output ?? [];
    if (!outs.some((o) => o)) return; // nothing reads it
    const layer = layerOf(node.name ?? '');
    let results: Entry[];
    try {
      results = this.b.scope(layer, () => (known ? this.mapOp(node, opType, nodeName, ins, outs) : this.asElementwise(nodeName, opType, ins, outs)));
    } catch (e) {
      if (e instanceof InputError && !e.message.startsWith(this.file)) {
        // GraphBuilder names the op (= the node) first
        const m = e.message.startsWith(`${nodeName}: `) ? e.message.slice(nodeName.length + 2) : e.message;
        this.fail(`${where}: ${m}`);
      }
      throw e;
    }
    outs.forEach((o, i) => {
      if (!o) return;
      if (i < results.length) this.env.set(o, results[i]);
      else this.unmodelled.set(o, nodeName);
    });
  }

  private asElementwise(name: string, opType: string, ins: (Entry | undefined)[], outs: string[]): Entry[] {
    const given = ins.filter((e): e is Entry => e !== undefined);
    const acts = given.filter((e) => e.k === 'act').map((e) => this.act(e));
    if (acts.length === 0 && given.length > 0) acts.push(this.act(given[0]));
    return outs.map((o, i) => {
      if (!o) return this.tensorLike('', [1], 1);
      const shape = this.infoShape(o) ?? (given.length > 0 ? nonEmpty(this.dimsOf(given[0])) : undefined);
      if (!shape) this.fail(`node '${name}' (${opType}): cannot tell the shape of output '${o}' (no inputs and no value_info)`);
      if (acts.length === 0) return this.tensorLike(o, shape, 1);
      return { k: 'act', v: this.b.elementwise('copy', acts, { name: outs.length > 1 ? `${name}.${i}` : name, shape }) } as Entry;
    });
  }

  private tensorLike(name: string, dims: number[], type: number, extra: Partial<TensorEntry> = {}): TensorEntry {
    return { k: 'tensor', name, dims, type, ...extra };
  }

  private mapOp(node: NodeProto, op: string, name: string, ins: (Entry | undefined)[], outs: string[]): Entry[] {
    const a = new Attrs(node, name, op, this.file);
    const need = (i: number, what: string): Entry => {
      const e = ins[i];
      if (!e) this.fail(`node '${name}' (${op}) needs input ${i} (${what})`);
      return e;
    };
    const x0 = (): Entry => need(0, 'X');
    const actOut = (v: Value): Entry[] => [{ k: 'act', v }];
    const b = this.b;

    if (op in UNARY) {
      const x = x0();
      if (x.k === 'tensor') return [{ ...x, name: outs[0], vals: op === 'Neg' && x.vals ? x.vals.map((v) => -v) : undefined }];
      return actOut(b.act(UNARY[op], x.v, name));
    }
    if (op in BINARY) return this.binary(name, op, BINARY[op], need(0, 'A'), need(1, 'B'), outs[0]);
    if (REDUCE.includes(op)) return this.reduce(name, a, x0(), ins[1], outs[0]);

    switch (op) {
      case 'Identity':
        return [x0()];
      case 'Cast': {
        const x = x0();
        const to = a.int('to', 1);
        if (x.k === 'tensor') return [{ ...x, type: to, vals: x.vals && INT_TYPES.has(to) ? x.vals.map(Math.trunc) : x.vals }];
        return actOut(b.act('cast', x.v, name));
      }
      case 'Constant':
        return [this.constant(node, name, outs[0])];
      case 'Shape': {
        const dims = this.dimsOf(x0());
        const r = dims.length;
        const clamp = (v: number): number => Math.min(r, Math.max(0, v < 0 ? v + r : v));
        const vals = dims.slice(clamp(a.int('start', 0)), clamp(a.int('end', r)));
        return [this.tensorLike(outs[0], [vals.length], 7, { vals })];
      }
      case 'MatMul':
        return actOut(this.matmul(name, need(0, 'A'), need(1, 'B')));
      case 'Gemm':
        return actOut(this.gemm(name, a, need(0, 'A'), need(1, 'B'), ins[2]));
      case 'Conv':
        return actOut(this.conv(name, a, need(0, 'X'), need(1, 'W'), ins[2]));
      case 'Softmax':
      case 'LogSoftmax': {
        const x = x0();
        if (x.k === 'tensor') return [{ ...x, name: outs[0], vals: undefined }];
        return actOut(b.softmax(x.v, name));
      }
      case 'LayerNormalization':
      case 'RMSNormalization':
      case 'BatchNormalization': {
        const x = x0();
        if (x.k === 'tensor') return [{ ...x, name: outs[0], vals: undefined }];
        // scale and shift are parameters; BatchNormalization's running mean/variance are statistics, not weights
        const affine = ins.slice(1, op === 'RMSNormalization' ? 2 : 3).filter((e): e is TensorEntry => e?.k === 'tensor' && e.param !== undefined);
        const kind = op === 'LayerNormalization' ? 'layer' : op === 'RMSNormalization' ? 'rms' : 'batch';
        if (kind === 'batch' && x.v.ref.shape.length < 2) this.fail(`node '${name}' (${op}): input must have a channel axis, got shape [${x.v.ref.shape}]`);
        return actOut(b.norm(x.v, kind, { name, weights: affine.map((t) => this.weight(t)) }));
      }
      case 'MaxPool':
      case 'AveragePool':
        return actOut(this.pool(name, op, a, x0()));
      case 'GlobalAveragePool':
      case 'GlobalMaxPool': {
        const x = this.act(x0());
        const s = x.ref.shape;
        if (s.length !== 4) this.fail(`node '${name}' (${op}): expects an NCHW input, got shape [${s}]`);
        return actOut(b.pool(x, op === 'GlobalMaxPool' ? 'max' : 'avg', { kernel: [s[2], s[3]], stride: [s[2], s[3]], name }));
      }
      case 'Flatten': {
        const x = x0();
        const s = this.dimsOf(x);
        let axis = a.int('axis', 1);
        if (axis < 0) axis += s.length;
        if (axis < 0 || axis > s.length) this.fail(`node '${name}' (Flatten): axis ${a.int('axis', 1)} out of range for rank ${s.length}`);
        return [this.view(x, [prod(s.slice(0, axis)), prod(s.slice(axis))], name, outs[0], true)];
      }
      case 'Reshape':
        return [this.reshapeOp(name, a, x0(), need(1, 'shape'), outs[0])];
      case 'Unsqueeze':
      case 'Squeeze':
        return [this.squeeze(name, op, a, x0(), ins[1], outs[0])];
      case 'Transpose': {
        const x = x0();
        const s = this.dimsOf(x);
        const perm = a.ints('perm') ?? s.map((_, i) => s.length - 1 - i);
        if (perm.length !== s.length || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) {
          this.fail(`node '${name}' (Transpose): perm [${perm}] does not fit shape [${s}]`);
        }
        if (x.k === 'tensor') {
          return [{ ...x, name: outs[0], dims: perm.map((p) => s[p]), vals: s.length <= 1 ? x.vals : undefined }];
        }
        return actOut(b.transpose(x.v, perm, { name }));
      }
      case 'Concat':
        return [this.concat(name, a, ins.filter((e): e is Entry => e !== undefined), outs[0])];
      case 'Gather':
        return [this.gather(name, a, need(0, 'data'), need(1, 'indices'), outs[0])];
      case 'Slice':
        return [this.slice(name, a, x0(), ins, outs[0])];
      case 'Split':
        return this.split(name, a, x0(), ins[1], outs);
    }
    return this.fail(`node '${name}': operator '${op}' has no mapping`);
  }

  /** A reshape-like op: free on activations, a relabelling of dims on tensors. */
  private view(x: Entry, shape: number[], name: string, out: string, keepVals: boolean): Entry {
    if (x.k === 'tensor') {
      if (prod(shape) !== prod(x.dims)) this.fail(`node '${name}': cannot reshape [${x.dims}] to [${shape}]`);
      return { ...x, name: out, dims: shape, vals: keepVals ? x.vals : undefined };
    }
    return { k: 'act', v: this.b.reshape(x.v, shape.length === 0 ? [1] : shape, { name }) };
  }

  private binary(name: string, op: string, fn: ElementwiseFn, A: Entry, B: Entry, out: string): Entry[] {
    const sa = this.dimsOf(A);
    const sb = this.dimsOf(B);
    const shape = broadcast(sa, sb);
    if (!shape) this.fail(`node '${name}' (${op}): shapes [${sa}] and [${sb}] do not broadcast`);
    if (A.k === 'tensor' && B.k === 'tensor') {
      let vals: number[] | undefined;
      if (A.vals && B.vals && (A.vals.length === B.vals.length || A.vals.length === 1 || B.vals.length === 1)) {
        const n = Math.max(A.vals.length, B.vals.length);
        vals = [];
        for (let i = 0; i < n; i++) vals.push(foldBinary(op, A.vals[A.vals.length === 1 ? 0 : i], B.vals[B.vals.length === 1 ? 0 : i]));
        if (vals.some((v) => !Number.isFinite(v)) || vals.length !== prod(shape)) vals = undefined;
      }
      // a weight transformed by constants (e.g. scaled) is still that weight
      const src = [A, B].find((t) => t.param && numel(t.dims) > 1);
      return [this.tensorLike(out, shape, A.type, { vals, param: src?.param })];
    }
    const acts: Value[] = [];
    const weights: TensorRef[] = [];
    for (const e of [A, B]) {
      if (e.k === 'act') acts.push(e.v);
      else if (e.param && numel(e.dims) > 1) weights.push(this.weight(e));
      // scalar initializers and constants are immediates, not parameters
    }
    return [{ k: 'act', v: this.b.elementwise(fn, acts, { name, weights, shape: shape.length === 0 ? [1] : shape }) }];
  }

  private reduce(name: string, a: Attrs, x: Entry, axesIn: Entry | undefined, out: string): Entry[] {
    const s = this.dimsOf(x);
    let axes = a.ints('axes');
    if (!axes && axesIn) axes = this.constInts(name, axesIn, 'axes');
    const keep = a.int('keepdims', 1) !== 0;
    if (!axes || axes.length === 0) {
      axes = a.int('noop_with_empty_axes', 0) !== 0 ? [] : s.map((_, i) => i);
    }
    const norm = new Set(axes.map((ax) => this.axis(name, ax, s.length)));
    const shape: number[] = [];
    s.forEach((d, i) => {
      if (!norm.has(i)) shape.push(d);
      else if (keep) shape.push(1);
    });
    if (x.k === 'tensor') return [this.tensorLike(out, shape, x.type)];
    return [{ k: 'act', v: this.b.elementwise('add', [x.v], { name, shape: shape.length === 0 ? [1] : shape }) }];
  }

  private axis(name: string, ax: number, rank: number): number {
    const r = ax < 0 ? ax + rank : ax;
    if (!Number.isInteger(r) || r < 0 || r >= rank) this.fail(`node '${name}': axis ${ax} out of range for rank ${rank}`);
    return r;
  }

  /** Integer values of a constant input (a Reshape target, axes, indices). */
  private constInts(name: string, e: Entry, what: string): number[] {
    if (e.k === 'tensor' && e.vals) return e.vals;
    if (e.k === 'tensor' && e.param === undefined && numel(e.dims) === 0) return [];
    const why = e.k === 'act' ? 'it is computed from the graph inputs' : 'its values are not stored in the model';
    return this.fail(`node '${name}': the ${what} input must be a constant (${why})`);
  }

  private matmul(name: string, A: Entry, B: Entry): Value {
    const b = this.b;
    const sa = this.dimsOf(A);
    const sb = this.dimsOf(B);
    // activation · weight → a linear layer with that weight
    if (B.k === 'tensor' && B.param && A.k === 'act' && sb.length === 2) {
      if (sa[sa.length - 1] !== sb[0]) this.fail(`node '${name}' (MatMul): inner dimensions differ: [${sa}] · [${sb}]`);
      return b.linear(A.v, sb[1], { name, bias: false, weight: this.weight(B) });
    }
    // weight · activation: Y = W·X = (Xᵀ·Wᵀ)ᵀ, the transposes being views
    if (A.k === 'tensor' && A.param && B.k === 'act' && sa.length === 2) {
      if (sa[1] !== sb[sb.length > 1 ? sb.length - 2 : 0]) this.fail(`node '${name}' (MatMul): inner dimensions differ: [${sa}] · [${sb}]`);
      const w = this.weight(A);
      if (sb.length === 1) return b.linear(B.v, sa[0], { name, bias: false, weight: w });
      const perm = swapLast(sb.length);
      const xt = b.transpose(B.v, perm, { name: `${name}.rhs_t`, copies: false });
      const y = b.linear(xt, sa[0], { name, bias: false, weight: w });
      return b.transpose(y, perm, { name: `${name}.out_t`, copies: false });
    }
    let x = this.act(A);
    let y = this.act(B);
    const oneA = x.ref.shape.length === 1;
    const oneB = y.ref.shape.length === 1;
    if (oneA) x = b.reshape(x, [1, x.ref.shape[0]], { name: `${name}.lhs_2d` });
    if (oneB) y = b.reshape(y, [y.ref.shape[0], 1], { name: `${name}.rhs_2d` });
    const z = b.matmul(x, y, { name });
    if (!oneA && !oneB) return z;
    const zs = z.ref.shape;
    const shape = [...zs.slice(0, -2), ...(oneA ? [] : [zs[zs.length - 2]]), ...(oneB ? [] : [zs[zs.length - 1]])];
    return b.reshape(z, shape.length === 0 ? [1] : shape, { name: `${name}.squeeze` });
  }

  private gemm(name: string, a: Attrs, A: Entry, B: Entry, C: Entry | undefined): Value {
    const b = this.b;
    const transA = a.int('transA', 0) !== 0;
    const transB = a.int('transB', 0) !== 0;
    const sa = this.dimsOf(A);
    const sb = this.dimsOf(B);
    if (sa.length !== 2 || sb.length !== 2) this.fail(`node '${name}' (Gemm): operands must be 2-D, got [${sa}] and [${sb}]`);
    let x = this.act(A);
    if (transA) x = b.transpose(x, [1, 0], { name: `${name}.a_t`, copies: false });
    const k = x.ref.shape[1];
    let y: Value;
    if (B.k === 'tensor' && B.param) {
      const [kb, n] = transB ? [sb[1], sb[0]] : [sb[0], sb[1]];
      if (kb !== k) this.fail(`node '${name}' (Gemm): inner dimensions differ: A has ${k} columns, B has ${kb} rows`);
      y = b.linear(x, n, { name, bias: false, weight: this.weight(B) });
    } else {
      let w = this.act(B);
      if (transB) w = b.transpose(w, [1, 0], { name: `${name}.b_t`, copies: false });
      y = b.matmul(x, w, { name });
    }
    if (C) y = this.addOperand(`${name}.bias_add`, y, C, true);
    return y;
  }

  /** y + c where c is a bias (a parameter when it is a float initializer), a constant or an activation. */
  private addOperand(name: string, y: Value, c: Entry, biasIsWeight: boolean): Value {
    const shape = broadcast(y.ref.shape, this.dimsOf(c));
    if (!shape) this.fail(`node '${name}': bias shape [${this.dimsOf(c)}] does not broadcast to [${y.ref.shape}]`);
    if (c.k === 'act') return this.b.elementwise('add', [y, c.v], { name, shape });
    const weights = c.param && (biasIsWeight || numel(c.dims) > 1) ? [this.weight(c)] : [];
    return this.b.elementwise('add', [y], { name, weights, shape });
  }

  private conv(name: string, a: Attrs, X: Entry, W: Entry, B: Entry | undefined): Value {
    const b = this.b;
    let x = this.act(X);
    const s = x.ref.shape;
    const ws = this.dimsOf(W);
    if (W.k !== 'tensor' || !W.param) this.fail(`node '${name}' (Conv): the weight must be an initializer`);
    const spatial = ws.length - 2;
    if (spatial !== 1 && spatial !== 2) this.fail(`node '${name}' (Conv): only 1-D and 2-D convolutions are supported, got a weight of shape [${ws}]`);
    if (s.length !== spatial + 2) this.fail(`node '${name}' (Conv): input shape [${s}] does not fit a weight of shape [${ws}]`);
    const one = spatial === 1;
    const fill = (v: number[] | undefined, n: number, d: number): number[] => {
      if (!v) return new Array<number>(n).fill(d);
      if (v.length !== n) this.fail(`node '${name}' (Conv): expected ${n} values, got [${v}]`);
      return v;
    };
    const kernel = fill(a.ints('kernel_shape'), spatial, 0).map((k, i) => (k === 0 ? ws[2 + i] : k));
    const strides = fill(a.ints('strides'), spatial, 1);
    const dil = fill(a.ints('dilations'), spatial, 1);
    const pads = fill(a.ints('pads'), 2 * spatial, 0);
    const groups = a.int('group', 1);
    const outC = ws[0];
    if (!Number.isInteger(groups) || groups < 1 || ws[1] * groups !== s[1]) {
      this.fail(`node '${name}' (Conv): weight [${ws}] with group ${groups} does not fit ${s[1]} input channels`);
    }
    const inSp = s.slice(2);
    const padding = inSp.map((len, i) =>
      this.symmetricPad(name, a, len, kernel[i], strides[i], dil[i], pads[i], pads[i + spatial], false),
    );
    if (one) x = b.reshape(x, [s[0], s[1], 1, s[2]], { name: `${name}.as_2d` });
    const pair = (v: number[], d: number): [number, number] => (one ? [d, v[0]] : [v[0], v[1]]);
    let y = b.conv2d(x, {
      outChannels: outC,
      kernel: pair(kernel, 1),
      stride: pair(strides, 1),
      padding: pair(padding, 0),
      dilation: pair(dil, 1),
      groups,
      bias: false,
      name,
      weight: this.weight(W),
    });
    if (B) {
      // a per-channel bias [outC]
      if (numel(this.dimsOf(B)) !== outC) this.fail(`node '${name}' (Conv): bias shape [${this.dimsOf(B)}] does not match ${outC} output channels`);
      const biasName = `${name}.bias_add`;
      y = B.k === 'act'
        ? b.elementwise('add', [y, B.v], { name: biasName, shape: y.ref.shape })
        : b.elementwise('add', [y], { name: biasName, weights: B.param ? [this.weight(B)] : [] });
    }
    if (one) {
      const ys = y.ref.shape;
      y = b.reshape(y, [ys[0], ys[1], ys[3]], { name: `${name}.as_1d` });
    }
    return y;
  }

  /**
   * GraphBuilder pads symmetrically. Picks the symmetric padding that gives the output length ONNX
   * would (asymmetric pads, auto_pad SAME_*, ceil_mode); if none does, the nearest one.
   */
  private symmetricPad(name: string, a: Attrs, len: number, k: number, s: number, d: number, before: number, after: number, ceil: boolean): number {
    for (const [f, v] of [['kernel', k], ['stride', s], ['dilation', d]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 2 ** 31) this.fail(`node '${name}': ${f} must be a positive integer, got ${v}`);
    }
    for (const v of [before, after]) {
      if (!Number.isInteger(v) || v < 0 || v > 2 ** 31) this.fail(`node '${name}': pads must be non-negative integers, got ${v}`);
    }
    const autoPad = a.str('auto_pad', 'NOTSET');
    const eff = d * (k - 1) + 1;
    let total = before + after;
    let expected: number;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      expected = Math.ceil(len / s);
      total = Math.max(0, (expected - 1) * s + eff - len);
    } else {
      if (autoPad === 'VALID') total = 0;
      expected = (ceil ? Math.ceil((len + total - eff) / s) : Math.floor((len + total - eff) / s)) + 1;
    }
    const outLen = (p: number): number => Math.floor((len + 2 * p - eff) / s) + 1;
    const lo = Math.floor(total / 2);
    for (let p = lo; p <= lo + Math.min(s, 8); p++) if (outLen(p) === expected) return p;
    return Math.ceil(total / 2);
  }

  private pool(name: string, op: string, a: Attrs, X: Entry): Value {
    const x = this.act(X);
    const s = x.ref.shape;
    if (s.length !== 4) this.fail(`node '${name}' (${op}): only 2-D pooling on NCHW input is supported, got shape [${s}]`);
    const kernel = a.ints('kernel_shape');
    if (!kernel || kernel.length !== 2) this.fail(`node '${name}' (${op}): kernel_shape must have 2 values`);
    const strides = a.ints('strides') ?? [1, 1];
    const pads = a.ints('pads') ?? [0, 0, 0, 0];
    const dil = a.ints('dilations') ?? [1, 1];
    if (strides.length !== 2 || pads.length !== 4 || dil.length !== 2) this.fail(`node '${name}' (${op}): strides, dilations and pads must have 2, 2 and 4 values`);
    const ceil = a.int('ceil_mode', 0) !== 0;
    // dilated windows are costed as their covered extent
    const k = kernel.map((kk, i) => dil[i] * (kk - 1) + 1);
    const padding = [0, 1].map((i) => this.symmetricPad(name, a, s[2 + i], kernel[i], strides[i], dil[i], pads[i], pads[i + 2], ceil));
    return this.b.pool(x, op === 'MaxPool' ? 'max' : 'avg', {
      kernel: [k[0], k[1]],
      stride: [strides[0], strides[1]],
      padding: [padding[0], padding[1]],
      name,
    });
  }

  private reshapeOp(name: string, a: Attrs, x: Entry, shapeIn: Entry, out: string): Entry {
    const s = this.dimsOf(x);
    let target: number[];
    if (shapeIn.k === 'tensor' && shapeIn.vals) {
      const allowZero = a.int('allowzero', 0) !== 0;
      target = shapeIn.vals.map((v, i) => (v === 0 && !allowZero ? s[i] : v));
      const minus = target.filter((v) => v === -1).length;
      if (minus > 1 || target.some((v) => v === undefined || !Number.isInteger(v) || v < -1)) {
        this.fail(`node '${name}' (Reshape): invalid target shape [${shapeIn.vals}] for input [${s}]`);
      }
      if (minus === 1) {
        const known = prod(target.filter((v) => v !== -1));
        const total = prod(s);
        if (known === 0 || total % known !== 0) this.fail(`node '${name}' (Reshape): cannot reshape [${s}] to [${shapeIn.vals}]`);
        target = target.map((v) => (v === -1 ? total / known : v));
      }
    } else {
      // a target computed at run time: value_info may still say what it is
      const info = this.infoShape(out);
      if (!info) {
        const why = shapeIn.k === 'act' ? 'it is computed from the graph inputs' : 'its values are not stored in the model';
        this.fail(`node '${name}' (Reshape): the target shape must be a constant or the output must have value_info (${why})`);
      }
      target = info;
    }
    if (prod(target) !== prod(s)) this.fail(`node '${name}' (Reshape): cannot reshape [${s}] (${prod(s)} elements) to [${target}]`);
    return this.view(x, target, name, out, true);
  }

  private squeeze(name: string, op: string, a: Attrs, x: Entry, axesIn: Entry | undefined, out: string): Entry {
    const s = this.dimsOf(x);
    const axes = a.ints('axes') ?? (axesIn ? this.constInts(name, axesIn, 'axes') : undefined);
    let shape: number[];
    if (op === 'Unsqueeze') {
      if (!axes) this.fail(`node '${name}' (Unsqueeze): axes are missing`);
      const r = s.length + axes.length;
      const at = new Set(axes.map((ax) => this.axis(name, ax, r)));
      if (at.size !== axes.length) this.fail(`node '${name}' (Unsqueeze): repeated axes [${axes}]`);
      shape = [];
      let j = 0;
      for (let i = 0; i < r; i++) shape.push(at.has(i) ? 1 : s[j++]);
    } else {
      const at = axes && axes.length > 0 ? new Set(axes.map((ax) => this.axis(name, ax, s.length))) : undefined;
      shape = s.filter((d, i) => (at ? !at.has(i) : d !== 1));
      if (at && [...at].some((i) => s[i] !== 1)) this.fail(`node '${name}' (Squeeze): axes [${axes}] of shape [${s}] are not all 1`);
    }
    return this.view(x, shape, name, out, true);
  }

  private concat(name: string, a: Attrs, xs: Entry[], out: string): Entry {
    if (xs.length === 0) this.fail(`node '${name}' (Concat): needs at least one input`);
    const rank = this.dimsOf(xs[0]).length;
    const axis = this.axis(name, a.int('axis', 0), Math.max(rank, 1));
    const shape = [...this.dimsOf(xs[0])];
    if (shape.length === 0) shape.push(1);
    shape[axis] = 0;
    for (const e of xs) {
      const d = this.dimsOf(e);
      if (d.length !== rank || d.some((v, i) => i !== axis && v !== shape[i])) {
        this.fail(`node '${name}' (Concat): input shapes [${this.dimsOf(xs[0])}] and [${d}] differ off axis ${axis}`);
      }
      shape[axis] += d[axis] ?? 1;
    }
    if (xs.every((e) => e.k === 'tensor')) {
      const ts = xs as TensorEntry[];
      const vals = rank <= 1 && ts.every((t) => t.vals) ? ts.flatMap((t) => t.vals!) : undefined;
      return this.tensorLike(out, shape, ts[0].type, { vals: vals && vals.length <= MAX_CONST_VALUES ? vals : undefined });
    }
    const parts = xs.filter((e) => numel(this.dimsOf(e)) > 0).map((e) => this.act(e));
    return { k: 'act', v: this.b.concat(parts, axis, { name }) };
  }

  private gather(name: string, a: Attrs, data: Entry, idx: Entry, out: string): Entry {
    const ds = this.dimsOf(data);
    const is = this.dimsOf(idx);
    const axis = this.axis(name, a.int('axis', 0), Math.max(ds.length, 1));
    const shape = [...ds.slice(0, axis), ...is, ...ds.slice(axis + 1)];
    if (data.k === 'tensor' && idx.k === 'tensor') {
      let vals: number[] | undefined;
      if (data.vals && idx.vals && ds.length === 1) {
        vals = idx.vals.map((i) => data.vals![i < 0 ? i + ds[0] : i]);
        if (vals.some((v) => v === undefined)) this.fail(`node '${name}' (Gather): index out of range`);
      }
      return this.tensorLike(out, shape, data.type, { vals });
    }
    // a lookup in a weight table → an embedding
    if (data.k === 'tensor' && data.param && axis === 0 && ds.length >= 2) {
      const dim = prod(ds.slice(1));
      const y = this.b.embedding(this.act(idx), ds[0], dim, { name, table: this.weight(data) });
      return ds.length === 2 ? { k: 'act', v: y } : { k: 'act', v: this.b.reshape(y, shape, { name: `${name}.unflatten` }) };
    }
    // picking rows of an activation: a copy
    const x = this.act(data);
    return { k: 'act', v: this.b.elementwise('copy', [x], { name, shape: shape.length === 0 ? [1] : shape }) };
  }

  private slice(name: string, a: Attrs, x: Entry, ins: (Entry | undefined)[], out: string): Entry {
    const s = this.dimsOf(x);
    const fromAttr = this.opset < 10 || a.ints('starts') !== undefined;
    const starts = fromAttr ? a.ints('starts') : ins[1] && this.constInts(name, ins[1], 'starts');
    const ends = fromAttr ? a.ints('ends') : ins[2] && this.constInts(name, ins[2], 'ends');
    const axesV = fromAttr ? a.ints('axes') : ins[3] && this.constInts(name, ins[3], 'axes');
    const steps = fromAttr ? undefined : ins[4] && this.constInts(name, ins[4], 'steps');
    if (!starts || !ends || starts.length !== ends.length) this.fail(`node '${name}' (Slice): starts and ends must be given with equal lengths`);
    const axes = (axesV ?? starts.map((_, i) => i)).map((ax) => this.axis(name, ax, s.length));
    const shape = [...s];
    const ranges: [number, number, number][] = s.map((d) => [0, d, 1]);
    axes.forEach((ax, i) => {
      const d = s[ax];
      const step = steps?.[i] ?? 1;
      if (!Number.isInteger(step) || step === 0) this.fail(`node '${name}' (Slice): steps must be non-zero integers`);
      const clampS = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v < 0 ? v + d : v));
      let n: number;
      let st: number;
      if (step > 0) {
        st = clampS(starts[i], 0, d);
        const en = clampS(ends[i], 0, d);
        n = Math.max(0, Math.ceil((en - st) / step));
      } else {
        st = clampS(starts[i], -1, d - 1);
        const en = clampS(ends[i], -1, d - 1);
        n = Math.max(0, Math.ceil((st - en) / -step));
      }
      shape[ax] = n;
      ranges[ax] = [st, n, step];
    });
    if (x.k === 'tensor') {
      const vals = x.vals && s.length === 1 ? Array.from({ length: shape[0] }, (_, i) => x.vals![ranges[0][0] + i * ranges[0][2]]) : undefined;
      return this.tensorLike(out, shape, x.type, { vals, param: x.param });
    }
    if (shape.some((d) => d === 0)) this.fail(`node '${name}' (Slice): the slice of [${s}] is empty`);
    if (prod(shape) === prod(s)) return this.view(x, shape, name, out, false);
    return { k: 'act', v: this.b.elementwise('copy', [x.v], { name, shape }) };
  }

  private split(name: string, a: Attrs, x: Entry, splitIn: Entry | undefined, outs: string[]): Entry[] {
    const s = this.dimsOf(x);
    const axis = this.axis(name, a.int('axis', 0), s.length);
    let parts = a.ints('split') ?? (splitIn ? this.constInts(name, splitIn, 'split') : undefined);
    if (!parts || parts.length === 0) {
      const n = outs.length;
      const chunk = Math.ceil(s[axis] / n);
      parts = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, s[axis] - i * chunk)));
    }
    if (parts.length !== outs.length || parts.some((p) => !Number.isInteger(p) || p < 1) || parts.reduce((p, q) => p + q, 0) !== s[axis]) {
      this.fail(`node '${name}' (Split): parts [${parts}] do not split axis ${axis} of [${s}] into ${outs.length} outputs`);
    }
    return parts.map((p, i) => {
      const shape = s.map((d, j) => (j === axis ? p : d));
      if (x.k === 'tensor') return this.tensorLike(outs[i], shape, x.type, { param: x.param });
      if (parts!.length === 1) return this.view(x, shape, name, outs[i], false);
      return { k: 'act', v: this.b.elementwise('copy', [x.v], { name: `${name}.${i}`, shape }) } as Entry;
    });
  }

  private constant(node: NodeProto, name: string, out: string): Entry {
    for (const at of node.attribute ?? []) {
      switch (at.name) {
        case 'value': {
          const t = at.t;
          if (!t) break;
          const dims = (t.dims ?? []).map(toNum);
          if (dims.some((d) => !Number.isInteger(d) || d < 0 || d > 2 ** 31)) this.fail(`node '${name}' (Constant): invalid dims [${dims}]`);
          const type = t.dataType ?? 0;
          const vals = INT_TYPES.has(type) ? readInts(t, dims) : FLOAT_TYPES.has(type) ? readFloats(t, dims) : undefined;
          return this.tensorLike(out, dims, type, { vals });
        }
        case 'value_int':
          return this.tensorLike(out, [], 7, { vals: [toNum(at.i)] });
        case 'value_ints': {
          const vals = (at.ints ?? []).map(toNum);
          return this.tensorLike(out, [vals.length], 7, { vals });
        }
        case 'value_float':
          return this.tensorLike(out, [], 1, { vals: [at.f ?? 0] });
        case 'value_floats': {
          const vals = [...(at.floats ?? [])];
          return this.tensorLike(out, [vals.length], 1, { vals });
        }
        case 'sparse_value': {
          const dims = (at.sparseTensor?.dims ?? []).map(toNum);
          if (dims.some((d) => !Number.isInteger(d) || d < 0 || d > 2 ** 31)) this.fail(`node '${name}' (Constant): invalid dims [${dims}]`);
          return this.tensorLike(out, dims, at.sparseTensor?.values?.dataType ?? 1);
        }
        case 'value_string':
          return this.tensorLike(out, [], 8);
        case 'value_strings':
          return this.tensorLike(out, [(at.strings ?? []).length], 8);
      }
    }
    return this.fail(`node '${name}' (Constant): has no value attribute`);
  }
}

/** Attribute access with one-line errors. */
class Attrs {
  private readonly byName = new Map<string, AttributeProto>();
  constructor(
    proto: NodeProto,
    private readonly node: string,
    private readonly op: string,
    private readonly file: string,
  ) {
    for (const at of proto.attribute ?? []) if (at.name) this.byName.set(at.name, at);
  }

  private bad(attr: string, what: string): never {
    throw new InputError(`${this.file}: node '${this.node}' (${this.op}): attribute ${attr} ${what}`);
  }

  int(name: string, dflt: number): number {
    const at = this.byName.get(name);
    if (!at) return dflt;
    const v = toNum(at.i);
    if (!Number.isSafeInteger(v)) this.bad(name, `must be an integer, got ${v}`);
    return v;
  }

  ints(name: string): number[] | undefined {
    const at = this.byName.get(name);
    if (!at) return undefined;
    const vs = (at.ints ?? []).map(toNum);
    if (vs.some((v) => !Number.isSafeInteger(v))) this.bad(name, 'must be a list of integers');
    return vs;
  }

  str(name: string, dflt: string): string {
    const at = this.byName.get(name);
    if (!at || !at.s) return dflt;
    return new TextDecoder().decode(at.s);
  }
}

function foldBinary(op: string, x: number, y: number): number {
  switch (op) {
    case 'Add':
      return x + y;
    case 'Sub':
      return x - y;
    case 'Mul':
      return x * y;
    case 'Div':
      return y === 0 ? NaN : x / y;
    default:
      return x ** y;
  }
}

function swapLast(rank: number): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  [p[rank - 2], p[rank - 1]] = [p[rank - 1], p[rank - 2]];
  return p;
}

function nonEmpty(s: number[]): number[] {
  return s.length === 0 ? [1] : [...s];
}

/** Values of a small integer tensor (shape constants); undefined when large or stored elsewhere. */
function readInts(t: TensorProto, dims: number[]): number[] | undefined {
  const n = prod(dims);
  if (n > MAX_CONST_VALUES || t.dataLocation === 1) return undefined;
  const type = t.dataType ?? 0;
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const width = type === 7 || type === 13 ? 8 : type === 6 || type === 12 ? 4 : type === 4 || type === 5 ? 2 : 1;
    if (raw.length !== n * width) return undefined;
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const o = i * width;
      out.push(
        type === 7 ? Number(dv.getBigInt64(o, true))
        : type === 13 ? Number(dv.getBigUint64(o, true))
        : type === 6 ? dv.getInt32(o, true)
        : type === 12 ? dv.getUint32(o, true)
        : type === 5 ? dv.getInt16(o, true)
        : type === 4 ? dv.getUint16(o, true)
        : type === 3 ? dv.getInt8(o)
        : dv.getUint8(o),
      );
    }
    return out;
  }
  const src = type === 7 ? t.int64Data : type === 13 ? t.uint64Data : t.int32Data;
  const vals = (src ?? []).map(toNum);
  if (vals.length !== n || vals.some((v) => !Number.isFinite(v))) return undefined;
  return vals;
}

/** Values of a small float Constant node (never of an initializer). */
function readFloats(t: TensorProto, dims: number[]): number[] | undefined {
  const n = prod(dims);
  if (n > MAX_CONST_VALUES || t.dataLocation === 1) return undefined;
  const type = t.dataType ?? 0;
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (type !== 1 && type !== 11) return undefined;
    const width = type === 11 ? 8 : 4;
    if (raw.length !== n * width) return undefined;
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({ length: n }, (_, i) => (width === 8 ? dv.getFloat64(i * 8, true) : dv.getFloat32(i * 4, true)));
  }
  const vals = type === 11 ? [...(t.doubleData ?? [])] : type === 1 ? [...(t.floatData ?? [])] : [];
  return vals.length === n ? vals : undefined;
}

/**
 * The layer a node belongs to, from exporter-style names: `/encoder/layer.3/attention/MatMul` →
 * `encoder.layer.3` (up to the last indexed module), `/embeddings/Gather` → `embeddings`, else `model`.
 */
function layerOf(nodeName: string): string {
  const parts = nodeName.split('/').filter((p) => p.length > 0);
  if (parts.length < 2) return 'model';
  const mods = parts.slice(0, -1);
  let last = -1;
  mods.forEach((p, i) => {
    if (/[._]\d+$/.test(p)) last = i;
  });
  return (last >= 0 ? mods.slice(0, last + 1) : mods.slice(0, 1)).join('.');
}
