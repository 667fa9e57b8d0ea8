/** Creating the directory a command writes to (`--out`, the directory of `report --html`). */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`, one level at a time. Node's own `mkdirSync(path, { recursive: true })` never returns for a path under
 * /proc (mkdir there fails with ENOENT, so it re-creates the existing parent and tries again, forever); this throws
 * the error of the first level that cannot be made (ENOENT, EACCES, ENOTDIR, EEXIST for a file in the way).
 */
export function makeDirectory(path: string): void {
  const missing: string[] = [];
  for (let p = resolve(path); !existsSync(p); p = dirname(p)) {
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const dir of missing.reverse()) mkdirSync(dir);
  if (!statSync(path).isDirectory()) throw Object.assign(new Error(`EEXIST: not a directory, mkdir '${path}'`), { code: 'EEXIST' });
}
