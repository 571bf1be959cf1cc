import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "../core/canonical-json.js";
import { dec } from "../core/decimal.js";
import { InvalidInputError } from "../core/errors.js";
import { OrderSide } from "../domain/enums.js";
import { type OrderFilled, orderFilled } from "../domain/orders.js";
import {
  CycleEngine,
  cycleIntentFromJson,
  cycleIntentToJson,
  cycleResultToJson,
} from "./cycle-engine.js";

const FILLS: OrderFilled[] = [
  orderFilled({
    ts: 1,
    symbol: "ETHUSDT",
    side: OrderSide.BUY,
    price: dec("2000.555"),
    quantity: dec("0.12345"),
    clientOrderId: "paper_1_ETHUSDT_1_BUY_2000.555",
  }),
  orderFilled({
    ts: 1,
    symbol: "SOLUSDT",
    side: OrderSide.SELL,
    price: dec("19.99"),
    quantity: dec("3"),
    clientOrderId: "s1",
  }),
];

const ETH_ID = "paper_1_ETHUSDT_1_BUY_2000.555";

function intent(
  type: string,
  side: string,
  price: string,
  qty: string,
  symbol: string,
  src: string,
): string {
  return canonicalJson({
    intent_id: `cycle_${type}_${src}_${side}_${price}`,
    intent_type: type,
    price,
    quantity: qty,
    side,
    source_fill_id: src,
    symbol,
  });
}

function result(intents: string[], fills: number, tps: number, reps: number): string {
  return `{"fills_processed":${fills},"intents":[${intents.join(",")}],"replenishments_generated":${reps},"tps_generated":${tps}}`;
}

test("defaults: TP one step across, replenishment one step out, cut to 2/3 decimals", () => {
  const r = new CycleEngine().processFills(FILLS);
  // 2000.555 * 1.001 = 2002.555555 -> 2002.55 ; * 0.999 = 1998.554445 -> 1998.55
  // 19.99 * 0.999 = 19.97001 -> 19.97 ; * 1.001 = 20.00999 -> 20.00
  assert.equal(
    canonicalJson(cycleResultToJson(r)),
    result(
      [
        intent("TP", "SELL", "2002.55", "0.123", "ETHUSDT", ETH_ID),
        intent("REPLENISH", "BUY", "1998.55", "0.123", "ETHUSDT", ETH_ID),
        intent("TP", "BUY", "19.97", "3.000", "SOLUSDT", "s1"),
        intent("REPLENISH", "SELL", "20.00", "3.000", "SOLUSDT", "s1"),
      ],
      2,
      2,
      2,
    ),
  );
});

test("adds not allowed: take-profits only", () => {
  const r = new CycleEngine().processFills(FILLS, false);
  assert.equal(
    canonicalJson(cycleResultToJson(r)),
    result(
      [
        intent("TP", "SELL", "2002.55", "0.123", "ETHUSDT", ETH_ID),
        intent("TP", "BUY", "19.97", "3.000", "SOLUSDT", "s1"),
      ],
      2,
      2,
      0,
    ),
  );
  assert.equal(new CycleEngine().processSingleFill(FILLS[1]!, false).length, 1);
  assert.equal(new CycleEngine().processSingleFill(FILLS[1]!).length, 2);
});

test("custom step, replenish offset and precisions (0 and negative mean whole units)", () => {
  const r = new CycleEngine({
    stepPct: dec("0.0025"),
    replenishOffsetPct: dec("0.01"),
    pricePrecision: 0,
    quantityPrecision: 1,
  }).processFills(FILLS);
  assert.equal(
    canonicalJson(cycleResultToJson(r)),
    result(
      [
        intent("TP", "SELL", "2005", "0.1", "ETHUSDT", ETH_ID),
        intent("REPLENISH", "BUY", "1980", "0.1", "ETHUSDT", ETH_ID),
        intent("TP", "BUY", "19", "3.0", "SOLUSDT", "s1"),
        intent("REPLENISH", "SELL", "20", "3.0", "SOLUSDT", "s1"),
      ],
      2,
      2,
      2,
    ),
  );
  // Offset defaults to the step; precision -1 behaves as 0.
  const r2 = new CycleEngine({
    stepPct: dec("0.0025"),
    pricePrecision: -1,
    quantityPrecision: 4,
  }).processFills(FILLS);
  assert.deepEqual(
    r2.intents.map((i) => `${i.intentType} ${i.price} ${i.quantity}`),
    ["TP 2005 0.1234", "REPLENISH 1995 0.1234", "TP 19 3.0000", "REPLENISH 20 3.0000"],
  );
});

test("empty input and intent JSON round trip", () => {
  const r = new CycleEngine().processFills([]);
  assert.equal(canonicalJson(cycleResultToJson(r)), result([], 0, 0, 0));
  const i = new CycleEngine().processFills(FILLS).intents[3]!;
  const text = canonicalJson(cycleIntentToJson(i));
  assert.equal(canonicalJson(cycleIntentToJson(cycleIntentFromJson(JSON.parse(text)))), text);
  assert.throws(
    () => cycleIntentFromJson({ ...JSON.parse(text), intent_type: "STOP" }),
    InvalidInputError,
  );
});
