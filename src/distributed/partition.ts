/**
 * Which layers each pipeline device holds (docs/distributed.md), as chunks of contiguous layers; chunk c runs on
 * device c mod p.
 *
 * - 1F1B (V = 1): p chunks, by dynamic programming over the layers: the smallest slowest stage such that every
 *   stage fits its device's memory (O(p·L²), less with the early exits: a stage only grows more expensive and
 *   larger as its first layer moves back).
 * - Interleaved (V > 1): the transformer blocks split evenly into p·V chunks of blocks/(p·V) (Megatron); the
 *   layers before the first block join chunk 0, those after the last block the last chunk.
 */
import type { LayerProfile } from './profile.js';

export type Chunk = { first: number; end: number };

export interface PartitionCosts {
  /** per layer: time per micro-batch, training-state bytes, stashed activation bytes, ZeRO-3 gathered bytes */
  timeS: Float64Array;
  stateBytes: Float64Array;
  activationBytes: Float64Array;
  gatheredBytes: Float64Array;
}

/**
 * Stage starts of the best contiguous partition into p stages, each within `capacityBytes` with `inflight(s)`
 * micro-batches of its activations; null when none fits. Among equally slow partitions, the one whose stages
 * start earliest.
 */
export function partitionLayers(c: PartitionCosts, p: number, inflight: (s: number) => number, capacityBytes: number): number[] | null {
  const L = c.timeS.length;
  if (p > L) return null;
  const prefix = (a: Float64Array) => {
    const out = new Float64Array(L + 1);
    for (let i = 0; i < L; i++) out[i + 1] = out[i] + a[i];
    return out;
  };
  const T = prefix(c.timeS), S = prefix(c.stateBytes), A = prefix(c.activationBytes);
  // best[s][j]: slowest stage when layers [0, j) form stages 0..s; cut[s][j]: start of stage s
  const best = Array.from({ length: p }, () => new Float64Array(L + 1).fill(Infinity));
  const cut = Array.from({ length: p }, () => new Int32Array(L + 1).fill(-1));
  let gathered = 0;
  const f0 = inflight(0);
  for (let j = 1; j <= L; j++) {
    gathered = Math.max(gathered, c.gatheredBytes[j - 1]);
    if (S[j] + gathered + f0 * A[j] > capacityBytes) break;
    best[0][j] = T[j];
    cut[0][j] = 0;
  }
  for (let s = 1; s < p; s++) {
    const fs = inflight(s);
    const prev = best[s - 1];
    for (let j = s + 1; j <= L; j++) {
      let g = 0;
      let b = Infinity, at = -1;
      // the stage is [i, j): moving i back only adds time and memory
      for (let i = j - 1; i >= s; i--) {
        g = Math.max(g, c.gatheredBytes[i]);
        const seg = T[j] - T[i];
        if (seg > b) break;
        if (S[j] - S[i] + g + fs * (A[j] - A[i]) > capacityBytes) break;
        if (prev[i] === Infinity) continue;
        const v = Math.max(prev[i], seg);
        if (v <= b) { b = v; at = i; }
      }
      best[s][j] = b;
      cut[s][j] = at;
    }
  }
  if (best[p - 1][L] === Infinity) return null;
  const starts: number[] = [];
  let j = L;
  for (let s = p - 1; s >= 0; s--) { const i = cut[s][j]; starts.unshift(i); j = i; }
  return starts;
}

export function chunksFromStarts(starts: readonly number[], layers: number): Chunk[] {
  return starts.map((first, s) => ({ first, end: s + 1 < starts.length ? starts[s + 1] : layers }));
}

/** The interleaved chunks (p·V of them), or null when the blocks are not contiguous or do not split evenly. */
export function interleavedChunks(layers: readonly LayerProfile[], p: number, V: number): Chunk[] | null {
  const blocks: number[] = [];
  layers.forEach((l, i) => l.block && blocks.push(i));
  const n = p * V;
  if (blocks.length === 0 || blocks.length % n !== 0 || blocks[blocks.length - 1] - blocks[0] !== blocks.length - 1) return null;
  const k = blocks.length / n, first = blocks[0];
  return Array.from({ length: n }, (_, c) => ({ first: c === 0 ? 0 : first + c * k, end: c === n - 1 ? layers.length : first + (c + 1) * k }));
}
