// Fits technology.json calibration.clockControlPJPerCycleMm2, the one constant of the power model fitted to
// measurements: every power row of `accelmine validate` is linear in it (clock power = constant × clocked
// area × energy scale × clock; the schedule does not depend on it), so each row is evaluated once and the
// constant that passes the most rows, then has the smallest worst error relative to its bound, is printed.
// Run after `npm run build`: node scripts/fit-clock-power.mjs
import { DEFAULT_TECH } from '../dist/arch/cost.js';
import { powerRows } from '../dist/validation/power-rows.js';
import { eyerissLayers, eyerissPredictions } from '../dist/validation/eyeriss.js';

const k0 = DEFAULT_TECH.clockControlPJPerCycleMm2;
const layers = eyerissLayers();
const eyeriss = eyerissPredictions().map((p, i) => {
  const measured = layers[i].measured.powerMw;
  return { case: `eyeriss ${p.layer} chip power`, predicted: p.chipPowerMw, measured, allowedMin: 0.8 * measured, allowedMax: 1.2 * measured, clockW: p.clockMw };
});
const rows = [...powerRows(), ...eyeriss];
// each row: value(k) = base + slope·k, with base/slope recovered from the current constant
const lin = rows.map((r) => ({ ...r, slope: r.clockW / k0, base: r.predicted - r.clockW }));
let best = null;
for (let k = 0; k <= 200; k += 0.25) {
  let pass = 0, worst = 0;
  for (const r of lin) {
    const v = r.base + r.slope * k;
    // how far outside its allowed range, relative to the bound it crosses
    const x = v < r.allowedMin ? (r.allowedMin - v) / r.allowedMin : v > r.allowedMax ? (v - r.allowedMax) / r.allowedMax : 0;
    if (x === 0) pass++;
    worst = Math.max(worst, x);
  }
  if (!best || pass > best.pass || (pass === best.pass && worst < best.worst)) best = { k, pass, worst };
}
for (const r of lin) {
  const v = r.base + r.slope * best.k;
  console.log(`  ${r.case.padEnd(48)} ${v.toFixed(1).padStart(8)}  measured ${r.measured}`);
}
console.log(`rows ${lin.length}; best clockControlPJPerCycleMm2 = ${best.k} (rows within bounds ${best.pass}, worst excess ${(best.worst * 100).toFixed(1)}%)`);
