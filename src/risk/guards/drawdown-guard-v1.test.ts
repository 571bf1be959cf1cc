import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import {
  AllowReason,
  DrawdownGuardV1,
  DrawdownGuardV1Config,
  GuardState,
  RiskIntent,
} from "./drawdown-guard-v1.js";
import { GuardError } from "./guard-error.js";

const d = (s: string): Decimal => Decimal.parse(s);

function guard(): DrawdownGuardV1 {
  return new DrawdownGuardV1(
    new DrawdownGuardV1Config({
      portfolioDdLimit: d("0.15"),
      symbolDdBudgets: { AAA: d("0"), BBB: d("250.0") },
    }),
  );
}

test("stable codes", () => {
  assert.deepEqual(Object.values(GuardState), ["NORMAL", "DRAWDOWN"]);
  assert.deepEqual(Object.values(RiskIntent), ["INCREASE_RISK", "REDUCE_RISK", "CANCEL"]);
  assert.deepEqual(Object.values(AllowReason), [
    "NORMAL_STATE",
    "REDUCE_RISK_ALLOWED",
    "CANCEL_ALWAYS_ALLOWED",
    "DD_PORTFOLIO_BREACH",
    "DD_SYMBOL_BREACH",
  ]);
});

test("config defaults and validation messages", () => {
  const c = new DrawdownGuardV1Config();
  assert.equal(c.portfolioDdLimit.toString(), "0.20");
  assert.equal(c.symbolDdBudgets.size, 0);
  assert.equal(
    new DrawdownGuardV1Config({ portfolioDdLimit: d("1.00") }).portfolioDdLimit.toString(),
    "1.00",
  );
  const cases: [() => unknown, string][] = [
    [
      () => new DrawdownGuardV1Config({ portfolioDdLimit: d("0") }),
      "portfolio_dd_limit must be > 0, got 0",
    ],
    [
      () => new DrawdownGuardV1Config({ portfolioDdLimit: d("-0.1") }),
      "portfolio_dd_limit must be > 0, got -0.1",
    ],
    [
      () => new DrawdownGuardV1Config({ portfolioDdLimit: d("1.000001") }),
      "portfolio_dd_limit must be <= 1.0, got 1.000001",
    ],
    [
      () =>
        new DrawdownGuardV1Config({
          symbolDdBudgets: new Map([
            ["Q", d("5")],
            ["R", d("-0.5")],
          ]),
        }),
      "symbol_dd_budget for R must be >= 0, got -0.5",
    ],
  ];
  for (const [fn, message] of cases) assert.throws(fn, { name: "GuardError", message });
});

test("update validates inputs with the reference messages", () => {
  const g = new DrawdownGuardV1();
  assert.throws(() => g.update({ equityCurrent: d("-0.01"), equityStart: d("3") }), {
    name: "GuardError",
    message: "equity_current must be >= 0, got -0.01",
  });
  assert.throws(() => g.update({ equityCurrent: d("1"), equityStart: d("0E-8") }), {
    message: "equity_start must be > 0, got 0E-8",
  });
  assert.throws(() => g.update({ equityCurrent: d("1"), equityStart: d("-7") }), GuardError);
  assert.throws(
    () => g.update({ equityCurrent: d("1"), equityStart: d("2"), symbolLosses: { X: d("-1E+2") } }),
    { message: "symbol_loss for X must be >= 0 (loss), got -1E+2" },
  );
  // Zero equity is valid: 100% drawdown.
  const s = g.update({ equityCurrent: d("0"), equityStart: d("10") });
  assert.equal(s.portfolioDdPct.toString(), "1");
  assert.equal(s.state, "DRAWDOWN");
});

