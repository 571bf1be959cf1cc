import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dec } from "../core/decimal.js";
import { GridMode, ResetAction } from "../domain/enums.js";
import { makeGridPlan } from "../domain/grid-plan.js";
import { StaticGridPolicy } from "../strategy/policy/static-grid-policy.js";
import { hardFilter, PREFILTER_DEFAULTS } from "../strategy/selection/prefilter.js";
import { ExecutionEngine, ExecutionState } from "./execution-engine.js";

const engine = () => new ExecutionEngine({ pricePrecision: 2, quantityPrecision: 3 });
const policy = new StaticGridPolicy({ spacingBps: 10, levels: 2, sizePerLevel: dec("1.23456") });

describe("ExecutionEngine v0", () => {
  test("first evaluation places the whole grid with deterministic ids and rounded prices", () => {
    const e = engine();
    const st = new ExecutionState();
    const r = e.evaluate(policy.evaluate(dec("100.00")), "AUSDT", st, 1000);
    assert.deepEqual(
      r.actions.map((a) => `${a.side}:${a.levelId}:${a.price}:${a.quantity}:${a.reason}`),
      [
        "SELL:1:100.10:1.234:RECONCILE_ADD",
        "SELL:2:100.20:1.234:RECONCILE_ADD",
        "BUY:1:99.90:1.234:RECONCILE_ADD",
        "BUY:2:99.80:1.234:RECONCILE_ADD",
      ],
    );
    assert.deepEqual(
      st.liveOrders().map((o) => o.orderId),
      ["AUSDT:1000:1:SELL:1", "AUSDT:1000:2:SELL:2", "AUSDT:1000:1:BUY:3", "AUSDT:1000:2:BUY:4"],
    );
    assert.deepEqual(r.events[0]?.details, {
      placed_count: 4,
      cancelled_count: 0,
      reset_action: "NONE",
    });
  });

  test("NONE reconciles by level key: a moved center places nothing", () => {
    const e = engine();
    const st = new ExecutionState();
    e.evaluate(policy.evaluate(dec("100.00")), "AUSDT", st, 1000);
    const r = e.evaluate(policy.evaluate(dec("101.00")), "AUSDT", st, 2000);
    assert.equal(r.actions.length, 0);
    assert.equal(st.tickCounter, 2);
  });

  test("SOFT replaces non-conforming orders; HARD cancels and rebuilds; PAUSE cancels all", () => {
    const e = engine();
    const st = new ExecutionState();
    e.evaluate(policy.evaluate(dec("100.00")), "AUSDT", st, 1000);
    const soft = makeGridPlan({ ...policy.evaluate(dec("101.00")), resetAction: ResetAction.SOFT });
    const r1 = e.evaluate(soft, "AUSDT", st, 2000);
    assert.equal(r1.actions.filter((a) => a.reason === "SOFT_RESET_REPLACE").length, 8);
    assert.deepEqual(
      st.liveOrders().map((o) => o.price.toString()),
      ["101.10", "101.20", "100.89", "100.79"],
    );
    const hard = makeGridPlan({ ...policy.evaluate(dec("102.00")), resetAction: ResetAction.HARD });
    const r2 = e.evaluate(hard, "AUSDT", st, 3000);
    assert.equal(r2.events[0]?.eventType, "HARD_RESET");
    assert.deepEqual(r2.events[0]?.details, { cancelled_count: 4, placed_count: 4 });
    const pause = makeGridPlan({ ...policy.evaluate(dec("102.00")), mode: GridMode.PAUSE });
    const r3 = e.evaluate(pause, "AUSDT", st, 4000);
    assert.equal(r3.events[0]?.eventType, "CANCEL_ALL_PAUSE");
    assert.equal(st.liveOrders().length, 0);
    assert.ok(r3.actions.every((a) => a.reason === "MODE_PAUSE"));
  });

  test("levels beyond the plan are cancelled (RECONCILE_REMOVE); metrics count actions", () => {
    const e = engine();
    const st = new ExecutionState();
    e.evaluate(policy.evaluate(dec("100.00")), "AUSDT", st, 1000);
    const narrower = new StaticGridPolicy({ spacingBps: 10, levels: 1, sizePerLevel: dec("1") });
    const r = e.evaluate(narrower.evaluate(dec("100.00")), "AUSDT", st, 2000);
    assert.deepEqual(
      r.actions.map((a) => a.reason),
      ["RECONCILE_REMOVE", "RECONCILE_REMOVE"],
    );
    assert.equal(e.metrics.intentsTotal.get("PLACE"), 4);
    assert.equal(e.metrics.intentsTotal.get("CANCEL"), 2);
    assert.equal(e.metrics.execEventsTotal.get("RECONCILE"), 2);
  });

  test("a quantity that rounds to zero is reported but never placed", () => {
    const tiny = new StaticGridPolicy({ spacingBps: 10, levels: 1, sizePerLevel: dec("0.0004") });
    const st = new ExecutionState();
    const r = engine().evaluate(tiny.evaluate(dec("100")), "AUSDT", st, 1);
    assert.equal(r.actions.length, 2);
    assert.equal(st.liveOrders().length, 0);
  });
});

