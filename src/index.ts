/**
 * accelmine's library API: everything the CLI does, as functions.
 */
export { InputError } from './errors.js';
export * from './workload/ir.js';
export { GraphBuilder, type Value } from './workload/graph-builder.js';
export { buildTrainingStep, resolveTrainingOptions, DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from './workload/training.js';
export { fuseEpilogues } from './workload/fusion.js';
export { memoryFootprint, type MemoryFootprint } from './workload/memory.js';
export { summarizeTrainingGraph, type GraphSummary } from './workload/summary.js';
export { importJsonGraph, readJsonGraphFile, graphJsonSchema, jsonGraphSchema } from './workload/json-graph.js';
export { importOnnx, readOnnxFile, SUPPORTED_ONNX_OPS } from './workload/onnx-import.js';
export { loadForwardGraph, loadTrainingGraph, type WorkloadSource } from './workload/load.js';
export { ZOO, findModel, zooNames, type ZooEntry } from './workload/zoo/index.js';
