/** `accelmine distributed`: a model trained on many devices: layout, stages, step time, communication. */
import { Option, type Command } from 'commander';
import { OPTIMIZERS, type OptimizerKind } from '../workload/ir.js';
import { loadSpace } from '../arch/space.js';
import { MEGATRON_A100_COMPUTE_EFFICIENCY } from '../distributed/calibration.js';
import { describeLayout, RECOMPUTE_MODES, type RecomputeMode, type ZeroStage } from '../distributed/layout.js';
import { findNetwork, NETWORKS } from '../distributed/network.js';
import { runDistributed } from '../distributed/run.js';
import { InputError, MAX_DEVICES } from '../errors.js';
import { defaultThreads } from '../pool/pool.js';
import { action, bytesIec, fraction, nonEmpty, nonNegativeInt, numberInRange, oneOf, positiveInt, positiveNumber, printJson, si, table, threadsOption } from './common.js';
import { resolveDesign } from './design-input.js';

interface DistributedFlags {
  model: string;
  devices: number;
  tp?: number;
  pp?: number;
  dp?: number;
  autoParallel?: boolean;
  microbatch?: number;
  globalBatch?: number;
  seq?: number;
  attention?: 'fused' | 'unfused';
  capacityFactor?: number;
  recompute?: RecomputeMode;
  interleave?: number;
  sequenceParallel?: boolean;
  zero?: ZeroStage;
  area?: number;
  tdp?: number;
  design?: string;
  preset?: string;
  search?: boolean;
  perStageDesigns?: boolean;
  space: string;
  budget: number;
  seed: number;
  threads?: number;
  network: string;
  zero1?: boolean;
  ep?: number;
  overlapGradReduce: boolean;
  launchUs?: number;
  computeEfficiency?: number;
  arrayRate?: number;
  optimizer: OptimizerKind;
  json?: boolean;
}

