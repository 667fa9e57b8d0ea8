/** Designs as one Float64Array for the trip to a worker (cloning thousands of objects costs more than this). */
import { DATAFLOWS, PRECISIONS, TECH_NODES, type Design } from '../arch/design.js';

const FIELDS = 15;

export function packDesigns(ds: readonly Design[]): Float64Array {
  const a = new Float64Array(ds.length * FIELDS);
  ds.forEach((d, i) => {
    const o = i * FIELDS;
    a[o] = d.tensorCores; a[o + 1] = d.tcRows; a[o + 2] = d.tcCols; a[o + 3] = d.vectorCores; a[o + 4] = d.vectorLanes;
    a[o + 5] = d.localBufferBytes; a[o + 6] = d.globalBufferBytes; a[o + 7] = d.globalBufferGBs; a[o + 8] = d.offChipBytes;
    a[o + 9] = d.offChipGBs; a[o + 10] = d.nocGBs; a[o + 11] = d.clockGHz; a[o + 12] = PRECISIONS.indexOf(d.precision);
    a[o + 13] = DATAFLOWS.indexOf(d.dataflow); a[o + 14] = TECH_NODES.indexOf(d.techNm);
  });
  return a;
}

export function unpackDesigns(a: Float64Array): Design[] {
  const out: Design[] = [];
  for (let o = 0; o < a.length; o += FIELDS) {
    out.push({
      tensorCores: a[o], tcRows: a[o + 1], tcCols: a[o + 2], vectorCores: a[o + 3], vectorLanes: a[o + 4], localBufferBytes: a[o + 5],
      globalBufferBytes: a[o + 6], globalBufferGBs: a[o + 7], offChipBytes: a[o + 8], offChipGBs: a[o + 9], nocGBs: a[o + 10],
      clockGHz: a[o + 11], precision: PRECISIONS[a[o + 12]], dataflow: DATAFLOWS[a[o + 13]], techNm: TECH_NODES[a[o + 14]],
    });
  }
  return out;
}
