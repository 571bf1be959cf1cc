/**
 * Time as the rest of the code sees it: a clock to read and a sleep to wait,
 * both injected. The real ones (`systemClock`, `realSleep`) live in the
 * adapter `src/net/clock.ts`; `ManualClock` moves only when told to.
 */

/** Wall clock in Unix milliseconds. */
export interface Clock {
  nowMs(): number;
}

/** Wait `ms` milliseconds; rejects with the signal's reason when aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A clock that only moves when told to; its `sleep` advances it and records the delay. */
export class ManualClock implements Clock {
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
