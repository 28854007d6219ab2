/**
 * Measures how long each test holds its worker's event loop without yielding (the longest
 * synchronous stretch): vitest's worker talks to the main process over that loop, and a test that
 * blocks it for long makes the run fail on a busy machine ("Timeout calling onTaskUpdate"). Tests
 * split long work into chunks, await child processes, or run in worker threads; this records the
 * worst stretch of every test into the report that test/setup/build.ts prints at the end.
 */
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, afterEach } from 'vitest';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
const rows: { test: string; ms: number }[] = [];

afterEach(async (ctx) => {
  // Let the monitor's timer fire once after the test, so a stretch that ended the test is counted.
  await new Promise((resolve) => setTimeout(resolve, 12));
  const ms = histogram.max / 1e6;
  rows.push({ test: `${ctx.task.file?.name ?? '?'} > ${ctx.task.name}`, ms: Math.round(ms) });
  histogram.reset();
});

afterAll(() => {
  const report = process.env.RVSMP_EVENT_LOOP_REPORT;
  if (report && rows.length) appendFileSync(report, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
});
