/** A pool of worker threads running this same script: each item goes to the next free worker. */
import { Worker } from 'node:worker_threads';
import { LIMITS } from './limits.js';

export async function workerPool<I, R>(script: string, workerData: object, items: readonly I[], jobs: number, onResult?: (done: number, index: number) => void): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, items.length) }, () =>
      new Promise<void>((resolve, reject) => {
        // Workers run under the limits the command's flags set here.
        const limits = Object.fromEntries(Object.entries(LIMITS).map(([k, l]) => [k, l.value]));
        const w = new Worker(script, { workerData: { ...workerData, limits } });
        const feed = () => {
          if (next >= items.length) {
            void w.terminate();
            resolve();
            return;
          }
          const i = next++;
          w.once('message', (r: R) => {
            results[i] = r;
            onResult?.(++done, i);
            feed();
          });
          w.postMessage(items[i]);
        };
        w.on('error', reject);
        feed();
      }),
    ),
  );
  return results;
}
