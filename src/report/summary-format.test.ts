import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunSummaryJson } from "./summary.js";
import {
  formatMoney,
  formatSummaryScalar,
  formatSummaryValue,
  isMoneySummaryKey,
  summaryRows,
} from "./summary-format.js";

describe("formatMoney", () => {
  it("rounds half-even to the cent, keeping two significant digits under a cent", () => {
    const cases: [string, string][] = [
      ["1234.5", "1234.50"],
      ["0.125", "0.12"], // a tie: to the even cent
      ["0.135", "0.14"],
      ["-2.285", "-2.28"],
      ["197.90000000000000000000001", "197.90"],
      ["0", "0.00"],
      ["0E-8", "0.00"],
      ["0.0037", "0.0037"],
      ["0.004999", "0.0050"],
      ["-0.00012345", "-0.00012"],
      ["0.0049999", "0.0050"], // rounds to 0.00, so two significant digits
      ["0.005", "0.0050"], // a tie to the even cent (0.00), so two significant digits
    ];
    for (const [v, shown] of cases) assert.equal(formatMoney(v), shown, v);
  });
});

describe("formatSummaryValue", () => {
  const s = {
    return_pct: -0.004,
    max_drawdown_duration_s: 45.4,
    win_rate: 1,
    sharpe: null,
    blocked_by_reason: {},
    orders_filtered: 3,
  } as unknown as RunSummaryJson;

  it("shows percentages, durations, counts, n/a and an empty reason list", () => {
    assert.equal(formatSummaryValue("return_pct", s), "0.00 %"); // never "-0.00"
    assert.equal(formatSummaryValue("max_drawdown_duration_s", s), "45 s");
    assert.equal(
      formatSummaryValue("max_drawdown_duration_s", {
        ...s,
        max_drawdown_duration_s: 2 * 86_400 + 3 * 3600 + 4 * 60 + 5,
      }),
      "183845 s (2d 3h 4m)",
    );
    assert.equal(formatSummaryValue("win_rate", s), "100.00 %");
    assert.equal(formatSummaryValue("sharpe", s), "n/a");
    assert.equal(formatSummaryValue("orders_filtered", s), "3");
    assert.equal(formatSummaryValue("blocked_by_reason", s), "none");
    assert.equal(
      formatSummaryValue("blocked_by_reason", { ...s, blocked_by_reason: { A: 1, B: 2 } }),
      "A=1, B=2",
    );
  });

  it("gives one labelled row per summary key", () => {
    const full: RunSummaryJson = {
      net_pnl: "1",
      gross_pnl: "1.5",
      fees: "0.5",
      funding: "0",
      return_pct: 0.01,
      max_drawdown_pct: 0,
      max_drawdown_duration_s: 0,
      sharpe: null,
      sortino: null,
      calmar: null,
      fills: 2,
      round_trips: 1,
      win_rate: 1,
      turnover: "200",
      maker_share: 0.5,
      time_in_market_pct: 50,
      max_position_notional: "100",
      liquidations: 0,
      max_effective_leverage: null,
      max_margin_use_pct: null,
      liquidation_distance_pct: {},
      orders_submitted: 2,
      orders_cancelled: 0,
      orders_rejected: 0,
      orders_filtered: 0,
      blocked_by_reason: {},
    };
    const rows = summaryRows(full, "USDT");
    assert.equal(rows.length, 22); // spot: the four margin keys are not shown
    assert.deepEqual(rows[0], ["Net PnL", "1.00 USDT"]);
    assert.deepEqual(rows[2], ["Fees", "0.50 USDT"]);
    const usdm: RunSummaryJson = {
      ...full,
      liquidations: 2,
      max_effective_leverage: 3.004999,
      max_margin_use_pct: 60.125,
      liquidation_distance_pct: { BTCUSDT: 9.999, ETHUSDT: null },
    };
    const shown = new Map(summaryRows(usdm, "USDT"));
    assert.equal(shown.size, 26);
    assert.equal(shown.get("Liquidations"), "2");
    assert.equal(shown.get("Max effective leverage"), "3.00x");
    assert.equal(shown.get("Max margin use"), "60.13 %");
    assert.equal(shown.get("Closest to liquidation"), "BTCUSDT 10.00 %, ETHUSDT never open");
  });
});

describe("formatSummaryScalar", () => {
  it("formats one value as formatSummaryValue would, money from a number too", () => {
    assert.equal(formatSummaryScalar("net_pnl", "1234.5", "USDT"), "1234.50 USDT");
    // A number: its shortest decimal (0.1 + 0.2 -> 0.30000000000000004 -> 0.30).
    assert.equal(formatSummaryScalar("net_pnl", 0.1 + 0.2), "0.30");
    assert.equal(formatSummaryScalar("fees", 0.0037), "0.0037");
    assert.equal(formatSummaryScalar("return_pct", 12.3456), "12.35 %");
    assert.equal(formatSummaryScalar("win_rate", 0.6667), "66.67 %");
    assert.equal(formatSummaryScalar("sharpe", -1.005), "-1.00"); // -1.00499999... in binary
    assert.equal(formatSummaryScalar("fills", 96), "96");
    assert.equal(formatSummaryScalar("max_drawdown_duration_s", 9600), "9600 s (2h 40m)");
  });

  it("is undefined for another key and for the keys that are not scalars", () => {
    assert.equal(formatSummaryScalar("profit_factor", 1.5), undefined);
    assert.equal(formatSummaryScalar("blocked_by_reason", 1), undefined);
    assert.equal(formatSummaryScalar("liquidation_distance_pct", 1), undefined);
    assert.equal(formatSummaryScalar("toString", 1), undefined);
  });

  it("tells the money keys", () => {
    assert.deepEqual(
      ["net_pnl", "fees", "turnover", "return_pct", "fills", "toString"].map(isMoneySummaryKey),
      [true, true, true, false, false, false],
    );
  });
});