test("portfolio drawdown is an exact Decimal fraction, clamped at zero", () => {
  const g = guard();
  assert.equal(
    canonicalJson(g.update({ equityCurrent: d("48000.00"), equityStart: d("50000") }).toJson()),
    '{"breached_symbols":[],"portfolio_dd_limit":"0.15","portfolio_dd_pct":"0.04","state":"NORMAL",' +
      '"symbol_dd_budgets":{"AAA":"0","BBB":"250.0"},"symbol_losses":{},"trigger_reason":null}',
  );
  const up = g.update({
    equityCurrent: d("52000.00"),
    equityStart: d("50000"),
    symbolLosses: { BBB: d("10") },
  });
  assert.equal(up.portfolioDdPct.toString(), "0");
  assert.deepEqual(up.toJson().symbol_losses, { BBB: "10" });
  const third = new DrawdownGuardV1().update({ equityCurrent: d("1"), equityStart: d("3") });
  assert.equal(third.portfolioDdPct.toString(), "0.6666666666666666666666666667");
  assert.equal(third.triggerReason, "DD_PORTFOLIO_BREACH");
});

test("portfolio limit: exactly at the limit breaches, just below does not", () => {
  const g = guard();
  assert.equal(g.update({ equityCurrent: d("85.01"), equityStart: d("100") }).state, "NORMAL");
  assert.equal(g.allow(RiskIntent.INCREASE_RISK, "AAA").reason, "NORMAL_STATE");
  const s = g.update({ equityCurrent: d("85"), equityStart: d("100") });
  assert.equal(s.state, "DRAWDOWN");
  assert.equal(s.triggerReason, "DD_PORTFOLIO_BREACH");
  assert.deepEqual(s.breachedSymbols, []);
  assert.deepEqual(g.allow(RiskIntent.INCREASE_RISK, "ZZZ").toJson(), {
    allowed: false,
    reason: "DD_PORTFOLIO_BREACH",
    state: "DRAWDOWN",
    details: { portfolio_dd_pct: "0.15", portfolio_dd_limit: "0.15", symbol: "ZZZ" },
  });
});

test("symbol budgets: loss >= budget breaches, in loss iteration order", () => {
  const g = guard();
  const s = g.update({
    equityCurrent: d("49000"),
    equityStart: d("50000.0"),
    symbolLosses: { CCC: d("1000"), BBB: d("250.00"), AAA: d("0.0") },
  });
  assert.equal(
    canonicalJson(s.toJson()),
    '{"breached_symbols":["BBB","AAA"],"portfolio_dd_limit":"0.15","portfolio_dd_pct":"0.02","state":"DRAWDOWN",' +
      '"symbol_dd_budgets":{"AAA":"0","BBB":"250.0"},"symbol_losses":{"AAA":"0.0","BBB":"250.00","CCC":"1000"},' +
      '"trigger_reason":"DD_SYMBOL_BREACH"}',
  );
  // A zero budget is reported as null.
  assert.deepEqual(g.allow(RiskIntent.INCREASE_RISK, "AAA").toJson(), {
    allowed: false,
    reason: "DD_SYMBOL_BREACH",
    state: "DRAWDOWN",
    details: {
      portfolio_dd_pct: "0.02",
      portfolio_dd_limit: "0.15",
      symbol: "AAA",
      symbol_breached: true,
      symbol_budget: null,
      symbol_loss: "0.0",
    },
  });
  assert.deepEqual(g.allow(RiskIntent.INCREASE_RISK, "BBB").details, {
    portfolio_dd_pct: "0.02",
    portfolio_dd_limit: "0.15",
    symbol: "BBB",
    symbol_breached: true,
    symbol_budget: "250.0",
    symbol_loss: "250.00",
  });
  // The breach is global: other symbols are blocked too, without symbol details.
  assert.deepEqual(g.allow(RiskIntent.INCREASE_RISK, "CCC").details, {
    portfolio_dd_pct: "0.02",
    portfolio_dd_limit: "0.15",
    symbol: "CCC",
  });
  for (const sym of [undefined, null, ""]) {
    assert.deepEqual(g.allow(RiskIntent.INCREASE_RISK, sym).details, {
      portfolio_dd_pct: "0.02",
      portfolio_dd_limit: "0.15",
    });
  }
});

