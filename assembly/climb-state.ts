/** The state of one kernel climb (tighten.ts): buffers, the current and best designs, results, counters. */
import { DESIGN_STRIDE, STEP_STRIDE } from './layout';
import { CHOICE_PARAMS as NP, CLIMB_RESOURCES as NRES } from './climb-layout';

/** proposals per step: ≤ 2 grows × 4 params × (1 + 2 × 4 shrinks) + 2 × 4 shrinks + other dataflows/precisions */
export const MAXP: i32 = 160;

// ---------------------------------------------------------------------------------------------
// per-climb state
// ---------------------------------------------------------------------------------------------
export let gRecStride: i32 = 0;
// critical tensor shapes (climb-layout.ts SH_*) per workload, SHAPES_PER_WL each: of the last evaluated design,
// of the batch's best and of the current design (weights: share of the workload's step / workloads)
export let gMaxSlots: i32 = 0;
export let gSlotScratch: usize = 0; // f64 [gMaxSlots]
export let gSlotScratchCap: i32 = 0;
export let gShapes: usize = 0;
export let gBestShapes: usize = 0;
export let gCurShapes: usize = 0;
export let gShapesCap: i32 = 0; // workloads the three buffers have room for
export let gNShapes: usize = 0; // i32 [workloads] records per workload, for each of the three
export let gBestNShapes: usize = 0;
export let gCurNShapes: usize = 0;
export let gStep: usize = 0; // f64 [STEP_STRIDE]
export let gCur: usize = 0; // i32 [NP]
export let gCurRec: usize = 0; // f64 record of the current design
export let gCurShare: usize = 0; // f64 [NRES]
export let gCurScore: f64 = 0;
export let gBestShare: usize = 0; // f64 [NRES] share of the batch's best
export let gShare: usize = 0; // f64 [NRES] share of the last evaluated design
export let gRec: usize = 0; // f64 record of the last evaluated design
export let gBatchBest: usize = 0; // f64 record of the batch's best
export let gDesign: usize = 0; // f64 [DESIGN_STRIDE] the design record being costed or evaluated
export let gProp: usize = 0; // i32 [MAXP × NP] proposals
export let gNProp: i32 = 0;
export let gKept: usize = 0; // i32 [MAXP × NP]
export let gTmp: usize = 0; // i32 [NP]
export let gRanked: usize = 0; // i32 [NRES]
export let gRankedShare: usize = 0; // f64 [NRES]
export let gHead: usize = 0; // f64 header
export let gTop: usize = 0; // f64 [topK × record]
export let gNTop: i32 = 0;
export let gTopCap: i32 = 0;
export let gTrace: usize = 0;
export let gNTrace: i32 = 0;
export let gTraceCap: i32 = 0;
export let gLog: usize = 0;
export let gNLog: i32 = 0;
export let gLogCap: i32 = 0;
export let gBestScore: f64 = 0;
export let gEvals: i32 = 0;
export let gInfeasible: i32 = 0;
export let gBestGoodness: usize = 0; // f64 [workloads]
export let gGoodCap: i32 = 0;
