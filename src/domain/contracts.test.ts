import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalDigest, canonicalJson } from "../core/canonical-json.js";
import { dec } from "../core/decimal.js";
import { contextHash, decisionToJson, makePolicyContext } from "./contracts.js";
import { DecisionReason, GridMode, OrderSide } from "./enums.js";
import { gridPlanText, gridPlanToJson, makeGridPlan, notionalToQty } from "./grid-plan.js";
import { Snapshot } from "./snapshot.js";

const snap = (bid: string, ask: string): Snapshot =>
  new Snapshot({
    ts: 1000,
    symbol: "BTCUSDT",
    bidPrice: dec(bid),
    askPrice: dec(ask),
    bidQty: dec("1"),
    askQty: dec("2"),
    lastPrice: dec(bid),
    lastQty: dec("0.5"),
  });

test("snapshot: mid price is exact, spread in bps is the float of the exact ratio", () => {
  const s = snap("50000.00", "50001.00");
  assert.equal(s.midPrice.toString(), "50000.50");
  // 1 / 50000.5 * 10000, rounded to 28 digits then to a double
  assert.equal(s.spreadBps, 0.1999980000199998); // the reference computes the same
  assert.equal(snap("0", "0").spreadBps, 0);
});

test("notional_to_qty rounds down to the precision and rejects bad input", () => {
  assert.equal(notionalToQty(dec("500"), dec("50000")).toString(), "0.01000000");
  assert.equal(notionalToQty(dec("100"), dec("3"), 3).toString(), "33.333");
  assert.equal(notionalToQty(dec("2"), dec("3"), 2).toString(), "0.66");
  assert.throws(() => notionalToQty(dec("1"), dec("0")), /price must be positive/);
  assert.throws(() => notionalToQty(dec("-1"), dec("1")), /notional must be non-negative/);
});

test("grid plan JSON: schema keys, floats marked, canonical text cached per policy", () => {
  const schedule = [dec("0.01"), dec("0.02")];
  const reasons = ["REGIME_RANGE"];
  const plan = (center: string) =>
    makeGridPlan({
      mode: GridMode.BILATERAL,
      centerPrice: dec(center),
      spacingBps: 10,
      levelsUp: 2,
      levelsDown: 2,
      sizeSchedule: schedule,
      widthBps: 20,
      reasonCodes: reasons,
    });
  const json = canonicalJson(gridPlanToJson(plan("100.5")));
  assert.equal(
    json,
    '{"center_price":"100.5","levels_down":2,"levels_up":2,"mode":"BILATERAL","reason_codes":["REGIME_RANGE"],"regime":"RANGE","reset_action":"NONE","size_schedule":["0.01","0.02"],"skew_bps":0.0,"spacing_bps":10.0,"width_bps":20.0}',
  );
  assert.equal(gridPlanText(plan("100.5")), json);
  assert.equal(gridPlanText(plan("99")), canonicalJson(gridPlanToJson(plan("99"))));
});

test("decision and context: JSON form and a stable context hash", () => {
  const ctx = makePolicyContext(snap("1.00", "1.02"), null, { natr_bps: 12 });
  const h = contextHash(ctx);
  assert.match(h, /^[0-9a-f]{16}$/);
  assert.equal(contextHash(makePolicyContext(snap("1.00", "1.02"), null, { natr_bps: 12 })), h);
  assert.notEqual(contextHash(makePolicyContext(snap("1.00", "1.03"), null)), h);
  const d = decisionToJson({
    ts: 1,
    symbol: "X",
    mode: GridMode.BILATERAL,
    reason: DecisionReason.POLICY_GRID_NORMAL,
    orderIntents: [
      {
        symbol: "X",
        side: OrderSide.BUY,
        price: dec("0.99"),
        quantity: dec("10"),
        reason: DecisionReason.POLICY_GRID_NORMAL,
        levelId: 1,
      },
    ],
    cancelOrderIds: [],
    policyName: "STATIC_GRID",
    contextHash: h,
  });
  assert.equal(canonicalDigest(d), canonicalDigest(JSON.parse(canonicalJson(d))));
  assert.deepEqual((d as { order_intents: { price: string }[] }).order_intents[0]?.price, "0.99");
});
