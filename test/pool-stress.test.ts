// Pool starts never abort the process. Before the worker entry (src/pool/worker-entry.cts), Piscina's
// require() of the ES worker aborted Node 20 with "Module::IsGraphAsync must be used on an instantiated
// module" in 2 of 20 CLI searches on 32 threads. Here 30 such searches must each exit 0 with their result
// (an abort exits 134).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const mlp = new URL('../examples/mlp.json', import.meta.url).pathname;
const STARTS = 30;

describe('worker pool start-up', () => {
  it(`${STARTS} searches on a 32-thread pool: no abort, every one prints its result`, () => {
    let ok = 0;
    for (let i = 0; i < STARTS; i++) {
      const p = spawnSync(process.execPath, [cli, 'search', '--graph', mlp, '--space', 'small', '--budget', '50', '--threads', '32', '--area', '400', '--tdp', '300', '--seed', String(i + 1), '--json'], { encoding: 'utf8' });
      expect(p.stderr, `start ${i}`).not.toMatch(/FATAL ERROR/);
      expect(p.status, `start ${i}: ${p.stderr}`).toBe(0);
      if (JSON.parse(p.stdout).evaluations === 50) ok++;
    }
    expect(ok).toBe(STARTS);
  }, 600_000);

  it('refuses more threads than the limit, naming it', async () => {
    const { createEvaluator, MAX_THREADS } = await import('../src/pool/pool.js');
    expect(() => createEvaluator({ workloads: [], objective: 'throughput', limits: {}, threads: MAX_THREADS + 1 })).toThrow(`threads must be an integer from 1 to ${MAX_THREADS}, got ${MAX_THREADS + 1}`);
  });
});
