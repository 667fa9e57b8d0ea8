/** Reading data/reference (copies of the published measurements) and building fidelity rows. */
import { readFileSync } from 'node:fs';

export interface FidelityRow {
  case: string;
  predicted: number;
  measured: number;
  unit: string;
  /** (predicted − measured) / measured × 100 */
  errorPct: number;
  /** the range the issue sets for this case, in the row's unit */
  allowedMin: number;
  allowedMax: number;
  /** the bound as written: `±15%`, `60–100% of TDP`, `measured max to 1.5×` */
  allowed: string;
  pass: boolean;
}

const REFERENCE = new URL('../../data/reference/', import.meta.url);

export function readReferenceCsv(name: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(new URL(name, REFERENCE), 'utf8').trim().split(/\r?\n/);
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

export function readReferenceJson(name: string): any {
  return JSON.parse(readFileSync(new URL(name, REFERENCE), 'utf8'));
}

/** A row within ±allowedPct of the measurement. */
export function pctRow(c: string, predicted: number, measured: number, unit: string, allowedPct: number): FidelityRow {
  return rangeRow(c, predicted, measured, unit, measured * (1 - allowedPct / 100), measured * (1 + allowedPct / 100), `±${allowedPct}%`);
}

/** A row that must land in [min, max] (the error is still reported against `measured`). */
export function rangeRow(c: string, predicted: number, measured: number, unit: string, min: number, max: number, allowed: string): FidelityRow {
  const errorPct = ((predicted - measured) / measured) * 100;
  const eps = 1e-9 * Math.max(1, Math.abs(measured));
  return { case: c, predicted, measured, unit, errorPct, allowedMin: min, allowedMax: max, allowed, pass: predicted >= min - eps && predicted <= max + eps };
}
