/**
 * Convolutional models of the zoo: ImageNet classifiers at 224×224 with 1000 classes, built to the
 * torchvision definitions (layer by layer, same parameter tensors, so parameter counts match exactly).
 *
 * Parameter and op names follow torchvision where that is natural (`layer1.0.conv1`, `layer1.0.bn1`, ...).
 * Batch-norm running statistics are buffers, not parameters, and are not counted (as in torchvision).
 * torchvision's AdaptiveAvgPool2d before the AlexNet/VGG classifiers is the identity at 224×224 input
 * (the feature map already has the target size), so it is left out.
 */
import { GraphBuilder, type Value } from '../graph-builder.js';
import type { ForwardGraph } from '../ir.js';
import type { ZooBuildOptions, ZooEntry } from './types.js';

const IMAGE = 224;
const CLASSES = 1000;

function imageInput(b: GraphBuilder): Value {
  return b.input('image', [b.batch, 3, IMAGE, IMAGE]);
}

/** Flattens NCHW to [N, C·H·W]. */
function flatten(b: GraphBuilder, x: Value, name: string): Value {
  const [n, c, h, w] = x.ref.shape;
  return b.reshape(x, [n, c * h * w], { name });
}

// ---------------------------------------------------------------------------------------------
// AlexNet (torchvision variant, after Krizhevsky's "one weird trick": 64-192-384-256-256 filters)

function buildAlexNet(o: ZooBuildOptions): ForwardGraph {
  const b = new GraphBuilder('alexnet', o.batch, o.dtype);
  let x = imageInput(b);
  const convs: Array<{ out: number; k: number; s: number; p: number; pool: boolean }> = [
    { out: 64, k: 11, s: 4, p: 2, pool: true },
    { out: 192, k: 5, s: 1, p: 2, pool: true },
    { out: 384, k: 3, s: 1, p: 1, pool: false },
    { out: 256, k: 3, s: 1, p: 1, pool: false },
    { out: 256, k: 3, s: 1, p: 1, pool: true },
  ];
  convs.forEach((c, i) => {
    const layer = `conv${i + 1}`;
    x = b.scope(layer, () => {
      let y = b.conv2d(x, { outChannels: c.out, kernel: c.k, stride: c.s, padding: c.p, bias: true, name: layer });
      y = b.act('relu', y, `${layer}.relu`);
      if (c.pool) y = b.pool(y, 'max', { kernel: 3, stride: 2, name: `${layer}.maxpool` });
      return y;
    });
  });
  // features end at 256×6×6
  x = b.scope('fc6', () => {
    const f = flatten(b, x, 'fc6.flatten');
    const d = b.act('dropout', f, 'fc6.dropout');
    return b.act('relu', b.linear(d, 4096, { name: 'fc6' }), 'fc6.relu');
  });
  x = b.scope('fc7', () => {
    const d = b.act('dropout', x, 'fc7.dropout');
    return b.act('relu', b.linear(d, 4096, { name: 'fc7' }), 'fc7.relu');
  });
  const logits = b.scope('fc8', () => b.linear(x, CLASSES, { name: 'fc8' }));
  b.markOutput(logits);
  return b.build();
}

// ---------------------------------------------------------------------------------------------
// VGG-16 (configuration D, no batch norm, as torchvision `vgg16`)

const VGG16_STAGES = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];

function buildVgg16(o: ZooBuildOptions): ForwardGraph {
  const b = new GraphBuilder('vgg16', o.batch, o.dtype);
  let x = imageInput(b);
  VGG16_STAGES.forEach((stage, si) => {
    stage.forEach((ch, ci) => {
      const layer = `conv${si + 1}_${ci + 1}`;
      const last = ci === stage.length - 1;
      x = b.scope(layer, () => {
        let y = b.conv2d(x, { outChannels: ch, kernel: 3, padding: 1, bias: true, name: layer });
        y = b.act('relu', y, `${layer}.relu`);
        if (last) y = b.pool(y, 'max', { kernel: 2, stride: 2, name: `${layer}.maxpool` });
        return y;
      });
    });
  });
  // features end at 512×7×7; torchvision classifier: Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear
  x = b.scope('fc6', () => {
    const f = flatten(b, x, 'fc6.flatten');
    const y = b.act('relu', b.linear(f, 4096, { name: 'fc6' }), 'fc6.relu');
    return b.act('dropout', y, 'fc6.dropout');
  });
  x = b.scope('fc7', () => {
    const y = b.act('relu', b.linear(x, 4096, { name: 'fc7' }), 'fc7.relu');
    return b.act('dropout', y, 'fc7.dropout');
  });
  const logits = b.scope('fc8', () => b.linear(x, CLASSES, { name: 'fc8' }));
  b.markOutput(logits);
  return b.build();
}

