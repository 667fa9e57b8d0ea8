/** `accelmine presets`, `accelmine op`, `accelmine evaluate`. */
import type { Command } from 'commander';
import type { Evaluation } from '../evaluate.js';
import { tdpTerms, unitEnergies, type TdpTerm } from '../arch/cost.js';
import type { Dataflow, Design } from '../arch/design.js';
import { defaultKernel } from '../engine/kernel.js';
import { gemmRecord, PRECISION_ELEMENT_BYTES, PRECISION_CODES } from '../engine/layout.js';
import { InputError, MAX_ARRAY_SIDE, MIN_INPUT_RATE } from '../errors.js';
import { DEFAULT_SCHEDULE_PASSES, MAX_SCHEDULE_PASSES } from '../engine/kernel.js';
import { EXECUTIONS, type Execution } from '../engine/layout.js';
import { action, fraction, intInRange, nonEmpty, numberInRange, oneOf, positiveInt, positiveNumber, printJson, SCHEDULE_PASSES_HELP, si, table, bytesIec, decimals } from './common.js';
import { addTrainingOptions, addWorkloadOptions, trainingOptions, workloadSource, type TrainingFlags, type WorkloadFlags } from './workload-options.js';

/** A single R×C array whose buffers and bandwidths are too large to bind (for `op --tc`). */
export function bareArray(rows: number, cols: number, dataflow: Dataflow): Design {
  return {
    tensorCores: 1, tcRows: rows, tcCols: cols, vectorCores: 1, vectorLanes: 1,
    localBufferBytes: 2 ** 40, globalBufferBytes: 2 ** 44, globalBufferGBs: 1e9, offChipBytes: 2 ** 50, offChipGBs: 1e9,
    nocGBs: 1e9, clockGHz: 1, precision: 'bf16', dataflow, techNm: 7,
  };
}

/** ./design-input.js (and design validation) load only when a command reads a preset or a design file. */
async function resolveDesign(o: Parameters<typeof import('./design-input.js').resolveDesign>[0]): Promise<Design> {
  return (await import('./design-input.js')).resolveDesign(o);
}

function parseDims(flag: string, v: string, n: number): number[] {
  const parts = v.toLowerCase().split('x');
  const dims = parts.map(Number);
  if (parts.length !== n || dims.some((d) => !Number.isSafeInteger(d) || d <= 0 || d > 2 ** 31)) {
    throw new InputError(`${flag} must be ${n} positive integers joined by x (e.g. ${n === 3 ? '1024x1024x512' : '128x128'}), got "${v}"`);
  }
  return dims;
}


/**
 * Registers `presets`, `op`, `evaluate` and `validate`, or only `command` when it is one of them (a one-shot
 * `accelmine op` does not build the others' options: ~1 ms of its start-up).
 */