describe("Prefilter v0 hard gates", () => {
  test("gates apply in order and optional features are skipped when absent", () => {
    const base = { spreadBps: 5, vol24hUsd: 50_000_000 };
    assert.equal(hardFilter("X", base).reason, "PASS");
    assert.equal(hardFilter("X", { ...base, spreadBps: 15.01 }).reason, "SPREAD_TOO_HIGH");
    assert.equal(hardFilter("X", { ...base, spreadBps: 15 }).allowed, true);
    assert.equal(hardFilter("X", { ...base, vol24hUsd: 1 }).reason, "VOL_24H_TOO_LOW");
    assert.equal(hardFilter("X", { ...base, vol1hUsd: 1 }).reason, "VOL_1H_TOO_LOW");
    assert.equal(hardFilter("X", { ...base, tradeCount1m: 5 }).reason, "ACTIVITY_TOO_LOW");
    assert.equal(hardFilter("X", { ...base, oiUsd: 5 }).reason, "OI_TOO_LOW");
    assert.equal(
      hardFilter("X", { ...base, isDelisting: true, spreadBps: 99 }).reason,
      "DELISTING",
    );
    const t = { ...PREFILTER_DEFAULTS, blacklist: new Set(["X"]) };
    assert.equal(hardFilter("X", { ...base, isDelisting: true }, t).reason, "BLACKLISTED");
  });
});

describe("StaticGridPolicy v0", () => {
  test("symmetric plan with width = spacing * levels and validated config", () => {
    const p = policy.evaluate(dec("10"));
    assert.equal(p.levelsUp, 2);
    assert.equal(p.levelsDown, 2);
    assert.equal(p.widthBps, 20);
    assert.equal(p.sizeSchedule.length, 2);
    assert.deepEqual([...p.reasonCodes], ["REGIME_RANGE"]);
    assert.throws(
      () => new StaticGridPolicy({ spacingBps: 0, levels: 1, sizePerLevel: dec("1") }),
      /spacing_bps/,
    );
    assert.throws(
      () => new StaticGridPolicy({ spacingBps: 1, levels: 0, sizePerLevel: dec("1") }),
      /levels/,
    );
    assert.throws(
      () => new StaticGridPolicy({ spacingBps: 1, levels: 1, sizePerLevel: dec("0") }),
      /size_per_level/,
    );
  });
});

describe("levels to add: the bit-mask path (up to 30 levels a side) and the set path (more)", () => {
  for (const levels of [3, 30, 33]) {
    test(`${levels} levels a side: the missing, unheld levels are added, and wouldPlace agrees`, () => {
      const e = engine();
      const st = new ExecutionState();
      const p = new StaticGridPolicy({ spacingBps: 1, levels, sizePerLevel: dec("1") });
      const plan = p.evaluate(dec("100.00"));
      e.evaluate(plan, "AUSDT", st, 1000);
      assert.equal(st.liveOrders().length, 2 * levels);
      assert.equal(e.wouldPlace(plan, "AUSDT", st), false);
      // Take out SELL 2, SELL `levels` and BUY 1; BUY 1 is held (its last try was refused).
      const gone = new Set(["SELL:2", `SELL:${levels}`, "BUY:1"]);
      for (const o of st.liveOrders()) {
        if (gone.has(`${o.side}:${o.levelId}`)) st.remove(o.orderId);
      }
      const hold = (side: string, id: number): boolean => side === "BUY" && id === 1;
      assert.equal(e.wouldPlace(plan, "AUSDT", st, undefined, hold), true);
      const onlyHeld = (side: string, id: number): boolean => side === "SELL" || id === 1;
      assert.equal(e.wouldPlace(plan, "AUSDT", st, undefined, onlyHeld), false);
      const r = e.evaluate(plan, "AUSDT", st, 2000, undefined, undefined, hold);
      assert.deepEqual(
        r.actions.map((a) => `${a.actionType}:${a.side}:${a.levelId}`),
        ["PLACE:SELL:2", `PLACE:SELL:${levels}`],
      );
      assert.equal(st.liveOrders().length, 2 * levels - 1);
      assert.equal(e.wouldPlace(plan, "AUSDT", st, undefined, hold), false);
      assert.equal(e.wouldPlace(plan, "AUSDT", st), true);
      // A book that changes after a wouldPlace that found nothing: the reconcile sees the change.
      assert.equal(e.wouldPlace(plan, "AUSDT", st, undefined, hold), false);
      const sell1 = st.liveOrders().find((o) => o.side === "SELL" && o.levelId === 1);
      st.remove(sell1?.orderId ?? "");
      const again = e.evaluate(plan, "AUSDT", st, 3000, undefined, undefined, hold);
      assert.deepEqual(
        again.actions.map((a) => `${a.actionType}:${a.side}:${a.levelId}`),
        ["PLACE:SELL:1"],
      );
      // Nothing missing, asked then reconciled: nothing placed.
      assert.equal(e.wouldPlace(plan, "AUSDT", st, undefined, hold), false);
      const resting = e.evaluate(plan, "AUSDT", st, 4000, undefined, undefined, hold);
      assert.deepEqual(resting.actions, []);
      assert.deepEqual(resting.events, [
        {
          ts: 4000,
          eventType: "RECONCILE",
          symbol: "AUSDT",
          details: { placed_count: 0, cancelled_count: 0, reset_action: "NONE" },
        },
      ]);
      // A narrower plan: nothing to add, but the outer levels go.
      const narrow = new StaticGridPolicy({
        spacingBps: 1,
        levels: levels - 1,
        sizePerLevel: dec("1"),
      });
      const small = narrow.evaluate(dec("100.00"));
      assert.equal(e.wouldPlace(small, "AUSDT", st, undefined, hold), false);
      const shrunk = e.evaluate(small, "AUSDT", st, 5000, undefined, undefined, hold);
      assert.deepEqual(
        shrunk.actions.map((a) => `${a.actionType}:${a.reason}`),
        ["CANCEL:RECONCILE_REMOVE", "CANCEL:RECONCILE_REMOVE"],
      );
      assert.deepEqual(shrunk.events[0]?.details, {
        placed_count: 0,
        cancelled_count: 2,
        reset_action: "NONE",
      });
    });
  }
});
