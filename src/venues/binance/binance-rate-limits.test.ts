import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../core/clock.js";
import { isConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { isConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import {
  BinanceRateLimitGuard,
  DEFAULT_BAN_HALT_MS,
  DEFAULT_RATE_LIMITS,
  intervalMs,
} from "./binance-rate-limits.js";
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

  it("a 418 halts every request until Retry-After, then writes resume by themselves", async () => {
    const { clock, g } = guard();
    const t0 = clock.nowMs();
    g.onResponse(418, { "retry-after": "120" });
    assert.deepEqual([g.writeHalt?.reason, g.writeHalt?.untilMs], ["ip_ban", t0 + 120_000]);
    assert.match(g.writesHalted ?? "", /IP banned \(418\) .* for 120000 ms \(Retry-After\)/);
    await assert.rejects(
      g.beforeRequest("cancel", true),
      (e: unknown) =>
        isConnectorNonRetryableError(e) &&
        /Writes stopped after an IP ban \(418\) until 2023-11-14T22:15:20.000Z/.test(e.message),
    );
    await assert.rejects(g.beforeRequest("open_orders", false), /Backing off/);
    clock.advance(119_999);
    await assert.rejects(g.beforeRequest("place", true), /Writes stopped after an IP ban/);
    assert.equal(g.writeHalt?.reason, "ip_ban");
    clock.advance(1);
    assert.equal(g.writeHalt, undefined);
    assert.equal(g.writesHalted, undefined);
    await g.beforeRequest("place", true);
    await g.beforeRequest("open_orders", false);
    assert.deepEqual(clock.sleeps, [], "no sleeping: the clock decides");
  });

  it("a 418 without Retry-After ends at the ban message's time, else after the default 2 minutes", async () => {
    const named = guard();
    const t0 = named.clock.nowMs();
    named.g.onResponse(
      418,
      {},
      `{"code":-1003,"msg":"Way too many requests; IP(127.0.0.1) banned until ${t0 + 45_000}. Please use WebSocket Streams for live updates to avoid bans."}`,
    );
    assert.equal(named.g.writeHalt?.untilMs, t0 + 45_000);
    assert.match(named.g.writesHalted ?? "", /for 45000 ms \(the ban message\)/);
    named.clock.advance(45_000);
    await named.g.beforeRequest("place", true);

    const bare = guard();
    bare.g.onResponse(418, {}, "");
    assert.equal(DEFAULT_BAN_HALT_MS, 120_000);
    assert.equal(bare.g.writeHalt?.untilMs, bare.clock.nowMs() + 120_000);
    assert.match(bare.g.writesHalted ?? "", /no end given, default 120000 ms/);
    bare.clock.advance(120_000);
    assert.equal(bare.g.writeHalt, undefined);
    await bare.g.beforeRequest("place", true);
    // An operator may end a ban early.
    bare.g.onResponse(418, {}, "");
    bare.g.clearHalt();
    await bare.g.beforeRequest("place", true);
  });

  it("a 429's Retry-After halts writes as a rate limit, not a ban", async () => {
    const { clock, g } = guard();
    g.onResponse(429, { "retry-after": "3" });
    assert.deepEqual(
      [g.writeHalt?.reason, g.writeHalt?.untilMs, g.writesHalted],
      ["rate_limit", clock.nowMs() + 3000, undefined],
    );
    clock.advance(3000);
    assert.equal(g.writeHalt, undefined);
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
