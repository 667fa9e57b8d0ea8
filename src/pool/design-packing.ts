/**
 * Designs as one Float64Array for the trip to a worker (cloning thousands of objects costs more than this): each
 * design's own fields as the design record holds them (src/engine/layout.ts writeDesignFields / readDesign),
 * DESIGN_FIELDS f64 per design.
 */
import type { Design } from '../arch/design.js';
import { DESIGN_FIELDS, readDesign, writeDesignFields } from '../engine/layout.js';

export function packDesigns(ds: readonly Design[]): Float64Array {
  const a = new Float64Array(ds.length * DESIGN_FIELDS);
  ds.forEach((d, i) => writeDesignFields(a, i * DESIGN_FIELDS, d));
  return a;
}

export function unpackDesigns(a: Float64Array): Design[] {
  const out: Design[] = [];
  for (let o = 0; o < a.length; o += DESIGN_FIELDS) out.push(readDesign(a, o));
  return out;
}
