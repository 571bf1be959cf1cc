import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import {
  clientOrderIdFromKey,
  epochOfClientOrderId,
  exchangeClientOrderId,
  isOurClientOrderId,
} from "./client-order-id.js";

const BINANCE_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

describe("client order ids", () => {
  it("are prefix-e<epoch>-<16 hex of SHA-256(runId/kernelId)>", () => {
    const hash = createHash("sha256").update("abc123/BTCUSDT:1:0:BUY:1").digest("hex");
    assert.equal(
      exchangeClientOrderId("abc123", "BTCUSDT:1:0:BUY:1"),
      `grinder-e0-${hash.slice(0, 16)}`,
    );
    assert.equal(
      exchangeClientOrderId("abc123", "BTCUSDT:1:0:BUY:1", 42),
      `grinder-e42-${hash.slice(0, 16)}`,
    );
  });

  it("stay within Binance's 36 characters at the longest prefix and epoch", () => {
    const id = clientOrderIdFromKey("k", 9_999_999, "abcdefghij");
    assert.equal(id.length, 36);
    assert.match(id, BINANCE_ID);
    assert.throws(() => clientOrderIdFromKey("k", 10_000_000), /fencing epoch/);
    assert.throws(() => clientOrderIdFromKey("k", -1), /fencing epoch/);
    assert.throws(() => clientOrderIdFromKey("k", 1.5), /fencing epoch/);
    assert.throws(() => clientOrderIdFromKey("k", 0, "abcdefghijk"), /prefix/);
    assert.throws(() => clientOrderIdFromKey("k", 0, "a b"), /prefix/);
  });

  it("are recognised as ours under any epoch, foreign ids are not", () => {
    const h = "0123456789abcdef";
    assert.equal(epochOfClientOrderId(`grinder-e0-${h}`), 0);
    assert.equal(epochOfClientOrderId(`grinder-e1234567-${h}`), 1234567);
    assert.ok(isOurClientOrderId(`grinder-e7-${h}`));
    assert.ok(isOurClientOrderId(`bot-e7-${h}`, "bot"));
    for (const foreign of [
      `grinder-e7-${h}0`,
      `grinder-e07-${h}`,
      `grinder-e-${h}`,
      `grinder-e7-${h.toUpperCase()}`,
      `grinderx-e7-${h}`,
      `grinder_${h}${h.slice(0, 8)}`,
      "web_manual_1",
    ])
      assert.equal(isOurClientOrderId(foreign), false, foreign);
  });
});
