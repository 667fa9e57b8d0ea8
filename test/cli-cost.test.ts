/**
 * End-to-end tests of the cost commands of the built CLI (`node dist/cli.js`): `presets`, `op`, `evaluate`,
 * `validate`. Each test spawns the real binary and checks what a user relies on: JSON shapes and fields, the
 * formulas behind the numbers, and one-line error messages (exit code 2, no stack trace) for bad input.
 * `npm test` builds dist first (pretest); when running vitest directly, run `npm run build` before.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, example, run } from './helpers/cli.js';
import { decimals } from '../src/cli/common.js';
import { expectAllFinite } from './helpers/finite.js';
import { InputError } from '../src/errors.js';
import { CALIBRATED_CONSTANTS, selectRows, type FidelityRow } from '../src/index.js';


/** Parsed CLI JSON output (its shape is what the assertions check). */
type Json = any;

/** Runs a command that must succeed and print JSON; returns the parsed JSON. */
function runJson(...args: string[]): Json {
  const r = run(...args);
  expect(r.stderr, `stderr of ${args.join(' ')}`).toBe('');
  expect(r.status, `exit code of ${args.join(' ')}`).toBe(0);
  return JSON.parse(r.stdout);
}

/** A user error: exit code 2, nothing on stdout, one line on stderr without stack frames, matching `pattern`. */
function expectUserError(args: string[], ...patterns: (RegExp | string)[]): string {
  const r = run(...args);
  const what = `accelmine ${args.join(' ')}`;
  expect(r.status, `exit code of ${what} (stderr: ${r.stderr})`).toBe(2);
  expect(r.stdout, `stdout of ${what}`).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, `stderr of ${what}`).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(lines[0]).toMatch(/^accelmine: /);
  for (const p of patterns) {
    if (typeof p === 'string') expect(lines[0]).toContain(p);
    else expect(lines[0]).toMatch(p);
  }
  return lines[0];
}


function relClose(a: number, b: number, rel = 1e-9): void {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(rel * Math.max(Math.abs(a), Math.abs(b)));
}

/** SCALE-Sim compute cycles of an M×N (reduction K) GEMM on one R×C array. */
const scaleSim = {
  ws: (m: number, n: number, k: number, r: number, c: number) => Math.ceil(k / r) * Math.ceil(n / c) * (2 * r + c + m - 2),
  os: (m: number, n: number, k: number, r: number, c: number) => Math.ceil(m / r) * Math.ceil(n / c) * (r + c + k - 2),
};

const PRESETS = ['tpu-v2', 'tpu-v3', 'tpu-v4', 'nvdla', 'eyeriss', 'v100', 'a100', 'h100'];
const DESIGN_NUMERIC_FIELDS = [
  'tensorCores', 'tcRows', 'tcCols', 'vectorCores', 'vectorLanes', 'localBufferBytes', 'globalBufferBytes',
  'globalBufferGBs', 'offChipBytes', 'offChipGBs', 'nocGBs', 'clockGHz',
];

let dir: string;
let presets: Json[];
let a100Design: Record<string, unknown>;

/** Writes `content` (a string as is, anything else as JSON) to a file in the temp dir; returns its path. */
function designFile(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'accelmine-cli-cost-'));
  presets = runJson('presets', '--json');
  a100Design = presets.find((p) => p.name === 'a100').design;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('accelmine presets', () => {
  it('--json lists the eight presets with their figures and designs', () => {
    expect(presets.map((p) => p.name)).toEqual(PRESETS);
    for (const p of presets) {
      expect(typeof p.name).toBe('string');
      for (const f of ['peakTflops', 'areaMm2', 'tdpW', 'hbmGBs']) {
        expect(typeof p[f], `${p.name}.${f}`).toBe('number');
        expect(p[f], `${p.name}.${f}`).toBeGreaterThan(0);
      }
      for (const f of DESIGN_NUMERIC_FIELDS) expect(Number.isFinite(p.design[f]), `${p.name}.design.${f}`).toBe(true);
      expect(['ws', 'os', 'is', 'rs']).toContain(p.design.dataflow);
      expect(p.hbmGBs).toBe(p.design.offChipGBs);
      expect(p).toHaveProperty('published');
    }
  });

  it('peak TFLOP/s is 2 x MACs x clock, and equals the published peak where there is one', () => {
    let published = 0;
    for (const p of presets) {
      const d = p.design;
      relClose(p.peakTflops, (2 * d.tensorCores * d.tcRows * d.tcCols * d.clockGHz) / 1000);
      if (p.published.peakTflops !== null) {
        published++;
        relClose(p.peakTflops, p.published.peakTflops);
      }
    }
    expect(published).toBeGreaterThanOrEqual(7);
  });

  it('prints a table without --json', () => {
    const r = run('presets');
    expect(r.status).toBe(0);
    for (const n of PRESETS) expect(r.stdout).toMatch(new RegExp(`^${n}\\s`, 'm'));
  });
});

