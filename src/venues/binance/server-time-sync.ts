/**
 * Offset between the exchange clock and ours, so signed requests carry a
 * timestamp Binance accepts (otherwise: -1021 "outside of the recvWindow").
 */

import type { Clock } from "../../core/clock.js";

export class ServerTimeSync {
  private offset = 0;
  private syncedAt: number | undefined;

  constructor(
    private readonly fetchServerTimeMs: () => Promise<number>,
    private readonly clock: Clock,
  ) {}

  /** Server minus local time, ms (0 before the first sync). */
  get offsetMs(): number {
    return this.offset;
  }

  get isSynced(): boolean {
    return this.syncedAt !== undefined;
  }

  /** Ask the server for its time; the offset assumes a symmetric round trip. */
  async sync(): Promise<number> {
    const t0 = this.clock.nowMs();
    const server = await this.fetchServerTimeMs();
    const t1 = this.clock.nowMs();
    this.offset = server - Math.round((t0 + t1) / 2);
    this.syncedAt = t1;
    return this.offset;
  }

  /** Our best estimate of the server's clock now. */
  nowMs(): number {
    return this.clock.nowMs() + this.offset;
  }
}
