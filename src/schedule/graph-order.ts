/**
 * Orders of a dependency graph, for the exact scheduler: a topological order, and the earliest starts under
 * difference constraints (the longest path that re-times a solver's answer in cycles).
 */

/** Kahn order of a graph given as successor lists; null on a cycle. */
export function topoOrder(n: number, succ: number[][]): number[] | null {
  const indeg = new Int32Array(n);
  for (const s of succ) for (const j of s) indeg[j]++;
  const q: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) q.push(i);
  for (let h = 0; h < q.length; h++) for (const j of succ[q[h]]) if (--indeg[j] === 0) q.push(j);
  return q.length === n ? q : null;
}

/** Earliest starts under difference constraints S_j ≥ S_i + w (edges i → j with weight w), or null on a cycle. */
export function longestPath(n: number, edges: [number, number, number][]): number[] | null {
  const succ: number[][] = Array.from({ length: n }, () => []);
  const out: [number, number][][] = Array.from({ length: n }, () => []);
  for (const [a, b, w] of edges) { succ[a].push(b); out[a].push([b, w]); }
  const order = topoOrder(n, succ);
  if (!order) return null;
  const s = new Array<number>(n).fill(0);
  for (const i of order) for (const [j, w] of out[i]) if (s[i] + w > s[j]) s[j] = s[i] + w;
  return s;
}
