/** Wall clock that a test can move forward (the local exchange runs on real time). */

import type { Clock } from "../../src/core/clock.js";

export class OffsetClock implements Clock {
  offsetMs = 0;

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
