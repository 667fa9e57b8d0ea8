/**
 * The exact scheduler's MILP built in one fixed order (the order of its columns and rows is what HiGHS sees, so
 * it stays as it is): shared columns and rows, then per pool its pairs and the formulation's capacity, then the
 * valid cuts.
 */
import type { ScheduleInstance } from './instance.js';
import { addAreaCuts, addEnergeticCuts, addPairCuts } from './milp-cuts.js';
import { addFlowCapacity, addOneOrder } from './milp-flow.js';
import {
  addDependencies, addMakespanRows, addOptionChoice, addPrecedence, freePairs, newModel, type Formulation, type ModelContext,
} from './milp-model.js';
import { addOverlapCapacity, addStartOrder, addStartOrderTriangles } from './milp-overlap.js';
import type { WarmStart } from './milp-warm-start.js';
import type { Windows } from './milp-windows.js';

/** The model of an instance under its windows, from the warm start `ws` (or none), with or without the cuts. */
export function buildMilp(inst: ScheduleInstance, w: Windows, ws: WarmStart | null, formulation: Formulation, cuts: boolean): ModelContext {
  const c = newModel(inst, w, ws);
  addOptionChoice(c);
  addDependencies(c);
  addMakespanRows(c);
  for (const p of [0, 1]) {
    for (const [i, j] of freePairs(c, p)) {
      addPrecedence(c, i, j);
      if (formulation === 'overlap') addStartOrder(c, i, j);
      else addOneOrder(c, i, j);
    }
    if (formulation === 'overlap') {
      addOverlapCapacity(c, p);
      addStartOrderTriangles(c, p);
    } else {
      addFlowCapacity(c, p);
    }
  }
  if (cuts) {
    addAreaCuts(c);
    addEnergeticCuts(c);
    addPairCuts(c);
  }
  return c;
}
