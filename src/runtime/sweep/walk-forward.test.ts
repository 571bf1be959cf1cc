import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bestIndex, compareObjective, parseObjective } from "./objective.js";
import { parseWalkForward, walkForwardWindows } from "./walk-forward.js";

describe("walk-forward windows", () => {
  test("train 30d, test 7d, step 7d over Jan 1 to Mar 31 2026 (hand-counted)", () => {
    const spec = parseWalkForward("train=30d,test=7d");
    assert.deepEqual(spec, { trainDays: 30, testDays: 7, stepDays: 7 });
    const w = walkForwardWindows(spec, "2026-01-01", "2026-03-31");
    // 90 days; a window needs 37; starts at day 0, 7, ..., 49 (49 + 37 = 86 <= 90), 56 + 37 = 93 > 90.
    assert.equal(w.length, 8);
    assert.deepEqual(w[0], {
      index: 0,
      trainFrom: "2026-01-01",
      trainTo: "2026-01-30",
      testFrom: "2026-01-31",
      testTo: "2026-02-06",
    });
    assert.deepEqual(w[7], {
      index: 7,
      trainFrom: "2026-02-19",
      trainTo: "2026-03-20",
      testFrom: "2026-03-21",
      testTo: "2026-03-27",
    });
  });

  test("a step other than the test span; weeks; leap day", () => {
    const w = walkForwardWindows(
      parseWalkForward("train=1w,test=2d,step=3d"),
      "2024-02-20",
      "2024-03-05",
    );
    assert.deepEqual(
      w.map((x) => [x.trainFrom, x.trainTo, x.testFrom, x.testTo]),
      [
        ["2024-02-20", "2024-02-26", "2024-02-27", "2024-02-28"],
        ["2024-02-23", "2024-02-29", "2024-03-01", "2024-03-02"],
        ["2024-02-26", "2024-03-03", "2024-03-04", "2024-03-05"],
      ],
    );
  });

  test("bad specs and too short a range are errors saying what was expected", () => {
    assert.throws(() => parseWalkForward("train=30,test=7d"), /train expects a span like 30d/);
    assert.throws(() => parseWalkForward("test=7d"), /train and test are required/);
    assert.throws(() => parseWalkForward("train=3d,test=1d,foo=2d"), /expected train=Nd/);
    assert.throws(
      () => walkForwardWindows(parseWalkForward("train=3d,test=2d"), "2026-01-01", "2026-01-04"),
      /4 day\(s\); one window needs 5/,
    );
    assert.throws(
      () => walkForwardWindows(parseWalkForward("train=3d,test=2d"), "2026-02-30", "2026-03-09"),
      /--from: expected a day/,
    );
  });
});

describe("objective", () => {
  test("direction stated or by the key's meaning", () => {
    assert.deepEqual(parseObjective("sharpe"), { key: "sharpe", direction: "max" });
    assert.deepEqual(parseObjective("max_drawdown_pct"), {
      key: "max_drawdown_pct",
      direction: "min",
    });
    assert.deepEqual(parseObjective("fees:max"), { key: "fees", direction: "max" });
    assert.throws(() => parseObjective("blocked_by_reason"), /KEY one of/);
    assert.throws(() => parseObjective("sharpe:up"), /max or min/);
  });

  test("ranking: nulls last, first among equals", () => {
    assert.ok(compareObjective(2, 1, "max") < 0);
    assert.ok(compareObjective(2, 1, "min") > 0);
    assert.ok(compareObjective(null, -100, "max") > 0);
    assert.equal(bestIndex([null, 3, 5, 5, 1], "max"), 2);
    assert.equal(bestIndex([null, 3, 5, 5, 1], "min"), 4);
    assert.equal(bestIndex([null, null], "max"), -1);
  });
});
