/**
 * Let the test worker's event loop run (vitest talks to its workers over it): long tests await
 * this between chunks of work so that no synchronous stretch lasts more than about a second.
 */
export const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
