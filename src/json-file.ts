/** Reading a user's JSON file: one error line naming the file when it cannot be read or is not JSON. */
import { readFileSync } from 'node:fs';
import { InputError } from './errors.js';

export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`${path}: cannot read the file`);
  }
}

/**
 * JSON.parse's error message on one line: V8 quotes a short text in it as it is ("not json\n" is not valid
 * JSON), line breaks included, and a user error is one line.
 */
export function jsonErrorMessage(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/** JSON.parse with the file (or source) named in the error. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${source}: not valid JSON (${jsonErrorMessage(e)})`);
  }
}

export function readJsonFile(path: string): unknown {
  return parseJson(readTextFile(path), path);
}