describe('accelmine op', () => {
  it('--json reports cycles, energy, bound and traffic at every level', () => {
    const r = runJson('op', '--gemm', '1024x1024x1024', '--tc', '128x128', '--json');
    expect(r.gemm).toEqual({ b: 1, m: 1024, n: 1024, k: 1024 });
    expect(r.dataflow).toBe('ws');
    for (const f of ['cycles', 'computeCycles', 'energyJ', 'timeS']) expect(r[f], f).toBeGreaterThan(0);
    for (const f of ['localBytes', 'nocBytes', 'globalBytes', 'offChipBytes']) {
      expect(typeof r.traffic[f], f).toBe('number');
      expect(r.traffic[f], f).toBeGreaterThan(0);
    }
    expect(r.cycles).toBeGreaterThanOrEqual(r.computeCycles);
    expect(r.macs).toBe(1024 ** 3);
    relClose(r.timeS, r.cycles / 1e9); // --tc arrays run at 1 GHz
    expectAllFinite(r);
  });

  it('--tc (unbindable buffers) is tensor-bound and matches the SCALE-Sim weight-stationary formula', () => {
    const r = runJson('op', '--gemm', '1024x1024x1024', '--tc', '128x128', '--json');
    expect(r.bound).toBe('tensor');
    expect(r.coresUsed).toBe(1);
    expect(r.computeCycles).toBe(scaleSim.ws(1024, 1024, 1024, 128, 128));
    expect(r.computeCycles).toBe(89984);
  });

  it('--dataflow os matches the SCALE-Sim output-stationary formula', () => {
    const r = runJson('op', '--gemm', '1024x1024x1024', '--tc', '128x128', '--dataflow', 'os', '--json');
    expect(r.dataflow).toBe('os');
    expect(r.bound).toBe('tensor');
    expect(r.computeCycles).toBe(scaleSim.os(1024, 1024, 1024, 128, 128));
    expect(r.computeCycles).toBe(81792);
  });

  it('non-square shapes follow the formulas too (M, N, K are not interchangeable)', () => {
    const ws = runJson('op', '--gemm', '300x200x700', '--tc', '64x32', '--json');
    expect(ws.computeCycles).toBe(scaleSim.ws(300, 200, 700, 64, 32));
    const os = runJson('op', '--gemm', '300x200x700', '--tc', '64x32', '--dataflow', 'os', '--json');
    expect(os.computeCycles).toBe(scaleSim.os(300, 200, 700, 64, 32));
  });

  it('--batch 4 on one core takes 4 x the compute cycles', () => {
    const one = runJson('op', '--gemm', '1024x1024x1024', '--tc', '128x128', '--json');
    const four = runJson('op', '--gemm', '1024x1024x1024', '--tc', '128x128', '--batch', '4', '--json');
    expect(four.gemm.b).toBe(4);
    expect(four.coresUsed).toBe(1);
    expect(four.computeCycles).toBe(4 * one.computeCycles);
    expect(four.macs).toBe(4 * one.macs);
  });

  it('--preset a100: more cores are not slower', () => {
    const one = runJson('op', '--gemm', '1024x1024x1024', '--preset', 'a100', '--cores', '1', '--json');
    const all = runJson('op', '--gemm', '1024x1024x1024', '--preset', 'a100', '--cores', '108', '--json');
    expect(one.coresUsed).toBe(1);
    expect(one.dataflow).toBe('os');
    expect(one.computeCycles).toBe(scaleSim.os(1024, 1024, 1024, 32, 32));
    expect(all.coresUsed).toBeGreaterThan(1);
    expect(all.coresUsed).toBeLessThanOrEqual(108);
    expect(all.cycles).toBeLessThanOrEqual(one.cycles);
    expect(all.cycles).toBeLessThan(one.cycles / 10);
    relClose(one.timeS, one.cycles / (Number(a100Design.clockGHz) * 1e9));
  });

  it('--design reads a design file (bare, or wrapped in {design} like search output)', () => {
    const bare = runJson('op', '--gemm', '256x256x256', '--design', example('design-small.json'), '--json');
    expect(bare.dataflow).toBe('ws');
    expect(bare.coresUsed).toBeLessThanOrEqual(4);
    expect(bare.cycles).toBeGreaterThan(0);
    const wrapped = designFile('wrapped.json', { design: a100Design, score: 1 });
    const w = runJson('op', '--gemm', '1024x1024x1024', '--design', wrapped, '--json');
    const p = runJson('op', '--gemm', '1024x1024x1024', '--preset', 'a100', '--json');
    expect(w).toEqual(p);
  });

  it('prints a human summary without --json', () => {
    const r = run('op', '--gemm', '1024x1024x1024', '--tc', '128x128');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^GEMM 1024x1024x1024 on 1 x 128x128 \(ws\)/);
    expect(r.stdout).toMatch(/bound by tensor/);
  });
});