export function registerCostCommands(program: Command, command?: string): void {
  const all = !command || !['presets', 'op', 'evaluate', 'validate'].includes(command);
  const want = (c: string) => all || c === command;
  if (want('presets')) program
    .command('presets')
    .description('accelerator presets modelled on published chips (TPU v2-v4, V100, A100, H100, NVDLA, Eyeriss)')
    .option('--json', 'print JSON: [{name, peakTflops, areaMm2, tdpW, hbmGBs, design, published}]')
    .action(
      action(async (o: { json?: boolean }) => {
        const { PRESET_NAMES, presetInfo } = await import('../arch/presets.js');
        const rows = PRESET_NAMES.map((n) => presetInfo(n));
        if (o.json) return printJson(rows);
        process.stdout.write(
          table([
            ['name', 'peak TFLOP/s', 'area mm²', 'TDP W', 'off-chip GB/s', 'tensor cores', 'array', 'dataflow', 'node'],
            ...rows.map((r) => [
              r.name, decimals(r.peakTflops), decimals(r.areaMm2, 0), decimals(r.tdpW, 0), decimals(r.hbmGBs, 0),
              String(r.design.tensorCores), `${r.design.tcRows}x${r.design.tcCols}`, r.design.dataflow, `${r.design.techNm} nm`,
            ]),
          ]),
        );
      }),
    );

  if (want('op')) program
    .command('op')
    .description('cost one GEMM (output MxN, reduction K) on the given hardware')
    .requiredOption('--gemm <MxNxK>', 'GEMM dimensions: output rows M, output columns N, reduction K')
    .option('--batch <b>', 'independent products in the batch', positiveInt('--batch'), 1)
    .option('--preset <name>', 'a preset (see `accelmine presets`)')
    .option('--design <file>', 'a design JSON file', nonEmpty('--design'))
    .option('--tc <RxC>', 'one RxC systolic array with buffers and bandwidth too large to bind')
    .option('--dataflow <df>', 'ws | os | is | rs (overrides the design\'s)', oneOf('--dataflow', ['ws', 'os', 'is', 'rs'] as const))
    .option('--cores <k>', 'tensor cores to split the GEMM over (default: all)', positiveInt('--cores'))
    .option('--json', 'print JSON')
    .action(
      action(async (o: { gemm: string; batch: number; preset?: string; design?: string; tc?: string; dataflow?: Dataflow; cores?: number; json?: boolean }) => {
        const [m, n, k] = parseDims('--gemm', o.gemm, 3);
        const given = [o.preset, o.design, o.tc].filter((x) => x !== undefined).length;
        if (given !== 1) throw new InputError('give exactly one of --preset NAME, --design FILE or --tc RxC');
        let design: Design;
        if (o.tc !== undefined) {
          const [r, c] = parseDims('--tc', o.tc, 2);
          // the array sides a design file allows (a 2^31 x 2^31 array was costed)
          if (r > MAX_ARRAY_SIDE || c > MAX_ARRAY_SIDE) throw new InputError(`--tc must be RxC with rows and columns from 1 to ${MAX_ARRAY_SIDE} (as a design's tcRows and tcCols), got "${o.tc}"`);
          design = bareArray(r, c, o.dataflow ?? 'ws');
        } else design = await resolveDesign(o);
        if (o.dataflow) design = { ...design, dataflow: o.dataflow };
        if (o.cores !== undefined && o.cores > design.tensorCores) {
          throw new InputError(`--cores must be at most the design's ${design.tensorCores} tensor cores, got ${o.cores}`);
        }
        const e = PRECISION_ELEMENT_BYTES[PRECISION_CODES[design.precision]];
        const r = defaultKernel().evaluateOp(design, unitEnergies(design), gemmRecord(o.batch, m, n, k, e), o.cores ?? design.tensorCores);
        const timeS = r.cycles / (design.clockGHz * 1e9);
        const result = { gemm: { b: o.batch, m, n, k }, dataflow: design.dataflow, ...r, timeS };
        if (o.json) return printJson(result);
        process.stdout.write(
          `GEMM ${o.batch > 1 ? `${o.batch} x ` : ''}${m}x${n}x${k} on ${r.coresUsed} x ${design.tcRows}x${design.tcCols} (${design.dataflow}), split ${r.split}\n` +
            `cycles ${si(r.cycles)} (compute ${si(r.computeCycles)}, not overlapped ${si(r.nonOverlapCycles)}), ${(timeS * 1e6).toFixed(3)} µs, bound by ${r.bound}\n` +
            `utilization ${(r.utilization * 100).toFixed(1)}%, energy ${(r.energyJ * 1e6).toFixed(3)} µJ\n` +
            `traffic: local ${bytesIec(r.traffic.localBytes)}, NoC ${bytesIec(r.traffic.nocBytes)}, global ${bytesIec(r.traffic.globalBytes)}, off-chip ${bytesIec(r.traffic.offChipBytes)}\n`,
        );
      }),
    );

  if (want('evaluate')) addTrainingOptions(
    addWorkloadOptions(
      program
        .command('evaluate')
        .description('cost one training step of a workload on a design: time, throughput, energy, power, what bounds it'),
    ),
  )
    .option('--preset <name>', 'a preset (see `accelmine presets`)')
    .option('--design <file>', 'a design JSON file', nonEmpty('--design'))
    .option('--execution <e>', 'concurrent: ops list-scheduled on the core pools, several at once; single-stream: one op at a time on all cores (as PyTorch on one CUDA stream runs a step)', oneOf('--execution', EXECUTIONS), 'concurrent')
    .option('--schedule-passes <n>', SCHEDULE_PASSES_HELP, intInRange('--schedule-passes', MAX_SCHEDULE_PASSES), DEFAULT_SCHEDULE_PASSES)
    .option('--launch-us <us>', "single-stream: the gap between one kernel and the next, µs (default: the preset family's, GPUs 4, else 0)", numberInRange('--launch-us', 1e6))
    .option('--array-rate <f>', "single-stream: the most of each array's peak MAC rate an op sustains, 0-1 (default: the preset's, v100 0.664 as measured from cuBLAS, else 1)", fraction('--array-rate'))
    .option('--input-rate <samples/s>', "samples per second the host's input pipeline delivers (data loading and augmentation); a step takes at least batch / rate (default: no limit)", positiveNumber('--input-rate', MIN_INPUT_RATE))
    .option('--json', 'print JSON (with every op)')
    .action(
      action(async (o: WorkloadFlags & TrainingFlags & { preset?: string; design?: string; execution: Execution; schedulePasses: number; launchUs?: number; arrayRate?: number; inputRate?: number; json?: boolean }) => {
        // the design reader, the workload and the evaluation code load only for the commands that need them
        // (start-up time of `op`), at once
        if (o.launchUs !== undefined && o.execution !== 'single-stream') {
          throw new InputError(`--launch-us applies to --execution single-stream (the ${o.execution} schedule has no launch gaps)`);
        }
        if (o.arrayRate !== undefined && o.execution !== 'single-stream') {
          throw new InputError(`--array-rate applies to --execution single-stream (a framework's library kernels; the ${o.execution} schedule costs the mapping alone)`);
        }
        const [input, { loadTrainingGraph }, { evaluateDesign, prepareWorkload }] = await Promise.all([import('./design-input.js'), import('../workload/load.js'), import('../evaluate.js')]);
        const design = await input.resolveDesign(o);
        const graph = loadTrainingGraph(workloadSource(o), trainingOptions(o));
        const preset = o.preset ? (await import('../arch/presets.js')).presetInfo(o.preset) : undefined;
        const launchOverheadS = o.launchUs !== undefined ? o.launchUs * 1e-6 : preset?.launchOverheadS ?? 0;
        const arrayRateFraction = o.arrayRate ?? preset?.arrayRateFraction ?? 1;
        const ev = evaluateDesign(design, prepareWorkload(graph), undefined, { execution: o.execution, schedulePasses: o.schedulePasses, launchOverheadS, arrayRateFraction, inputSamplesPerS: o.inputRate });
        if (o.json) return printJson({ design, ...ev });
        const top = [...ev.ops].sort((a, b) => b.timeS - a.timeS).slice(0, 10);
        const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
        process.stdout.write(
          `${ev.model}: batch ${ev.batch}${ev.seq ? `, seq ${ev.seq}` : ''} on ${o.preset ?? o.design}${ev.execution === 'single-stream' ? `, single stream${singleStreamNote(ev)}` : `, list schedule + ${ev.schedulePasses} serial passes`}\n` +
            `step ${(ev.stepTimeS * 1e3).toFixed(3)} ms, ${decimals(ev.throughput)} samples/s${ev.tokensPerS ? ` (${si(ev.tokensPerS)} tokens/s)` : ''}${inputNote(ev)}\n` +
            `${decimals(ev.achievedTflops)} of ${decimals(ev.peakTflops)} TFLOP/s; utilization tensor ${pct(ev.utilization.tensor)}, vector ${pct(ev.utilization.vector)}\n` +
            `energy ${ev.energyJ.toFixed(3)} J/step (${ev.energyPerSampleJ.toExponential(3)} J/sample), average ${decimals(ev.avgPowerW)} W, TDP ${decimals(ev.tdpW)} W, area ${decimals(ev.areaMm2)} mm²\n` +
            `critical path (${ev.criticalPath.ops} ops) by bound: ${Object.entries(ev.criticalPath.timeSByBound).filter(([, t]) => t > 0).map(([b, t]) => `${b} ${pct(t / ev.stepTimeS)}`).join(', ')}${ev.inputWaitS > 0 ? `, input wait ${pct(ev.inputWaitS / ev.stepTimeS)}` : ''}\n` +
            (ev.feasible ? 'feasible: yes\n' : `feasible: no (${ev.reason})\n`) +
            `\nwhere the energy goes (J per step):\n` + breakdownTable(energyRows(ev), ev.energyJ, 'J', 4) +
            `\nwhere the area goes (mm²):\n` + breakdownTable(areaRows(ev), ev.areaMm2, 'mm²', 2) +
            `\nwhat the TDP is made of (W), set by the ${ev.tdpClass} class at its sustained rate:\n` + breakdownTable(tdpRows(ev), ev.tdpW, 'W', 2) +
            `\nten most expensive ops:\n` +
            table([['op', 'kind', 'phase', 'time µs', 'cores', 'energy mJ', 'bound', 'critical'], ...top.map((t) => [t.name, t.kind, t.phase, (t.timeS * 1e6).toFixed(2), String(t.cores), (t.energyJ * 1e3).toFixed(3), t.bound, t.critical ? 'yes' : ''])]),
        );
      }),
    );

  if (want('validate')) program
    .command('validate')
    .description('the model against published measurements: Eyeriss AlexNet and VGG-16 latency, power and traffic, GPU training throughput, Megatron-LM weak scaling, TPU/GPU power, preset peak/area/TDP')
    .option('--json', 'print JSON: [{case, predicted, measured, unit, errorPct, allowedMin, allowedMax, allowed, pass, fitted}] (fitted: the calibrated constants fitted on the row; [] for a prediction)')
    .option('--only <text>', 'only the cases whose name contains the text (case-insensitive), e.g. vgg-16, a100, megatron')
    .option('--misses', 'only the cases outside their bound')
    .option('--predictions', 'only the predictions: cases no calibrated constant was fitted on')
    .action(
      action(async (o: { json?: boolean; only?: string; misses?: boolean; predictions?: boolean }) => {
        const { fidelityTable } = await import('../validation/fidelity.js');
        const { selectRows } = await import('../validation/select.js');
        const all = fidelityTable();
        const rows = selectRows(all, { only: o.only, misses: o.misses, predictions: o.predictions });
        if (o.json) return printJson(rows);
        const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));
        const predictions = all.filter((r) => r.fitted.length === 0);
        process.stdout.write(
          table([
            ['case', 'predicted', 'measured', 'unit', 'error %', 'allowed', 'within', 'fitted on it'],
            ...rows.map((r) => [r.case, fmt(r.predicted), fmt(r.measured), r.unit, r.errorPct.toFixed(1), r.allowed, r.pass ? 'yes' : 'NO', r.fitted.join(', ') || '-']),
          ]) +
            (o.only === undefined && !o.misses && !o.predictions
              ? `${all.filter((r) => r.pass).length} of ${all.length} cases within their bound; predictions ` +
                `(no calibrated constant fitted on them): ${predictions.filter((r) => r.pass).length} of ${predictions.length}\n`
              : `${rows.length} cases shown, ${rows.filter((r) => r.pass).length} within their bound; ${all.filter((r) => r.pass).length} of ${all.length} in all\n`),
        );
      }),
    );
}

