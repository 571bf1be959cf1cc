/**
 * A pool of worker threads for a list of jobs: up to `jobs` workers of the
 * module at `url`, each taking the next job as soon as it has finished one,
 * terminated when the list is done (or a job fails). `run` hands a job to a
 * worker and resolves once the worker has answered it.
 */

import { Worker } from "node:worker_threads";

export async function onWorkerPool<T>(
  url: URL,
  items: readonly T[],
  jobs: number,
  run: (worker: Worker, item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const work = async (): Promise<void> => {
    const worker = new Worker(url);
    try {
      while (next < items.length) {
        const i = next++;
        await run(worker, items[i] as T, i);
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, work));
}
