import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "../../core/canonical-json.js";
import { RateLimiter } from "./rate-limiter.js";

test("defaults: 60 per minute, 100 ms cooldown", () => {
  const r = new RateLimiter();
  assert.equal(r.maxOrdersPerMinute, 60);
  assert.equal(r.cooldownMs, 100);
  assert.deepEqual(r.check(5_000).toJson(), {
    allowed: true,
    reason: "PASS",
    details: { current_count: 0, max_per_minute: 60 },
  });
});

test("cooldown blocks while elapsed < cooldown and reports ints", () => {
  const r = new RateLimiter({ maxOrdersPerMinute: 10, cooldownMs: 250 });
  r.recordOrder(7_000);
  const blocked = r.check(7_040);
  assert.equal(
    canonicalJson(blocked.toJson()),
    '{"allowed":false,"details":{"cooldown_ms":250,"elapsed_ms":40,"remaining_ms":210},"reason":"COOLDOWN_ACTIVE"}',
  );
  assert.equal(r.check(7_249).reason, "COOLDOWN_ACTIVE");
  // Exactly the cooldown has elapsed: allowed.
  assert.deepEqual(r.check(7_250).toJson(), {
    allowed: true,
    reason: "PASS",
    details: { current_count: 1, max_per_minute: 10 },
  });
});

test("an order recorded at ts 0 does not start a cooldown", () => {
  const r = new RateLimiter({ cooldownMs: 1_000 });
  r.recordOrder(0);
  assert.equal(r.check(1).allowed, true);
});

test("rate limit blocks at the cap with the window start", () => {
  const r = new RateLimiter({ maxOrdersPerMinute: 3, cooldownMs: 0 });
  for (const ts of [100_000, 100_500, 101_000]) {
    assert.equal(r.check(ts).allowed, true);
    r.recordOrder(ts);
  }
  assert.deepEqual(r.check(101_200).toJson(), {
    allowed: false,
    reason: "RATE_LIMIT_EXCEEDED",
    details: { current_count: 3, max_per_minute: 3, window_start_ts: 41_200 },
  });
});

test("the sliding window keeps a timestamp exactly at the window start", () => {
  const r = new RateLimiter({ maxOrdersPerMinute: 2, cooldownMs: 0 });
  r.recordOrder(10_000);
  r.recordOrder(30_000);
  // window start = 10_000: the first order is still inside.
  assert.equal(r.check(70_000).reason, "RATE_LIMIT_EXCEEDED");
  assert.equal(r.ordersInWindow, 2);
  // window start = 10_001: the first order drops out.
  const ok = r.check(70_001);
  assert.equal(ok.allowed, true);
  assert.deepEqual(ok.details, { current_count: 1, max_per_minute: 2 });
  assert.equal(r.ordersInWindow, 1);
});

test("old orders are only pruned when the cooldown check passes", () => {
  const r = new RateLimiter({ maxOrdersPerMinute: 5, cooldownMs: 100_000 });
  r.recordOrder(1_000);
  r.recordOrder(2_000);
  // Cooldown blocks (elapsed 90_000 < 100_000): nothing is pruned yet.
  assert.equal(r.check(92_000).reason, "COOLDOWN_ACTIVE");
  assert.equal(r.ordersInWindow, 2);
  assert.equal(r.check(102_000).allowed, true);
  assert.equal(r.ordersInWindow, 0);
});

test("zero cooldown allows rapid orders at one timestamp up to the cap", () => {
  const r = new RateLimiter({ maxOrdersPerMinute: 4, cooldownMs: 0 });
  let allowed = 0;
  for (let i = 0; i < 6; i++) {
    if (r.check(500).allowed) {
      r.recordOrder(500);
      allowed++;
    }
  }
  assert.equal(allowed, 4);
});

test("many orders over a long run keep an exact window count", () => {
  const r = new RateLimiter({ maxOrdersPerMinute: 1_000_000, cooldownMs: 0 });
  for (let ts = 1; ts <= 200_000; ts += 10) r.recordOrder(ts);
  const res = r.check(200_001);
  // window start 140_001; recorded ts = 1 + 10k, the first >= 140_001 is 140_001.
  assert.deepEqual(res.details, { current_count: 6_000, max_per_minute: 1_000_000 });
});

test("reset clears orders and cooldown", () => {
  const r = new RateLimiter({ maxOrdersPerMinute: 1, cooldownMs: 1_000 });
  r.recordOrder(5_000);
  assert.equal(r.check(5_001).allowed, false);
  r.reset();
  assert.equal(r.ordersInWindow, 0);
  assert.equal(r.check(5_001).allowed, true);
});
