/** The workload flags every workload-taking command shares (kept apart so a command loads no workload code to parse them). */
import type { Command } from 'commander';
import { MAX_GRAD_ACCUMULATION } from '../errors.js';
import { OPTIMIZERS, type OptimizerKind } from '../workload/ir.js';
import type { TrainingOptions } from '../workload/training.js';
import type { WorkloadSource } from '../workload/load.js';
import { nonEmpty, oneOf, positiveInt, positiveNumber } from './common.js';

/** The workload flags every workload-taking command shares. */
export function addWorkloadOptions(cmd: Command): Command {
  return cmd
    .option('--model <name>', 'a model from the zoo (see `accelmine models`)')
    .option('--onnx <file>', 'an ONNX model file', nonEmpty('--onnx'))
    .option('--graph <file>', 'a JSON graph file (see `accelmine graph-schema`)', nonEmpty('--graph'))
    .option('--batch <n>', 'micro-batch size (samples per step)', positiveInt('--batch'))
    .option('--seq <n>', 'sequence length (sequence models)', positiveInt('--seq'))
    .option('--attention <impl>', 'attention of zoo transformers: fused (FlashAttention, scores on chip; default) | unfused (scores in memory)', oneOf('--attention', ['fused', 'unfused'] as const))
    .option('--capacity-factor <c>', 'mixture-of-experts models: tokens an expert takes, × tokens·top-k/experts (default 1; >1 pads, <1 drops)', positiveNumber('--capacity-factor'))
    .option('--unsupported <mode>', 'ONNX operators we do not model: error | as-elementwise', oneOf('--unsupported', ['error', 'as-elementwise'] as const), 'error');
}

export interface WorkloadFlags {
  model?: string;
  onnx?: string;
  graph?: string;
  batch?: number;
  seq?: number;
  unsupported?: 'error' | 'as-elementwise';
  precision?: 'bf16' | 'fp32';
  attention?: 'fused' | 'unfused';
  capacityFactor?: number;
}

export function workloadSource(o: WorkloadFlags): WorkloadSource {
  return { model: o.model, onnx: o.onnx, graph: o.graph, batch: o.batch, seq: o.seq, unsupported: o.unsupported, precision: o.precision, attention: o.attention, capacityFactor: o.capacityFactor };
}


/** The training-step flags `graph` and `evaluate` share. */
export interface TrainingFlags {
  optimizer: OptimizerKind;
  recompute?: boolean;
  fusion: boolean;
  gradAccumulation?: number;
}

export function addTrainingOptions(cmd: Command): Command {
  return cmd
    .option('--precision <p>', 'bf16 (bf16 compute, fp32 master weights/optimizer) | fp32', oneOf('--precision', ['bf16', 'fp32'] as const), 'bf16')
    .option('--optimizer <o>', OPTIMIZERS.join(' | '), oneOf('--optimizer', OPTIMIZERS), 'adam')
    .option('--recompute', 'recompute each layer\'s forward before its backward')
    .option('--no-fusion', 'no fused kernels: epilogues, residual + norm and multi-tensor optimizer updates stay separate ops')
    .option('--grad-accumulation <n>', 'micro-batches per optimizer update (gradients summed in fp32; a step pays 1/n of the update)', positiveInt('--grad-accumulation', MAX_GRAD_ACCUMULATION));
}

export function trainingOptions(o: TrainingFlags): TrainingOptions {
  return { optimizer: o.optimizer, recompute: o.recompute ?? false, fusion: o.fusion, gradAccumulationSteps: o.gradAccumulation ?? 1 };
}
