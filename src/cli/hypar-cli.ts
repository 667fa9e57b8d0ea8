/** `accelmine hypar`: HyPar/AccPar layer-wise parallelism for an array of accelerators. */
import type { Command } from 'commander';
import { accparHetero, readHeteroFile } from '../distributed/accpar-time.js';
import { hypar, TYPE_NAMES, type HierarchyResult, type ParType } from '../distributed/hypar-model.js';
import { networkLayers, readNetworkFile, zooLayers } from '../distributed/hypar-input.js';
import { defaultKernel } from '../engine/kernel.js';
import { InputError } from '../errors.js';
import { action, intInRange, nonEmpty, oneOf, positiveInt, printJson, si, table } from './common.js';

interface HyparFlags {
  model?: string;
  network?: string;
  batch?: number;
  levels: number;
  types: '2' | '3';
  hetero?: string;
  json?: boolean;
}

const typeString = (ts: ParType[]) => ts.map((t) => TYPE_NAMES[t]).join(' ');

export function registerHyparCommand(program: Command): void {
  program
    .command('hypar')
    .description('HyPar/AccPar: choose data or model parallelism per layer for 2^levels accelerators, against all-data, all-model and "the trick"')
    .option('--model <name>', 'a zoo model (its convolution and fully connected layers)')
    .option('--network <file>', 'a JSON layer list {name, batch, layers: [{name, type: conv|fc, …}]}', nonEmpty('--network'))
    .option('--batch <n>', 'batch size (default: the network file\'s, or 32)', positiveInt('--batch'))
    .option('--levels <h>', 'hierarchy levels (2^h accelerators)', intInRange('--levels', 16, 1), 4)
    .option('--types <n>', '2: HyPar (I, II); 3: AccPar (I, II, III)', oneOf('--types', ['2', '3'] as const), '2')
    .option('--hetero <file>', 'AccPar heterogeneous array: {"kinds": [{"name", "preset"|"design"}, …2], "linkGBs"}; per-layer type and split ratio costed in time', nonEmpty('--hetero'))
    .option('--json', 'print JSON')
    .action(
      action((o: HyparFlags) => {
        if ((o.model === undefined) === (o.network === undefined)) throw new InputError('give exactly one of --model NAME or --network FILE');
        const net = o.network ? readNetworkFile(o.network) : null;
        const batch = o.batch ?? net?.batch ?? 32;
        const layers = net ? networkLayers(net, batch) : zooLayers(o.model!, batch);
        const types = Number(o.types) as 2 | 3;
        const r = hypar(layers, o.levels, types);
        const hetero = o.hetero ? (() => {
          const arr = readHeteroFile(o.hetero!);
          const kernel = defaultKernel();
          const allowed: ParType[] = types === 3 ? [0, 1, 2] : [0, 1];
          const plan = accparHetero(layers, arr, kernel, allowed);
          const even = accparHetero(layers, arr, kernel, allowed, [0.5]);
          return { kinds: arr.kinds.map((k) => k.name), linkGBs: arr.linkGBs, ...plan, evenSplitS: even.totalS, speedupOverEvenSplit: even.totalS / plan.totalS };
        })() : undefined;
        const withTypes = (h: HierarchyResult) => ({ levels: h.levels.map((l) => ({ types: l.types, cost: l.cost })), totalCost: h.totalCost });
        if (o.json) {
          return printJson({
            network: net?.name ?? o.model, batch, layers: r.layers, types, ...withTypes(r),
            dataParallel: withTypes(r.dataParallel), modelParallel: withTypes(r.modelParallel), trick: withTypes(r.trick), ...(hetero ? { hetero } : {}),
          });
        }
        let text = `${net?.name ?? o.model}: ${layers.length} layers, batch ${batch}, ${2 ** o.levels} accelerators (${o.levels} levels), types ${types === 3 ? 'I/II/III (AccPar)' : 'I/II (HyPar)'}\n`;
        text += table([
          ['level', 'hypar elements', 'data parallel', 'model parallel', 'trick', 'hypar types (per layer)'],
          ...r.levels.map((l, i) => [String(i + 1), si(l.cost), si(r.dataParallel.levels[i].cost), si(r.modelParallel.levels[i].cost), si(r.trick.levels[i].cost), typeString(l.types)]),
          ['total', si(r.totalCost), si(r.dataParallel.totalCost), si(r.modelParallel.totalCost), si(r.trick.totalCost), 'Σ 2^(level-1) × level cost'],
        ]);
        if (hetero) {
          text += `\nheterogeneous array ${hetero.kinds.join(' + ')}, link ${hetero.linkGBs} GB/s: ${(hetero.totalS * 1e3).toFixed(3)} ms per step against ${(hetero.evenSplitS * 1e3).toFixed(3)} ms with an even split (${hetero.speedupOverEvenSplit.toFixed(2)}x)\n`;
          text += table([['layer', 'type', `share on ${hetero.kinds[0]}`, 'compute ms', 'comm ms'], ...hetero.layers.map((l) => [l.name, l.type, l.ratioA.toFixed(2), (l.computeS * 1e3).toFixed(3), (l.commS * 1e3).toFixed(3)])]);
        }
        process.stdout.write(text);
      }),
    );
}
