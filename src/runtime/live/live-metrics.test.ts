import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../../core/decimal.js";
import { applyOptions, defaultOptions } from "../../kernel/kernel-options.js";
import { GateName } from "../../risk/gating/gate-codes.js";
import { gateOfReason, gatingCountOf, placedCountOf, RiskTracker } from "./live-metrics.js";

describe("live metrics from outputs", () => {
  it("counts a gating check once: blocked by the owning gate, allowed by each gate passed", () => {
    assert.deepEqual(
      gatingCountOf({ gating_result: { allowed: false, reason: "COOLDOWN_ACTIVE", details: {} } }),
      { allowed: [], blocked: { gate: GateName.RATE_LIMITER, reason: "COOLDOWN_ACTIVE" } },
    );
    assert.deepEqual(
      gatingCountOf({
        gating_result: {
          allowed: true,
          reason: "PASS",
          details: { rate_limiter: { orders_in_window: 1 }, risk_gate: {} },
        },
      }).allowed,
      [GateName.TOXICITY_GATE, GateName.RATE_LIMITER, GateName.RISK_GATE],
    );
    assert.deepEqual(
      gatingCountOf({
        gating_result: { allowed: true, reason: "PASS", details: { rate_limiter: null } },
      }).allowed,
      [GateName.TOXICITY_GATE, GateName.RISK_GATE],
      "rate limiter not consulted",
    );
    assert.deepEqual(
      gatingCountOf({ gating_result: { allowed: true, reason: "PASS", details: null } }),
      { allowed: [], blocked: undefined },
      "stopped before the gates (prefilter, PAUSE): no count",
    );
    assert.equal(gateOfReason("SPREAD_SPIKE"), GateName.TOXICITY_GATE);
    assert.equal(gateOfReason("KILL_SWITCH_ACTIVE"), GateName.RISK_GATE);
    assert.equal(
      placedCountOf({
        actions: [{ action_type: "PLACE" }, { action_type: "CANCEL" }, { action_type: "PLACE" }],
      }),
      2,
    );
  });

  it("follows equity, high-water mark and drawdown from the per-symbol PnL", () => {
    const o = applyOptions(defaultOptions(), { initial_capital: "1000" }, "test");
    const r = new RiskTracker(o);
    const pnl = (symbol: string, total: string) => ({
      symbol,
      pnl_snapshot: { total_pnl: total },
    });
    r.observe(pnl("A", "50"));
    r.observe(pnl("B", "-10"));
    assert.equal(r.highWaterMark.toString(), "1050");
    assert.equal(r.drawdownPct, 0.9523809523809523, "10 / 1050 in exact decimals, then float");
    r.observe(pnl("A", "-90"));
    assert.equal(r.highWaterMark.toString(), "1050");
    assert.equal(
      r.drawdownPct,
      Decimal.parse("150").div(Decimal.parse("1050")).mul(Decimal.fromInt(100)).toNumber(),
    );
    assert.equal(r.killSwitchTriggered, false);
    assert.equal(r.observe({ ...pnl("A", "-90"), kill_switch_triggered: true }), true, "the trip");
    assert.equal(
      r.observe({ ...pnl("A", "-95"), kill_switch_triggered: true }),
      false,
      "no second trip",
    );
    assert.equal(r.killSwitchTriggered, true);
  });

  it("takes the mark from the engine's drawdown guard when the kill switch is enabled", () => {
    const o = applyOptions(
      defaultOptions(),
      { initial_capital: "1000", kill_switch_enabled: true },
      "test",
    );
    const r = new RiskTracker(o);
    r.observe({
      symbol: "A",
      pnl_snapshot: { total_pnl: "20" },
      drawdown_check: { high_water_mark: "1030", drawdown_pct: 0.97 },
    });
    assert.equal(r.highWaterMark.toString(), "1030");
    r.observe({ symbol: "A", pnl_snapshot: { total_pnl: "-3" }, drawdown_check: null });
    assert.equal(r.highWaterMark.toString(), "1030");
    assert.equal(
      r.drawdownPct,
      Decimal.parse("33").div(Decimal.parse("1030")).mul(Decimal.fromInt(100)).toNumber(),
    );
  });
});
