/**
 * `accelmine report`: the sources it reads (search, compare, sweep directories), the charts' specs (units on
 * every axis, one colour per strategy, fronts that are fronts, schedules that fit their pools), the CLI's errors,
 * the self-contained page, and the page in headless Chromium. Also the compare SVG's inference-only fix.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpace } from '../src/arch/space.js';
import { InputError } from '../src/errors.js';
import * as lib from '../src/index.js';
import { assignLanes } from '../src/report/charts/gantt.js';
import type { Chart } from '../src/report/charts/spec.js';
import { dominates, paretoFront } from '../src/search/pareto.js';
import { compareConvergenceSvg } from '../src/report/convergence-svg.js';
import { buildCharts, buildReport, readReportSource, report } from '../src/report/report.js';
import type { DesignPoint, ReportSource } from '../src/report/sources.js';
import { sweepSource, toSweepRow, type SweepRow } from '../src/report/sweep-source.js';
import { compareStrategies } from '../src/search/compare.js';
import { runSearch } from '../src/search/run.js';
import { loadTrainingGraph } from '../src/workload/load.js';
import { renderPage } from './helpers/browser.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

const TOY_SPACE = {
  name: 'toy',
  values: { tensorCores: [1, 2, 4, 8], tcRows: [16, 32, 64, 128], tcCols: [16, 32, 64, 128], vectorLanes: [64, 256], offChipGBs: [400, 1600, 3200], dataflow: ['ws', 'os'] },
};

let tmp = '';
let searchDir = '';
let compareDir = '';
let searchReport: Awaited<ReturnType<typeof buildReport>>;
let compareReport: Awaited<ReturnType<typeof buildReport>>;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'accelmine-report-'));
  searchDir = join(tmp, 'search');
  compareDir = join(tmp, 'compare');
  const space = join(tmp, 'toy.json');
  writeFileSync(space, JSON.stringify(TOY_SPACE));
  const s = cli('search', '--model', 'resnet18', '--batch', '4', '--space', space, '--area', '150', '--tdp', '200', '--budget', '200', '--threads', '1',
    '--schedule-passes', '12', '--out', searchDir);
  expect(s.status, s.stderr).toBe(0);
  // random twice as itself and spotlight inference-only: three colours, one of them an inference-only label
  const c = cli('compare', '--model', 'resnet18', '--batch', '2', '--strategies', 'wham,random,spotlight', '--inference-only', 'spotlight', '--repeats', '2',
    '--budget', '60', '--space', space, '--area', '150', '--tdp', '200', '--threads', '1', '--out', compareDir);
  expect(c.status, c.stderr).toBe(0);
  searchReport = await buildReport(searchDir);
  compareReport = await buildReport(compareDir);
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Every object in a spec that has an `encoding`. */
function encodings(spec: unknown): Record<string, Record<string, unknown>>[] {
  const out: Record<string, Record<string, unknown>>[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (o.encoding && typeof o.encoding === 'object') out.push(o.encoding as Record<string, Record<string, unknown>>);
      for (const [k, v] of Object.entries(o)) if (k !== 'data') walk(v);
    }
  };
  walk(spec);
  return out;
}

/** Every layer (or unit spec) with the given description, with its panel's cost axis. */
function layers(spec: unknown, description: string): { values: Record<string, unknown>[]; x: string }[] {
  const out: { values: Record<string, unknown>[]; x: string }[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const o = x as Record<string, any>;
      if (o.description === description) out.push({ values: o.data.values, x: o.encoding.x?.field });
      for (const [k, v] of Object.entries(o)) if (k !== 'data') walk(v);
    }
  };
  walk(spec);
  return out;
}

const allCharts = () => [...searchReport.charts, ...compareReport.charts];

