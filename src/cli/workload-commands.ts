/** `accelmine models`, `accelmine graph`, `accelmine graph-schema`. */
import type { Command } from 'commander';
import { paramCount } from '../workload/ir.js';
import { graphJsonSchema } from '../workload/json-graph.js';
import { loadTrainingGraph } from '../workload/load.js';
import { addTrainingOptions, addWorkloadOptions, trainingOptions, workloadSource, type TrainingFlags, type WorkloadFlags } from './workload-options.js';
import { summarizeTrainingGraph } from '../workload/summary.js';
import { ZOO } from '../workload/zoo/index.js';
import { action, bytesIec, printJson, si, table } from './common.js';

export function registerWorkloadCommands(program: Command): void {
  program
    .command('models')
    .description('list the model zoo')
    .option('--json', 'print JSON: [{name, family, params, defaultBatch, defaultSeq?}]')
    .action(
      action((o: { json?: boolean }) => {
        const rows = ZOO.map((m) => {
          const g = m.build({ batch: 1, seq: m.defaultSeq ?? 1, dtype: 'bf16' });
          return { name: m.name, family: m.family, params: paramCount(g.params), defaultBatch: m.defaultBatch, ...(m.defaultSeq ? { defaultSeq: m.defaultSeq } : {}) };
        });
        if (o.json) return printJson(rows);
        process.stdout.write(
          table([
            ['name', 'family', 'params', 'default batch', 'default seq'],
            ...rows.map((r) => [r.name, r.family, si(r.params), String(r.defaultBatch), r.defaultSeq ? String(r.defaultSeq) : '-']),
          ]),
        );
      }),
    );

  addTrainingOptions(
    addWorkloadOptions(
      program
        .command('graph')
        .description('build the training step of a workload and summarise it: ops and FLOPs per phase, memory'),
    ),
  )
    .option('--json', 'print JSON')
    .action(
      action((o: WorkloadFlags & TrainingFlags & { json?: boolean }) => {
        const g = loadTrainingGraph(workloadSource(o), trainingOptions(o));
        const s = summarizeTrainingGraph(g);
        if (o.json) return printJson(s);
        const phases = ['fwd', 'dgrad', 'wgrad', 'optimizer', 'recompute', 'total'] as const;
        process.stdout.write(
          `${s.name}: batch ${s.batch}${s.seq ? `, seq ${s.seq}` : ''}, ${s.precision}, ${s.optimizer}${s.recompute ? ', recompute' : ''}${s.fusion ? '' : ', no fusion'}\n` +
            `parameters: ${si(s.params, 4)}\n\n` +
            table([
              ['phase', 'ops', 'FLOPs', 'bytes'],
              ...phases.map((p) => [p, String(s.ops[p]), si(s.flops[p]), bytesIec(s.bytes[p])]),
            ]) +
            `\nmemory: weights ${bytesIec(s.memoryBytes.weights)}, gradients ${bytesIec(s.memoryBytes.gradients)}, ` +
            `optimizer ${bytesIec(s.memoryBytes.optimizer)}, activations ${bytesIec(s.memoryBytes.activations)}, peak ${bytesIec(s.memoryBytes.peak)}\n`,
        );
      }),
    );

  program
    .command('graph-schema')
    .description('print the JSON Schema of the --graph file format')
    .action(action(() => printJson(graphJsonSchema())));
}
