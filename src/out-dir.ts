/** Creating the directory a command writes to (`--out`, the directory of `report --html`), and saying why it cannot. */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from './errors.js';

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

/** The short reason of a file-system error: its code (ENOENT, EISDIR, …), else its message. */
export function fsReason(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** `--out DIR`, created if needed; one line naming it when it cannot be. */
export function makeOutDirectory(dir: string): void {
  try {
    makeDirectory(dir);
  } catch (e) {
    throw new InputError(`--out: cannot create directory ${dir} (${fsReason(e)})`);
  }
}

/** A file under --out that cannot be written (a directory in its place, a full disk): one line naming it. */
export function cannotWriteOut(path: string, e: unknown): InputError {
  return new InputError(`--out: cannot write ${path} (${fsReason(e)})`);
}