describe('accelmine evaluate', () => {
  it('--preset a100 --model resnet18 --batch 8: step metrics are consistent and finite', () => {
    const raw = run('evaluate', '--preset', 'a100', '--model', 'resnet18', '--batch', '8', '--json');
    expect(raw.status).toBe(0);
    expect(raw.stderr).toBe('');
    expect(raw.stdout).not.toMatch(/NaN|Infinity/);
    const ev = JSON.parse(raw.stdout);
    expectAllFinite(ev);
    expect(ev.model).toBe('resnet18');
    expect(ev.batch).toBe(8);
    expect(ev.design).toEqual(a100Design);
    expect(ev.stepTimeS).toBeGreaterThan(0);
    relClose(ev.throughput, 8 / ev.stepTimeS);
    expect(ev.energyJ).toBeGreaterThan(0);
    relClose(ev.avgPowerW, ev.energyJ / ev.stepTimeS);
    relClose(ev.energyPerSampleJ, ev.energyJ / 8);
    expect(ev.tdpW).toBeGreaterThan(0);
    expect(ev.areaMm2).toBeGreaterThan(0);
    const preset = presets.find((p) => p.name === 'a100');
    relClose(ev.tdpW, preset.tdpW);
    relClose(ev.areaMm2, preset.areaMm2);
    relClose(ev.peakTflops, preset.peakTflops);
    expect(ev.achievedTflops).toBeGreaterThan(0);
    expect(ev.achievedTflops).toBeLessThanOrEqual(ev.peakTflops);
    for (const u of ['tensor', 'vector']) {
      expect(ev.utilization[u], u).toBeGreaterThanOrEqual(0);
      expect(ev.utilization[u], u).toBeLessThanOrEqual(1);
    }
    expect(ev.feasible).toBe(true);
    expect(ev.reason).toBe('');
    expect(ev.serialTimeS).toBeGreaterThanOrEqual(ev.stepTimeS * (1 - 1e-9));

    expect(Array.isArray(ev.ops)).toBe(true);
    expect(ev.ops.length).toBeGreaterThan(10);
    for (const op of ev.ops) {
      expect(typeof op.name).toBe('string');
      expect(typeof op.kind).toBe('string');
      expect(['fwd', 'dgrad', 'wgrad', 'optimizer', 'recompute']).toContain(op.phase);
      expect(op.cycles).toBeGreaterThanOrEqual(0);
      expect(op.energyJ).toBeGreaterThanOrEqual(0);
      expect(typeof op.bound).toBe('string');
      expect(typeof op.critical).toBe('boolean');
    }
    const critical = ev.ops.filter((o: { critical: boolean }) => o.critical);
    expect(critical.length).toBeGreaterThan(0);
    expect(critical.length).toBe(ev.criticalPath.ops);
    const phases = new Set(ev.ops.map((o: { phase: string }) => o.phase));
    for (const p of ['fwd', 'dgrad', 'wgrad', 'optimizer']) expect(phases).toContain(p);
  });

  it('single-stream on a GPU preset waits its family\'s launch gap (4 µs) before every op with work; --launch-us sets it', () => {
    const args = ['evaluate', '--preset', 'a100', '--model', 'resnet18', '--batch', '8', '--execution', 'single-stream', '--json'];
    const none = runJson(...args, '--launch-us', '0');
    const gpu = runJson(...args);
    const ten = runJson(...args, '--launch-us', '10');
    expect(gpu.launchOverheadS).toBe(4e-6);
    expect(ten.launchOverheadS).toBeCloseTo(10e-6, 12);
    const kernels = none.ops.filter((o: Json) => o.timeS > 0).length;
    expect(kernels).toBeGreaterThan(100);
    relClose(gpu.stepTimeS, none.stepTimeS + kernels * 4e-6);
    relClose(ten.stepTimeS, none.stepTimeS + kernels * 10e-6);
    // the gaps are on the critical path with no unit busy (bound 'none'); the ops themselves cost the same
    relClose(gpu.criticalPath.timeSByBound.none, kernels * 4e-6);
    relClose(gpu.ops.reduce((a: number, o: Json) => a + o.timeS, 0), none.ops.reduce((a: number, o: Json) => a + o.timeS, 0));
    // a concurrent schedule has no launch gap; a design file defaults to none
    expect(runJson('evaluate', '--preset', 'a100', '--model', 'resnet18', '--batch', '8', '--json').launchOverheadS).toBe(0);
    expect(runJson('evaluate', '--preset', 'tpu-v4', '--model', 'resnet18', '--batch', '8', '--execution', 'single-stream', '--json').launchOverheadS).toBe(0);
    const bad = run(...args, '--launch-us', '-1');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('accelmine: --launch-us must be a number from 0 to 1000000, got "-1"');
  });

  it('--execution single-stream runs the ops one at a time on all cores: the step is the serial sum, no two ops overlap', () => {
    const cc = runJson('evaluate', '--preset', 'a100', '--model', 'resnet18', '--batch', '8', '--json');
    // --launch-us 0: no launch gap, so the step is exactly the ops' serial sum (the gap has its own test)
    const ss = runJson('evaluate', '--preset', 'a100', '--model', 'resnet18', '--batch', '8', '--execution', 'single-stream', '--launch-us', '0', '--json');
    expectAllFinite(ss);
    expect(cc.execution).toBe('concurrent');
    expect(ss.execution).toBe('single-stream');
    relClose(ss.stepTimeS, cc.serialTimeS);
    expect(ss.stepTimeS).toBeGreaterThanOrEqual(cc.stepTimeS * (1 - 1e-9));
    // one after another: sorted by start, each op starts when the previous ends, on all cores of its pool
    const ops = [...ss.ops].sort((a: Json, b: Json) => a.startS - b.startS || a.timeS - b.timeS);
    for (let i = 1; i < ops.length; i++) relClose(ops[i].startS, ops[i - 1].startS + ops[i - 1].timeS);
    for (const o of ss.ops) expect([0, a100Design.tensorCores, a100Design.vectorCores]).toContain(o.cores);
    // every op is on the critical path one at a time; the concurrent schedule leaves some off it
    expect(ss.criticalPath.ops).toBe(ss.ops.length);
    expect(ss.ops.filter((o: Json) => o.critical)).toHaveLength(ss.ops.length);
    expect(cc.ops.filter((o: Json) => o.critical).length).toBeLessThan(cc.ops.length);
    // energy: the ops' energies plus leakage over the step; the pools are busy in turn
    const leakW = (ss.energyJ - ss.ops.reduce((a: number, o: Json) => a + o.energyJ, 0)) / ss.stepTimeS;
    expect(leakW).toBeGreaterThan(0);
    expect(ss.utilization.tensor + ss.utilization.vector).toBeLessThanOrEqual(1 + 1e-9);
    const bad = run('evaluate', '--preset', 'a100', '--model', 'resnet18', '--execution', 'parallel');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('accelmine: --execution must be one of concurrent, single-stream, got "parallel"');
  });

  it('--schedule-passes: the default (200) schedule is no longer than the list schedule alone, and shorter on ResNet-50', () => {
    const base = ['evaluate', '--preset', 'tpu-v4', '--model', 'resnet50', '--batch', '32', '--json'];
    const dflt = runJson(...base);
    const list = runJson(...base, '--schedule-passes', '0');
    const few = runJson(...base, '--schedule-passes', '12');
    expectAllFinite(dflt);
    expect([dflt.schedulePasses, list.schedulePasses, few.schedulePasses]).toEqual([200, 0, 12]);
    expect(dflt.stepTimeS).toBeLessThanOrEqual(few.stepTimeS);
    expect(few.stepTimeS).toBeLessThan(list.stepTimeS * 0.98);
    // the same work, rescheduled: the critical path still ends at the step's end
    const end = Math.max(...dflt.ops.map((o: Json) => o.startS + o.timeS));
    relClose(end, dflt.stepTimeS);
    for (const bad of ['-1', 'many', '100001']) {
      const r = run('evaluate', '--preset', 'a100', '--model', 'resnet18', '--schedule-passes', bad);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(`accelmine: --schedule-passes must be an integer from 0 to 100000, got "${bad}"`);
    }
  });

  it('a sequence model reports tokens/s = throughput x seq', () => {
    const ev = runJson('evaluate', '--preset', 'h100', '--model', 'gpt2', '--batch', '1', '--seq', '64', '--json');
    expectAllFinite(ev);
    expect(ev.seq).toBe(64);
    relClose(ev.tokensPerS, ev.throughput * 64);
  });

  it('--design with a JSON graph (examples/design-small.json, examples/mlp.json)', () => {
    const ev = runJson('evaluate', '--design', example('design-small.json'), '--graph', example('mlp.json'), '--json');
    expectAllFinite(ev);
    expect(ev.design.tensorCores).toBe(4);
    expect(ev.feasible).toBe(true);
    expect(ev.stepTimeS).toBeGreaterThan(0);
  });

  it('a design whose off-chip memory is too small is infeasible, but still costed (exit 0)', () => {
    const f = designFile('tiny-offchip.json', { ...a100Design, offChipBytes: 1e6 });
    const ev = runJson('evaluate', '--design', f, '--model', 'resnet18', '--batch', '8', '--json');
    expect(ev.feasible).toBe(false);
    expect(ev.reason).toContain('does not fit');
    expect(ev.ops.length).toBeGreaterThan(10);
    expect(ev.stepTimeS).toBeGreaterThan(0);
    expect(ev.memoryBytes.peak).toBeGreaterThan(1e6);
    const r = run('evaluate', '--design', f, '--model', 'resnet18', '--batch', '8');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/feasible: no \(training state does not fit/);
  });

  it('prints a human summary without --json', () => {
    const r = run('evaluate', '--preset', 'a100', '--model', 'resnet18', '--batch', '8');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^resnet18: batch 8 on a100, list schedule \+ 200 serial passes\n/);
    expect(r.stdout).toMatch(/feasible: yes/);
    expect(r.stdout).toMatch(/ten most expensive ops/);
  });
});

