/**
 * ONNX models built in code (onnx-proto), for the importer's tests: a ResNet basic block and a
 * BERT-style post-norm encoder layer whose weights live in an external file (never written).
 */
import pkg from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';

const { onnx } = pkg;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const A = onnx.AttributeProto.AttributeType;

export type Dim = number | string;

export function valueInfo(name: string, dims: Dim[], elemType: number = FLOAT): O.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function attrInt(name: string, i: number): O.IAttributeProto {
  return { name, type: A.INT, i };
}
export function attrInts(name: string, ints: number[]): O.IAttributeProto {
  return { name, type: A.INTS, ints };
}
export function attrFloat(name: string, f: number): O.IAttributeProto {
  return { name, type: A.FLOAT, f };
}
export function attrTensor(name: string, t: O.ITensorProto): O.IAttributeProto {
  return { name, type: A.TENSOR, t };
}

export function node(opType: string, name: string, input: string[], output: string[], attribute: O.IAttributeProto[] = []): O.INodeProto {
  return { opType, name, input, output, attribute };
}

/** A float initializer: zero-filled raw data, or (external) a pointer into a weights file that is never read. */
export function floatInit(name: string, dims: number[], external?: { file: string; offset: number }): O.ITensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  if (external) {
    return {
      name,
      dims,
      dataType: FLOAT,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: external.file },
        { key: 'offset', value: String(external.offset) },
        { key: 'length', value: String(n * 4) },
      ],
    };
  }
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(n * 4) };
}

/** An int64 tensor, stored as raw little-endian bytes or in int64_data. */
export function int64Tensor(name: string, values: number[], raw = true): O.ITensorProto {
  if (raw) {
    const bytes = new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
    return { name, dims: [values.length], dataType: INT64, rawData: bytes };
  }
  return { name, dims: [values.length], dataType: INT64, int64Data: values };
}

export interface GraphParts {
  name: string;
  nodes: O.INodeProto[];
  initializers?: O.ITensorProto[];
  inputs: O.IValueInfoProto[];
  outputs: O.IValueInfoProto[];
  valueInfo?: O.IValueInfoProto[];
  opset?: number;
}

