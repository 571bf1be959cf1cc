import assert from "node:assert/strict";
import { test } from "node:test";
import { Decimal } from "../../core/decimal.js";
import { RiskGate } from "./risk-gate.js";

const d = (s: string): Decimal => Decimal.parse(s);

function gate(): RiskGate {
  return new RiskGate({
    maxNotionalPerSymbol: d("1500.00"),
    maxNotionalTotal: d("2500"),
    dailyLossLimit: d("75.5"),
  });
}

test("defaults are 5000 / 20000 / 500", () => {
  const g = new RiskGate();
  assert.equal(g.maxNotionalPerSymbol.toString(), "5000");
  assert.equal(g.maxNotionalTotal.toString(), "20000");
  assert.equal(g.dailyLossLimit.toString(), "500");
  assert.equal(g.totalNotional.toString(), "0");
});

test("a symbol notional exactly at the limit passes; above it blocks", () => {
  const g = gate();
  assert.deepEqual(g.checkOrder("AAA", d("1500.000")).toJson(), {
    allowed: true,
    reason: "PASS",
    details: { symbol: "AAA", symbol_notional: "1500.000", total_notional: "1500.000" },
  });
  assert.deepEqual(g.checkOrder("AAA", d("1500.001")).toJson(), {
    allowed: false,
    reason: "MAX_NOTIONAL_EXCEEDED",
    details: {
      symbol: "AAA",
      current_notional: "0",
      proposed_notional: "1500.001",
      new_total: "1500.001",
      limit: "1500.00",
      scope: "symbol",
    },
  });
});

test("total notional sums every symbol and keeps exponents", () => {
  const g = gate();
  g.recordOrder("BBB", d("600.25"));
  g.recordOrder("AAA", d("1000"));
  g.recordOrder("BBB", d("0.75"));
  assert.equal(g.getSymbolNotional("BBB").toString(), "601.00");
  assert.deepEqual(g.checkOrder("CCC", d("899")).details, {
    symbol: "CCC",
    symbol_notional: "899",
    total_notional: "2500.00",
  });
  assert.deepEqual(g.checkOrder("CCC", d("899.01")).toJson(), {
    allowed: false,
    reason: "MAX_NOTIONAL_EXCEEDED",
    details: {
      current_total: "1601.00",
      proposed_notional: "899.01",
      new_total: "2500.01",
      limit: "2500",
      scope: "total",
    },
  });
  // The symbol check comes before the total check.
  assert.equal(g.checkOrder("AAA", d("500.1")).details?.scope, "symbol");
});

test("fills reduce exposure, drop flat symbols and accumulate realized PnL", () => {
  const g = gate();
  g.recordOrder("BBB", d("601.00"));
  g.recordOrder("AAA", d("1000"));
  g.recordFill("BBB", d("-601.00"), d("-75.5"));
  assert.equal(g.getSymbolNotional("BBB").toString(), "0");
  assert.equal(g.totalNotional.toString(), "1000");
  assert.equal(g.totalPnl.toString(), "-75.5");
  // Exactly at -limit is not beyond it.
  assert.deepEqual(g.checkOrder("BBB", d("1")).details, {
    symbol: "BBB",
    symbol_notional: "1",
    total_notional: "1001",
  });
  g.recordFill("AAA", d("-1200"), d("0"));
  assert.equal(g.totalNotional.toString(), "0");
});

test("unrealized PnL counts toward the daily loss limit", () => {
  const g = gate();
  g.recordFill("X", d("0"), d("-75.5"));
  g.updateUnrealizedPnl(d("-0.01"));
  assert.deepEqual(g.checkOrder("X", d("1")).toJson(), {
    allowed: false,
    reason: "DAILY_LOSS_LIMIT_EXCEEDED",
    details: { total_pnl: "-75.51", daily_loss_limit: "75.5" },
  });
  // A later mark replaces (not adds to) the unrealized PnL.
  g.updateUnrealizedPnl(d("0.02"));
  assert.equal(g.checkOrder("X", d("1")).allowed, true);
  assert.equal(g.totalPnl.toString(), "-75.48");
});

test("reset clears exposure and PnL", () => {
  const g = gate();
  g.recordOrder("AAA", d("1400"));
  g.recordFill("AAA", d("0"), d("-100"));
  assert.equal(g.checkOrder("AAA", d("1")).reason, "DAILY_LOSS_LIMIT_EXCEEDED");
  g.reset();
  assert.equal(g.totalNotional.toString(), "0");
  assert.equal(g.totalPnl.toString(), "0");
  assert.equal(g.checkOrder("AAA", d("1400")).allowed, true);
});
