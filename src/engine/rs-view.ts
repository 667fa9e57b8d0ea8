/**
 * A convolution pass as the row-stationary dataflow sees it (layout.ts O_RS_*): which dimension is the filter
 * row mapped on PE rows, which is the 1-D convolution inside a PE, what is accumulated, and the ifmap, filter
 * and ofmap volumes that cross the memory levels.
 *  fwd:   ofmap Y = X ⊛ W: filter rows kH, row length kW, ofmap rows outH, channels inC/g, filters outC/g
 *  dgrad: dX = dY ⊛ rot(W): filter rows kH, row length kW, ofmap rows inH, channels outC/g, filters inC/g
 *  wgrad: dW = X ⊛ dY per channel, summed over images: "filter" = a dY plane (rows outH, length outW),
 *         ofmap rows kH, accumulated over the batch (channels = N), filters outC/g, images = inC/g
 * The ifmap is what a PE gates on: X in fwd and wgrad, dY in dgrad.
 * Plain GEMMs are left to the kernel's default (a 1 × 1 convolution: R = S = 1, E = M, channels = K).
 */
import type { Conv2dAttrs } from '../workload/ir.js';

export interface RsView {
  R: number;
  S: number;
  E: number;
  C: number;
  M: number;
  N: number;
  /** ifmap, filter and ofmap elements over all groups */
  I: number;
  W: number;
  O: number;
  /** the streamed ifmap is a ReLU output or a gradient through one (zero-bearing, see relu-zeros.ts) */
  zeros: boolean;
}

export function rsView(a: Conv2dAttrs): RsView {
  const g = a.groups;
  const x = a.batch * a.inC * a.inH * a.inW;
  const w = a.outC * (a.inC / g) * a.kH * a.kW;
  const y = a.batch * a.outC * a.outH * a.outW;
  const xZeros = a.inputZeros === true;
  switch (a.pass) {
    case 'fwd':
      return { R: a.kH, S: a.kW, E: a.outH, C: a.inC / g, M: a.outC / g, N: a.batch, I: x, W: w, O: y, zeros: xZeros };
    case 'dgrad':
      return { R: a.kH, S: a.kW, E: a.inH, C: a.outC / g, M: a.inC / g, N: a.batch, I: y, W: w, O: x, zeros: a.gradZeros === true };
    case 'wgrad':
      return { R: a.outH, S: a.outW, E: a.kH, C: a.batch, M: a.outC / g, N: a.inC / g, I: x, W: y, O: w, zeros: xZeros };
  }
}