describe('what search and compare write for the report', () => {
  it('search --out records how each workload was built and each trace point with its design', () => {
    const r = JSON.parse(readFileSync(join(searchDir, 'result.json'), 'utf8'));
    expect(r.workloads).toEqual([{ source: { model: 'resnet18', batch: 4, unsupported: 'error' }, training: { optimizer: 'adam' } }]);
    expect(r.inferenceOnly).toBe(false);
    expect(r.execution).toBe('concurrent');
    expect(r.trace.length).toBeGreaterThan(0);
    for (const t of r.trace) expect(t.design.tensorCores).toBeGreaterThan(0);
  });
  it('compare --out records per model the workload, the best design, every run\'s trace and each strategy\'s Pareto designs', () => {
    const [m] = JSON.parse(readFileSync(join(compareDir, 'compare.json'), 'utf8'));
    expect(m.workload).toEqual({ model: 'resnet18', batch: 2 });
    expect(m.objective).toBe('throughput');
    expect(m.best.strategy).toBe('exhaustive');
    expect(m.best.objective).toBeCloseTo(m.bestKnown, 9);
    expect(new Set(m.traces.map((t: { strategy: string }) => t.strategy))).toEqual(new Set(['wham', 'random', 'spotlight (inference-only)']));
    // the inference-only strategy keeps no Pareto designs (its metrics were the forward pass's)
    expect(new Set(m.pareto.map((p: { strategy: string }) => p.strategy))).toEqual(new Set(['exhaustive', 'wham', 'random']));
  });
  it('compare --out keeps an earlier comparison unless --force (it was overwritten silently)', () => {
    const before = readFileSync(join(compareDir, 'compare.json'), 'utf8');
    const again = ['compare', '--model', 'resnet18', '--batch', '2', '--strategies', 'wham', '--repeats', '1', '--budget', '20', '--space', 'small', '--threads', '1', '--out', compareDir];
    const refused = cli(...again);
    expect([refused.status, refused.stderr.trim()]).toEqual([2, `accelmine: --out ${compareDir} already holds a comparison (compare.json): give --force to replace it, or another --out`]);
    expect(readFileSync(join(compareDir, 'compare.json'), 'utf8')).toBe(before);
    const forced = cli(...again, '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(compareDir, 'compare.json'), 'utf8'))[0].workload).toEqual({ model: 'resnet18', batch: 2 });
    writeFileSync(join(compareDir, 'compare.json'), before);
  });
});

describe('the charts', () => {
  it('are all there: Pareto fronts, convergence, schedule, roofline, energy and area', () => {
    for (const r of [searchReport, compareReport]) {
      expect([...new Set(r.charts.map((c) => c.section))]).toEqual(['Pareto fronts', 'Convergence', 'Best design: schedule', 'Best design: roofline', 'Best design: energy and area']);
      expect(r.charts.length).toBe(7);
      expect(r.notes).toEqual([]);
    }
  });
  it("include what the best design's TDP is made of: its bars add up to the TDP the caption gives", () => {
    for (const r of [searchReport, compareReport]) {
      const tdp = r.charts.filter((c) => c.title.endsWith('what its TDP is made of'));
      expect(tdp.length).toBeGreaterThan(0);
      for (const c of tdp) {
        const values = (c.spec as unknown as { data: { values: { component: string; value: number }[] } }).data.values;
        expect(values.map((v) => v.component).slice(0, 2)).toEqual(['leakage', 'clock and control']);
        const stated = Number(/TDP breakdown: ([\d.]+) W/.exec(c.caption)![1]);
        expect(Math.abs(values.reduce((a, v) => a + v.value, 0) - stated)).toBeLessThan(0.05 + 1e-9);
      }
    }
  });
  it('compile with vega-lite and title every quantitative axis with its unit', () => {
    for (const c of allCharts()) {
      expect(() => compile(c.spec as never), c.title).not.toThrow();
      for (const e of encodings(c.spec)) {
        for (const ch of ['x', 'y'] as const) {
          const enc = e[ch];
          if (!enc || enc.type !== 'quantitative') continue;
          expect(String(enc.title), `${c.title}: ${ch} ${String(enc.field)}`).toMatch(/\(.+\)/);
        }
      }
    }
  });
  it('colour strategies with one scale, shared by every chart of a report and the same colour in every report', () => {
    const colours = new Map<string, string>();
    for (const r of [searchReport, compareReport]) {
      const scales = r.charts.flatMap((c) => encodings(c.spec)).map((e) => e.color).filter((c) => c && c.field === 'strategy').map((c) => JSON.stringify(c!.scale));
      expect(scales.length).toBeGreaterThanOrEqual(2);
      expect(new Set(scales).size).toBe(1);
      const { domain, range } = JSON.parse(scales[0]) as { domain: string[]; range: string[] };
      domain.forEach((s, i) => {
        if (colours.has(s)) expect(colours.get(s), s).toBe(range[i]);
        colours.set(s, range[i]);
      });
      // every strategy plotted is in the domain
      const plotted = new Set(r.charts.flatMap((c) => [...layers(c.spec, 'front'), ...layers(c.spec, 'runs')]).flatMap((l) => l.values.map((v) => v.strategy as string)));
      for (const s of plotted) expect(domain).toContain(s);
    }
    expect([...colours.keys()].sort()).toEqual(['exhaustive', 'random', 'spotlight (inference-only)', 'wham']);
    expect(new Set([...colours.values()]).size).toBe(4);
  });
  it('draw each strategy\'s Pareto front: no front point dominated, every design read dominated by or on the front', () => {
    for (const r of [searchReport, compareReport]) {
      const chart = r.charts.find((c) => c.section === 'Pareto fronts')!;
      const fronts = layers(chart.spec, 'front');
      expect(fronts.map((f) => f.x)).toEqual(['areaMm2', 'tdpW']);
      const read = r.source.designs.flatMap((w) => [...w.front, ...w.others]);
      for (const { values, x } of fronts) {
        const cost = x as 'areaMm2' | 'tdpW';
        for (const strategy of new Set(values.map((v) => v.strategy as string))) {
          const front = values.filter((v) => v.strategy === strategy) as unknown as DesignPoint[];
          expect(front.length).toBeGreaterThan(0);
          for (const p of front) for (const q of front) expect(dominates(q, p, cost), `${strategy} ${cost}`).toBe(false);
          for (const d of read.filter((p) => p.strategy === strategy)) {
            // every design read is dominated by, or equal to, a point of its strategy's front
            const covering = front.filter((p) => dominates(p, d, cost) || (p[cost] === d[cost] && p.throughput === d.throughput));
            expect(covering.length, `${strategy} ${cost}: ${d[cost]}, ${d.throughput}`).toBeGreaterThan(0);
          }
        }
      }
    }
  });
  it('paretoFront keeps exactly the non-dominated points', () => {
    const pts = [
      { areaMm2: 10, tdpW: 5, throughput: 100 }, { areaMm2: 20, tdpW: 1, throughput: 90 }, { areaMm2: 30, tdpW: 9, throughput: 300 },
      { areaMm2: 10, tdpW: 2, throughput: 100 }, { areaMm2: 40, tdpW: 3, throughput: 250 },
    ];
    expect(paretoFront(pts, 'areaMm2').map((p) => p.areaMm2)).toEqual([10, 30]);
    expect(paretoFront(pts, 'tdpW').map((p) => p.tdpW)).toEqual([1, 2, 3, 9]);
  });
  it('schedule each op on as many cores of its pool as it was given, no two ops on one core at once', async () => {
    for (const r of [searchReport, compareReport]) {
      for (const ref of r.source.best) {
        const { evaluation: e } = lib.evaluateBest(ref);
        for (const [pool, cores] of [['tensor', ref.design.tensorCores], ['vector', ref.design.vectorCores]] as const) {
          const bars = assignLanes(e.ops, pool, cores, e.stepTimeS);
          const ops = e.ops.filter((o) => o.pool === pool && o.timeS > 0);
          expect(bars.reduce((s, b) => s + b.lane1 - b.lane0, 0)).toBe(ops.reduce((s, o) => s + o.cores, 0));
          expect(Math.max(...bars.map((b) => b.lane1))).toBeLessThanOrEqual(cores);
          const eps = e.stepTimeS * 1e-6 * 1e3;
          for (let lane = 0; lane < cores; lane++) {
            const on = bars.filter((b) => b.lane0 <= lane && lane < b.lane1).sort((a, b) => a.startMs - b.startMs);
            for (let i = 1; i < on.length; i++) expect(on[i].startMs).toBeGreaterThanOrEqual(on[i - 1].endMs - eps);
          }
        }
        expect(e.ops.filter((o) => o.critical).length).toBe(e.criticalPath.ops);
      }
    }
  });
  it('mark 95% and 99% of the best known value, below it for a maximised objective', () => {
    const c = compareReport.charts.find((x) => x.section === 'Convergence')!;
    const marks = layers(c.spec, 'marks')[0].values as { mark: string; value: number }[];
    const best = compareReport.source.convergence[0].bestKnown;
    expect(marks.map((m) => m.mark)).toEqual(['best known', '99% of best known', '95% of best known']);
    expect(marks.map((m) => m.value / best)).toEqual([1, 0.99, 0.95].map((f) => expect.closeTo(f, 12)));
  });
});

describe('the compare SVG with an inference-only strategy', () => {
  it('plots the training objective of what the strategy held as best, never above the best known, as its table does', async () => {
    const graph = loadTrainingGraph({ model: 'resnet18', batch: 2 }, { optimizer: 'adam' });
    const space = parseSpace(TOY_SPACE, 'toy');
    const limits = { areaMm2: 150, tdpW: 200 };
    const [m] = await compareStrategies({
      models: [graph], strategies: ['random'], space, objective: 'throughput', limits, budget: 40, repeats: 1, seed: 3, threads: 1, inferenceOnlyStrategies: ['random'],
    });
    // what the strategy itself saw: the forward pass, several times the training step's throughput
    const forward = await runSearch({ graphs: [graph], space, objective: 'throughput', limits, strategy: 'random', topK: 1, seed: 3, threads: 1, budget: 40, inferenceOnly: true, schedulePasses: 0 });
    expect(Math.max(...forward.trace.map((t) => t.objective))).toBeGreaterThan(1.5 * m.bestKnown);
    const plotted = m.traces.filter((t) => t.strategy === 'random (inference-only)');
    expect(plotted.length).toBeGreaterThan(0);
    for (const t of plotted) expect(t.objective).toBeLessThanOrEqual(m.bestKnown * (1 + 1e-9));
    // the last point is the training objective of the run's final best: the table's best
    expect(plotted.at(-1)!.objective).toBeCloseTo(m.strategies[0].bestMedian, 6);
    const svg = await compareConvergenceSvg(m);
    expect(svg).toContain('random (inference-only)');
    expect(svg).toContain('of the training step');
    // the y axis stops near the best known (≈ m.bestKnown), not at the forward pass's values
    const ticks = [...svg.matchAll(/>([\d,]+)<\/text>/g)].map((x) => Number(x[1].replace(/,/g, '')));
    expect(Math.max(...ticks.filter((t) => t > 100))).toBeLessThan(1.5 * m.bestKnown);
  });
});

describe('the page', () => {
  it('is self-contained: the three bundles inline, no script, style or link fetched from anywhere', async () => {
    for (const r of [searchReport, compareReport]) {
      const html = r.html;
      expect(html).not.toMatch(/<script[^>]+src=/i);
      expect(html).not.toMatch(/<link\b/i);
      expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?https?:/i);
      expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
      for (const b of ['vega/build/vega.min.js', 'vega-lite/build/vega-lite.min.js', 'vega-embed/build/vega-embed.min.js']) expect(html).toContain(`/* ${b} */`);
      for (const c of r.charts) expect(html).toContain(`id="${c.id}"`);
    }
  });
  it('renders in headless Chromium without console errors or requests, every chart drawing marks', async () => {
    for (const [name, r] of [['search', searchReport], ['compare', compareReport]] as const) {
      const file = join(tmp, `${name}.html`);
      writeFileSync(file, r.html);
      const page = await renderPage(file);
      expect(page.pageErrors, name).toEqual([]);
      expect(page.consoleErrors, name).toEqual([]);
      expect(page.outsideRequests, name).toEqual([]);
      expect(page.rendered, name).toBe('done');
      expect(Object.keys(page.marks).sort(), name).toEqual(r.charts.map((c: Chart) => c.id).sort());
      for (const [id, n] of Object.entries(page.marks)) expect(n, `${name} ${id}`).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe('accelmine report (CLI)', () => {
  it('writes the page and says how many charts', () => {
    const out = join(tmp, 'cli', 'page.html');
    const p = cli('report', searchDir, '--html', out);
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^wrote .*page\.html \(\d+ KiB\): 7 charts of a search directory/);
    expect(readFileSync(out, 'utf8')).toContain('<!DOCTYPE html>');
  });
  it('rejects a missing directory, a directory of no run, a bad result.json and a missing --html with one line, exit 2', () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty, { recursive: true });
    const bad = join(tmp, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'result.json'), '{"not": "a search"}');
    const noModels = join(tmp, 'no-models');
    mkdirSync(noModels, { recursive: true });
    writeFileSync(join(noModels, 'compare.json'), '[]');
    // not JSON: V8 quotes the short text, its line break included, in the message (that made two lines)
    const notJson = join(tmp, 'not-json');
    mkdirSync(notJson, { recursive: true });
    writeFileSync(join(notJson, 'result.json'), 'not json\n');
    const cases: [string[], RegExp][] = [
      [['report', notJson, '--html', join(tmp, 'x.html')], /^accelmine: report: .*result\.json is not valid JSON \(.*"not json\\n" is not valid JSON\)$/],
      [['report', join(tmp, 'nowhere'), '--html', join(tmp, 'x.html')], /^accelmine: report: no such directory: .*nowhere$/],
      [['report', empty, '--html', join(tmp, 'x.html')], /^accelmine: report: .*empty is not a search, compare or sweep directory: it has none of result\.json, compare\.json, results\.parquet$/],
      [['report', bad, '--html', join(tmp, 'x.html')], /^accelmine: report: .*result\.json is not a search result/],
      [['report', searchDir], /^accelmine: .*--html/],
      // wrote a page of 0 charts, exit 0
      [['report', noModels, '--html', join(tmp, 'x.html')], /^accelmine: report: .*no-models\/compare\.json is not a compare result \(an array of models with their strategies, as compare --out writes\)$/],
      // under /proc Node's recursive mkdir never returned: this ran until killed
      [['report', searchDir, '--html', '/proc/accelmine-report/page.html'], /^accelmine: report: cannot write \/proc\/accelmine-report\/page\.html \(ENOENT\)$/],
    ];
    for (const [args, line] of cases) {
      const p = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
      expect(p.status, args.join(' ')).toBe(2);
      expect(p.stderr.trim().split('\n')).toHaveLength(1);
      expect(p.stderr.trim()).toMatch(line);
    }
  });
  it('refuses an --html that is a file of the run (the page was written over result.json)', () => {
    const copy = join(tmp, 'search-copy');
    cpSync(searchDir, copy, { recursive: true });
    const before = readFileSync(join(copy, 'result.json'), 'utf8');
    const p = cli('report', copy, '--html', join(copy, 'result.json'));
    expect(p.status, p.stderr).toBe(2);
    expect(p.stderr).toBe(`accelmine: report: --html ${join(copy, 'result.json')} is a file of the run in ${copy}; give another file (e.g. ${join(copy, 'report.html')})\n`);
    expect(readFileSync(join(copy, 'result.json'), 'utf8')).toBe(before);
  });
  it('is in the library, typed', async () => {
    expect(typeof lib.report).toBe('function');
    const r: lib.ReportResult = await lib.report(compareDir, { html: join(tmp, 'lib.html'), title: 'compare' });
    expect(r.kind).toBe('compare');
    expect(r.charts).toHaveLength(7);
    expect(r.bytes).toBeGreaterThan(800_000);
  });
});

describe('sweep directories', () => {
  const design = JSON.parse(readFileSync(fileURLToPath(new URL('../examples/design-small.json', import.meta.url)), 'utf8'));
  const rows: SweepRow[] = [1, 2, 4, 8].flatMap((k) => ['resnet18', 'mobilenetv2'].map((w, j) => ({
    design: { ...design, tensorCores: k }, workload: w, batch: 2, areaMm2: 20 * k, tdpW: 10 * k, stepTimeS: 1 / (k * (j + 1)), throughput: 2 * k * (j + 1),
    energyJ: 1, avgPowerW: 5 * k, feasible: k < 8, reason: k < 8 ? '' : 'too large',
  })));
  it('become a report through the adapter: fronts per workload, the best design per workload, no convergence', () => {
    const s: ReportSource = sweepSource('/sweep', rows);
    expect(s.designs.map((d) => d.workload)).toEqual(['resnet18', 'mobilenetv2']);
    expect(s.best.map((b) => [b.workload.name, b.design.tensorCores])).toEqual([['resnet18', 4], ['mobilenetv2', 4]]);
    const notes: string[] = [];
    const charts = buildCharts(s, notes);
    expect(charts.filter((c) => c.section === 'Convergence')).toEqual([]);
    expect(charts.filter((c) => c.section === 'Pareto fronts')).toHaveLength(2);
    expect(charts.filter((c) => c.section === 'Best design: schedule')).toHaveLength(2);
    expect(notes).toEqual([]);
  });
  it('read rows by column name and name a missing column', () => {
    const flat = { ...design, workload: 'resnet18', batch: 4n, areaMm2: 1, tdpW: 2, stepTimeS: 3, throughput: 4, energyJ: 5, avgPowerW: 6, feasible: true, reason: '' };
    const r = toSweepRow(flat, 'row 1');
    expect(r.design).toEqual(design);
    expect(r.batch).toBe(4);
    const { throughput: _t, ...missing } = flat;
    expect(() => toSweepRow(missing, 'row 1')).toThrow(/row 1 has no column "throughput"/);
  });
  it('are read from the results.parquet a real `accelmine sweep` writes (one Pareto front per workload, every stored design)', async () => {
    const dir = join(tmp, 'sweep-real');
    const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const p = spawnSync(process.execPath, [cliPath, 'sweep', '--model', 'resnet18,mobilenetv2', '--batch', '4', '--space', 'small', '--budget', '120', '--threads', '1', '--out', dir, '--json'], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const swept = JSON.parse(p.stdout);
    expect(swept.rows).toBe(240);
    const src = await readReportSource(dir);
    expect(src.kind).toBe('sweep');
    const r = await report(dir, { html: join(tmp, 'sweep.html') });
    expect(r.kind).toBe('sweep');
    expect(r.charts.filter((c) => c.section === 'Pareto fronts')).toHaveLength(2);
  });
});
