/**
 * The one way a host instantiates the kernel module: @assemblyscript/loader's instantiateSync, whose `abort`
 * import decodes the kernel's message and file strings from its memory (an `unreachable` or a failed
 * assertion in assembly/ reports where and why). The hosts then read and write the kernel's linear memory
 * through Float64Array / Int32Array views of records they reserved with the kernel's own bump allocator:
 * the loader's array helpers serve garbage-collected AssemblyScript arrays, which the kernel does not use.
 */
import { instantiateSync } from '@assemblyscript/loader';

let made = 0;

export function instantiateKernel<T>(module: WebAssembly.Module): T {
  made++;
  return instantiateSync(module, {}).exports as unknown as T;
}

/** Instances made on this thread so far (one kernel host per thread: test/search.test.ts holds the search to it). */
export function kernelInstances(): number {
  return made;
}
