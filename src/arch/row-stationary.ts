/**
 * Eyeriss's row-stationary (RS) dataflow on a physical PE array (Chen et al., JSSC 2017, §IV), for convolution
 * layers. The template's systolic dataflows (ws/os/is) cannot express RS, so the Eyeriss fidelity check uses
 * this mapping model with the `eyeriss` preset's array, clock and scratchpads.
 *
 *  - A logical PE set is R rows (filter rows) × E columns (output rows). Sets wider than the array are cut into
 *    strips of at most `cols` columns; strips are placed one above the other in bands of R rows
 *    (⌊rows / R⌋ bands). If all of a set's strips fit, several sets share the array (different channels or
 *    filters); otherwise the strips run in successive passes. Active PEs = the average over passes.
 *  - Each PE runs a 1-D convolution of q channels (q·R ifmap values fill its ifmap scratchpad) for p filters.
 *    Every output psum it produces is accumulated with the psum arriving from the PE below in its single MAC
 *    datapath: one extra cycle per q·R MACs (per output and filter). This is the ramp the chip loses per pass.
 *  - Processing cycles = MACs × (1 + 1/(q·R)) / active PEs. (DRAM transfers are not part of processing latency.)
 */
export interface ConvLayer {
  /** filter height (= width) R, output height (= width) E, input channels C (per group), filters M, batch N */
  R: number;
  E: number;
  C: number;
  M: number;
  N: number;
}

export interface RsArray {
  rows: number;
  cols: number;
  /** ifmap scratchpad entries per PE (Eyeriss v1: 12 × 16-bit) */
  ifmapSpadWords: number;
  clockGHz: number;
}

export interface RsMapping {
  activePEs: number;
  /** channels per PE pass (q) */
  channelsPerPass: number;
  macs: number;
  cycles: number;
  latencyS: number;
}

export function rowStationary(layer: ConvLayer, a: RsArray): RsMapping {
  const { R, E, C, M, N } = layer;
  const strips = Math.ceil(E / a.cols);
  const bands = Math.floor(a.rows / R);
  if (bands < 1) throw new Error(`row-stationary: filter height ${R} exceeds the array's ${a.rows} rows`);
  let activePEs: number;
  if (strips <= bands) {
    const sets = Math.floor(bands / strips);
    activePEs = sets * R * E;
  } else {
    // one band per strip at a time: passes of `bands` strips; the average active PEs over those passes
    const passes = Math.ceil(strips / bands);
    activePEs = (R * E) / passes;
  }
  const q = Math.max(1, Math.min(C, Math.floor(a.ifmapSpadWords / R)));
  const macs = N * M * C * E * E * R * R;
  const cycles = (macs * (1 + 1 / (q * R))) / activePEs;
  return { activePEs, channelsPerPass: q, macs, cycles, latencyS: cycles / (a.clockGHz * 1e9) };
}
