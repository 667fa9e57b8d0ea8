/**
 * Validation of a design given by a user (JSON file, API call): every field present, of the right type, and
 * within what the template allows. Errors are one line naming the source, the field and what is allowed.
 */
import { DATAFLOWS, PRECISIONS, TECH_NODES, type Design } from './design.js';
import { describe, InputError, MAX_ARRAY_SIDE } from '../errors.js';

interface FieldRule {
  integer: boolean;
  min: number;
  max: number;
  unit: string;
}

/** What each numeric field allows (also the bounds of design spaces). */
export const DESIGN_FIELD_RULES: Record<Exclude<keyof Design, 'precision' | 'dataflow' | 'techNm'>, FieldRule> = {
  tensorCores: { integer: true, min: 1, max: 65536, unit: 'cores' },
  tcRows: { integer: true, min: 1, max: MAX_ARRAY_SIDE, unit: 'PEs' },
  tcCols: { integer: true, min: 1, max: MAX_ARRAY_SIDE, unit: 'PEs' },
  vectorCores: { integer: true, min: 1, max: 65536, unit: 'cores' },
  vectorLanes: { integer: true, min: 1, max: 65536, unit: 'lanes' },
  localBufferBytes: { integer: true, min: 0, max: 2 ** 40, unit: 'bytes' },
  globalBufferBytes: { integer: true, min: 0, max: 2 ** 44, unit: 'bytes' },
  globalBufferGBs: { integer: false, min: 1e-3, max: 1e7, unit: 'GB/s' },
  offChipBytes: { integer: false, min: 1, max: 2 ** 50, unit: 'bytes' },
  offChipGBs: { integer: false, min: 1e-3, max: 1e6, unit: 'GB/s' },
  nocGBs: { integer: false, min: 1e-3, max: 1e7, unit: 'GB/s' },
  clockGHz: { integer: false, min: 1e-3, max: 10, unit: 'GHz' },
};

export const DESIGN_FIELDS = [...Object.keys(DESIGN_FIELD_RULES), 'precision', 'dataflow', 'techNm'] as (keyof Design)[];

/** Checks `raw` is a valid design; `source` names where it came from (a file name, 'design'). */
export function validateDesign(raw: unknown, source = 'design'): Design {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError(`${source}: a design must be a JSON object with fields ${DESIGN_FIELDS.join(', ')}`);
  }
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !DESIGN_FIELDS.includes(k as keyof Design));
  if (unknown.length > 0) {
    throw new InputError(`${source}: unknown design field '${unknown[0]}'; fields are ${DESIGN_FIELDS.join(', ')}`);
  }
  const out: Record<string, unknown> = {};
  for (const [field, r] of Object.entries(DESIGN_FIELD_RULES)) {
    const v = o[field];
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= r.min && v <= r.max && (!r.integer || Number.isInteger(v));
    if (!ok) {
      throw new InputError(
        `${source}: ${field} must be ${r.integer ? 'an integer' : 'a number'} from ${r.min} to ${r.max} (${r.unit}), got ${describe(v)}`,
      );
    }
    out[field] = v;
  }
  if (!PRECISIONS.includes(o.precision as never)) {
    throw new InputError(`${source}: precision must be one of ${PRECISIONS.join(', ')}, got ${describe(o.precision)}`);
  }
  if (!DATAFLOWS.includes(o.dataflow as never)) {
    throw new InputError(`${source}: dataflow must be one of ${DATAFLOWS.join(', ')}, got ${describe(o.dataflow)}`);
  }
  if (!TECH_NODES.includes(o.techNm as never)) {
    throw new InputError(`${source}: techNm must be one of ${TECH_NODES.join(', ')} (nm), got ${describe(o.techNm)}`);
  }
  return { ...(out as Omit<Design, 'precision' | 'dataflow' | 'techNm'>), precision: o.precision as Design['precision'], dataflow: o.dataflow as Design['dataflow'], techNm: o.techNm as Design['techNm'] };
}
