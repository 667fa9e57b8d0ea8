/** The design parameters behind each resource a critical path can be bound by (what WHAM grows or shrinks). */
import type { Bound } from '../engine/layout.js';
import type { Param } from './space.js';

/** Which parameters feed each resource the critical path can be bound by. */
export const RESOURCE_PARAMS: Record<Bound, Param[]> = {
  tensor: ['tensorCores', 'tcRows', 'tcCols', 'clockGHz'],
  vector: ['vectorLanes', 'vectorCores', 'clockGHz'],
  'local-buffer': ['localBufferBytes'],
  noc: ['nocGBs'],
  'global-buffer': ['globalBufferBytes', 'globalBufferGBs'],
  'off-chip': ['offChipGBs', 'globalBufferBytes'],
  network: [],
  none: [],
};
