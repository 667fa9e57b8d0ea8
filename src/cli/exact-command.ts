/** `accelmine exact`: the minimum makespan of one layer's forward or backward graph (HiGHS) against the list schedule. */
import type { Command } from 'commander';
import { unitEnergies } from '../arch/cost.js';
import { DEFAULT_SCHEDULE_PASSES, MAX_SCHEDULE_PASSES } from '../engine/kernel.js';
import { designRecord } from '../engine/layout.js';
import { InputError } from '../errors.js';
import { compareWithList } from '../schedule/ilp.js';
import { LAYER_PARTS, layerSubgraph, type LayerPart } from '../schedule/layer-graphs.js';
import { loadTrainingGraph } from '../workload/load.js';
import { action, intInRange, nonEmpty, oneOf, positiveNumber, printJson, SCHEDULE_PASSES_HELP, table } from './common.js';
import { resolveDesign } from './design-input.js';
import { addWorkloadOptions, workloadSource, type WorkloadFlags } from './workload-options.js';

interface ExactFlags extends WorkloadFlags {
  layer?: string;
  part: LayerPart;
  preset?: string;
  design?: string;
  timeLimit: number;
  schedulePasses: number;
  json?: boolean;
}

/** a layer graph beyond this many ops is refused: the MILP grows with the square of the ops */
const MAX_OPS = 80;

export function registerExactCommand(program: Command): void {
  addWorkloadOptions(
    program
      .command('exact')
      .description("minimum makespan of one layer's forward or backward ops as an ILP (HiGHS), against the list scheduler"),
  )
    .option('--layer <name>', 'the layer (e.g. layer1.0, layers.0; see `accelmine graph --json` for op layers)')
    .option('--part <p>', 'fwd | bwd (data and weight gradients)', oneOf('--part', LAYER_PARTS), 'fwd')
    .option('--preset <name>', 'a preset (see `accelmine presets`)')
    .option('--design <file>', 'a design JSON file', nonEmpty('--design'))
    .option('--time-limit <s>', 'HiGHS time limit, seconds', positiveNumber('--time-limit'), 30)
    .option('--schedule-passes <n>', `${SCHEDULE_PASSES_HELP} of the schedule compared against the ILP`, intInRange('--schedule-passes', MAX_SCHEDULE_PASSES), DEFAULT_SCHEDULE_PASSES)
    .option('--json', 'print JSON: {status, verified, checkError, makespanCycles, lowerBoundCycles, listMakespanCycles, schedulePasses, gapPct, gapBoundPct, ops: [...]}')
    .action(
      action(async (o: ExactFlags) => {
        if (o.layer === undefined) throw new InputError('--layer is required (a layer name of the model, e.g. layer1.0)');
        const design = await resolveDesign(o);
        const g = loadTrainingGraph(workloadSource(o), { optimizer: 'adam' });
        const sg = layerSubgraph(g, o.layer, o.part, o.model ?? o.graph ?? o.onnx ?? '');
        if (sg.ops.length > MAX_OPS) throw new InputError(`--layer ${o.layer} ${o.part} has ${sg.ops.length} ops; the exact mode takes at most ${MAX_OPS}`);
        const r = await compareWithList(sg.graph, designRecord(design, unitEnergies(design)), { timeLimitS: o.timeLimit, schedulePasses: o.schedulePasses });
        const e = r.exact;
        const ops = sg.ops.map((op, i) => ({
          name: op.name, pool: e.assignment[i].pool,
          ilp: { startCycles: e.assignment[i].startCycles, finishCycles: e.assignment[i].finishCycles, cores: e.assignment[i].cores },
          list: { startCycles: r.list.assignment[i].startCycles, finishCycles: r.list.assignment[i].finishCycles, cores: r.list.assignment[i].cores },
        }));
        if (o.json) {
          return printJson({
            layer: o.layer, part: o.part, status: e.status, verified: e.verified, checkError: e.checkError, makespanCycles: e.makespanCycles,
            lowerBoundCycles: e.lowerBoundCycles, listMakespanCycles: r.list.makespanCycles, schedulePasses: r.list.schedulePasses, gapPct: r.gapPct, gapBoundPct: r.gapBoundPct,
            solveS: e.solveS, ops,
          });
        }
        const c = (x: number) => x.toFixed(0);
        process.stdout.write(
          `${o.layer} ${o.part}: ${sg.ops.length} ops; ILP ${e.status} in ${e.solveS.toFixed(2)} s (schedule re-checked: ${e.verified ? 'yes' : 'NO'})\n` +
            `${e.status === 'optimal' ? 'optimum' : 'best schedule found'} ${c(e.makespanCycles)} cycles (proven lower bound ${c(e.lowerBoundCycles)}), ` +
              `list schedule${r.list.schedulePasses > 0 ? ` + ${r.list.schedulePasses} serial passes` : ''} ${c(r.list.makespanCycles)}: ` +
            `${r.gapPct.toFixed(2)}% above${e.status === 'optimal' ? ' the optimum' : ' the best found'}\n` +
            table([
              ['op', 'pool', 'ILP start', 'ILP finish', 'cores', 'list start', 'list finish', 'cores'],
              ...ops.map((x) => [x.name, x.pool, c(x.ilp.startCycles), c(x.ilp.finishCycles), String(x.ilp.cores), c(x.list.startCycles), c(x.list.finishCycles), String(x.list.cores)]),
            ]),
        );
      }),
    );
}