/** What single-stream execution added: the launch gap and the arrays' rate cap, when set. */
function singleStreamNote(ev: Evaluation): string {
  const notes = [
    ...(ev.launchOverheadS > 0 ? [`${(ev.launchOverheadS * 1e6).toFixed(1)} µs launch gap per kernel`] : []),
    ...(ev.arrayRateFraction < 1 ? [`arrays at most ${(ev.arrayRateFraction * 100).toFixed(1)}% of peak`] : []),
  ];
  return notes.length ? ` (${notes.join('; ')})` : '';
}

/** The host's input pipeline, when limited: whether the chip waited for it. */
function inputNote(ev: Evaluation): string {
  if (ev.inputSamplesPerS === undefined) return '';
  const rate = `input pipeline ${decimals(ev.inputSamplesPerS)} samples/s`;
  return ev.inputWaitS > 0 ? `; input-bound: ${rate}, the chip waits ${(ev.inputWaitS * 1e3).toFixed(3)} ms a step` : `; ${rate} keeps up`;
}

function energyRows(ev: Evaluation): [string, number][] {
  const e = ev.energy;
  return [
    ['MAC', e.macJ], ['vector lanes', e.vectorJ], ['local buffers / register files', e.localBufferJ], ['NoC', e.nocJ],
    ['global buffer', e.globalBufferJ], ['off-chip', e.offChipJ], ['clock and control', e.clockJ], ['leakage (static)', e.leakageJ],
  ];
}

