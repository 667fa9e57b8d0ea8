import type { DType, ForwardGraph } from '../ir.js';

export type AttentionImpl = 'fused' | 'unfused';
export const ATTENTION_IMPLS: readonly AttentionImpl[] = ['fused', 'unfused'];

export interface ZooBuildOptions {
  /** samples per step */
  batch: number;
  /** tokens per sample, for sequence models (ignored by others) */
  seq: number;
  /** compute precision of activations and weights */
  dtype: DType;
  /**
   * Megatron tensor-parallel width (transformers only): the graph of ONE device's shard — attention heads,
   * key/value heads, the MLP's inner width and the vocabulary divided by t (column-parallel Q/K/V, fc1 or
   * gate/up and LM head; row-parallel output projection and fc2/down). The all-reduces are costed by
   * src/distributed. Default 1.
   */
  tensorParallel?: number;
  /**
   * How attention runs (transformers only): 'fused' (default) as one FlashAttention-style op per layer that
   * keeps the scores on chip; 'unfused' as separate score, scale, mask, softmax, dropout and context ops with
   * the scores in memory (frameworks before 2022).
   */
  attention?: AttentionImpl;
  /**
   * Mixture-of-experts capacity factor (MoE models only): each expert takes at most
   * ⌈C × tokens × top-k / experts⌉ tokens (never more than all of them). 1 (default): balanced routing fills
   * every slot; C > 1 pads each expert's buffer and pays compute, memory and dispatch traffic on the padding
   * (as GShard/Switch-style implementations run); C < 1 drops the tokens beyond capacity (they skip the MLP).
   */
  capacityFactor?: number;
  /** build only this many transformer blocks (profiling identical layers once); default: the model's */
  layers?: number;
}

export type ModelFamily = 'cnn' | 'transformer' | 'recommendation' | 'rnn';

export interface ZooEntry {
  name: string;
  family: ModelFamily;
  defaultBatch: number;
  /** sequence length used when the user gives none (sequence models only) */
  defaultSeq?: number;
  /** the sequence length is the model's own (ViT: its patches and the class token); a different --seq is refused */
  fixedSeq?: boolean;
  /** published figures the built graph is checked against */
  published: {
    params: number;
    /** forward multiply-accumulates per sample at the default sequence length/resolution */
    fwdMacsPerSample?: number;
    source: string;
  };
  build(o: ZooBuildOptions): ForwardGraph;
}
