/**
 * Cluster networks and collectives (docs/distributed.md). A network has an intra-node link (NVLink-class or a torus
 * neighbour link) and an inter-node link, each with bandwidth per device and latency; `devicesPerNode`
 * devices share a node. A group of n consecutive devices uses the intra-node link when it fits in a node.
 *
 * Collective times over n devices, message of `bytes` per device, bandwidth B, latency α (Thakur et al.,
 * IJHPCA 2005; the ring and tree algorithms of NCCL):
 *   ring all-reduce      2(n−1)/n · bytes/B + 2(n−1)·α
 *   tree all-reduce      2·⌈log2 n⌉ · (α + bytes/B)
 *   all-gather, reduce-scatter   (n−1)/n · bytes/B + (n−1)·α
 *   send/recv            α + bytes/B
 */
import { InputError, nearest } from '../errors.js';

export interface Network {
  name: string;
  devicesPerNode: number;
  intraGBs: number;
  intraLatencyS: number;
  interGBs: number;
  interLatencyS: number;
  allReduce: 'ring' | 'tree';
  source: string;
}

export const NETWORKS: Readonly<Record<string, Network>> = Object.freeze({
  'nvlink-ib': {
    name: 'nvlink-ib', devicesPerNode: 8, intraGBs: 300, intraLatencyS: 3e-6, interGBs: 25, interLatencyS: 8e-6, allReduce: 'ring',
    source: 'DGX A100: NVLink 3 at 300 GB/s per direction per GPU through NVSwitch; one 200 Gb/s HDR InfiniBand NIC per GPU (25 GB/s)',
  },
  'tpu-torus': {
    name: 'tpu-torus', devicesPerNode: 64, intraGBs: 150, intraLatencyS: 2e-6, interGBs: 150, interLatencyS: 5e-6, allReduce: 'ring',
    source: 'TPU v4-style 3-D torus: six ICI links per chip at ~50 GB/s; a ring in one dimension uses two links each way (estimate); 4x4x4 cubes',
  },
});

export function findNetwork(name: string): Network {
  const n = NETWORKS[name];
  if (!n) {
    const hint = nearest(name, Object.keys(NETWORKS));
    throw new InputError(`--network: unknown network "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; networks: ${Object.keys(NETWORKS).join(', ')}`);
  }
  return n;
}

export interface Link {
  GBs: number;
  latencyS: number;
}

/** The link a group of `n` devices spaced `stride` apart uses. */
export function linkFor(net: Network, n: number, stride = 1): Link {
  return n * stride <= net.devicesPerNode ? { GBs: net.intraGBs, latencyS: net.intraLatencyS } : { GBs: net.interGBs, latencyS: net.interLatencyS };
}

export function ringAllReduceS(bytes: number, n: number, l: Link): number {
  if (n <= 1) return 0;
  return ((2 * (n - 1)) / n) * (bytes / (l.GBs * 1e9)) + 2 * (n - 1) * l.latencyS;
}

export function treeAllReduceS(bytes: number, n: number, l: Link): number {
  if (n <= 1) return 0;
  return 2 * Math.ceil(Math.log2(n)) * (l.latencyS + bytes / (l.GBs * 1e9));
}

export function allGatherS(bytes: number, n: number, l: Link): number {
  if (n <= 1) return 0;
  return ((n - 1) / n) * (bytes / (l.GBs * 1e9)) + (n - 1) * l.latencyS;
}

export const reduceScatterS = allGatherS;

/** All-to-all of `bytes` per device over n devices (pairwise exchange): each sends (n − 1)/n of them, n − 1 steps. */
export const allToAllS = allGatherS;

export function sendRecvS(bytes: number, l: Link): number {
  return l.latencyS + bytes / (l.GBs * 1e9);
}

export function allReduceS(net: Network, bytes: number, n: number, l: Link): number {
  return net.allReduce === 'ring' ? ringAllReduceS(bytes, n, l) : treeAllReduceS(bytes, n, l);
}