describe('bad input: exit code 2, one line naming the problem, no stack trace', () => {
  it('unknown preset suggests the nearest name', () => {
    expectUserError(['op', '--gemm', '64x64x64', '--preset', 'a10'], "unknown preset 'a10'", "did you mean 'a100'");
    expectUserError(['evaluate', '--preset', 'a10', '--model', 'resnet18'], "unknown preset 'a10'", "did you mean 'a100'");
  });

  it('--gemm must be three positive integers', () => {
    expectUserError(['op', '--gemm', '0x4x4', '--tc', '4x4'], '--gemm', '"0x4x4"');
    expectUserError(['op', '--gemm', 'axbxc', '--tc', '4x4'], '--gemm', '"axbxc"');
    expectUserError(['op', '--gemm', '4x4', '--tc', '4x4'], '--gemm', '"4x4"');
    expectUserError(['op', '--gemm', '4x4x4x4', '--tc', '4x4'], '--gemm');
    expectUserError(['op', '--gemm', '4.5x4x4', '--tc', '4x4'], '--gemm');
  });

  it('--tc must be two positive integers', () => {
    expectUserError(['op', '--gemm', '4x4x4', '--tc', '0x4'], '--tc', '"0x4"');
    expectUserError(['op', '--gemm', '4x4x4', '--tc', '4'], '--tc');
  });

  it('design files: bad values, missing and unknown fields, not JSON, unreadable', () => {
    const neg = designFile('neg.json', { ...a100Design, tensorCores: -1 });
    expectUserError(['op', '--gemm', '4x4x4', '--design', neg], neg, 'tensorCores', 'got -1');
    const nan = designFile('nan.json', { ...a100Design, tensorCores: 'NaN' });
    expectUserError(['op', '--gemm', '4x4x4', '--design', nan], 'tensorCores', 'got "NaN"');
    const frac = designFile('frac.json', { ...a100Design, tcRows: 31.5 });
    expectUserError(['op', '--gemm', '4x4x4', '--design', frac], 'tcRows', 'integer');
    const { nocGBs: _, ...rest } = a100Design;
    const missing = designFile('missing.json', rest);
    expectUserError(['op', '--gemm', '4x4x4', '--design', missing], 'nocGBs', 'got nothing');
    const unknown = designFile('unknown.json', { ...a100Design, tensorcores: 4 });
    expectUserError(['op', '--gemm', '4x4x4', '--design', unknown], "unknown design field 'tensorcores'");
    const df = designFile('df.json', { ...a100Design, dataflow: 'xs' });
    expectUserError(['op', '--gemm', '4x4x4', '--design', df], 'dataflow', '"xs"');
    const node = designFile('node.json', { ...a100Design, techNm: 28 });
    expectUserError(['op', '--gemm', '4x4x4', '--design', node], 'techNm', '28');
    const notJson = designFile('not-json.json', '{tensorCores: 4,');
    expectUserError(['op', '--gemm', '4x4x4', '--design', notJson], notJson, 'not valid JSON');
    // V8 quotes the text around the error, here with its newline: the message was two lines
    const twoLines = designFile('two-lines.json', 'garbage{{\n');
    expectUserError(['op', '--gemm', '4x4x4', '--design', twoLines], `accelmine: ${twoLines}: not valid JSON (Unexpected token 'g', "garbage{{\\n" is not valid JSON)`);
    expectUserError(['evaluate', '--design', notJson, '--model', 'resnet18'], 'not valid JSON');
    // V8 quotes a short text in its message, line breaks included: still one line (it was two)
    const shortText = designFile('short-text.json', 'not json\n');
    expectUserError(['evaluate', '--design', shortText, '--model', 'resnet18'], 'not valid JSON', '"not json\\n" is not valid JSON');
    const arr = designFile('array.json', [a100Design]);
    expectUserError(['op', '--gemm', '4x4x4', '--design', arr], 'a design must be a JSON object');
    expectUserError(['op', '--gemm', '4x4x4', '--design', join(dir, 'no-such-file.json')], 'no-such-file.json', 'cannot read');
  });

  it('evaluate rejects bad design files the same way', () => {
    const neg = designFile('neg-eval.json', { ...a100Design, tensorCores: -1 });
    expectUserError(['evaluate', '--design', neg, '--model', 'resnet18', '--batch', '8'], 'tensorCores', 'got -1');
  });

  it('--cores beyond the design, or not a positive integer', () => {
    expectUserError(['op', '--gemm', '4x4x4', '--preset', 'a100', '--cores', '1000'], '--cores', '108', '1000');
    expectUserError(['op', '--gemm', '4x4x4', '--preset', 'a100', '--cores', '0'], '--cores', '"0"');
    expectUserError(['op', '--gemm', '4x4x4', '--preset', 'a100', '--cores', '1.5'], '--cores');
  });

  it('--batch and --dataflow are checked', () => {
    expectUserError(['op', '--gemm', '4x4x4', '--tc', '4x4', '--batch', '0'], '--batch', '"0"');
    expectUserError(['op', '--gemm', '4x4x4', '--tc', '4x4', '--dataflow', 'xs'], '--dataflow', 'ws, os, is, rs', '"xs"');
    expectUserError(['evaluate', '--preset', 'a100', '--model', 'resnet18', '--batch', '-3'], '--batch');
  });

  it('exactly one hardware source', () => {
    const f = designFile('ok.json', a100Design);
    expectUserError(['op', '--gemm', '4x4x4', '--preset', 'a100', '--design', f], 'exactly one of --preset');
    expectUserError(['op', '--gemm', '4x4x4', '--preset', 'a100', '--tc', '4x4'], 'exactly one of --preset');
    expectUserError(['op', '--gemm', '4x4x4'], 'exactly one of --preset');
    expectUserError(['evaluate', '--preset', 'a100', '--design', f, '--model', 'resnet18'], 'exactly one of --preset NAME or --design FILE');
    expectUserError(['evaluate', '--model', 'resnet18'], 'exactly one of --preset NAME or --design FILE');
  });

  it('evaluate needs exactly one workload', () => {
    expectUserError(['evaluate', '--preset', 'a100'], 'workload');
  });
});

