/**
 * Cluster networks and collectives (docs/distributed.md). A network has an intra-node link (NVLink-class or a torus
 * neighbour link) and an inter-node link (one NIC per device, rail-optimised), each with the bandwidth per device a
 * collective library achieves on it and a latency; `devicesPerNode` devices share a node. A group of n devices
 * spaced `stride` apart uses the intra-node link when it fits in a node (`linkFor`). A ring collective over a group
 * that spans nodes with g members in each (`ringLink`) crosses each node boundary once per ring, and the library runs
 * one ring per NIC: the g members' NICs carry it together, g × the inter-node bandwidth (at most the intra-node
 * link's). A point-to-point transfer or an all-to-all uses each device's own link (`linkFor`).
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
    name: 'nvlink-ib', devicesPerNode: 8, intraGBs: 230, intraLatencyS: 3e-6, interGBs: 24, interLatencyS: 8e-6, allReduce: 'ring',
    source:
      'DGX A100: 12 NVLink 3 links per GPU through NVSwitch, 300 GB/s per direction at line rate, of which NCCL achieves ~230 GB/s ' +
      '(128-byte payloads leave ~20 of 25 GB/s per link; NCCL maintainer, NVIDIA/nccl-tests#149, 2023-07-05); one 200 Gb/s HDR ' +
      'InfiniBand NIC per GPU, "24GB/s is the peak performance per 200G NIC" (NVIDIA/nccl-tests#119, 2022-11-17)',
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

/**
 * The link of a ring collective (all-reduce, all-gather, reduce-scatter) over `n` devices spaced `stride` apart: intra-node
 * when the group fits a node; otherwise the inter-node link at g × its bandwidth, g = the group's members per node
 * (one ring per NIC), at most the intra-node bandwidth the rings also cross.
 */
export function ringLink(net: Network, n: number, stride = 1): Link {
  if (n * stride <= net.devicesPerNode) return { GBs: net.intraGBs, latencyS: net.intraLatencyS };
  const g = Math.max(1, Math.min(n, Math.floor(net.devicesPerNode / stride)));
  return { GBs: Math.min(net.intraGBs, g * net.interGBs), latencyS: net.interLatencyS };
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