// ---------------------------------------------------------------------------------------------
// ResNet (He et al. 2016; torchvision v1.5: the stride of a bottleneck sits on its 3×3 conv)

/** conv (no bias) → batch norm → optional activation, with torchvision-style names `prefix.convN`/`prefix.bnN`. */
function convBn(
  b: GraphBuilder,
  x: Value,
  names: { conv: string; bn: string },
  c: { out: number; k: number; s?: number; p?: number; groups?: number },
  act?: 'relu' | 'relu6',
): Value {
  let y = b.conv2d(x, { outChannels: c.out, kernel: c.k, stride: c.s ?? 1, padding: c.p ?? 0, groups: c.groups ?? 1, bias: false, name: names.conv });
  y = b.norm(y, 'batch', { name: names.bn });
  if (act) y = b.act(act, y, `${names.bn}.${act}`);
  return y;
}

function resnetStem(b: GraphBuilder, x: Value): Value {
  return b.scope('stem', () => {
    const y = convBn(b, x, { conv: 'conv1', bn: 'bn1' }, { out: 64, k: 7, s: 2, p: 3 }, 'relu');
    return b.pool(y, 'max', { kernel: 3, stride: 2, padding: 1, name: 'maxpool' });
  });
}

function downsample(b: GraphBuilder, x: Value, p: string, out: number, stride: number): Value {
  const inC = x.ref.shape[1];
  if (stride === 1 && inC === out) return x;
  return convBn(b, x, { conv: `${p}.downsample.0`, bn: `${p}.downsample.1` }, { out, k: 1, s: stride });
}

function basicBlock(b: GraphBuilder, x: Value, p: string, planes: number, stride: number): Value {
  return b.scope(p, () => {
    let y = convBn(b, x, { conv: `${p}.conv1`, bn: `${p}.bn1` }, { out: planes, k: 3, s: stride, p: 1 }, 'relu');
    y = convBn(b, y, { conv: `${p}.conv2`, bn: `${p}.bn2` }, { out: planes, k: 3, p: 1 });
    const id = downsample(b, x, p, planes, stride);
    return b.act('relu', b.add(y, id, `${p}.add`), `${p}.relu`);
  });
}

function bottleneck(b: GraphBuilder, x: Value, p: string, planes: number, stride: number): Value {
  return b.scope(p, () => {
    let y = convBn(b, x, { conv: `${p}.conv1`, bn: `${p}.bn1` }, { out: planes, k: 1 }, 'relu');
    y = convBn(b, y, { conv: `${p}.conv2`, bn: `${p}.bn2` }, { out: planes, k: 3, s: stride, p: 1 }, 'relu');
    y = convBn(b, y, { conv: `${p}.conv3`, bn: `${p}.bn3` }, { out: planes * 4, k: 1 });
    const id = downsample(b, x, p, planes * 4, stride);
    return b.act('relu', b.add(y, id, `${p}.add`), `${p}.relu`);
  });
}

function classifierHead(b: GraphBuilder, x: Value, dropout = 0): Value {
  return b.scope('fc', () => {
    let y = b.globalAvgPool(x, 'avgpool');
    if (dropout > 0) y = b.act('dropout', y, 'fc.dropout');
    return b.linear(y, CLASSES, { name: 'fc' });
  });
}

