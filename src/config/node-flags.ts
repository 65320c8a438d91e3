/**
 * Node flags each process kind runs with — `npm start`, `npm run worker` and the benchmarks
 * start them this way, and a deployment should too (README, "Deploying beyond one machine").
 *
 * The worker's budget is 300 MB resident (performance.md). Its jobs keep little live data
 * (set-based SQL, streamed files), but V8 sizes its heap for the machine, not for the job: a
 * million-row roster import streams ≈ 600 MB of short-lived strings through the main thread
 * and, with the default limits, the heap grew to ≈ 390 MB resident before collecting.
 * A 192 MB old generation and 4 MB semi-spaces make it collect early: measured peak 181 MB
 * (in-process) for the same import, no slower.
 */
export const NODE_FLAGS = {
  api: [] as string[],
  worker: ['--max-old-space-size=192', '--max-semi-space-size=4'],
} as const;
