// Timing helpers shared by the benchmarks.

/** Milliseconds to one decimal, as the benchmark tables print them. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The median duration of `runs` calls of `work`, after one warm-up call (plans, caches, JIT). */
export async function medianMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
