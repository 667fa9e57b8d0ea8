/**
 * Bad input from the command line, found by a sweep of every command's options and files: each case once crashed
 * (an internal error), hung, exited 0 on input it ignored, printed NaN/Infinity/null, or blamed no (or the wrong)
 * option. Each test spawns the built CLI (`node dist/cli.js`; `npm test` builds it first) and asserts one line on
 * stderr naming the field, a non-zero exit code and no stack trace.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { example, run } from './helpers/cli.js';
import { expectAllFinite } from './helpers/finite.js';


/** A user error: a non-zero exit, nothing on stdout, one line on stderr without stack frames, containing each of `names`. */
function expectUserError(args: string[], ...names: (string | RegExp)[]): string {
  const r = run(...args);
  const what = `accelmine ${args.join(' ')}`;
  expect(r.status, `exit code of ${what} (stderr: ${r.stderr})`).not.toBe(0);
  expect(r.status, `exit code of ${what} (killed?)`).not.toBeNull();
  expect(r.stdout, `stdout of ${what}`).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, `stderr of ${what}`).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/internal error|TypeError|RangeError/);
  expect(lines[0]).toMatch(/^accelmine: /);
  for (const n of names) {
    if (typeof n === 'string') expect(lines[0], what).toContain(n);
    else expect(lines[0], what).toMatch(n);
  }
  return lines[0];
}


let dir: string;

/** Writes `content` (a string as is, anything else as JSON) to a file in the temp dir; returns its path. */
function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