export function registerDistributedCommand(program: Command): void {
  program
    .command('distributed')
    .description('train a model on many devices: tensor/pipeline/data-parallel layout, stage partition, step time, communication; optionally search the layout and the device design')
    .requiredOption('--model <name>', 'a zoo model')
    .requiredOption('--devices <n>', `number of devices (at most ${MAX_DEVICES})`, (v) => {
      const n = positiveInt('--devices')(v);
      if (n > MAX_DEVICES) throw new InputError(`--devices must be at most ${MAX_DEVICES}, got ${n}`);
      return n;
    })
    .option('--tp <t>', 'tensor-parallel width', positiveInt('--tp'))
    .option('--pp <p>', 'pipeline stages', positiveInt('--pp'))
    .option('--dp <d>', 'data-parallel replicas', positiveInt('--dp'))
    .option('--auto-parallel', 'search (dp, pp, tp, micro-batch, interleave, sequence parallel, recompute, ZeRO) for the fastest step; what you give stays fixed')
    .option('--microbatch <b>', 'micro-batch size (searched when not given)', positiveInt('--microbatch'))
    .option('--global-batch <g>', 'samples per step (default 2 x devices)', positiveInt('--global-batch'))
    .option('--seq <s>', 'sequence length', positiveInt('--seq'))
    .option('--attention <impl>', 'fused (FlashAttention, default) | unfused (scores in memory)', oneOf('--attention', ['fused', 'unfused'] as const))
    .option('--capacity-factor <c>', 'mixture-of-experts models: tokens an expert takes, × tokens·top-k/experts (default 1; >1 pads, <1 drops)', positiveNumber('--capacity-factor'))
    .addOption(
      new Option('--recompute [mode]', 'recompute activations: full (every layer; the default with no mode) | selective (the attention core) | none; searched when not given with --auto-parallel')
        .preset('full').argParser(oneOf('--recompute', RECOMPUTE_MODES)),
    )
    .option('--interleave <v>', 'model chunks per pipeline device (interleaved 1F1B); must divide the blocks per stage (default 1)', positiveInt('--interleave'))
    .option('--sequence-parallel', 'Megatron sequence parallelism: norms, dropouts and residuals sharded over the tensor-parallel group (needs --tp > 1)')
    .option('--zero <stage>', 'ZeRO over the data-parallel replicas: 0 | 1 (optimizer state) | 2 (+ gradients) | 3 (+ parameters, FSDP) (default 0)', (v) => Number(oneOf('--zero', ['0', '1', '2', '3'])(v)) as ZeroStage)
    .option('--area <mm2>', 'area budget per device for --search, mm²', positiveNumber('--area'))
    .option('--tdp <w>', 'TDP budget per device for --search, W', positiveNumber('--tdp'))
    .option('--preset <name>', 'device preset (default a100)')
    .option('--design <file>', 'device design JSON', nonEmpty('--design'))
    .option('--search', "search the device design (WHAM's per-stage local search, then a global search over the stages' top-k)")
    .option('--per-stage-designs', 'with --search, also allow one design per stage and report what it gains')
    .option('--space <name|file>', 'design space for --search', 'large')
    .option('--budget <evals>', 'design evaluations per stage kind for --search', positiveInt('--budget'), 2000)
    .option('--seed <s>', 'random seed', nonNegativeInt('--seed'), 1)
    .option('--threads <t>', 'worker threads for --search', threadsOption())
    .option('--network <name>', Object.keys(NETWORKS).join(' | '), 'nvlink-ib')
    .option('--zero1', 'the same as --zero 1')
    .option('--ep <e>', 'expert parallelism for mixture-of-experts models: experts sharded over e data-parallel replicas, all-to-all dispatch and combine (searched with --auto-parallel; default 1)', positiveInt('--ep'))
    .option('--no-overlap-grad-reduce', 'ZeRO 0/1: reduce the gradients over the data-parallel replicas after the last backward, not during it (Megatron-LM\'s own DDP)')
    .option('--launch-us <us>', "the gap before every kernel, µs (default: the preset family's, GPUs 4, else 0)", numberInRange('--launch-us', 1e6))
    .option('--compute-efficiency <f>', `the share of the kernel's op rate the framework achieves, 0-1: op times / f (default 1; ${MEGATRON_A100_COMPUTE_EFFICIENCY} is calibrated on Megatron-LM on A100s, docs/fidelity.md)`, positiveNumber('--compute-efficiency'))
    .option('--array-rate <f>', "the most of each array's peak MAC rate an op sustains, 0-1 (default: the preset's, v100 0.664 as measured from cuBLAS, else 1)", fraction('--array-rate'))
    .option('--optimizer <o>', OPTIMIZERS.join(' | '), oneOf('--optimizer', OPTIMIZERS), 'adam')
    .option('--json', 'print JSON')
    .action(
      action(async (o: DistributedFlags, cmd: Command) => {
        if (o.preset && o.design) throw new InputError('give at most one of --preset NAME or --design FILE');
        if (!o.search) {
          // --space, --budget and --seed have defaults: given on the command line they were ignored (--space nope ran)
          const given = (name: string) => cmd.getOptionValueSource(name) === 'cli' || undefined;
          const searchOnly = ([['--area', o.area], ['--tdp', o.tdp], ['--per-stage-designs', o.perStageDesigns], ['--threads', o.threads],
            ['--space', given('space')], ['--budget', given('budget')], ['--seed', given('seed')]] as const).find(([, v]) => v !== undefined);
          if (searchOnly) throw new InputError(`${searchOnly[0]} applies to --search (the device design search); give --search, or leave ${searchOnly[0]} out`);
        }
        if (!o.autoParallel && (o.tp === undefined || o.pp === undefined || o.dp === undefined)) throw new InputError('give --tp T --pp P --dp D, or --auto-parallel');
        const design = await resolveDesign(o.design ? { design: o.design } : { preset: o.preset ?? 'a100' });
        const preset = o.design ? undefined : (await import('../arch/presets.js')).presetInfo(o.preset ?? 'a100');
        const launchOverheadS = o.launchUs !== undefined ? o.launchUs * 1e-6 : preset?.launchOverheadS ?? 0;
        const arrayRateFraction = o.arrayRate ?? preset?.arrayRateFraction ?? 1;
        const r = await runDistributed({
          model: o.model, devices: o.devices, seq: o.seq, globalBatch: o.globalBatch, microbatch: o.microbatch, tp: o.tp, pp: o.pp, dp: o.dp,
          // without --auto-parallel what is not given is off; with it, searched
          recompute: o.recompute ?? (o.autoParallel ? undefined : 'none'),
          interleave: o.interleave ?? (o.autoParallel ? undefined : 1),
          sequenceParallel: o.sequenceParallel ?? (o.autoParallel ? undefined : false),
          zero: o.zero ?? (o.zero1 || o.autoParallel ? undefined : 0), zero1: o.zero1,
          ep: o.ep ?? (o.autoParallel ? undefined : 1),
          overlapGradReduce: o.overlapGradReduce, launchOverheadS, computeEfficiency: o.computeEfficiency, arrayRateFraction,
          autoParallel: !!o.autoParallel, design, network: findNetwork(o.network), optimizer: o.optimizer, precision: 'bf16', attention: o.attention, capacityFactor: o.capacityFactor,
          search: o.search ? {
            space: loadSpace(o.space), limits: { areaMm2: o.area ?? Infinity, tdpW: o.tdp ?? Infinity }, topK: 5, seed: o.seed,
            threads: o.threads ?? defaultThreads(), budgetPerStage: o.budget, perStageDesigns: !!o.perStageDesigns,
          } : undefined,
        });
        if (o.json) return printJson(r);
        const L = r.layout;
        // a --microbatch that does not divide the per-replica batch is an infeasible layout: no fraction of a micro-batch is printed
        const perStep = r.globalBatch / (L.dp * L.microbatch);
        let text =
          `${r.model} on ${r.devices} devices (${r.network}), global batch ${r.globalBatch}${r.seq ? `, seq ${r.seq}` : ''}\n` +
          `layout: dp ${L.dp} x pp ${L.pp} x tp ${L.tp}, micro-batch ${L.microbatch} (${Number.isInteger(perStep) ? perStep : 'not a whole number'} per step), ${describeLayout(L)}\n` +
          (r.feasible ? '' : `INFEASIBLE: ${r.reason}\n`);
        if (r.stepTimeS === 0) {
          process.stdout.write(text);
          return;
        }
        text +=
          `step ${(r.stepTimeS * 1e3).toFixed(1)} ms: ${r.throughput.samplesPerS.toFixed(1)} samples/s${r.throughput.tokensPerS ? ` (${si(r.throughput.tokensPerS)} tokens/s)` : ''}, ` +
          `${r.perDeviceTflops.toFixed(1)} TFLOP/s per device, bubble ${(r.bubbleFraction * 100).toFixed(1)}% (${(r.bubbleOverhead * 100).toFixed(1)}% of the compute)\n` +
          `communication: tensor-parallel ${(r.commTimeS.tensorParallel * 1e3).toFixed(1)} ms, ${r.commTimeS.expertParallel > 0 ? `expert-parallel ${(r.commTimeS.expertParallel * 1e3).toFixed(1)} ms, ` : ''}pipeline ${(r.commTimeS.pipeline * 1e3).toFixed(2)} ms, ` +
          `data-parallel ${(r.commTimeS.dataParallel * 1e3).toFixed(1)} ms (${(r.commTimeS.dataParallelExposed * 1e3).toFixed(1)} ms exposed)\n`;
        const shown = r.stages.length > 12 ? [...r.stages.slice(0, 6), ...r.stages.slice(-6)] : r.stages;
        const dpCol = L.zero >= 2;
        text += table([
          ['stage', 'layers', 'first', 'last', 'time ms', 'tp comm ms', ...(dpCol ? ['dp comm ms'] : []), 'memory'],
          ...shown.map((s) => [
            String(r.stages.indexOf(s)), String(s.layers), s.firstLayer, s.lastLayer, (s.timeS * 1e3).toFixed(2), (s.tpCommS * 1e3).toFixed(2),
            ...(dpCol ? [(s.dpCommS * 1e3).toFixed(2)] : []), bytesIec(s.memoryBytes),
          ]),
        ]);
        if (r.placement) text += `placement search: ${r.placement.layoutsEvaluated} layouts in ${r.placement.wallTimeS.toFixed(2)} s\n`;
        if (r.search) {
          const d = r.design;
          text += `design search: ${r.search.evaluations} evaluations over ${r.search.stageKinds.length} stage kinds, ${r.search.candidates} candidates, ${r.search.wallTimeS.toFixed(1)} s\n` +
            `design: ${d.tensorCores} x ${d.tcRows}x${d.tcCols} (${d.dataflow}), ${d.vectorCores} x ${d.vectorLanes} lanes, global ${bytesIec(d.globalBufferBytes)}, off-chip ${bytesIec(d.offChipBytes)} @ ${d.offChipGBs} GB/s, ${d.clockGHz} GHz\n`;
          if (r.search.perStage) text += `one design per stage: step ${(r.search.perStage.stepTimeS * 1e3).toFixed(1)} ms (${r.search.perStage.gain.toFixed(3)}x the common design)\n`;
        }
        text += `wall time ${r.wallTimeS.toFixed(2)} s\n`;
        process.stdout.write(text);
      }),
    );
}
