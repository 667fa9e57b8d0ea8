/**
 * The file Piscina loads in each worker thread. Piscina first tries `require(filename)`; on Node 20, requiring
 * an ES module (require(esm)) can abort the whole process: V8's "Module::IsGraphAsync must be used on an
 * instantiated module", from ModuleWrap.InstantiateSync under piscina's require (2 aborts in 20 pool starts
 * of 32 threads, measured). This CommonJS entry is what gets required; it loads the ES worker (worker.ts)
 * with import() only, once per worker, and hands each task to it.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Handler = (task: unknown) => unknown;

const handler: Promise<Handler> = import(pathToFileURL(join(__dirname, 'worker.js')).href).then((m: { default: Handler }) => m.default);

export = async function runTask(task: unknown): Promise<unknown> {
  return (await handler)(task);
};
