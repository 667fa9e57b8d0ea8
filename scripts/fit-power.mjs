// Fits the four calibrated constants of the power model on the 20 power rows of `accelmine validate`:
//  - technology.json calibration.clockControlPJPerCycleMm2 (clock tree and control energy per cycle per mm2):
//    every power row is linear in it (clock power = constant × clocked area × energy scale × clock; the
//    schedule does not depend on it), so each row is evaluated once and moved along its slope;
//  - calibration.reluZeroFraction (share of a ReLU output that is zero; the row-stationary PEs gate on it):
//    only the Eyeriss rows depend on it (CONV2–5 read ReLU outputs); they are re-evaluated per value, from 0
//    to 0.8: a prior, not a fit, caps it there (trained ReLU networks keep well under 80% zeros on average;
//    left free, the fit trades more gating on Eyeriss for more clock power on the GPUs and runs to 0.95);
//  - nodes["16"].energyScale and nodes["7"].energyScale (energy per operation against 45 nm) of the two nodes
//    that carry two measured chips each: 16 nm (TPU v3; the 12 nm node, the V100's, is 0.75 × it, TSMC's figure)
//    and 7 nm (TPU v4, A100). A node's scale multiplies every on-chip energy and the clock power of its chips, not
//    their leakage or off-chip transfers, so those rows move along it linearly too (each power row carries both
//    parts). Searched from 0.30 to 0.60 (16 nm) and 0.15 to 0.30 (7 nm). The 5 nm and 65 nm nodes carry one chip
//    each (H100, Eyeriss) and are not fitted.
// A refit never breaks a row that holds: rows within their bounds at the file's constants must stay within them.
// Among the constants that keep them, those that pass the most rows, then have the smallest worst excess over a
// bound, then the smallest worst error relative to its bound's half-width, then the smallest mean one, are printed.
// The rows fall into groups that depend on different constants (Eyeriss: zero share; 16/12 nm; 7 nm; the rest),
// so for each clock constant each group is scored once per value of its own constant and the scores combined.
// Run after `npm run build`: node scripts/fit-power.mjs
import { DEFAULT_TECH } from '../dist/arch/cost.js';
import { powerRows } from '../dist/validation/power-rows.js';
import { eyerissLayers, eyerissPredictions } from '../dist/validation/eyeriss.js';

const k0 = DEFAULT_TECH.clockControlPJPerCycleMm2;
const FITTED_NODES = [
  { node: 16, moves: new Set([16, 12]), from: 30, to: 60, step: 1 },
  { node: 7, moves: new Set([7]), from: 15, to: 30, step: 0.5 },
];
const K = { from: 0, to: 200, step: 0.25 };
const Z = { from: 0, to: 80 };
const layers = eyerissLayers();

// a row at clock constant k and node-scale factor f: unscaled + f × (scaled on-chip + clock × k / k0)
const linear = (r) => ({ ...r, slope: r.clockW / k0, base: r.predicted - r.clockW, unscaled: r.unscaledW ?? 0 });
const valueAt = (r, k, f) => r.unscaled + f * (r.base - r.unscaled + r.slope * k);
const power = powerRows().map(linear);
const eyerissAt = (z) =>
  eyerissPredictions(undefined, z).map((p, i) => {
    const measured = layers[i].measured.powerMw;
    return linear({ case: `eyeriss ${p.layer} chip power`, predicted: p.chipPowerMw, measured, allowedMin: 0.8 * measured, allowedMax: 1.2 * measured, clockW: p.clockMw });
  });

const within = (r, v) => v >= r.allowedMin && v <= r.allowedMax;
const zAt = (zi) => zi / 100;
const eyeriss = [];
for (let zi = Z.from; zi <= Z.to; zi++) eyeriss.push(eyerissAt(zAt(zi)));
const z0 = DEFAULT_TECH.reluZeroFraction;
const held = new Set([...power, ...eyerissAt(z0)].filter((r) => within(r, r.predicted)).map((r) => r.case));
const rowCount = power.length + eyeriss[0].length;

