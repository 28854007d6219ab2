/** The executable entry point (bundled by tsup as dist/cli.js); in a worker thread it serves litmus runs. */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { main } from './cli.js';
import { runOne } from './litmus/command.js';
import { raceWorkerMessage } from './race/command.js';
import { LIMITS } from './limits.js';

// A worker works under its parent's limits (set by flags in the main thread).
const limits = (workerData as { limits?: Record<string, number> } | undefined)?.limits;
if (!isMainThread && limits) for (const [k, v] of Object.entries(limits)) if (k in LIMITS) LIMITS[k as keyof typeof LIMITS].value = v;

if (!isMainThread && (workerData as { litmusWorker?: boolean } | undefined)?.litmusWorker) {
  parentPort!.on('message', (m: { file: string; model: 'sc' | 'tso' | 'wmo'; runs: number; seed: number; exhaustive: boolean; wmoEngine: 'window' | 'views' }) => {
    parentPort!.postMessage(runOne(m.file, m.model, m.runs, m.seed, m.exhaustive, m.wmoEngine));
  });
} else if (!isMainThread && (workerData as { raceWorker?: boolean } | undefined)?.raceWorker) {
  parentPort!.on('message', (m: Parameters<typeof raceWorkerMessage>[0]) => {
    parentPort!.postMessage(raceWorkerMessage(m));
  });
} else {
  // Output piped into a reader that stops early (`| head`): end quietly, no stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
