import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../core/clock.js";
import { isConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { isConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { BinanceRateLimitGuard, DEFAULT_RATE_LIMITS, intervalMs } from "./binance-rate-limits.js";
import { ServerTimeSync } from "./server-time-sync.js";

function guard(startMs = 1_700_000_000_000) {
  const clock = new ManualClock(startMs);
  return {
    clock,
    g: new BinanceRateLimitGuard({ limits: DEFAULT_RATE_LIMITS.spot, clock, sleep: clock.sleep }),
  };
}

describe("BinanceRateLimitGuard", () => {
  it("reads usage headers and slows writes near a limit until the window rolls over", async () => {
    const { clock, g } = guard(1_699_999_990_000); // 10 s into a minute
    g.onResponse(200, { "x-mbx-used-weight-1m": "5500", "x-mbx-order-count-10s": "12" });
    assert.equal(g.usageOf("used-weight-1m"), 5500);
    await g.beforeRequest("open_orders", false); // reads are not slowed
    assert.deepEqual(clock.sleeps, []);
    await g.beforeRequest("place", true); // 5500 >= 0.9 * 6000: wait for the next minute
    assert.deepEqual(clock.sleeps, [50_000]);
    assert.equal(g.stats.throttledWrites, 1);
    assert.equal(g.usageOf("used-weight-1m"), 0); // stale now
    await g.beforeRequest("place", true);
    assert.deepEqual(clock.sleeps, [50_000]);
  });

  it("order count near the 10 s limit waits for that window", async () => {
    const { clock, g } = guard(1_700_000_003_000);
    g.onResponse(200, { "x-mbx-order-count-10s": "95", "x-mbx-order-count-1d": "1000" });
    await g.beforeRequest("place", true);
    assert.deepEqual(clock.sleeps, [7000]);
  });

  it("a nearly used daily order budget refuses writes instead of sleeping for hours", async () => {
    const { g } = guard();
    g.onResponse(200, { "x-mbx-order-count-1d": "199000" });
    await assert.rejects(g.beforeRequest("place", true), (e: unknown) => {
      assert.ok(isConnectorNonRetryableError(e));
      assert.match(e.message, /order-count 1d at 199000 of 200000/);
      return true;
    });
  });

  it("after a 429 every request is refused until Retry-After has passed", async () => {
    const { clock, g } = guard();
    g.onResponse(429, { "retry-after": "3" });
    await assert.rejects(g.beforeRequest("open_orders", false), (e: unknown) => {
      assert.ok(isConnectorTransientError(e));
      assert.equal(e.retryAfterMs, 3000);
      return true;
    });
    clock.advance(2000);
    await assert.rejects(
      g.beforeRequest("place", true),
      (e: unknown) => isConnectorTransientError(e) && e.retryAfterMs === 1000,
    );
    clock.advance(1000);
    await g.beforeRequest("place", true);
    assert.equal(g.stats.rejectedWhileBackingOff, 2);
    assert.equal(g.stats.rateLimited429, 1);
  });

  it("a 418 stops writes until cleared; reads resume after Retry-After", async () => {
    const { clock, g } = guard();
    g.onResponse(418, { "retry-after": "120" });
    assert.match(g.writesHalted ?? "", /IP banned/);
    await assert.rejects(g.beforeRequest("cancel", true), (e: unknown) =>
      isConnectorNonRetryableError(e),
    );
    clock.advance(120_000);
    await g.beforeRequest("open_orders", false);
    await assert.rejects(g.beforeRequest("place", true), /Writes stopped after an IP ban/);
    g.clearHalt();
    await g.beforeRequest("place", true);
  });

  it("interval tags", () => {
    assert.equal(intervalMs("10s"), 10_000);
    assert.equal(intervalMs("1d"), 86_400_000);
    assert.equal(intervalMs("x"), undefined);
  });
});

describe("ServerTimeSync", () => {
  it("offset is server time minus the round-trip midpoint", async () => {
    const clock = new ManualClock(1000);
    const sync = new ServerTimeSync(async () => {
      clock.advance(40); // 40 ms round trip
      return 6020;
    }, clock);
    assert.equal(sync.isSynced, false);
    assert.equal(await sync.sync(), 5000); // 6020 - (1000 + 1040) / 2
    assert.equal(sync.nowMs(), 1040 + 5000);
    assert.ok(sync.isSynced);
  });
});
