/** Layer lists for HyPar/AccPar: from a `--network` JSON file or from a zoo model's forward graph. */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { readJsonFile } from '../json-file.js';
import { loadForwardGraph } from '../workload/load.js';
import type { HyparLayer } from './hypar-model.js';

const dim = z.number().int().positive().max(2 ** 31);
const convSchema = z.object({
  name: z.string().min(1), type: z.literal('conv'), inChannels: dim, inH: dim, inW: dim, kernelH: dim, kernelW: dim, outChannels: dim, outH: dim, outW: dim,
}).strict();
const fcSchema = z.object({ name: z.string().min(1), type: z.literal('fc'), inFeatures: dim, outFeatures: dim }).strict();
export const hyparNetworkSchema = z.object({
  name: z.string().min(1),
  batch: dim,
  layers: z.array(z.discriminatedUnion('type', [convSchema, fcSchema])).min(1),
}).strict();

export type HyparNetwork = z.infer<typeof hyparNetworkSchema>;

export function networkLayers(net: HyparNetwork, batch = net.batch): HyparLayer[] {
  return net.layers.map((l) =>
    l.type === 'conv'
      ? { name: l.name, kind: 'conv', fin: { rows: batch, cols: l.inChannels, spatial: l.inH * l.inW }, w: { rows: l.inChannels, cols: l.outChannels, spatial: l.kernelH * l.kernelW }, fout: { rows: batch, cols: l.outChannels, spatial: l.outH * l.outW } }
      : { name: l.name, kind: 'fc', fin: { rows: batch, cols: l.inFeatures, spatial: 1 }, w: { rows: l.inFeatures, cols: l.outFeatures, spatial: 1 }, fout: { rows: batch, cols: l.outFeatures, spatial: 1 } },
  );
}

export function readNetworkFile(path: string): HyparNetwork {
  const raw = readJsonFile(path);
  const r = hyparNetworkSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(`${path}: ${i.path.length ? i.path.join('.') : 'the network'}: ${i.message}`);
  }
  return r.data;
}

/**
 * The weighted layers of a zoo model's forward graph: convolutions (W rows = in-channels per group) and
 * fully connected GEMMs with weights (rows of F = the GEMM's M: samples, or tokens for sequence models).
 */
export function zooLayers(model: string, batch: number): HyparLayer[] {
  const g = loadForwardGraph({ model, batch });
  const out: HyparLayer[] = [];
  for (const op of g.ops) {
    if (op.kind === 'conv2d') {
      const a = op.attrs;
      out.push({ name: op.name, kind: 'conv', fin: { rows: a.batch, cols: a.inC, spatial: a.inH * a.inW }, w: { rows: a.inC / a.groups, cols: a.outC, spatial: a.kH * a.kW }, fout: { rows: a.batch, cols: a.outC, spatial: a.outH * a.outW } });
    } else if (op.kind === 'gemm' && op.weights.length > 0) {
      const a = op.attrs;
      out.push({ name: op.name, kind: 'fc', fin: { rows: a.b * a.m, cols: a.k, spatial: 1 }, w: { rows: a.k, cols: a.n, spatial: 1 }, fout: { rows: a.b * a.m, cols: a.n, spatial: 1 } });
    }
  }
  if (out.length === 0) throw new InputError(`${model} has no convolution or fully connected layers to partition`);
  return out;
}
