/**
 * Where a workload comes from (zoo name, ONNX file or JSON graph) → its forward graph → the training step.
 */
import { InputError, requirePositiveInt } from '../errors.js';
import type { ForwardGraph, TrainingGraph } from './ir.js';
import { readJsonGraphFile } from './json-graph.js';
import { readOnnxFile } from './onnx-import.js';
import { buildTrainingStep, type TrainingOptions } from './training.js';
import { findModel, type AttentionImpl } from './zoo/index.js';

export interface WorkloadSource {
  /** a zoo model name */
  model?: string;
  /** path of an .onnx file */
  onnx?: string;
  /** path of a JSON graph file */
  graph?: string;
  batch?: number;
  seq?: number;
  precision?: 'bf16' | 'fp32';
  /** what to do with ONNX operators we do not model */
  unsupported?: 'error' | 'as-elementwise';
  /** how zoo transformers run attention (default fused); imported graphs keep their own attention ops */
  attention?: AttentionImpl;
  /** mixture-of-experts capacity factor of zoo MoE models (ZooBuildOptions.capacityFactor) */
  capacityFactor?: number;
  /**
   * one of several models given together (search, sweep, compare): `seq` and `attention` apply to the models that
   * take them. Alone, a model that takes neither refuses them.
   */
  listed?: boolean;
}

export function loadForwardGraph(src: WorkloadSource): ForwardGraph {
  const given = [src.model, src.onnx, src.graph].filter((x) => x !== undefined).length;
  if (given !== 1) throw new InputError('give exactly one workload: --model NAME, --onnx FILE or --graph FILE');
  if (src.batch !== undefined) requirePositiveInt('--batch', src.batch, 1 << 24);
  if (src.seq !== undefined) requirePositiveInt('--seq', src.seq, 1 << 24);
  const dtype = src.precision ?? 'bf16';
  if (src.attention !== undefined && src.attention !== 'fused' && src.attention !== 'unfused') {
    throw new InputError(`--attention must be fused or unfused, got "${src.attention}"`);
  }
  if (src.model !== undefined) {
    const m = findModel(src.model);
    if (src.capacityFactor !== undefined && m.family !== 'transformer') {
      throw new InputError(`--capacity-factor applies to mixture-of-experts models; ${m.name} has none`);
    }
    if (!src.listed && src.seq !== undefined && m.defaultSeq === undefined) {
      throw new InputError(`--seq applies to sequence models; ${m.name} (${m.family}) has a fixed input size`);
    }
    if (!src.listed && src.seq !== undefined && m.fixedSeq && src.seq !== m.defaultSeq) {
      throw new InputError(`--seq: ${m.name} has a fixed sequence of ${m.defaultSeq} tokens, got ${src.seq}`);
    }
    if (!src.listed && src.attention !== undefined && m.family !== 'transformer') {
      throw new InputError(`--attention applies to transformers; ${m.name} is a ${m.family}`);
    }
    const batch = src.batch ?? m.defaultBatch;
    const seq = src.seq ?? m.defaultSeq ?? 1;
    try {
      return m.build({ batch, seq, dtype, attention: src.attention, capacityFactor: src.capacityFactor });
    } catch (e) {
      // a batch (× sequence) within the flags' limits can still make an op dimension too large: say which flags
      if (e instanceof InputError && /no larger than/.test(e.message)) {
        throw new InputError(`--batch ${batch}${m.defaultSeq !== undefined ? ` × --seq ${seq}` : ''} is too large for ${m.name}: ${e.message}`);
      }
      throw e;
    }
  }
  if (src.attention !== undefined) {
    throw new InputError('--attention applies to zoo models; an imported graph (--onnx, --graph) keeps the attention ops it has');
  }
  if (src.capacityFactor !== undefined) {
    throw new InputError('--capacity-factor applies to zoo mixture-of-experts models; an imported graph keeps the expert sizes it has');
  }
  if (src.onnx !== undefined) {
    return readOnnxFile(src.onnx, { batch: src.batch, seq: src.seq, dtype, unsupported: src.unsupported ?? 'error' });
  }
  return readJsonGraphFile(src.graph!, { batch: src.batch, seq: src.seq, dtype });
}

export function loadTrainingGraph(src: WorkloadSource, training: TrainingOptions = {}): TrainingGraph {
  return buildTrainingStep(loadForwardGraph(src), { ...training, precision: src.precision ?? training.precision });
}
