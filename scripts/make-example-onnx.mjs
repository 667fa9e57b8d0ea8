// Writes examples/conv-mlp.onnx: a small CNN (Conv 3->16, Relu, GlobalAveragePool, Flatten, Gemm 16->10) whose
// weights live in an external file that is never written (the importer must not read weights).
import { writeFileSync } from 'node:fs';
import pkg from 'onnx-proto';
const { onnx } = pkg;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const A = onnx.AttributeProto.AttributeType;
const vi = (name, dims) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } });
let offset = 0;
const init = (name, dims) => {
  const length = dims.reduce((a, b) => a * b, 1) * 4;
  const t = { name, dims, dataType: FLOAT, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: 'conv-mlp.weights' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(length) }] };
  offset += length;
  return t;
};
const model = onnx.ModelProto.create({
  irVersion: 8,
  opsetImport: [{ domain: '', version: 17 }],
  producerName: 'accelmine example',
  graph: {
    name: 'conv-mlp',
    input: [vi('x', ['N', 3, 32, 32])],
    output: [vi('logits', ['N', 10])],
    initializer: [init('conv.w', [16, 3, 3, 3]), init('conv.b', [16]), init('fc.w', [10, 16]), init('fc.b', [10])],
    node: [
      { opType: 'Conv', name: 'conv', input: ['x', 'conv.w', 'conv.b'], output: ['c'], attribute: [{ name: 'pads', type: A.INTS, ints: [1, 1, 1, 1] }, { name: 'kernel_shape', type: A.INTS, ints: [3, 3] }] },
      { opType: 'Relu', name: 'relu', input: ['c'], output: ['r'] },
      { opType: 'GlobalAveragePool', name: 'gap', input: ['r'], output: ['g'] },
      { opType: 'Flatten', name: 'flatten', input: ['g'], output: ['f'] },
      { opType: 'Gemm', name: 'fc', input: ['f', 'fc.w', 'fc.b'], output: ['logits'], attribute: [{ name: 'transB', type: A.INT, i: 1 }] },
    ],
  },
});
writeFileSync(new URL('../examples/conv-mlp.onnx', import.meta.url), onnx.ModelProto.encode(model).finish());
console.log('wrote examples/conv-mlp.onnx');