async function sql(store: string, ...queries: string[]): Promise<void> {
  const db = await DuckDBInstance.create(store);
  const c = await db.connect();
  try {
    for (const q of queries) await c.run(q);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'accelmine-bad-input-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('numeric options beyond what the model can take', () => {
  it('op --tc takes the array sides a design allows (a 2147483648x2147483648 array was costed)', () => {
    expectUserError(['op', '--gemm', '64x64x64', '--tc', '4097x1'], '--tc', '4096');
    expectUserError(['op', '--gemm', '4x4x4', '--tc', '2147483648x2147483648'], '--tc');
    expect(run('op', '--gemm', '64x64x64', '--tc', '4096x4096', '--json').status).toBe(0);
  });

  it('--array-rate 1e-320 is refused (the step was Infinity, the energies NaN)', () => {
    const ev = ['evaluate', '--model', 'alexnet', '--batch', '1', '--preset', 'a100', '--execution', 'single-stream', '--schedule-passes', '0'];
    expectUserError([...ev, '--array-rate', '1e-320'], '--array-rate', '0.001');
    expectUserError(['distributed', '--model', 'gpt2', '--devices', '8', '--tp', '2', '--pp', '2', '--dp', '2', '--array-rate', '1e-320'], '--array-rate');
    const r = run(...ev, '--array-rate', '0.001', '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expectAllFinite(j);
    // the smallest rate taken holds the arrays to 0.1% of peak: the step is far slower than at full rate
    expect(j.arrayRateFraction).toBe(0.001);
    const full = JSON.parse(run(...ev, '--array-rate', '1', '--json').stdout);
    expect(j.stepTimeS).toBeGreaterThan(10 * full.stepTimeS);
    expect(j.avgPowerW).toBeCloseTo(j.energyJ / j.stepTimeS, 9);
  });

  it('--input-rate 1e-320 is refused (the input wait was Infinity)', () => {
    expectUserError(['evaluate', '--model', 'alexnet', '--batch', '1', '--preset', 'a100', '--schedule-passes', '0', '--input-rate', '1e-320'], '--input-rate');
  });

  it('search --top-k 99999999999 is refused (an allocation abort in the kernel, "internal error")', () => {
    expectUserError(['search', '--model', 'alexnet', '--batch', '1', '--space', 'small', '--budget', '20', '--threads', '1', '--top-k', '99999999999'], '--top-k', '10000');
  });

  it('compare --repeats 99999999999 is refused (it ran until killed)', () => {
    expectUserError(['compare', '--model', 'alexnet', '--strategies', 'random', '--budget', '5', '--space', 'small', '--threads', '1', '--repeats', '99999999999'], '--repeats');
  });
});

describe('empty names of files and directories', () => {
  const cases: [string[], string][] = [
    [['search', '--model', 'alexnet', '--batch', '1', '--space', 'small', '--budget', '5', '--threads', '1', '--out', ''], '--out'],
    [['compare', '--model', 'alexnet', '--strategies', 'random', '--budget', '5', '--repeats', '1', '--space', 'small', '--threads', '1', '--out', ''], '--out'],
    [['graph', '--onnx', ''], '--onnx'],
    [['graph', '--graph', ''], '--graph'],
    [['evaluate', '--model', 'alexnet', '--design', ''], '--design'],
    [['op', '--gemm', '4x4x4', '--design', ''], '--design'],
    [['exact', '--model', 'alexnet', '--layer', 'conv1', '--design', ''], '--design'],
    [['distributed', '--model', 'gpt2', '--devices', '8', '--tp', '2', '--pp', '2', '--dp', '2', '--design', ''], '--design'],
    [['hypar', '--network', ''], '--network'],
    [['hypar', '--model', 'alexnet', '--hetero', ''], '--hetero'],
    [['report', example(''), '--html', ''], '--html'],
  ];
  // before: search and compare --out "" wrote nothing and exited 0, as did hypar --hetero "" and distributed --design ""
  // (an A100); the file options said ": cannot read the file"; hypar --network "" named --onnx and --graph
  it.each(cases)('accelmine %j is one line naming the option', (args, flag) => {
    expectUserError(args, `${flag} must name a`);
  });

  it('compare --inference-only "" is refused like --strategies "" (it ran as none)', () => {
    expectUserError(['compare', '--model', 'alexnet', '--strategies', 'random', '--budget', '5', '--repeats', '1', '--space', 'small', '--threads', '1', '--inference-only', ''], '--inference-only');
  });
});

describe('options that do not apply', () => {
  const layout = ['distributed', '--model', 'gpt2', '--devices', '8', '--tp', '2', '--pp', '2', '--dp', '2'];
  it.each([['--space', 'nope'], ['--budget', '99999999999'], ['--seed', '0']])('distributed %s without --search is refused (it was ignored, exit 0)', (flag, value) => {
    expectUserError([...layout, flag, value], `${flag} applies to --search`);
  });

  it('vit-b16 refuses a --seq other than its 197 tokens (it was ignored)', () => {
    expectUserError(['graph', '--model', 'vit-b16', '--seq', '5'], '--seq', '197');
    expect(run('graph', '--model', 'vit-b16', '--seq', '197').status).toBe(0);
  });
});

describe('models too large to build in a minute', () => {
  it('megatron-gpt names take at most 1024 layers (10^11 hung)', () => {
    expectUserError(['graph', '--model', 'megatron-gpt-l99999999999-h64-a1', '--batch', '1', '--seq', '8'], 'layers', '1024');
    expectUserError(['distributed', '--model', 'megatron-gpt-l99999999999-h64-a1', '--devices', '8', '--auto-parallel'], 'layers');
  });

  it('a megatron-gpt vocabulary too large names -v, not --batch and --seq', () => {
    const line = expectUserError(['graph', '--model', 'megatron-gpt-l1-h64-a1-v99999999999', '--batch', '1', '--seq', '8'], 'vocabulary (-v)');
    expect(line).not.toContain('--batch');
  });

  it('lstm-lm unrolls at most 1024 steps (--seq 16777216 hung)', () => {
    expectUserError(['graph', '--model', 'lstm-lm', '--batch', '1', '--seq', '16777216'], '--seq', '1024');
    expectUserError(['search', '--model', 'lstm-lm,alexnet', '--seq', '100000', '--space', 'small', '--budget', '5', '--threads', '1'], '--seq');
  });
});

describe('files of the wrong shape', () => {
  it('a space file whose "values" is a list is refused (it was the default space)', () => {
    const space = file('space-list.json', { values: [] });
    expectUserError(['search', '--model', 'alexnet', '--batch', '1', '--space', space, '--budget', '5', '--threads', '1'], '"values"');
  });

  it('a --hetero kind named by a non-string is refused (it became "kind 0")', () => {
    const hetero = JSON.parse(readFileSync(example('hetero-a100-v100.json'), 'utf8'));
    hetero.kinds[0].name = null;
    expectUserError(['hypar', '--model', 'alexnet', '--hetero', file('hetero-null-name.json', hetero)], 'kinds.0.name');
  });

  describe('sweep stores', () => {
    let store: string;
    beforeAll(() => {
      store = join(dir, 'sweep');
      const r = run('sweep', '--model', 'alexnet', '--batch', '1', '--budget', '5', '--threads', '1', '--out', store, '--json');
      expect(r.status, r.stderr).toBe(0);
    });

    /** A copy of the sweep's directory with `queries` run on its store. */
    async function tampered(name: string, ...queries: string[]): Promise<string> {
      const d = join(dir, name);
      cpSync(store, d, { recursive: true });
      await sql(join(d, 'sweep.duckdb'), ...queries);
      return d;
    }

    it('a manifest of null is refused by --resume and merge (an internal error)', async () => {
      const d = await tampered('manifest-null', "UPDATE manifest SET manifest = 'null'");
      expectUserError(['sweep', '--model', 'alexnet', '--batch', '1', '--budget', '5', '--threads', '1', '--out', d, '--resume'], 'manifest');
      expectUserError(['merge', '--out', join(dir, 'merged-null'), d], 'manifest');
    });

    it('a manifest without its fields is refused by merge, naming the field', async () => {
      const d = await tampered('manifest-format', `UPDATE manifest SET manifest = '{"format":1}'`);
      expectUserError(['merge', '--out', join(dir, 'merged-format'), d], 'manifest', 'version');
    });

    it('a store without its results table is refused by merge, naming the store', async () => {
      const d = await tampered('no-results', 'DROP TABLE results');
      expectUserError(['merge', '--out', join(dir, 'merged-no-results'), d], join(d, 'sweep.duckdb'), 'results');
    });
  });

  describe('report of a hand-edited search or compare directory', () => {
    let search: string;
    beforeAll(() => {
      search = join(dir, 'search');
      const r = run('search', '--model', 'alexnet', '--batch', '1', '--space', 'small', '--budget', '20', '--threads', '1', '--schedule-passes', '0', '--out', search);
      expect(r.status, r.stderr).toBe(0);
    });

    let edits = 0;
    /** A copy of the search directory with result.json edited by `edit`. */
    function edited(name: string, edit: (r: Record<string, any>) => void): string {
      const d = join(dir, name);
      cpSync(search, d, { recursive: true });
      const r = JSON.parse(readFileSync(join(d, 'result.json'), 'utf8'));
      edit(r);
      writeFileSync(join(d, 'result.json'), JSON.stringify(r));
      return d;
    }

    // before: "internal error: Cannot read properties of null (reading 'techNm')", "n.toFixed is not a function", ...
    it.each([
      ['best.design', (r: Record<string, any>) => (r.best.design = null)],
      ['best.design', (r: Record<string, any>) => (r.best.design.offChipBytes = 'word')],
      ['best.objective', (r: Record<string, any>) => (r.best.objective = null)],
      ['wallTimeS', (r: Record<string, any>) => (r.wallTimeS = 'NaN')],
      ['limits', (r: Record<string, any>) => (r.limits = null)],
      ['trace[0]', (r: Record<string, any>) => (r.trace[0] = null)],
      ['workloads[0]', (r: Record<string, any>) => (r.workloads[0] = null)],
      ['objective', (r: Record<string, any>) => (r.objective = null)],
    ] as const)('result.json with a bad %s names it', (field, edit) => {
      const d = edited(`search-${++edits}-${field}`, edit);
      expectUserError(['report', d, '--html', join(dir, 'r.html')], `result.json: ${field}`);
    });

    it('an evaluations.jsonl row without a design names the line', () => {
      const d = join(dir, 'search-jsonl');
      cpSync(search, d, { recursive: true });
      writeFileSync(join(d, 'evaluations.jsonl'), JSON.stringify({ design: null, feasible: true, areaMm2: 1, tdpW: 1, models: [{ model: 'alexnet', throughput: 5 }] }) + '\n');
      expectUserError(['report', d, '--html', join(dir, 'r.html')], 'evaluations.jsonl line 1: design');
    });

    it.each([
      ['[0].best.design', { strategy: 'random', design: null, objective: 1 }, undefined],
      ['[0].best.objective', { strategy: 'random', design: 'DESIGN', objective: 'x' }, undefined],
      ['[0].pareto[0].strategy', undefined, [{ strategy: null, design: 'DESIGN', areaMm2: 1, tdpW: 1, throughput: 1 }]],
    ] as const)('compare.json with a bad %s names it', (field, best, pareto) => {
      const design = JSON.parse(readFileSync(example('design-small.json'), 'utf8'));
      const fill = (o: unknown) => (o && typeof o === 'object' ? { ...o, design: (o as { design: unknown }).design === 'DESIGN' ? design : (o as { design: unknown }).design } : o);
      const d = join(dir, `compare-${field.replace(/\W/g, '_')}`);
      cpSync(search, d, { recursive: true });
      rmSync(join(d, 'result.json'));
      writeFileSync(join(d, 'compare.json'), JSON.stringify([{ model: 'alexnet', strategies: [{ strategy: 'random' }], bestKnown: 1, best: fill(best), pareto: pareto?.map(fill) }]));
      expectUserError(['report', d, '--html', join(dir, 'r.html')], `compare.json: ${field}`);
    });
  });
});

describe('NaN, Infinity and null in numeric output', () => {
  it('exact --json: a time limit before HiGHS proves a bound leaves gapBoundPct finite (it was Infinity, null)', () => {
    const r = run('exact', '--model', 'resnet18', '--batch', '1', '--preset', 'a100', '--layer', 'layer1.0', '--part', 'bwd', '--time-limit', '0.000001', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.lowerBoundCycles).toBeGreaterThan(0);
    expect(j.lowerBoundCycles).toBeLessThanOrEqual(j.makespanCycles);
    const { checkError, ...numbers } = j;
    expect(checkError).toBeNull();
    expectAllFinite(numbers);
  });
});
