/**
 * The TypeScript reference of the WebAssembly kernel: per-op costs (reference-op.ts) and the whole-step
 * scheduler (reference-schedule.ts). Tests and benchmarks import it from here.
 */
export * from './reference-op.js';
export * from './reference-schedule.js';