function buildResNet(name: string, kind: 'basic' | 'bottleneck', blocks: number[], o: ZooBuildOptions): ForwardGraph {
  const b = new GraphBuilder(name, o.batch, o.dtype);
  let x = resnetStem(b, imageInput(b));
  blocks.forEach((n, li) => {
    const planes = 64 << li;
    for (let i = 0; i < n; i++) {
      const stride = i === 0 && li > 0 ? 2 : 1;
      const p = `layer${li + 1}.${i}`;
      x = kind === 'basic' ? basicBlock(b, x, p, planes, stride) : bottleneck(b, x, p, planes, stride);
    }
  });
  b.markOutput(classifierHead(b, x));
  return b.build();
}

// ---------------------------------------------------------------------------------------------
// MobileNetV2 (Sandler et al. 2018; torchvision `mobilenet_v2`, width 1.0)

/** expansion t, output channels c, repeats n, first stride s */
const MOBILENETV2_SETTINGS: Array<[number, number, number, number]> = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

function buildMobileNetV2(o: ZooBuildOptions): ForwardGraph {
  const b = new GraphBuilder('mobilenetv2', o.batch, o.dtype);
  let x = b.scope('stem', () => convBn(b, imageInput(b), { conv: 'features.0.conv', bn: 'features.0.bn' }, { out: 32, k: 3, s: 2, p: 1 }, 'relu6'));
  let idx = 1;
  for (const [t, c, n, s] of MOBILENETV2_SETTINGS) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const p = `features.${idx++}`;
      const inp = x;
      x = b.scope(p, () => {
        const inC = inp.ref.shape[1];
        const hidden = inC * t;
        let y = inp;
        if (t !== 1) y = convBn(b, y, { conv: `${p}.expand`, bn: `${p}.expand_bn` }, { out: hidden, k: 1 }, 'relu6');
        y = convBn(b, y, { conv: `${p}.dw`, bn: `${p}.dw_bn` }, { out: hidden, k: 3, s: stride, p: 1, groups: hidden }, 'relu6');
        y = convBn(b, y, { conv: `${p}.project`, bn: `${p}.project_bn` }, { out: c, k: 1 });
        return stride === 1 && inC === c ? b.add(y, inp, `${p}.add`) : y;
      });
    }
  }
  const last = `features.${idx}`;
  x = b.scope(last, () => convBn(b, x, { conv: `${last}.conv`, bn: `${last}.bn` }, { out: 1280, k: 1 }, 'relu6'));
  b.markOutput(classifierHead(b, x, 0.2));
  return b.build();
}

// ---------------------------------------------------------------------------------------------

const TV = 'torchvision model docs (ImageNet-1K weights, 224×224; GFLOPS column counts multiply-adds)';

export const CNN_MODELS: ZooEntry[] = [
  {
    name: 'alexnet',
    family: 'cnn',
    defaultBatch: 128,
    published: { params: 61_100_840, fwdMacsPerSample: 0.714e9, source: `${TV}: AlexNet 61,100,840 params, 0.71 GFLOPS` },
    build: buildAlexNet,
  },
  {
    name: 'vgg16',
    family: 'cnn',
    defaultBatch: 64,
    published: { params: 138_357_544, fwdMacsPerSample: 15.47e9, source: `${TV}: VGG16 138,357,544 params, 15.47 GFLOPS` },
    build: buildVgg16,
  },
  {
    name: 'resnet18',
    family: 'cnn',
    defaultBatch: 256,
    published: { params: 11_689_512, fwdMacsPerSample: 1.81e9, source: `${TV}: ResNet18 11,689,512 params, 1.81 GFLOPS` },
    build: (o) => buildResNet('resnet18', 'basic', [2, 2, 2, 2], o),
  },
  {
    name: 'resnet50',
    family: 'cnn',
    defaultBatch: 256,
    published: { params: 25_557_032, fwdMacsPerSample: 4.09e9, source: `${TV}: ResNet50 (v1.5) 25,557,032 params, 4.09 GFLOPS` },
    build: (o) => buildResNet('resnet50', 'bottleneck', [3, 4, 6, 3], o),
  },
  {
    name: 'mobilenetv2',
    family: 'cnn',
    defaultBatch: 256,
    published: { params: 3_504_872, fwdMacsPerSample: 0.30e9, source: `${TV}: MobileNet_V2 3,504,872 params, 0.30 GFLOPS` },
    build: buildMobileNetV2,
  },
];