export function encodeModel(g: GraphParts): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'accelmine-tests',
    opsetImport: [{ domain: '', version: g.opset ?? 17 }],
    graph: {
      name: g.name,
      node: g.nodes,
      initializer: g.initializers ?? [],
      input: g.inputs,
      output: g.outputs,
      valueInfo: g.valueInfo ?? [],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** ResNet basic block: conv3x3-BN-ReLU-conv3x3-BN + identity, ReLU; 64 channels at 56×56, batch symbolic. */
export function resnetBasicBlockOnnx(channels = 64, size = 56): Uint8Array {
  const c = channels;
  const bn = (p: string): O.ITensorProto[] => ['scale', 'bias', 'mean', 'var'].map((k) => floatInit(`${p}.${k}`, [c]));
  const convAttrs = [attrInts('kernel_shape', [3, 3]), attrInts('pads', [1, 1, 1, 1]), attrInts('strides', [1, 1]), attrInt('group', 1)];
  return encodeModel({
    name: 'resnet-basic-block',
    inputs: [valueInfo('x', ['N', c, size, size])],
    outputs: [valueInfo('y', ['N', c, size, size])],
    initializers: [floatInit('conv1.weight', [c, c, 3, 3]), ...bn('bn1'), floatInit('conv2.weight', [c, c, 3, 3]), ...bn('bn2')],
    nodes: [
      node('Conv', '/layer1/layer1.0/conv1/Conv', ['x', 'conv1.weight'], ['c1'], convAttrs),
      node('BatchNormalization', '/layer1/layer1.0/bn1/BatchNormalization', ['c1', 'bn1.scale', 'bn1.bias', 'bn1.mean', 'bn1.var'], ['b1'], [attrFloat('epsilon', 1e-5)]),
      node('Relu', '/layer1/layer1.0/relu/Relu', ['b1'], ['r1']),
      node('Conv', '/layer1/layer1.0/conv2/Conv', ['r1', 'conv2.weight'], ['c2'], convAttrs),
      node('BatchNormalization', '/layer1/layer1.0/bn2/BatchNormalization', ['c2', 'bn2.scale', 'bn2.bias', 'bn2.mean', 'bn2.var'], ['b2']),
      node('Add', '/layer1/layer1.0/Add', ['b2', 'x'], ['s']),
      node('Relu', '/layer1/layer1.0/relu_1/Relu', ['s'], ['y']),
    ],
  });
}

export interface BertLayerDims {
  d: number;
  heads: number;
  ff: number;
}

/**
 * A BERT post-norm encoder layer: Q/K/V MatMul + bias Add, Reshape/Transpose to heads, QKᵀ, Div by
 * √dh, Softmax, ·V, Transpose/Reshape back, output projection + bias, residual Add, LayerNorm,
 * FF (MatMul+Add, Gelu, MatMul+Add), residual Add, LayerNorm. Input [batch, sequence, d] (symbolic);
 * every float initializer is external data.
 */
export function bertEncoderLayerOnnx(dims: BertLayerDims = { d: 768, heads: 12, ff: 3072 }): Uint8Array {
  const { d, heads, ff } = dims;
  const dh = d / heads;
  let offset = 0;
  const ext = (name: string, shape: number[]): O.ITensorProto => {
    const t = floatInit(name, shape, { file: 'bert_layer.weights', offset });
    offset += shape.reduce((a, b) => a * b, 1) * 4;
    return t;
  };
  const p = '/encoder/layer.0';
  const inits: O.ITensorProto[] = [];
  const nodes: O.INodeProto[] = [];
  const linear = (x: string, name: string, k: number, n: number, out: string): void => {
    inits.push(ext(`${name}.weight`, [k, n]), ext(`${name}.bias`, [n]));
    nodes.push(node('MatMul', `${p}/${name}/MatMul`, [x, `${name}.weight`], [`${out}_mm`]));
    nodes.push(node('Add', `${p}/${name}/Add`, [`${out}_mm`, `${name}.bias`], [out]));
  };
  // shape constants: one int64 initializer (raw bytes), one Constant node (int64_data)
  inits.push(int64Tensor('heads_shape', [0, 0, heads, dh]));
  // the scale 1/√dh as a scalar initializer: a constant, not a parameter
  inits.push({ name: 'sqrt_dh', dims: [], dataType: FLOAT, floatData: [Math.sqrt(dh)] });

  linear('x', 'attention.self.query', d, d, 'q');
  linear('x', 'attention.self.key', d, d, 'k');
  linear('x', 'attention.self.value', d, d, 'v');
  for (const t of ['q', 'k', 'v']) nodes.push(node('Reshape', `${p}/attention/self/Reshape_${t}`, [t, 'heads_shape'], [`${t}_h`]));
  nodes.push(node('Transpose', `${p}/attention/self/Transpose_q`, ['q_h'], ['q_t'], [attrInts('perm', [0, 2, 1, 3])]));
  nodes.push(node('Transpose', `${p}/attention/self/Transpose_k`, ['k_h'], ['k_t'], [attrInts('perm', [0, 2, 3, 1])]));
  nodes.push(node('Transpose', `${p}/attention/self/Transpose_v`, ['v_h'], ['v_t'], [attrInts('perm', [0, 2, 1, 3])]));
  nodes.push(node('MatMul', `${p}/attention/self/MatMul`, ['q_t', 'k_t'], ['scores']));
  nodes.push(node('Div', `${p}/attention/self/Div`, ['scores', 'sqrt_dh'], ['scaled']));
  nodes.push(node('Softmax', `${p}/attention/self/Softmax`, ['scaled'], ['probs'], [attrInt('axis', -1)]));
  nodes.push(node('MatMul', `${p}/attention/self/MatMul_1`, ['probs', 'v_t'], ['ctx']));
  nodes.push(node('Transpose', `${p}/attention/self/Transpose_ctx`, ['ctx'], ['ctx_t'], [attrInts('perm', [0, 2, 1, 3])]));
  nodes.push(node('Constant', `${p}/attention/self/Constant`, [], ['merge_shape'], [attrTensor('value', int64Tensor('', [0, 0, d], false))]));
  nodes.push(node('Reshape', `${p}/attention/self/Reshape_ctx`, ['ctx_t', 'merge_shape'], ['ctx_m']));
  linear('ctx_m', 'attention.output.dense', d, d, 'attn');
  nodes.push(node('Add', `${p}/attention/output/Add`, ['attn', 'x'], ['res1']));
  inits.push(ext('attention.output.LayerNorm.weight', [d]), ext('attention.output.LayerNorm.bias', [d]));
  nodes.push(node('LayerNormalization', `${p}/attention/output/LayerNorm/LayerNormalization`, ['res1', 'attention.output.LayerNorm.weight', 'attention.output.LayerNorm.bias'], ['h1'], [attrInt('axis', -1), attrFloat('epsilon', 1e-12)]));
  linear('h1', 'intermediate.dense', d, ff, 'f1');
  nodes.push(node('Gelu', `${p}/intermediate/Gelu`, ['f1'], ['g']));
  linear('g', 'output.dense', ff, d, 'f2');
  nodes.push(node('Add', `${p}/output/Add`, ['f2', 'h1'], ['res2']));
  inits.push(ext('output.LayerNorm.weight', [d]), ext('output.LayerNorm.bias', [d]));
  nodes.push(node('LayerNormalization', `${p}/output/LayerNorm/LayerNormalization`, ['res2', 'output.LayerNorm.weight', 'output.LayerNorm.bias'], ['y'], [attrInt('axis', -1), attrFloat('epsilon', 1e-12)]));

  return encodeModel({
    name: 'bert-encoder-layer',
    inputs: [valueInfo('x', ['batch', 'sequence', d])],
    outputs: [valueInfo('y', ['batch', 'sequence', d])],
    initializers: inits,
    nodes,
    opset: 20,
  });
}

/** The parts of a decoded model the structural fuzz mutates (decoded repeated fields are always arrays). */
export interface LooseModel {
  graph: {
    node: { opType: string; input: string[]; output: string[]; attribute: { ints: number[]; i: number }[] }[];
    initializer: { name: string; dims: number[] }[];
    input: { name: string; type: { tensorType: { shape: { dim: { dimValue: number; dimParam: string }[] } } } }[];
  };
}

/** Decodes model bytes into a mutable model (for structural fuzzing). */
export function decodeModel(bytes: Uint8Array): LooseModel {
  return onnx.ModelProto.decode(bytes) as unknown as LooseModel;
}

export function encodeProto(model: LooseModel): Uint8Array {
  return onnx.ModelProto.encode(model as unknown as O.IModelProto).finish();
}
