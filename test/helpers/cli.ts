/** Running the built CLI (`node dist/cli.js`; `npm test` builds dist first) from a test. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const example = (f: string) => fileURLToPath(new URL(`../../examples/${f}`, import.meta.url));

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args` (no debug stack traces); a command still running after 60 s is killed (status null). */
export function run(...args: string[]): Run {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ACCELMINE_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