describe('accelmine validate', () => {
  let rows: Json[];
  beforeAll(() => {
    rows = runJson('validate', '--json');
  });

  it('--json rows have case, predicted, measured, errorPct, allowedMin, allowedMax, allowed, pass', () => {
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) {
      expect(typeof r.case).toBe('string');
      expect(typeof r.unit).toBe('string');
      expect(typeof r.allowed).toBe('string');
      // the measurement itself always lies inside the row's allowed range (±x% around it, or a range that ends at it)
      expect(r.allowedMin, r.case).toBeLessThanOrEqual(r.measured);
      expect(r.allowedMax, r.case).toBeGreaterThanOrEqual(r.measured);
      expect(typeof r.pass).toBe('boolean');
      expect(r.pass, r.case).toBe(r.predicted >= r.allowedMin - 1e-9 * Math.max(1, r.measured) && r.predicted <= r.allowedMax + 1e-9 * Math.max(1, r.measured));
    }
    expectAllFinite(rows);
  });

  it('errorPct = (predicted - measured) / measured x 100', () => {
    for (const r of rows) {
      const expected = ((r.predicted - r.measured) / r.measured) * 100;
      expect(Math.abs(r.errorPct - expected), r.case).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    }
  });

  it('the five Eyeriss AlexNet layers\' processing latency is within 15%', () => {
    const eyeriss = rows.filter((r) => /^eyeriss CONV\d processing latency/.test(r.case));
    expect(eyeriss.map((r) => r.case)).toEqual([1, 2, 3, 4, 5].map((i) => `eyeriss CONV${i} processing latency`));
    for (const r of eyeriss) {
      expect(r.allowed).toBe('±15%');
      expect(Math.abs(r.errorPct), r.case).toBeLessThanOrEqual(15);
      expect(r).toMatchObject({ case: r.case, pass: true });
    }
  });

  it('every preset with a published peak has a peak row with error 0', () => {
    const peaks = rows.filter((r) => / peak$/.test(r.case));
    const withPeak = presets.filter((p) => p.published.peakTflops !== null).map((p) => `${p.name} peak`);
    expect(peaks.map((r) => r.case)).toEqual(withPeak);
    for (const r of peaks) {
      expect(Math.abs(r.errorPct), r.case).toBeLessThan(1e-9);
      expect(r).toMatchObject({ case: r.case, pass: true });
    }
  });

  it('has the power rows of every TPU and GPU preset the issue names', () => {
    const power = rows.filter((r) => / average power, | TDP vs measured max$/.test(r.case)).map((r) => r.case);
    for (const p of ['tpu-v3', 'tpu-v4', 'v100', 'a100', 'h100']) {
      expect(power.filter((c) => c.startsWith(`${p} average power`)), p).toHaveLength(2);
    }
    expect(power).toContain('tpu-v3 TDP vs measured max');
    expect(power).toContain('tpu-v4 TDP vs measured max');
  });

  it('has the ten Megatron-LM weak-scaling rows (Narayanan et al. SC21 Table 1), each within ±15% in TFLOP/s per GPU', () => {
    const m = rows.filter((r) => r.case.startsWith('megatron gpt '));
    expect(m.map((r) => r.case.split(' (')[0])).toEqual(
      ['1.7b on 32', '3.6b on 64', '7.5b on 128', '18.4b on 256', '39.1b on 512', '76.1b on 1024', '145.6b on 1536', '310.1b on 1920', '529.6b on 2520', '1008.0b on 3072'].map((x) => `megatron gpt ${x} a100s`),
    );
    expect(m.map((r) => r.measured)).toEqual([137, 138, 142, 135, 138, 140, 148, 155, 163, 163]);
    for (const r of m) {
      expect([r.unit, r.allowed], r.case).toEqual(['TFLOP/s', '±15%']);
      expect(r).toMatchObject({ case: r.case, pass: true });
    }
  });

  it('misses exactly the rows docs/fidelity.md lists as open; every other row holds (a new miss or a new hold fails here)', () => {
    expect(rows.filter((r) => !r.pass).map((r) => r.case)).toEqual([
      'eyeriss CONV1 DRAM accesses',
      'eyeriss CONV2 DRAM accesses',
      'eyeriss CONV5 DRAM accesses',
      'eyeriss VGG-16 CONV1-1 DRAM accesses',
      'eyeriss VGG-16 CONV1-2 DRAM accesses',
      'eyeriss VGG-16 CONV2-1 DRAM accesses',
      'eyeriss VGG-16 CONV2-2 DRAM accesses',
      'eyeriss VGG-16 CONV3-1 DRAM accesses',
      'eyeriss VGG-16 CONV3-2 DRAM accesses',
      'eyeriss VGG-16 CONV3-3 DRAM accesses',
      'eyeriss VGG-16 CONV4-1 DRAM accesses',
      'eyeriss VGG-16 CONV4-2 DRAM accesses',
      'eyeriss VGG-16 CONV4-3 DRAM accesses',
      'eyeriss VGG-16 CONV5-3 chip power',
      'tpu-v2 TDP vs published',
      'tpu-v3 TDP vs published',
    ]);
    // Eyeriss chip power holds on all five layers since the rs PEs gate ReLU zeros
    for (const i of [1, 2, 3, 4, 5]) expect(rows.find((r) => r.case === `eyeriss CONV${i} chip power`)!.pass).toBe(true);
  });

  it('--predictions keeps the cases no calibrated constant was fitted on; with --json, every row it keeps has fitted []', () => {
    const kept = runJson('validate', '--predictions', '--json') as Json[];
    expect(kept.map((r) => r.case)).toEqual(rows.filter((r) => (r.fitted as string[]).length === 0).map((r) => r.case));
    // no kept row names a fitted constant (the offending cases would be listed)
    expect(kept.filter((r) => (r.fitted as string[]).length > 0).map((r) => r.case)).toEqual([]);
    const text = run('validate', '--predictions');
    expect(text.stdout.trim().split('\n').at(-1)).toBe(
      `${kept.length} cases shown, ${kept.filter((r) => r.pass).length} within their bound; ${rows.filter((r) => r.pass).length} of ${rows.length} in all`,
    );
  });

  it('--only keeps the cases whose name contains the text, --misses those outside their bound; the last line counts both', () => {
    const vgg = runJson('validate', '--only', 'VGG-16', '--json') as Json[];
    expect(vgg.map((r) => r.case)).toEqual(rows.filter((r) => r.case.includes('VGG-16')).map((r) => r.case));
    expect(vgg).toHaveLength(54);
    const misses = runJson('validate', '--only', 'vgg-16', '--misses', '--json') as Json[];
    expect(misses.map((r) => r.case)).toEqual(vgg.filter((r) => !r.pass).map((r) => r.case));
    const text = run('validate', '--only', 'a100');
    expect(text.status).toBe(0);
    const shown = rows.filter((r) => r.case.includes('a100'));
    expect(text.stdout.trim().split('\n').at(-1)).toBe(
      `${shown.length} cases shown, ${shown.filter((r) => r.pass).length} within their bound; ${rows.filter((r) => r.pass).length} of ${rows.length} in all`,
    );
  });

  it('the library\'s selectRows is what the flags run: a piece of the case name, any case; an empty piece is an InputError', () => {
    const table = rows as FidelityRow[];
    expect(selectRows(table, { only: 'MEGATRON' }).map((r) => r.case)).toEqual(table.filter((r) => r.case.startsWith('megatron ')).map((r) => r.case));
    expect(selectRows(table, { misses: true })).toEqual(table.filter((r) => !r.pass));
    expect(selectRows(table, { predictions: true })).toEqual(table.filter((r) => (r as unknown as { fitted: string[] }).fitted.length === 0));
    expect(selectRows(table, { only: 'eyeriss CONV1 ', predictions: true }).map((r) => r.case)).toEqual(['eyeriss CONV1 processing latency', 'eyeriss CONV1 DRAM accesses']);
    expect(() => selectRows(table, { only: ' ' })).toThrow(InputError);
  });

  it('--only that matches nothing is one line naming the flag and how cases begin, exit code 2', () => {
    const r = run('validate', '--only', 'tpu-v9');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^accelmine: --only "tpu-v9" matches no case; cases begin with: eyeriss, .*megatron/)]);
  });

  it('no TDP is checked twice: the GPUs\' TDP rows are the power rows\' (±20%), the TPUs\' the preset rows\' (±25%)', () => {
    const tdp = rows.filter((r) => / TDP( vs published)?$/.test(r.case));
    expect(tdp.map((r) => [r.case, r.allowed])).toEqual([
      ['v100 TDP', '±20%'], ['a100 TDP', '±20%'], ['h100 TDP', '±20%'],
      ['tpu-v2 TDP vs published', '±25%'], ['tpu-v3 TDP vs published', '±25%'],
    ]);
  });

  it('prints a table without --json; its last line counts all rows and the predictions apart', () => {
    const r = run('validate');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/eyeriss CONV1 processing latency/);
    const predictions = rows.filter((x) => (x.fitted as string[]).length === 0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe(
      `${rows.filter((x) => x.pass).length} of ${rows.length} cases within their bound; predictions (no calibrated constant fitted on them): ` +
        `${predictions.filter((x) => x.pass).length} of ${predictions.length}`,
    );
    // the column names the constants, or '-'
    expect(r.stdout).toMatch(/eyeriss CONV1 chip power .* power fit\n/);
    expect(r.stdout).toMatch(/eyeriss CONV1 DRAM accesses .* -\n/);
  });

  it('marks each row with the calibrated constants fitted on it: the power fit on the 20 power rows, the ifmap share on the 18 Eyeriss buffer rows, ...', () => {
    const labels = CALIBRATED_CONSTANTS.map((k) => k.label);
    expect(new Set(labels).size).toBe(labels.length);
    const on = (label: string) => rows.filter((x) => (x.fitted as string[]).includes(label)).map((x) => x.case as string);
    expect(on('power fit')).toHaveLength(20);
    expect(on('power fit').filter((c) => c.startsWith('eyeriss'))).toEqual([1, 2, 3, 4, 5].map((i) => `eyeriss CONV${i} chip power`));
    expect(on('ifmap share')).toHaveLength(18);
    expect(on('ifmap share').filter((c) => !c.endsWith('global-buffer accesses'))).toEqual([]);
    expect(on('eyeriss buffer rate')).toEqual([
      ...['1-1', '1-2', '2-1', '2-2', '3-1', '3-2', '3-3', '4-1', '4-2', '4-3'].map((l) => `eyeriss VGG-16 CONV${l} processing latency`),
      'eyeriss VGG-16 all layers processing latency',
    ]);
    expect(on('area overheads')).toEqual(['eyeriss area', 'v100 area', 'a100 area', 'h100 area']);
    expect(on('megatron efficiency')).toEqual(rows.filter((x) => (x.case as string).startsWith('megatron gpt ')).map((x) => x.case));
    // predictions: the throughput rows, every DRAM row, the TPUs' TDP against secondary sources, the peaks
    for (const x of rows) {
      const c = x.case as string;
      if (/training throughput|DRAM accesses|TDP vs published| peak$|VGG-16 CONV5-\d processing latency/.test(c)) expect(x.fitted, c).toEqual([]);
      expect((x.fitted as string[]).filter((l) => !labels.includes(l)), c).toEqual([]);
    }
  });
});

