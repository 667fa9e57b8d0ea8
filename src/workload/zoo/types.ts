import type { DType, ForwardGraph } from '../ir.js';

export interface ZooBuildOptions {
  /** samples per step */
  batch: number;
  /** tokens per sample, for sequence models (ignored by others) */
  seq: number;
  /** compute precision of activations and weights */
  dtype: DType;
}

export type ModelFamily = 'cnn' | 'transformer' | 'recommendation' | 'rnn';

export interface ZooEntry {
  name: string;
  family: ModelFamily;
  defaultBatch: number;
  /** sequence length used when the user gives none (sequence models only) */
  defaultSeq?: number;
  /** published figures the built graph is checked against */
  published: {
    params: number;
    /** forward multiply-accumulates per sample at the default sequence length/resolution */
    fwdMacsPerSample?: number;
    source: string;
  };
  build(o: ZooBuildOptions): ForwardGraph;
}