test("a symbol without a budget never breaches", () => {
  const g = guard();
  const s = g.update({
    equityCurrent: d("100"),
    equityStart: d("100"),
    symbolLosses: new Map([["NOBUDGET", d("99999")]]),
  });
  assert.equal(s.state, "NORMAL");
  assert.equal(g.allow(RiskIntent.INCREASE_RISK).allowed, true);
});

test("decision table", () => {
  const g = guard();
  const table = (): string[] =>
    [RiskIntent.INCREASE_RISK, RiskIntent.REDUCE_RISK, RiskIntent.CANCEL].map((i) => {
      const a = g.allow(i, "BBB");
      return `${a.allowed}:${a.reason}:${a.state}`;
    });
  assert.deepEqual(table(), [
    "true:NORMAL_STATE:NORMAL",
    "true:NORMAL_STATE:NORMAL",
    "true:CANCEL_ALWAYS_ALLOWED:NORMAL",
  ]);
  g.update({ equityCurrent: d("1"), equityStart: d("100") });
  assert.deepEqual(table(), [
    "false:DD_PORTFOLIO_BREACH:DRAWDOWN",
    "true:REDUCE_RISK_ALLOWED:DRAWDOWN",
    "true:CANCEL_ALWAYS_ALLOWED:DRAWDOWN",
  ]);
  assert.equal(
    canonicalJson(g.allow(RiskIntent.CANCEL).toJson()),
    '{"allowed":true,"details":null,"reason":"CANCEL_ALWAYS_ALLOWED","state":"DRAWDOWN"}',
  );
});

test("DRAWDOWN latches: values refresh but breached symbols and reason stay", () => {
  const g = guard();
  g.update({
    equityCurrent: d("49000"),
    equityStart: d("50000.0"),
    symbolLosses: { BBB: d("300") },
  });
  const s = g.update({ equityCurrent: d("30000"), equityStart: d("50000.0"), symbolLosses: {} });
  assert.equal(s.state, "DRAWDOWN");
  assert.equal(s.portfolioDdPct.toString(), "0.4");
  assert.equal(s.triggerReason, "DD_SYMBOL_BREACH");
  assert.deepEqual(s.breachedSymbols, ["BBB"]);
  assert.deepEqual(s.toJson().symbol_losses, {});
  // Recovery does not leave DRAWDOWN.
  assert.equal(g.update({ equityCurrent: d("90000"), equityStart: d("50000") }).state, "DRAWDOWN");
  assert.equal(g.isDrawdown, true);
  // Loss defaults to "0" once the losses map no longer has the symbol.
  assert.equal(g.allow(RiskIntent.INCREASE_RISK, "BBB").details?.symbol_loss, "0");
});

test("reset returns to NORMAL and clears state", () => {
  const g = guard();
  g.update({ equityCurrent: d("10"), equityStart: d("100"), symbolLosses: { BBB: d("900") } });
  g.reset();
  assert.equal(g.state, "NORMAL");
  assert.equal(
    canonicalJson(g.snapshot().toJson()),
    '{"breached_symbols":[],"portfolio_dd_limit":"0.15","portfolio_dd_pct":"0","state":"NORMAL",' +
      '"symbol_dd_budgets":{"AAA":"0","BBB":"250.0"},"symbol_losses":{},"trigger_reason":null}',
  );
  assert.equal(g.allow(RiskIntent.INCREASE_RISK, "BBB").allowed, true);
});

test("snapshots are copies", () => {
  const g = guard();
  const s1 = g.update({
    equityCurrent: d("99"),
    equityStart: d("100"),
    symbolLosses: { BBB: d("1") },
  });
  g.update({ equityCurrent: d("98"), equityStart: d("100"), symbolLosses: { BBB: d("2") } });
  assert.equal(s1.symbolLosses.get("BBB")?.toString(), "1");
  assert.equal(s1.portfolioDdPct.toString(), "0.01");
});
