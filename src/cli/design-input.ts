/** Where a command's design comes from: a preset name or a design file (a bare design or a result holding one). */
import type { Design } from '../arch/design.js';
import { validateDesign } from '../arch/validate.js';
import { InputError } from '../errors.js';
import { readJsonFile } from '../json-file.js';

export function readDesignFile(path: string): Design {
  const raw = readJsonFile(path);
  return validateDesign(designIn(raw), path);
}

/**
 * The design inside a design file: a bare design, an object with a `design` field (a top-k entry, a preset),
 * or a search/sweep result whose `best.design` is the answer (`search --json`, `--out DIR/result.json`).
 */
function designIn(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || 'tensorCores' in raw) return raw;
  const o = raw as { design?: unknown; best?: { design?: unknown } };
  if (o.design !== undefined) return o.design;
  if (o.best && typeof o.best === 'object' && o.best.design !== undefined) return o.best.design;
  return raw;
}

/** `--preset NAME` or `--design FILE`, exactly one; the presets load only when a preset is named. */
export async function resolveDesign(o: { preset?: string; design?: string }): Promise<Design> {
  if ((o.preset === undefined) === (o.design === undefined)) throw new InputError('give exactly one of --preset NAME or --design FILE');
  if (o.design !== undefined) return readDesignFile(o.design);
  const { presetDesign } = await import('../arch/presets.js');
  return presetDesign(o.preset!);
}
