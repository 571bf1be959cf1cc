/**
 * Async tasks run one after another, in the order they were queued: a task
 * starts when every task queued before it has settled (a failure does not
 * stop the queue; it is the caller's to handle).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Queue `fn`; resolves or rejects with its result. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves when no task is running or queued. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
