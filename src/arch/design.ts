/**
 * A design: one point of the accelerator template (docs/cost-model.md). SI units, units in every name.
 */
export type Precision = 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8';
export type Dataflow = 'ws' | 'os' | 'is' | 'rs';
export type TechNode = 65 | 45 | 16 | 12 | 7 | 5;

export interface Design {
  /** number of tensor cores (systolic arrays) */
  tensorCores: number;
  /** systolic array rows (PEs) per tensor core */
  tcRows: number;
  /** systolic array columns (PEs) per tensor core */
  tcCols: number;
  /** number of vector cores */
  vectorCores: number;
  /** SIMD lanes per vector core */
  vectorLanes: number;
  /** local (scratchpad) buffer per tensor core, bytes */
  localBufferBytes: number;
  /** shared global buffer, bytes */
  globalBufferBytes: number;
  /** global buffer bandwidth, GB/s (1e9 B/s) */
  globalBufferGBs: number;
  /** off-chip memory capacity, bytes */
  offChipBytes: number;
  /** off-chip memory bandwidth, GB/s */
  offChipGBs: number;
  /** on-chip network bandwidth between global buffer and cores, GB/s */
  nocGBs: number;
  clockGHz: number;
  precision: Precision;
  dataflow: Dataflow;
  techNm: TechNode;
}

export const PRECISION_BYTES: Record<Precision, number> = { fp32: 4, bf16: 2, fp16: 2, fp8: 1, int8: 1 };
export const DATAFLOWS: readonly Dataflow[] = ['ws', 'os', 'is', 'rs'];

/**
 * How a row-stationary PE splits its share of the local buffer into filter, ifmap and psum scratchpads, in
 * proportion to Eyeriss v1's 448 : 24 : 48 bytes (Chen et al., JSSC 2017). The kernel's mapping holds the same
 * numbers as RS_SPAD_* in the layout pair (test/kernel.test.ts checks they agree).
 */
export const RS_SCRATCHPAD_BYTES = { filter: 448, ifmap: 24, psum: 48 } as const;
export const TECH_NODES: readonly TechNode[] = [65, 45, 16, 12, 7, 5];
export const PRECISIONS: readonly Precision[] = ['fp32', 'bf16', 'fp16', 'fp8', 'int8'];
