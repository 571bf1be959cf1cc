import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../core/clock.js";
import { SendRateLimiter } from "./send-rate-limiter.js";

describe("SendRateLimiter", () => {
  it("lets N through per window, then waits for the oldest to leave it", async () => {
    const clock = new ManualClock(10_000);
    const lim = new SendRateLimiter(5, 1000, clock, clock.sleep);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      waits.push(await lim.acquire());
      clock.advance(100);
    }
    // t = 10500: window holds sends at 10000..10400; next slot at 11000
    waits.push(await lim.acquire());
    assert.equal(clock.nowMs(), 11_000);
    // next slot: the send at 10100 leaves at 11100
    waits.push(await lim.acquire());
    assert.deepEqual(waits, [0, 0, 0, 0, 0, 500, 100]);
    assert.deepEqual(clock.sleeps, [500, 100]);
  });

  it("does not wait after a quiet period", async () => {
    const clock = new ManualClock();
    const lim = new SendRateLimiter(2, 1000, clock, clock.sleep);
    await lim.acquire();
    await lim.acquire();
    clock.advance(1000);
    assert.equal(await lim.acquire(), 0);
    assert.throws(() => new SendRateLimiter(0, 1000, clock, clock.sleep), RangeError);
  });
});
