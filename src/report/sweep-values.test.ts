import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SweepTrialRow } from "./sweep-report-data.js";
import { axisValues, formatSweepValue, paramsText, rankTrials } from "./sweep-values.js";

function t(id: string, params: SweepTrialRow["params"], objective: number | null): SweepTrialRow {
  return { id, params, summary: {}, objective };
}

describe("formatSweepValue", () => {
  it("rounds summary keys as the backtest report does, other keys to 4 decimals", () => {
    assert.equal(formatSweepValue("net_pnl", "12.345"), "12.34"); // half-even: a tie goes to the even cent
    assert.equal(formatSweepValue("net_pnl", -3, "USDT"), "-3.00 USDT");
    assert.equal(formatSweepValue("max_drawdown_pct", 0.5), "0.50 %");
    assert.equal(formatSweepValue("profit_factor", 1.23456), "1.2346");
    assert.equal(formatSweepValue("profit_factor", -0.00001), "0.0000");
    assert.equal(formatSweepValue("trades", 7), "7");
    assert.equal(formatSweepValue("profit_factor", "2.5"), "2.5000");
  });

  it("null is n/a, a missing value -, a non-numeric string as it is", () => {
    assert.equal(formatSweepValue("sharpe", null), "n/a");
    assert.equal(formatSweepValue("sharpe", undefined), "-");
    assert.equal(formatSweepValue("mode", "fast"), "fast");
  });
});

describe("axisValues", () => {
  it("sorts numbers and numeric strings numerically, each value once", () => {
    const trials = [
      t("a", { s: 2 }, 1),
      t("b", { s: 0.5 }, 1),
      t("c", { s: 10 }, 1),
      t("d", { s: 2 }, 1),
    ];
    assert.deepEqual(axisValues(trials, "s"), [0.5, 2, 10]);
    const strings = [t("a", { s: "10" }, 1), t("b", { s: "9" }, 1), t("c", { s: "-1" }, 1)];
    assert.deepEqual(axisValues(strings, "s"), ["-1", "9", "10"]);
  });

  it("keeps the first-seen order when any value is not numeric, and tells 1 from '1'", () => {
    const trials = [
      t("a", { m: "slow" }, 1),
      t("b", { m: 1 }, 1),
      t("c", { m: "1" }, 1),
      t("d", { m: true }, 1),
      t("e", { m: "slow" }, 1),
      t("f", {}, 1),
    ];
    assert.deepEqual(axisValues(trials, "m"), ["slow", 1, "1", true]);
  });
});

describe("rankTrials", () => {
  const trials = [t("a", {}, 3), t("b", {}, null), t("c", {}, 5), t("d", {}, 3), t("e", {}, -1)];

  it("max: highest first, ties in trial order, nulls last without a rank", () => {
    assert.deepEqual(
      rankTrials(trials, { key: "k", direction: "max" }).map((r) => [r.trial.id, r.rank]),
      [
        ["c", 1],
        ["a", 2],
        ["d", 3],
        ["e", 4],
        ["b", undefined],
      ],
    );
  });

  it("min: lowest first", () => {
    assert.deepEqual(
      rankTrials(trials, { key: "k", direction: "min" }).map((r) => r.trial.id),
      ["e", "a", "d", "c", "b"],
    );
  });
});

describe("paramsText", () => {
  it("lists the parameters in the given order, - for a missing one", () => {
    assert.equal(paramsText({ b: 2, a: "x" }, ["a", "b", "c"]), "a=x, b=2, c=-");
  });

  it("shows a fraction to 12 significant digits (hiding binary noise), an integer whole", () => {
    assert.equal(
      paramsText({ s: 0.1 + 0.2, n: 1e-7, big: 123456789012345 }, ["s", "n", "big"]),
      "s=0.3, n=1e-7, big=123456789012345",
    );
  });
});
