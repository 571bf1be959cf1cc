import assert from "node:assert/strict";
import { test } from "node:test";
import { Decimal } from "../core/decimal.js";
import { isMarketSymbol, isPlainDecimal, quoteProblem } from "./market-checks.js";

test("symbols of Binance's shape", () => {
  for (const s of ["BTCUSDT", "1000PEPEUSDT", "BTCUSD_PERP", "A", "X".repeat(32)]) {
    assert.ok(isMarketSymbol(s), s);
  }
  for (const s of [
    "",
    "btcusdt",
    "_BTC",
    "BTC USDT",
    "BTC\u0000",
    "BTC\u202e",
    "BTC\ufffd",
    "X".repeat(33),
  ]) {
    assert.ok(!isMarketSymbol(s), JSON.stringify(s));
  }
});

test("plain decimals of at most 28 digits (leading integer zeros not counted)", () => {
  for (const t of ["0", "100", "100.5", ".5", "5.", "-1", "0.0000001", `0${"9".repeat(28)}`]) {
    assert.ok(isPlainDecimal(t), t);
  }
  for (const t of ["", "-", ".", "1e3", "+1", " 1", "1,5", "9".repeat(29), `0.${"1".repeat(29)}`]) {
    assert.ok(!isPlainDecimal(t), t);
  }
});

test("quote checks name the field, the value and what was expected", () => {
  const d = (s: string) => Decimal.parse(s);
  const q = {
    bidPrice: d("10"),
    askPrice: d("10"),
    bidQty: d("0"),
    askQty: d("1"),
    lastPrice: d("10"),
    lastQty: d("0"),
  };
  assert.equal(quoteProblem(q), undefined); // a locked book and zero quantities are sound
  assert.equal(
    quoteProblem({ ...q, lastPrice: d("0") }),
    'field "last_price": expected a price > 0, got "0"',
  );
  assert.equal(
    quoteProblem({ ...q, askQty: d("-0.5") }),
    'field "ask_qty": expected a quantity >= 0, got "-0.5"',
  );
  assert.equal(
    quoteProblem({ ...q, bidPrice: d("10.01") }),
    "crossed book: expected bid_price <= ask_price, got 10.01 > 10",
  );
});
