/**
 * Caps messages per time window (Binance limits incoming WebSocket messages:
 * 5 per second on spot, 10 on USD-M futures). `acquire` waits on the injected
 * sleep until a slot is free.
 */

import type { Clock, Sleep } from "../../core/clock.js";

export class SendRateLimiter {
  /** Times (clock ms) of the sends still inside the window. */
  private readonly sent: number[] = [];

  constructor(
    readonly maxPerWindow: number,
    readonly windowMs: number,
    private readonly clock: Clock,
    private readonly sleep: Sleep,
  ) {
    if (!Number.isInteger(maxPerWindow) || maxPerWindow < 1)
      throw new RangeError("maxPerWindow must be a positive integer");
  }

  /** Take a slot, waiting when the window is full. Returns the wait in ms. */
  async acquire(signal?: AbortSignal): Promise<number> {
    const now = this.clock.nowMs();
    while (this.sent.length > 0 && (this.sent[0] as number) <= now - this.windowMs)
      this.sent.shift();
    if (this.sent.length < this.maxPerWindow) {
      this.sent.push(now);
      return 0;
    }
    const slot = (this.sent[this.sent.length - this.maxPerWindow] as number) + this.windowMs;
    const wait = slot - now;
    await this.sleep(wait, signal);
    this.sent.push(Math.max(this.clock.nowMs(), slot));
    return wait;
  }
}