const TDP_LABELS: Record<TdpTerm, string> = {
  leakageW: 'leakage (static)', clockW: 'clock and control', tensorW: 'MACs, every PE busy', localBufferW: 'local buffers / register files',
  vectorW: 'vector lanes, every lane busy', globalBufferW: 'global buffer', nocW: 'NoC', offChipW: 'off-chip',
};

/** The TDP's parts: leakage, clock/control, and the class that sets it (its units, then the memory levels at full bandwidth). */
function tdpRows(ev: Evaluation): [string, number][] {
  return tdpTerms(ev.tdp).map((k) => [TDP_LABELS[k], ev.tdp[k]]);
}

function areaRows(ev: Evaluation): [string, number][] {
  const a = ev.area;
  return [['tensor arrays', a.tensorMm2], ['vector lanes', a.vectorMm2 + a.laneOverheadMm2], ['SRAM', a.sramMm2], ['off-chip PHY', a.phyMm2], ['NoC', a.nocMm2]];
}

function breakdownTable(rows: [string, number][], total: number, unit: string, digits: number): string {
  return table([['component', unit, 'share'], ...rows.map(([n, v]) => [n, v.toFixed(digits), `${total > 0 ? ((v / total) * 100).toFixed(1) : '0.0'}%`])]);
}