/** One group of rows at (k, f): passes, worst excess, worst and summed distance from the centre, broken held rows. */
function score(rows, k, f) {
  let pass = 0, worst = 0, spread = 0, spreadSum = 0, broken = 0;
  for (const r of rows) {
    const v = valueAt(r, k, f);
    // how far outside its allowed range, relative to the bound it crosses
    const x = v < r.allowedMin ? (r.allowedMin - v) / r.allowedMin : v > r.allowedMax ? (v - r.allowedMax) / r.allowedMax : 0;
    if (x === 0) pass++;
    else if (held.has(r.case)) broken++;
    worst = Math.max(worst, x);
    const mid = (r.allowedMin + r.allowedMax) / 2, half = (r.allowedMax - r.allowedMin) / 2;
    spread = Math.max(spread, Math.abs(v - mid) / half);
    spreadSum += Math.abs(v - mid) / half;
  }
  return { pass, worst, spread, spreadSum, broken };
}

const combine = (...s) => ({
  pass: s.reduce((a, x) => a + x.pass, 0),
  worst: Math.max(...s.map((x) => x.worst)),
  spread: Math.max(...s.map((x) => x.spread)),
  meanSpread: s.reduce((a, x) => a + x.spreadSum, 0) / rowCount,
  broken: s.reduce((a, x) => a + x.broken, 0),
});
const better = (s, b) =>
  s.pass !== b.pass ? s.pass > b.pass
  : s.worst !== b.worst ? s.worst < b.worst
  : s.spread !== b.spread ? s.spread < b.spread
  : s.meanSpread < b.meanSpread;

// a node's grid, given in hundredths of the 45 nm energy (from, to, step), as scale values (0.30 ... 0.60)
const values = (g) => {
  const v = [];
  for (let x = g.from; x <= g.to + 1e-9; x += g.step) v.push(Math.round(x * 100) / 1e4);
  return v;
};
const nodeRows = FITTED_NODES.map((g) => power.filter((r) => g.moves.has(r.techNm)));
const fixedRows = power.filter((r) => !FITTED_NODES.some((g) => g.moves.has(r.techNm)));
const nodeValues = FITTED_NODES.map(values);

let best = null;
for (let k = K.from; k <= K.to; k += K.step) {
  const fixed = score(fixedRows, k, 1);
  if (fixed.broken > 0) continue;
  const eyerissScores = eyeriss.map((rows) => score(rows, k, 1));
  // per fitted node, its rows' score at each of its scale values
  const nodeScores = FITTED_NODES.map((g, i) => nodeValues[i].map((s) => score(nodeRows[i], k, s / DEFAULT_TECH.nodes[g.node].energyScale)));
  for (let zi = 0; zi < eyerissScores.length; zi++) {
    if (eyerissScores[zi].broken > 0) continue;
    for (let a = 0; a < nodeScores[0].length; a++) {
      if (nodeScores[0][a].broken > 0) continue;
      for (let b = 0; b < nodeScores[1].length; b++) {
        if (nodeScores[1][b].broken > 0) continue;
        const s = combine(fixed, eyerissScores[zi], nodeScores[0][a], nodeScores[1][b]);
        if (!best || better(s, best)) best = { k, z: zAt(Z.from + zi), scales: [nodeValues[0][a], nodeValues[1][b]], ...s };
      }
    }
  }
}

const factor = (techNm) => {
  const i = FITTED_NODES.findIndex((g) => g.moves.has(techNm));
  return i < 0 ? 1 : best.scales[i] / DEFAULT_TECH.nodes[FITTED_NODES[i].node].energyScale;
};
for (const r of [...power, ...eyeriss[Math.round(best.z * 100) - Z.from]]) {
  console.log(`  ${r.case.padEnd(48)} ${valueAt(r, best.k, factor(r.techNm)).toFixed(1).padStart(8)}  measured ${r.measured}`);
}
console.log(
  `rows ${rowCount} (${held.size} hold at the file's constants and must keep holding); best clockControlPJPerCycleMm2 = ${best.k}, reluZeroFraction = ${best.z}, ` +
    `16 nm energyScale = ${best.scales[0]}, 7 nm energyScale = ${best.scales[1]} (rows within bounds ${best.pass}, worst excess ${(best.worst * 100).toFixed(1)}%, ` +
    `worst distance from a bound's centre ${(best.spread * 100).toFixed(0)}% of its half-width, mean ${(best.meanSpread * 100).toFixed(0)}%)`,
);
