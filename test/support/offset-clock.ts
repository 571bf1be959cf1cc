/** Wall clock that a test can move forward (the local exchange runs on real time). */

import type { LiveClock } from "../../src/net/clock.js";

export class OffsetClock implements LiveClock {
  offsetMs = 0;

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
