import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { ToxicityGate } from "./toxicity-gate.js";

const d = (s: string): Decimal => Decimal.parse(s);
const json = (v: Parameters<typeof canonicalJson>[0]): string => canonicalJson(v);

test("defaults: 50 bps spread, 500 bps impact, 5000 ms lookback", () => {
  const g = new ToxicityGate();
  assert.equal(g.maxSpreadBps, 50.0);
  assert.equal(g.maxPriceImpactBps, 500.0);
  assert.equal(g.lookbackWindowMs, 5000);
});

test("spread spike blocks above the threshold with float details", () => {
  const g = new ToxicityGate();
  assert.equal(
    json(g.check(1_000, "AAA", 50.1, d("10")).toJson()),
    '{"allowed":false,"details":{"excess_bps":0.10000000000000142,"max_spread_bps":50.0,"spread_bps":50.1},"reason":"SPREAD_SPIKE"}',
  );
  // Equal to the threshold passes.
  assert.equal(
    json(g.check(1_000, "AAA", 50.0, d("10")).toJson()),
    '{"allowed":true,"details":{"max_spread_bps":50.0,"prices_in_window":0,"spread_bps":50.0},"reason":"PASS"}',
  );
});

test("price impact compares with the oldest price in the window", () => {
  const g = new ToxicityGate({ maxPriceImpactBps: 25.0, lookbackWindowMs: 2_000 });
  g.recordPrice(1_000, "XYZ", d("1234.5"));
  g.recordPrice(1_500, "XYZ", d("1236.0"));
  const expected = (windowMs: number): string =>
    '{"allowed":false,"details":{"current_price":"1238.6","max_price_impact_bps":25.0,' +
    `"oldest_price":"1234.5","price_change_bps":33.21,"window_ms":${windowMs}},"reason":"PRICE_IMPACT_HIGH"}`;
  assert.equal(json(g.check(2_500, "XYZ", 3.25, d("1238.6")).toJson()), expected(1_500));
  // ts - lookback == oldest ts: still inside.
  assert.equal(json(g.check(3_000, "XYZ", 3.25, d("1238.6")).toJson()), expected(2_000));
  assert.equal(g.pricesInWindow("XYZ"), 2);
  // Both records fall out; the check itself records nothing.
  assert.equal(
    json(g.check(3_501, "XYZ", 3.25, d("1238.6")).toJson()),
    '{"allowed":true,"details":{"max_spread_bps":50.0,"prices_in_window":0,"spread_bps":3.25},"reason":"PASS"}',
  );
  assert.equal(g.pricesInWindow("XYZ"), 0);
});

test("impact in both directions, rounded to 2 decimals as floats", () => {
  const g = new ToxicityGate({ maxPriceImpactBps: 25.0, lookbackWindowMs: 2_000 });
  g.recordPrice(3_600, "XYZ", d("2.0"));
  const same = g.check(3_600, "XYZ", 1.0, d("2.0"));
  assert.equal(same.allowed, true);
  assert.equal(same.details?.prices_in_window, 1);
  const down = g.check(3_601, "XYZ", 1.0, d("1.99487"));
  assert.equal(
    json(down.toJson()),
    '{"allowed":false,"details":{"current_price":"1.99487","max_price_impact_bps":25.0,"oldest_price":"2.0","price_change_bps":25.65,"window_ms":1},"reason":"PRICE_IMPACT_HIGH"}',
  );
  const up = g.check(3_601, "XYZ", 1.0, d("2.0051"));
  assert.match(json(up.toJson()), /"price_change_bps":25\.5,/);
  // Exactly at the impact threshold passes (2.005 vs 2.0 is 25 bps).
  assert.equal(g.check(3_601, "XYZ", 1.0, d("2.005")).allowed, true);
});

test("spread is checked before price impact", () => {
  const g = new ToxicityGate({ maxSpreadBps: 10.0, maxPriceImpactBps: 1.0 });
  g.recordPrice(0, "A", d("100"));
  assert.equal(g.check(10, "A", 10.5, d("200")).reason, "SPREAD_SPIKE");
  assert.equal(g.check(10, "A", 9.5, d("200")).reason, "PRICE_IMPACT_HIGH");
});

test("history is per symbol", () => {
  const g = new ToxicityGate({ maxPriceImpactBps: 100.0 });
  g.recordPrice(0, "A", d("100"));
  g.recordPrice(0, "B", d("50"));
  assert.equal(g.check(1, "A", 1.0, d("102")).reason, "PRICE_IMPACT_HIGH");
  assert.equal(g.check(1, "B", 1.0, d("50.4")).allowed, true);
  assert.equal(g.check(1, "C", 1.0, d("1")).allowed, true);
  assert.equal(g.pricesInWindow("A"), 1);
  assert.equal(g.pricesInWindow("C"), 0);
});

test("a non-positive oldest price skips the impact check", () => {
  const g = new ToxicityGate({ maxPriceImpactBps: 1.0 });
  g.recordPrice(0, "Z", d("0"));
  const r = g.check(1, "Z", 1.0, d("5"));
  assert.equal(r.allowed, true);
  assert.equal(r.details?.prices_in_window, 1);
});

test("history keeps only the latest 100 prices", () => {
  const g = new ToxicityGate({ maxPriceImpactBps: 1e9, lookbackWindowMs: 1_000_000 });
  for (let i = 0; i < 130; i++) g.recordPrice(i, "S", Decimal.fromInt(1000 + i));
  assert.equal(g.pricesInWindow("S"), 100);
  // Oldest kept is ts 30 / price 1030: make impact visible with a low threshold.
  const low = new ToxicityGate({ maxPriceImpactBps: 0.0, lookbackWindowMs: 1_000_000 });
  for (let i = 0; i < 130; i++) low.recordPrice(i, "S", Decimal.fromInt(1000 + i));
  const r = low.check(200, "S", 1.0, d("1031"));
  assert.equal(r.details?.oldest_price, "1030");
  assert.equal(r.details?.window_ms, 170);
});

test("reset clears price history", () => {
  const g = new ToxicityGate({ maxPriceImpactBps: 1.0 });
  g.recordPrice(0, "A", d("100"));
  g.reset();
  assert.equal(g.pricesInWindow("A"), 0);
  assert.equal(g.check(1, "A", 1.0, d("200")).allowed, true);
});

test("a move at the threshold is decided exactly, not by the float estimate", () => {
  const d = (s: string) => Decimal.parse(s);
  const gate = new ToxicityGate({ maxPriceImpactBps: 500, lookbackWindowMs: 5000 });
  gate.recordPrice(0, "X", d("100"));
  // 105 / 100: exactly 500 bps, not above it: allowed.
  assert.equal(gate.check(1, "X", 1, d("105")).allowed, true);
  // 500.000001 bps (1e-6 bps over): blocked, with the exact figure rounded to 2 places.
  const over = gate.check(2, "X", 1, d("105.00000001"));
  assert.equal(over.allowed, false);
  assert.match(canonicalJson(over.toJson()), /"price_change_bps":500\.0/);
  // Far below (1 bps): allowed.
  assert.equal(gate.check(3, "X", 1, d("100.01")).allowed, true);
});
