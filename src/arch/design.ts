/**
 * A design: one point of the accelerator template (docs/cost-model.md). SI units, units in every name.
 */
export type Precision = 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8';
export type Dataflow = 'ws' | 'os' | 'is' | 'rs';
export type TechNode = 65 | 45 | 16 | 7 | 5;

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
export const TECH_NODES: readonly TechNode[] = [65, 45, 16, 7, 5];
export const PRECISIONS: readonly Precision[] = ['fp32', 'bf16', 'fp16', 'fp8', 'int8'];
