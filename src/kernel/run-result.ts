/**
 * The result fields of a run (schema v1, besides its outputs, digest,
 * fixture path and errors): positions, PnL, selection, controller, kill
 * switch and drawdown. The reference profile's keys are the reference
 * engine's; the realistic profile adds its own (profile, fees, funding).
 */

import type { JsonValue } from "../core/canonical-json.js";
import { float } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import type { DrawdownGuard } from "../risk/guards/drawdown-guard.js";
import type { KillSwitch } from "../risk/guards/kill-switch.js";
import type { AdaptiveController } from "../strategy/policy/adaptive-controller.js";
import { controllerDecisionToJson } from "../strategy/policy/controller-types.js";
import { type EngineOptions, optionsJson } from "./kernel-options.js";
import type { Portfolio } from "./portfolio.js";
import { PAPER_SCHEMA_VERSION } from "./tick-output.js";

const HUNDRED = Decimal.fromInt(100);

export interface RunResultParts {
  readonly options: EngineOptions;
  readonly eventsProcessed: number;
  readonly eventsGated: number;
  readonly ordersPlaced: number;
  readonly ordersBlocked: number;
  readonly totalFills: number;
  readonly portfolio: Portfolio;
  readonly selectionFields: Record<string, JsonValue>;
  readonly controller: AdaptiveController;
  readonly killSwitch: KillSwitch;
  readonly drawdownGuard: DrawdownGuard | undefined;
}

export function runResult(p: RunResultParts): Record<string, JsonValue> {
  const o = p.options;
  const pf = p.portfolio;
  const { json: finalPositions, unrealized: totalUnrealized } = pf.finalPositions();
  const realized = pf.realized();
  let controllerDecisions: JsonValue = [];
  if (o.controller_enabled) {
    controllerDecisions = p.controller.getAllSymbols().map((symbol) => ({
      symbol,
      ...(controllerDecisionToJson(p.controller.decide(symbol)) as Record<string, JsonValue>),
    }));
  }
  let finalEquity = "0";
  let hwm = "0";
  let finalDrawdownPct = 0.0;
  if (p.drawdownGuard !== undefined) {
    let equity = o.initial_capital.add(realized).add(totalUnrealized);
    const fees = pf.fees();
    if (!fees.isZero()) equity = equity.sub(fees);
    const funding = pf.funding();
    if (!funding.isZero()) equity = equity.add(funding);
    finalEquity = equity.toString();
    const mark = p.drawdownGuard.highWaterMark;
    hwm = mark.toString();
    if (mark.isPositive()) {
      const dd = mark.sub(equity).div(mark).mul(HUNDRED).toNumber();
      finalDrawdownPct = Math.max(0.0, dd);
    }
  }
  const ks = p.killSwitch;
  return {
    schema_version: PAPER_SCHEMA_VERSION,
    events_processed: p.eventsProcessed,
    events_gated: p.eventsGated,
    orders_placed: p.ordersPlaced,
    orders_blocked: p.ordersBlocked,
    total_fills: p.totalFills,
    final_positions: finalPositions,
    total_realized_pnl: realized.toString(),
    total_unrealized_pnl: totalUnrealized.toString(),
    ...p.selectionFields,
    controller_enabled: o.controller_enabled,
    controller_decisions: controllerDecisions,
    kill_switch_enabled: o.kill_switch_enabled,
    kill_switch_triggered: ks.isTriggered,
    kill_switch_state: ks.isTriggered ? ks.state.toJson() : null,
    final_equity: finalEquity,
    final_drawdown_pct: float(finalDrawdownPct),
    high_water_mark: hwm,
    feature_engine_enabled: o.feature_engine_enabled,
    adaptive_policy_enabled: o.adaptive_policy_enabled,
    topk_v1_enabled: o.topk_v1_enabled,
    // The realistic profile's additions (the reference's result keys stay as they are).
    ...(o.profile === "realistic"
      ? {
          profile: "realistic",
          total_fees: pf.fees().toString(),
          total_funding: pf.funding().toString(),
          options: optionsJson(o) as JsonValue,
        }
      : {}),
  };
}
