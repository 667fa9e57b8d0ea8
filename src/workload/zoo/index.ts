/** The model zoo: every built-in model by name. */
import { InputError, nearest } from '../../errors.js';
import { CNN_MODELS } from './cnn.js';
import { OTHER_MODELS } from './recsys.js';
import { TRANSFORMER_MODELS } from './transformers.js';
import type { ZooEntry } from './types.js';

export type { ZooEntry, ZooBuildOptions, ModelFamily, AttentionImpl } from './types.js';
export { ATTENTION_IMPLS } from './types.js';

export const ZOO: readonly ZooEntry[] = [...CNN_MODELS, ...TRANSFORMER_MODELS, ...OTHER_MODELS];

export function zooNames(): string[] {
  return ZOO.map((m) => m.name);
}

export function findModel(name: string): ZooEntry {
  const m = ZOO.find((e) => e.name === name.toLowerCase());
  if (!m) {
    const hint = nearest(name, zooNames());
    throw new InputError(`unknown model "${name}"${hint ? `; did you mean "${hint}"?` : ''} (see \`accelmine models\`)`);
  }
  return m;
}
