/**
 * Order throttling: a minimum interval between consecutive orders (cooldown)
 * and a cap on orders inside a sliding 60-second window. Time is the event
 * timestamp in milliseconds passed by the caller.
 */

import { GateReason } from "./gate-codes.js";
import { GatingResult } from "./gating-result.js";

const WINDOW_MS = 60_000;

export interface RateLimiterOptions {
  /** Orders allowed in a 60-second window (default 60). */
  readonly maxOrdersPerMinute?: number;
  /** Minimum milliseconds between consecutive orders (default 100). */
  readonly cooldownMs?: number;
}

export class RateLimiter {
  readonly maxOrdersPerMinute: number;
  readonly cooldownMs: number;

  /** Recorded order timestamps, oldest first; entries before `head` are discarded. */
  private stamps: number[] = [];
  private head = 0;
  /** Timestamp of the last recorded order; 0 means none (cooldown off). */
  private lastOrderTs = 0;

  constructor(options: RateLimiterOptions = {}) {
    this.maxOrdersPerMinute = options.maxOrdersPerMinute ?? 60;
    this.cooldownMs = options.cooldownMs ?? 100;
  }

  /**
   * Whether an order may be placed at `ts`. The cooldown is checked first;
   * only when it passes are timestamps older than `ts - 60000` dropped from
   * the window (a timestamp exactly at the window start stays).
   */
  check(ts: number): GatingResult {
    if (this.lastOrderTs > 0) {
      const elapsed = ts - this.lastOrderTs;
      if (elapsed < this.cooldownMs) {
        return GatingResult.block(GateReason.COOLDOWN_ACTIVE, {
          elapsed_ms: elapsed,
          cooldown_ms: this.cooldownMs,
          remaining_ms: this.cooldownMs - elapsed,
        });
      }
    }

    const windowStart = ts - WINDOW_MS;
    while (this.head < this.stamps.length && (this.stamps[this.head] as number) < windowStart) {
      this.head++;
    }
    this.compact();

    const currentCount = this.stamps.length - this.head;
    if (currentCount >= this.maxOrdersPerMinute) {
      return GatingResult.block(GateReason.RATE_LIMIT_EXCEEDED, {
        current_count: currentCount,
        max_per_minute: this.maxOrdersPerMinute,
        window_start_ts: windowStart,
      });
    }

    return GatingResult.allow({
      current_count: currentCount,
      max_per_minute: this.maxOrdersPerMinute,
    });
  }

  /** Record an order placed at `ts` (call after the order is actually placed). */
  recordOrder(ts: number): void {
    this.stamps.push(ts);
    this.lastOrderTs = ts;
  }

  /** Forget every recorded order. */
  reset(): void {
    this.stamps = [];
    this.head = 0;
    this.lastOrderTs = 0;
  }

  /** Orders currently held in the window (as of the last pruning `check`). */
  get ordersInWindow(): number {
    return this.stamps.length - this.head;
  }

  private compact(): void {
    if (this.head === this.stamps.length) {
      this.stamps = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
  }
}
