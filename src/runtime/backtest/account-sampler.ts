/**
 * When a run reads the account for its equity points. Reading the account is
 * decimal arithmetic over every position, so it is done only: after an event
 * that booked fills (one point for all the event's fills, taken once the
 * event is done, so the fill's symbol is marked at that event's price), at
 * the first event of every minute of data time (event time, never the wall
 * clock), and at the last event of the run. Between events nothing moves,
 * so a stretch without data (a missing day) has no points.
 */

import type { AccountState } from "../../kernel/kernel-types.js";

/** Data time between equity points when nothing fills. */
export const EQUITY_EVERY_MS = 60_000;

export class AccountSampler {
  private readonly read: () => AccountState;
  private readonly emit: (ts: number, a: AccountState) => void;
  private readonly everyMs: number;
  private fillsSincePoint = 0;
  private period = Number.NEGATIVE_INFINITY;
  private lastTs: number | undefined;
  private lastSampled = false;
  /** Points emitted so far. */
  points = 0;

  constructor(
    read: () => AccountState,
    emit: (ts: number, a: AccountState) => void,
    everyMs = EQUITY_EVERY_MS,
  ) {
    if (!(everyMs > 0)) throw new RangeError(`equity interval must be > 0 ms, got ${everyMs}`);
    this.read = read;
    this.emit = emit;
    this.everyMs = everyMs;
  }

  /** A fill was booked during the current event. */
  fillBooked(): void {
    this.fillsSincePoint++;
  }

  /** The event at `ts` is done. */
  afterEvent(ts: number): void {
    this.lastTs = ts;
    const period = Math.floor(ts / this.everyMs);
    this.lastSampled = this.fillsSincePoint > 0 || period !== this.period;
    if (!this.lastSampled) return;
    this.period = period;
    this.fillsSincePoint = 0;
    this.sample(ts);
  }

  /** The run is over: a last point at the last event, unless it has one. */
  end(): void {
    if (this.lastTs !== undefined && !this.lastSampled) this.sample(this.lastTs);
    this.lastSampled = true;
  }

  private sample(ts: number): void {
    this.points++;
    this.emit(ts, this.read());
  }
}