describe('evaluate takes the training-step options graph takes', () => {
  it('--precision, --no-fusion, --recompute and --optimizer change the step as they change graph', () => {
    const base = ['--model', 'resnet18', '--batch', '8'];
    for (const extra of [['--no-fusion'], ['--precision', 'fp32'], ['--recompute'], ['--optimizer', 'sgd']]) {
      const g = runJson('graph', ...base, ...extra, '--json');
      const ev = runJson('evaluate', '--preset', 'a100', ...base, ...extra, '--json');
      expect(ev.ops.length, extra.join(' ')).toBe(g.ops.total);
      expect(ev.memoryBytes.peak, extra.join(' ')).toBe(g.memoryBytes.peak);
    }
    const fused = runJson('evaluate', '--preset', 'a100', ...base, '--json');
    const unfused = runJson('evaluate', '--preset', 'a100', ...base, '--no-fusion', '--json');
    expect(unfused.ops.length).toBeGreaterThan(fused.ops.length);
  });
});

describe('a search result is a design file', () => {
  it('evaluate --design on search --json output evaluates its best design', () => {
    const res = runJson('search', '--graph', example('mlp.json'), '--space', 'small', '--budget', '20', '--threads', '1', '--area', '400', '--tdp', '300', '--json');
    const fromResult = runJson('evaluate', '--design', designFile('result.json', res), '--graph', example('mlp.json'), '--json');
    const fromDesign = runJson('evaluate', '--design', designFile('best.json', res.best.design), '--graph', example('mlp.json'), '--json');
    expect(fromResult.design).toEqual(res.best.design);
    expect(fromResult.stepTimeS).toBe(fromDesign.stepTimeS);
  });
});

