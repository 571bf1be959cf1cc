import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertClose as close } from "../../test/support/assert-close.js";
import { HAND_PATH as PATH } from "../../test/support/hand-equity-path.js";
import { dec } from "../core/decimal.js";
import { EquityStats } from "./equity-stats.js";

const T0 = Date.UTC(2026, 0, 1); // an hour boundary
const MIN = 60_000;

function run(path: readonly (readonly [number, string, string])[], capital = "1000"): EquityStats {
  const s = new EquityStats(dec(capital));
  for (const [m, equity, notional] of path) {
    s.push({ ts: T0 + m * MIN, equity: dec(equity), positionNotional: dec(notional) });
  }
  return s;
}

describe("EquityStats", () => {
  it("computes drawdown, its duration, Sharpe, Sortino and time in market as by hand", () => {
    const r = run(PATH).result();
    close(r.maxDrawdownPct, 10, "max drawdown %");
    assert.equal(r.maxDrawdownDurationS, 9600);
    assert.equal(r.hourlyReturns, 5);
    close(r.sharpe, (0.04 / Math.sqrt(0.008)) * Math.sqrt(8760), "sharpe");
    close(r.sortino, (0.04 / Math.sqrt(0.002)) * Math.sqrt(8760), "sortino");
    close(r.timeInMarketPct, (140 / 270) * 100, "time in market");
    assert.equal(r.maxPositionNotional.toString(), "200");
    assert.deepEqual([r.firstTs, r.lastTs], [T0, T0 + 270 * MIN]);
  });

  it("measures an unrecovered drawdown to the last point", () => {
    // Peak 1000 at 00:00 (the capital); below it from 00:10 to the end at 02:00.
    const r = run([
      [0, "1000", "0"],
      [10, "900", "0"],
      [120, "950", "0"],
    ]).result();
    close(r.maxDrawdownPct, 10, "max drawdown %");
    assert.equal(r.maxDrawdownDurationS, 120 * 60);
  });

  it("counts time at the peak as no drawdown, and floors negative equity at 100 %", () => {
    const flat = run([
      [0, "1000", "0"],
      [600, "1000", "0"],
      [700, "1200", "0"],
    ]).result();
    assert.deepEqual([flat.maxDrawdownPct, flat.maxDrawdownDurationS], [0, 0]);
    const wiped = run([
      [0, "1000", "0"],
      [1, "-50", "0"],
    ]).result();
    assert.equal(wiped.maxDrawdownPct, 100);
  });

  it("gives null ratios with fewer than two hourly returns or no dispersion", () => {
    // Both points in the first hour: one return.
    const one = run([
      [0, "1000", "0"],
      [30, "1010", "0"],
    ]).result();
    assert.equal(one.hourlyReturns, 1);
    assert.deepEqual([one.sharpe, one.sortino], [null, null]);
    // Flat equity over three hours: returns all 0, no deviation.
    const flat = run([
      [0, "1000", "0"],
      [150, "1000", "0"],
    ]).result();
    assert.equal(flat.hourlyReturns, 3);
    assert.deepEqual([flat.sharpe, flat.sortino], [null, null]);
    // Never below 0: Sortino undefined, Sharpe defined (returns 0.01 then 0: mean 0.005,
    // sample sd sqrt(2 x 0.005^2 / 1)).
    const up = run([
      [0, "1000", "0"],
      [30, "1010", "0"],
      [90, "1010", "0"],
    ]).result();
    assert.equal(up.sortino, null);
    close(up.sharpe, (0.005 / Math.sqrt(2 * 0.005 ** 2)) * Math.sqrt(8760), "sharpe");
  });

  it("is empty without points, spans no time with one, and refuses points out of order", () => {
    const none = new EquityStats(dec("1000")).result();
    assert.deepEqual([none.firstTs, none.timeInMarketPct, none.sharpe], [undefined, null, null]);
    const single = run([[0, "1000", "5"]]).result();
    assert.equal(single.timeInMarketPct, null);
    const s = run([[10, "1000", "0"]]);
    assert.throws(
      () => s.push({ ts: T0, equity: dec("1"), positionNotional: dec("0") }),
      RangeError,
    );
  });

  it("can be read mid-run without changing the final result", () => {
    const s = new EquityStats(dec("1000"));
    for (const [m, equity, notional] of PATH) {
      s.push({ ts: T0 + m * MIN, equity: dec(equity), positionNotional: dec(notional) });
      s.result();
    }
    assert.deepEqual(s.result(), run(PATH).result());
  });
});
