/** Picking rows of `accelmine validate`: by a piece of their case name, only those outside their bound, only predictions. */
import { InputError } from '../errors.js';
import type { FidelityRow } from './rows.js';

export interface RowSelection {
  /** keep the rows whose case contains this text (case-insensitive) */
  only?: string;
  /** keep only the rows outside their bound */
  misses?: boolean;
  /** keep only the predictions: rows no calibrated constant was fitted on (rows without `fitted` count as predictions) */
  predictions?: boolean;
}

export function selectRows<R extends FidelityRow & { fitted?: readonly string[] }>(rows: R[], selection: RowSelection): R[] {
  let kept = rows;
  if (selection.only !== undefined) {
    const text = selection.only.trim().toLowerCase();
    if (text === '') throw new InputError('--only must be a piece of a case name, e.g. "vgg-16" or "a100", got an empty string');
    kept = kept.filter((r) => r.case.toLowerCase().includes(text));
    if (kept.length === 0) {
      const groups = [...new Set(rows.map((r) => r.case.split(' ')[0]))].join(', ');
      throw new InputError(`--only ${JSON.stringify(selection.only)} matches no case; cases begin with: ${groups}`);
    }
  }
  if (selection.predictions) kept = kept.filter((r) => !r.fitted?.length);
  return selection.misses ? kept.filter((r) => !r.pass) : kept;
}
