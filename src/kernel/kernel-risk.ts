/**
 * The kernel's risk layer: the gates an event must pass before orders are
 * sent (toxicity, rate limit, notional and daily loss), DrawdownGuardV1's
 * intent check, and the drawdown guard that trips the kill switch after the
 * fills. Built from the options; the kernel calls it in the reference order.
 */

import type { JsonValue } from "../core/canonical-json.js";
import { float } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import type { GridPlan } from "../domain/grid-plan.js";
import { GatingResult } from "../risk/gating/gating-result.js";
import { RateLimiter } from "../risk/gating/rate-limiter.js";
import { RiskGate } from "../risk/gating/risk-gate.js";
import { ToxicityGate } from "../risk/gating/toxicity-gate.js";
import { DrawdownGuard } from "../risk/guards/drawdown-guard.js";
import {
  DrawdownGuardV1,
  ddGuardV1ConfigFromOption,
  RiskIntent,
} from "../risk/guards/drawdown-guard-v1.js";
import { KillSwitch, KillSwitchReason } from "../risk/guards/kill-switch.js";
import type { EngineOptions } from "./kernel-options.js";
import type { Exposures } from "./order-admission.js";
import type { Portfolio } from "./portfolio.js";

const ZERO = Decimal.ZERO;

/** What the gating of one event consults (the fixes consult some only when placing). */
export interface GatingAsk {
  readonly ts: number;
  readonly symbol: string;
  /** Notional of the order the risk gate checks (the first level's). */
  readonly notional: Decimal;
  readonly spreadBps: number;
  readonly mid: Decimal;
  readonly consultRateLimiter: boolean;
  readonly consultRiskGate: boolean;
  /** Measured exposures (fix_exposure_limits), else the gate's own notional. */
  readonly exposures: Exposures | undefined;
}

export class KernelRisk {
  readonly rateLimiter: RateLimiter;
  readonly riskGate: RiskGate;
  readonly toxicity: ToxicityGate;
  readonly killSwitch = new KillSwitch();
  readonly drawdownGuard: DrawdownGuard | undefined;
  readonly ddGuardV1: DrawdownGuardV1 | undefined;
  /** Realized PnL already reported to the risk gate (fix_daily_loss_limit). */
  private realizedSeen = ZERO;
  private lastFillSymbol = "";

  constructor(private readonly o: EngineOptions) {
    this.rateLimiter = new RateLimiter({
      maxOrdersPerMinute: o.max_orders_per_minute,
      cooldownMs: o.cooldown_ms,
    });
    this.riskGate = new RiskGate({
      maxNotionalPerSymbol: o.max_notional_per_symbol,
      maxNotionalTotal: o.max_notional_total,
      dailyLossLimit: o.daily_loss_limit,
    });
    this.toxicity = new ToxicityGate({
      maxSpreadBps: o.max_spread_bps,
      maxPriceImpactBps: o.max_price_impact_bps,
      lookbackWindowMs: o.toxicity_lookback_ms,
    });
    if (o.kill_switch_enabled) {
      this.drawdownGuard = new DrawdownGuard(o.initial_capital, o.max_drawdown_pct);
    }
    if (o.dd_guard_v1_enabled) {
      this.ddGuardV1 = new DrawdownGuardV1(ddGuardV1ConfigFromOption(o.dd_guard_v1_config));
    }
  }

  /** The kill switch has tripped and blocks trading. */
  get halted(): boolean {
    return this.o.kill_switch_enabled && this.killSwitch.isTriggered;
  }

  /** A fill was booked on `symbol` (its realized PnL reaches the gate at the next sync). */
  noteFill(symbol: string): void {
    this.lastFillSymbol = symbol;
  }

  /** Realized PnL since the last report to the risk gate (fix_daily_loss_limit). */
  syncPnl(portfolio: Portfolio): void {
    if (!this.o.fix_daily_loss_limit) return;
    const realized = portfolio.realized();
    if (realized === this.realizedSeen) return;
    this.riskGate.recordFill(this.lastFillSymbol, ZERO, realized.sub(this.realizedSeen));
    this.realizedSeen = realized;
  }

  /** fix_daily_loss_limit: the gate sees realized and unrealized PnL before it checks. */
  beforeGating(portfolio: Portfolio): void {
    if (!this.o.fix_daily_loss_limit) return;
    this.syncPnl(portfolio);
    this.riskGate.updateUnrealizedPnl(portfolio.unrealized());
  }

  /** Toxicity, then the rate limiter, then notional and daily loss (the reference's order). */
  gate(a: GatingAsk): GatingResult {
    const tox = this.toxicity.check(a.ts, a.symbol, a.spreadBps, a.mid);
    if (!tox.allowed) return tox;
    const rate = a.consultRateLimiter ? this.rateLimiter.check(a.ts) : undefined;
    if (rate !== undefined && !rate.allowed) return rate;
    let risk: GatingResult | undefined;
    if (a.consultRiskGate) {
      risk =
        a.exposures === undefined
          ? this.riskGate.checkOrder(a.symbol, a.notional)
          : this.riskGate.checkExposure(
              a.symbol,
              a.notional,
              a.exposures.symbol,
              a.exposures.total,
            );
      if (!risk.allowed) return risk;
    }
    return GatingResult.allow({
      rate_limiter: rate?.details ?? null,
      risk_gate: risk?.details ?? null,
    });
  }

  /**
   * DrawdownGuardV1 on the current equity: the decision's JSON when a plan
   * that adds risk is refused, undefined when it may go on.
   */
  ddGuardV1Refusal(plan: GridPlan, symbol: string, portfolio: Portfolio): JsonValue | undefined {
    if (this.ddGuardV1 === undefined) return undefined;
    const initial = this.o.initial_capital;
    let equity = portfolio.equity(initial);
    if (this.o.fix_dd_guard_negative_equity && equity.isNegative()) equity = ZERO;
    this.ddGuardV1.update({
      equityStart: initial,
      equityCurrent: equity,
      symbolLosses: portfolio.symbolLosses(),
    });
    if (plan.levelsUp === 0 && plan.levelsDown === 0) return undefined;
    const decision = this.ddGuardV1.allow(RiskIntent.INCREASE_RISK, symbol);
    return decision.allowed ? undefined : decision.toJson();
  }

  /** The drawdown guard after the fills: its check's JSON, and whether it tripped now. */
  drawdownAfterFills(
    ts: number,
    portfolio: Portfolio,
  ): { readonly check: JsonValue; readonly trippedNow: boolean } {
    if (this.drawdownGuard === undefined) return { check: null, trippedNow: false };
    const equity = portfolio.equity(this.o.initial_capital);
    const dd = this.drawdownGuard.update(equity);
    if (!dd.triggered || this.killSwitch.isTriggered)
      return { check: dd.toJson(), trippedNow: false };
    this.killSwitch.trip(KillSwitchReason.DRAWDOWN_LIMIT, ts, {
      equity: equity.toString(),
      high_water_mark: dd.highWaterMark.toString(),
      drawdown_pct: float(dd.drawdownPct),
      threshold_pct: float(dd.thresholdPct),
    });
    return { check: dd.toJson(), trippedNow: true };
  }

  /** Forget what the selection pass taught the gates (the trading pass starts clean). */
  resetGates(): void {
    this.toxicity.reset();
    this.rateLimiter.reset();
    this.riskGate.reset();
  }
}
