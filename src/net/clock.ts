/**
 * Time sources for the live adapters. Every adapter reads time and
 * sleeps through these, so tests run on a manual clock without real waiting.
 */

/** Wall clock in Unix milliseconds. */
export interface LiveClock {
  nowMs(): number;
}

/** Wait `ms` milliseconds; rejects with the signal's reason when aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const systemClock: LiveClock = { nowMs: () => Date.now() };

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** A clock that only moves when told to; its `sleep` advances it and records the delay. */
export class ManualClock implements LiveClock {
  private ms: number;
  /** Every delay passed to `sleep`, in order. */
  readonly sleeps: number[] = [];

  constructor(startMs = 0) {
    this.ms = startMs;
  }

  nowMs(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }

  set(ms: number): void {
    this.ms = ms;
  }

  /** A Sleep that returns at once after moving the clock forward. */
  readonly sleep: Sleep = async (ms, signal) => {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.ms += Math.max(0, ms);
  };
}
