import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../core/clock.js";
import { Decimal } from "../../core/decimal.js";
import {
  canonicalizeParam,
  computeIdempotencyKey,
  computeRequestFingerprint,
  normalizeDecimal,
} from "./idempotency-key.js";
import { IdempotencyStatus, InMemoryIdempotencyStore } from "./idempotency-store.js";

const d = Decimal.parse;

describe("idempotency key", () => {
  // Expected values computed with the reference implementation.
  it("matches the reference digest and ignores trailing zeros", () => {
    const a = computeIdempotencyKey("exec", "place", {
      symbol: "BTCUSDT",
      side: "BUY",
      price: d("50000.00"),
      quantity: d("0.001"),
      levelId: 1,
    });
    assert.equal(a, "exec:place:0db6e0a1c6e7a6b046ea97d2ab5a2680");
    const b = computeIdempotencyKey("exec", "place", {
      symbol: "BTCUSDT",
      side: "BUY",
      price: d("5E+4"),
      quantity: d("0.0010"),
      levelId: 1,
    });
    assert.equal(b, a);
  });

  it("cancel and replace keys", () => {
    assert.equal(
      computeIdempotencyKey("exec", "cancel", { symbol: "", side: "", orderId: "grinder_abc" }),
      "exec:cancel:a1a4e3db160026189208d1d33a8e5148",
    );
    assert.equal(
      computeIdempotencyKey("exec", "replace", {
        symbol: "",
        side: "",
        orderId: "grinder_abc",
        price: d("100.10"),
        quantity: d("2"),
      }),
      "exec:replace:467dbfd0090fecf8262b20edbb4e0a78",
    );
  });

  it("different parameters give different keys", () => {
    const base = { symbol: "BTCUSDT", side: "BUY", price: d("1"), quantity: d("1"), levelId: 1 };
    const k = computeIdempotencyKey("exec", "place", base);
    assert.notEqual(computeIdempotencyKey("exec", "place", { ...base, levelId: 2 }), k);
    assert.notEqual(computeIdempotencyKey("exec", "place", { ...base, side: "SELL" }), k);
    assert.notEqual(computeIdempotencyKey("other", "place", base), k);
    assert.notEqual(
      computeIdempotencyKey("exec", "place", { ...base, extra: { reduce_only: true } }),
      k,
    );
    assert.equal(computeIdempotencyKey("exec", "place", { ...base, extra: { note: null } }), k);
  });

  it("fingerprints include the timestamp", () => {
    assert.equal(
      computeRequestFingerprint({
        symbol: "BTCUSDT",
        side: "BUY",
        price: d("50000.00"),
        quantity: d("0.001"),
        level_id: 1,
        ts: 1000,
      }),
      "20337fe08ede6f53",
    );
    assert.equal(computeRequestFingerprint({ order_id: "x" }), "965215eb1c6baca5");
  });

  it("normalises like the reference", () => {
    assert.equal(normalizeDecimal(d("0.00")).toString(), "0");
    assert.equal(normalizeDecimal(d("-0.00")).toString(), "-0");
    assert.equal(normalizeDecimal(d("1234567.8900")).toString(), "1234567.89");
    assert.equal(normalizeDecimal(d("100")).toString(), "1E+2");
    assert.equal(canonicalizeParam(0.1), "0.1");
    assert.equal(canonicalizeParam(5), "5");
    assert.equal(canonicalizeParam(false), "false");
  });
});

describe("InMemoryIdempotencyStore", () => {
  const entry = (key: string) => ({
    key,
    status: IdempotencyStatus.INFLIGHT,
    opName: "place",
    requestFingerprint: "fp",
  });

  it("INFLIGHT -> DONE caches the result; a second claim is a hit", () => {
    const clock = new ManualClock(1_000_000);
    const store = new InMemoryIdempotencyStore({ clock });
    assert.equal(store.putIfAbsent("k", entry("k"), 300_000), true);
    const e = store.get("k");
    assert.equal(e?.status, "INFLIGHT");
    assert.equal(e?.createdAtMs, 1_000_000);
    assert.equal(e?.expiresAtMs, 1_300_000);
    store.markDone("k", "order-1");
    assert.equal(store.get("k")?.result, "order-1");
    assert.equal(store.get("k")?.expiresAtMs, 1_000_000 + 86_400_000);
    assert.equal(store.putIfAbsent("k", entry("k"), 300_000), false);
    assert.deepEqual(store.stats, {
      hits: 1,
      misses: 1,
      conflicts: 0,
      expirations: 0,
      totalEntries: 1,
    });
  });

  it("a duplicate while INFLIGHT is a conflict; FAILED can be claimed again", () => {
    const store = new InMemoryIdempotencyStore({ clock: new ManualClock() });
    store.putIfAbsent("k", entry("k"), 1000);
    assert.equal(store.putIfAbsent("k", entry("k"), 1000), false);
    assert.equal(store.stats.conflicts, 1);
    store.markFailed("k", "ConnectorTransientError");
    assert.equal(store.get("k")?.status, "FAILED");
    assert.equal(store.get("k")?.errorCode, "ConnectorTransientError");
    assert.equal(store.putIfAbsent("k", entry("k"), 1000), true);
    assert.equal(store.get("k")?.status, "INFLIGHT");
  });

  it("entries expire on the injected clock", () => {
    const clock = new ManualClock();
    const store = new InMemoryIdempotencyStore({ clock });
    store.putIfAbsent("a", entry("a"), 100);
    store.putIfAbsent("b", entry("b"), 500);
    clock.advance(100);
    assert.equal(store.get("a"), undefined);
    assert.equal(store.stats.expirations, 1);
    // An expired INFLIGHT no longer blocks.
    clock.advance(400);
    assert.equal(store.putIfAbsent("b", entry("b"), 500), true);
    assert.equal(store.stats.expirations, 2);
    assert.equal(store.purgeExpired(clock.nowMs() + 500), 1);
    assert.equal(store.stats.totalEntries, 0);
  });

  it("mark on an unknown key is a no-op", () => {
    const store = new InMemoryIdempotencyStore({ clock: new ManualClock() });
    store.markDone("nope", 1);
    store.markFailed("nope", "x");
    assert.equal(store.stats.totalEntries, 0);
  });
});
