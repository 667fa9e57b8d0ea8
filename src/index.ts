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
export { importJsonGraph, readJsonGraphFile, graphJsonSchema, jsonGraphValidator } from './workload/json-graph.js';
export { importOnnx, readOnnxFile, SUPPORTED_ONNX_OPS } from './workload/onnx-import.js';
export { loadForwardGraph, loadTrainingGraph, type WorkloadSource } from './workload/load.js';
export { ZOO, findModel, zooNames, type ZooEntry } from './workload/zoo/index.js';
export type { Design, Precision, Dataflow, TechNode } from './arch/design.js';
export { areaMm2, areaBreakdown, tdpW, powerBreakdown, peakTflops, unitEnergies, clockedAreaMm2At45nm, type AreaBreakdown, type PowerBreakdown } from './arch/cost.js';
export { ARRAY_RATE_FRACTION, LAUNCH_OVERHEAD_S, PRESETS, PRESET_NAMES, presetDesign, presetInfo, type PresetInfo } from './arch/presets.js';
export { validateDesign, DESIGN_FIELD_RULES } from './arch/validate.js';
export { BUILTIN_SPACES, loadSpace, parseSpace, spaceSize, designAt, type DesignSpace } from './arch/space.js';
export { EYERISS_NETWORKS, eyerissLayers, eyerissPredictions, eyerissRows, type EyerissNetwork } from './validation/eyeriss.js';
export { selectRows, type RowSelection } from './validation/select.js';
export { powerRows } from './validation/power-rows.js';
export { Kernel, defaultKernel, compileKernel } from './engine/kernel.js';
export { flattenOps, type FlatGraph } from './engine/flatten.js';
export {
  evaluateDesign, prepareWorkload, EXECUTIONS, DEFAULT_SCHEDULE_PASSES, MAX_SCHEDULE_PASSES, type Execution, type Evaluation, type EvaluateOptions,
  type PreparedWorkload, type EnergyBreakdown,
} from './evaluate.js';
export { fidelityTable, LDDL_BIN64_SPEEDUP, LDDL_PHASE2_PADDED_SEQ, PYTORCH_LOADER_IMAGES_PER_S_PER_WORKER, THROUGHPUT_CASES, throughputRows, type FidelityRow, type ValidateRow } from './validation/fidelity.js';
export { CALIBRATED_CONSTANTS, type CalibratedConstant } from './validation/fitted-rows.js';
export { runSearch, STRATEGIES, type SearchOptions, type SearchResult } from './search/run.js';
export { OBJECTIVES, type Objective } from './evaluation/objectives.js';
export type { Strategy, StrategyContext } from './search/strategy.js';
export { BatchEvaluator, type DesignResult } from './evaluation/evaluator.js';
export { sweep, type SweepOptions, type SweepResult, type SweepProgress } from './sweep/sweep.js';
export { merge, type MergeOptions, type MergeResult } from './sweep/merge.js';
export { SweepStore, STORE_FILE, PARQUET_FILE, type StoreSummary } from './sweep/store.js';
export { RESULT_COLUMNS, type Column } from './sweep/rows.js';
export { parseShard, type Shard } from './sweep/shard.js';
export type { SweepManifest } from './sweep/manifest.js';
export { exactMakespan, compareWithList, solveInstance, scheduleInstance, checkSchedule, listSchedule, type ExactResult, type ExactOptions, type ListGap, type OpAssignment, type ScheduleInstance } from './schedule/ilp.js';
export { layerSubgraph, layerSizes, representativeLayerGraphs, type LayerSubgraph, type LayerPart } from './schedule/layer-graphs.js';
export { runDistributed, type DistributedRequest, type DistributedResult } from './distributed/run.js';
export { RECOMPUTE_MODES, ZERO_STAGES, type Layout, type RecomputeMode, type ZeroStage } from './distributed/layout.js';
export { NETWORKS, findNetwork, type Network } from './distributed/network.js';
export {
  report, buildReport, buildCharts, readReportSource, evaluateBest,
  type ReportOptions, type ReportResult, type ReportSource, type SourceKind, type Chart, type BestDesignDetail,
} from './report/report.js';
export type { SweepRow } from './report/sweep-source.js';
