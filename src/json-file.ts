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

/** JSON.parse with the file (or source) named in the error. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    // V8 quotes the text around the error, newlines included: the message stays one line
    throw new InputError(`${source}: not valid JSON (${(e as Error).message.replace(/\s*\n\s*/g, ' ')})`);
  }
}

export function readJsonFile(path: string): unknown {
  return parseJson(readTextFile(path), path);
}