describe('a search that cannot succeed says why, with the numbers', () => {
  it('a training state larger than every off-chip memory of the space fails at once', () => {
    expectUserError(['search', '--model', 'gpt2-xl', '--attention', 'unfused'], /^accelmine: the training state of gpt2-xl needs 110\.\d\d GiB but the largest off-chip memory of space 'large' is 74\.51 GiB/);
  });
  it('a space whose off-chip memory is under 0.01 GiB is said in MiB, KiB or bytes (it said "needs 0.00 GiB but ... is 0.00 GiB")', () => {
    const space = designFile('one-byte-space.json', { name: 'one-byte', values: { offChipBytes: [1] } });
    expectUserError(['search', '--graph', example('mlp.json'), '--space', space, '--budget', '5', '--threads', '1'],
      "accelmine: the training state of mlp-mnist needs 3.55 MiB but the largest off-chip memory of space 'one-byte' is 1 bytes: give a space with more offChipBytes, a smaller --batch, or --recompute");
  });
  it('no design evaluated before --time ran out is said as such, not blamed on the budget', () => {
    expectUserError(['search', '--graph', example('mlp.json'), '--time', '1e-9', '--area', '400', '--tdp', '300'], 'no design was evaluated before --time 1e-9 s ran out');
  });
});

describe('argument-parser errors are user errors: one line, exit 2', () => {
  it.each([
    [['search', '--model'], "option '--model <name>' argument missing"],
    [['search', '--bogus'], "unknown option '--bogus'"],
    [['op', '--gemm', '1x1x1', '--tc', '4x4', 'extra'], "too many arguments for 'op'"],
    [['frobnicate'], "unknown command 'frobnicate'"],
    // commander's suggestion came on a second line
    [['nope'], "accelmine: unknown command 'nope' (Did you mean op?) (accelmine --help lists the commands and options)"],
    [['search', '--modle', 'resnet18'], "accelmine: unknown option '--modle' (Did you mean --model?) (accelmine --help lists the commands and options)"],
    // an empty list of models: an internal error from search ("the climber is not set up"), nothing at all from compare (exit 0)
    [['search', '--model', ','], 'accelmine: --model must name at least one zoo model (see `accelmine models`), got ","'],
    [['compare', '--model', ' ,', '--strategies', 'wham'], 'accelmine: --model must name at least one zoo model (see `accelmine models`), got " ,"'],
    [[], 'give a command: models, graph'],
    // Number() took "" as 0 and "0x10" as 16: these ran (exit 0)
    [['search', '--graph', 'examples/mlp.json', '--space', 'small', '--budget', '10', '--threads', '1', '--seed='], 'accelmine: --seed must be a non-negative integer, got ""'],
    [['search', '--graph', 'examples/mlp.json', '--space', 'small', '--budget', '10', '--threads', '1', '--seed', '0x10'], 'accelmine: --seed must be a non-negative integer, got "0x10"'],
    [['search', '--graph', 'examples/mlp.json', '--space', 'small', '--budget', '10', '--threads', '1', '--area', '0x10'], 'accelmine: --area must be a positive number, got "0x10"'],
    [['evaluate', '--graph', 'examples/mlp.json', '--preset', 'a100', '--launch-us', '0b11'], 'accelmine: --launch-us must be a number from 0 to 1000000, got "0b11"'],
    [['hypar', '--model', 'alexnet', '--levels', '0x10'], 'accelmine: --levels must be an integer from 1 to 16, got "0x10"'],
    // flags that did nothing were taken silently (exit 0)
    [['evaluate', '--graph', 'examples/mlp.json', '--preset', 'a100', '--launch-us', '10'], 'accelmine: --launch-us applies to --execution single-stream (the concurrent schedule has no launch gaps)'],
    [['search', '--graph', 'examples/mlp.json', '--space', 'small', '--budget', '10', '--threads', '1', '--force'], 'accelmine: --force applies with --out DIR (it replaces the search the directory holds)'],
    // the error named the library's field: "gradAccumulationSteps must be a positive integer no larger than 1048576, got 2147483648"
    [['graph', '--model', 'resnet18', '--grad-accumulation', '2147483648'], 'accelmine: --grad-accumulation must be a positive integer no larger than 1048576, got "2147483648"'],
    [['search', '--graph', 'examples/mlp.json', '--threads', '1000'], '--threads must be an integer from 1 to 256, got "1000"'],
    // --seq and --attention on a model that takes neither were ignored (exit 0); with several models they apply to those that take them
    [['graph', '--model', 'resnet50', '--seq', '128'], 'accelmine: --seq applies to sequence models; resnet50 (cnn) has a fixed input size'],
    [['evaluate', '--preset', 'a100', '--model', 'resnet18', '--attention', 'unfused'], 'accelmine: --attention applies to transformers; resnet18 is a cnn'],
    // a batch within --batch's limit that makes an op too large named only the op ("layers.0.moe.experts.0.dispatch: rows must be ...")
    [['graph', '--model', 'mixtral-8x7b', '--batch', '16777216'], 'accelmine: --batch 16777216 × --seq 4096 is too large for mixtral-8x7b: layers.0.moe.experts.0.dispatch: rows must be a positive integer no larger than 2147483648, got 17179869184'],
  ])('accelmine %s', (args, message) => {
    expectUserError(args as string[], message as string);
  });

  it('--seed 0 is a seed for compare and distributed as for search and sweep (they refused it)', () => {
    const c = run('compare', '--model', 'resnet18', '--strategies', 'wham,random', '--space', 'small', '--budget', '50', '--repeats', '1', '--seed', '0', '--threads', '1', '--json');
    expect([c.status, c.stderr]).toEqual([0, '']);
    expect(JSON.parse(c.stdout)[0].strategies.map((s: { strategy: string; runs: number }) => [s.strategy, s.runs])).toEqual([['wham', 1], ['random', 1]]);
    const d = run('distributed', '--model', 'gpt2', '--devices', '8', '--auto-parallel', '--search', '--area', '400', '--tdp', '300', '--budget', '50', '--seed', '0', '--threads', '1');
    expect([d.status, d.stderr]).toEqual([0, '']);
  });

  it('--version and --help still exit 0 on stdout', () => {
    const v = run('--version');
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe('0.1.0');
    const h = run('search', '--help');
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/--objective/);
  });

  it('a reader that closes the pipe early (| head -1) ends the run quietly', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${cliPath}" evaluate --preset a100 --model bert-large --json | head -1; echo "rc=\${PIPESTATUS[0]}" >&2`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('{');
    expect(r.stderr.trim()).toBe('rc=0');
  });
});

