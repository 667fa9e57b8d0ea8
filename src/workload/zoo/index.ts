/** The model zoo: every built-in model by name. */
import { InputError, nearest } from '../../errors.js';
import { CNN_MODELS } from './cnn.js';
import { OTHER_MODELS } from './recsys.js';
import { megatronGptEntry, TRANSFORMER_MODELS } from './transformers.js';
import type { ZooEntry } from './types.js';

export type { ZooEntry, ZooBuildOptions, ModelFamily, AttentionImpl } from './types.js';
export { ATTENTION_IMPLS } from './types.js';

export const ZOO: readonly ZooEntry[] = [...CNN_MODELS, ...TRANSFORMER_MODELS, ...OTHER_MODELS];

export function zooNames(): string[] {
  return ZOO.map((m) => m.name);
}

/**
 * A zoo model by name, or a parametric one (`megatron-gpt-l<layers>-h<hidden>-a<heads>[-v<vocab>][-s<positions>]`,
 * Megatron-LM's GPT at any shape).
 */
export function findModel(name: string): ZooEntry {
  const m = ZOO.find((e) => e.name === name.toLowerCase()) ?? megatronGptEntry(name.toLowerCase());
  if (!m) {
    const hint = nearest(name, zooNames());
    throw new InputError(`unknown model "${name}"${hint ? `; did you mean "${hint}"?` : ''} (see \`accelmine models\`, or megatron-gpt-l<layers>-h<hidden>-a<heads> for Megatron-LM's GPT at any shape)`);
  }
  return m;
}
