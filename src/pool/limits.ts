/** The most worker threads a pool takes (each holds its own kernel and graphs: 1000 threads took 5 GB). */
export const MAX_THREADS = 256;