describe('energy and area breakdowns, row-stationary from the CLI', () => {
  it('evaluate --json: energy by component sums to energyJ, area by component to areaMm2', () => {
    const r = runJson('evaluate', '--preset', 'eyeriss', '--model', 'alexnet', '--batch', '4', '--json');
    expect(r.design.dataflow).toBe('rs');
    const e = r.energy;
    expect(Object.keys(e).sort()).toEqual(['clockJ', 'globalBufferJ', 'leakageJ', 'localBufferJ', 'macJ', 'nocJ', 'offChipJ', 'vectorJ']);
    relClose(Object.values(e as Record<string, number>).reduce((a, b) => a + b, 0), r.energyJ, 1e-9);
    for (const v of Object.values(e as Record<string, number>)) expect(v).toBeGreaterThan(0);
    const a = r.area;
    relClose(a.tensorMm2 + a.vectorMm2 + a.laneOverheadMm2 + a.sramMm2 + a.phyMm2 + a.nocMm2, r.areaMm2, 1e-12);
    expect(['tensor', 'vector']).toContain(r.tdpClass);
  });

  it("a small chip's figures keep their digits: Eyeriss's throughput, TFLOP/s, power and TDP, as --json has them", () => {
    const j = runJson('evaluate', '--preset', 'eyeriss', '--model', 'alexnet', '--batch', '4', '--json');
    const t = run('evaluate', '--preset', 'eyeriss', '--model', 'alexnet', '--batch', '4');
    expect(t.status, t.stderr).toBe(0);
    const [, stepLine, rateLine, energyLine] = t.stdout.split('\n');
    expect(stepLine).toContain(`${j.throughput.toPrecision(3)} samples/s`);
    expect(rateLine).toMatch(new RegExp(`^${j.achievedTflops.toPrecision(3)} of 0\\.0672 TFLOP/s;`));
    expect(energyLine).toContain(`average ${j.avgPowerW.toPrecision(3)} W, TDP ${j.tdpW.toPrecision(3)} W, area ${j.areaMm2.toFixed(1)} mm²`);
    expect(j.avgPowerW).toBeLessThan(1);
  });

  it('decimals: one decimal from 10 up, three significant digits below (never 0.0 for a small figure)', () => {
    expect([314.25, 10, 9.5, 0.2784, 0.0672, 0.000123, 0].map((x) => decimals(x))).toEqual(['314.3', '10.0', '9.50', '0.278', '0.0672', '0.000123', '0']);
    expect([459.4, 100, 19.28, 0.629].map((x) => decimals(x, 0))).toEqual(['459', '100', '19.3', '0.629']);
  });

  it('evaluate prints where the energy and the area go', () => {
    const r = run('evaluate', '--preset', 'a100', '--model', 'resnet18', '--batch', '8', '--execution', 'single-stream');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/where the energy goes \(J per step\):/);
    for (const c of ['MAC', 'local buffers / register files', 'global buffer', 'NoC', 'off-chip', 'clock and control', 'leakage \\(static\\)']) expect(r.stdout).toMatch(new RegExp(c));
    expect(r.stdout).toMatch(/where the area goes \(mm²\):/);
    for (const c of ['tensor arrays', 'vector lanes', 'SRAM', 'off-chip PHY']) expect(r.stdout).toMatch(new RegExp(c));
  });

  it('evaluate shows what the TDP is made of: leakage + clock + the class that sets it, summing to tdpW (text and --json)', () => {
    const args = ['evaluate', '--preset', 'a100', '--model', 'resnet18', '--batch', '8'];
    const j = runJson(...args, '--json');
    const p = j.tdp;
    expect(p.tdpClass).toBe(j.tdpClass);
    relClose(p.tdpW, j.tdpW, 1e-12);
    relClose(p.leakageW + p.clockW + Math.max(p.tensorClassW, p.vectorClassW), j.tdpW, 1e-12);
    relClose(p.tensorClassW, p.tensorW + p.localBufferW + p.globalBufferW + p.nocW + p.offChipW, 1e-12);
    const t = run(...args);
    expect(t.status, t.stderr).toBe(0);
    const section = t.stdout.split('what the TDP is made of (W), set by the tensor class at its sustained rate:\n')[1].split('\n\n')[0].split('\n').slice(1);
    const rows = section.map((l) => l.split(/\s{2,}/));
    expect(rows.map((x) => x[0])).toEqual(['leakage (static)', 'clock and control', 'MACs, every PE busy', 'local buffers / register files', 'global buffer', 'NoC', 'off-chip']);
    // the printed watts add up to the printed TDP (2 decimals each)
    relClose(rows.reduce((a, x) => a + Number(x[1]), 0), j.tdpW, 1e-3);
    expect(rows.find((x) => x[0] === 'MACs, every PE busy')![1]).toBe(p.tensorW.toFixed(2));
  });

  it('op --dataflow rs costs a GEMM as a 1 × 1 convolution on the array', () => {
    const r = runJson('op', '--gemm', '64x64x64', '--preset', 'eyeriss', '--dataflow', 'rs', '--json');
    expect(r.dataflow).toBe('rs');
    expect(r.macs).toBe(64 ** 3);
    expect(r.computeCycles).toBeGreaterThanOrEqual(64 ** 3 / 168);
    expectAllFinite(r);
  });
});

describe('--help', () => {
  it.each(['presets', 'op', 'evaluate', 'validate'])('%s --help prints usage and exits 0', (cmd) => {
    const r = run(cmd, '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Usage: accelmine ${cmd}`);
  });
});
