import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../../core/decimal.js";
import type { CancelOrder, SubmitOrder } from "../../domain/orders.js";
import { BlockReason, WriteGate } from "./write-gate.js";

const submit: SubmitOrder = {
  kind: "SubmitOrder",
  ts: 1,
  clientOrderId: "BTCUSDT:1:1:BUY:1",
  symbol: "BTCUSDT",
  side: "BUY",
  price: Decimal.parse("99.90"),
  quantity: Decimal.parse("0.1"),
  levelId: 1,
  actionIndex: 0,
};
const cancel: CancelOrder = {
  kind: "CancelOrder",
  ts: 2,
  clientOrderId: submit.clientOrderId,
  symbol: "BTCUSDT",
};

describe("WriteGate", () => {
  it("defaults are safe: not armed, nothing passes, not even a cancel", () => {
    const g = new WriteGate();
    assert.equal(g.check(submit), BlockReason.NOT_ARMED);
    assert.equal(g.check(cancel), BlockReason.NOT_ARMED);
  });

  it("the kill switch blocks submits and lets cancels through", () => {
    const g = new WriteGate({ armed: true, killSwitchActive: true });
    assert.equal(g.check(submit), BlockReason.KILL_SWITCH_ACTIVE);
    assert.equal(g.check(cancel), undefined);
    g.update({ killSwitchActive: false });
    assert.equal(g.check(submit), undefined);
  });

  it("the whitelist comes after the kill switch and applies to cancels too", () => {
    const g = new WriteGate({ armed: true, symbolWhitelist: ["ETHUSDT"] });
    assert.equal(g.check(submit), BlockReason.SYMBOL_NOT_WHITELISTED);
    assert.equal(g.check(cancel), BlockReason.SYMBOL_NOT_WHITELISTED);
    g.update({ killSwitchActive: true });
    assert.equal(g.check(submit), BlockReason.KILL_SWITCH_ACTIVE);
  });

  it("update disarms: the config is frozen and replaced, never edited in place", () => {
    const g = new WriteGate({ armed: true });
    const before = g.config;
    g.update({ armed: false });
    assert.equal(before.armed, true);
    assert.ok(Object.isFrozen(g.config));
    assert.equal(g.check(submit), BlockReason.NOT_ARMED);
  });
});
