/**
 * Metrics of the live trading loop, read from each engine output:
 *
 * - gating: an output whose gating result comes from a gating check (it has
 *   details, or it blocked) counts once. Blocked: `grinder_gating_blocked_total
 *   {gate, reason}` with the gate that owns the reason (kill switch and
 *   drawdown count under risk_gate). Allowed: `grinder_gating_allowed_total
 *   {gate}` for each gate that passed it: toxicity_gate, risk_gate, and
 *   rate_limiter when it was consulted (details.rate_limiter not null).
 *   Events stopped before the gates (prefilter, controller PAUSE, Top-K
 *   warm-up) count nowhere.
 * - paper and live_trade modes (orders executed): orders placed (paper: PLACE
 *   actions; live_trade: orders the exchange accepted), fills (paper:
 *   simulated; live_trade: reported by the exchange), the kill-switch gauge
 *   and trips, drawdown and high-water mark.
 *   Equity = initial_capital + the sum of each symbol's latest total PnL; the
 *   high-water mark is the engine's drawdown guard's when the kill switch is
 *   enabled (from its drawdown checks), else the highest equity seen; the
 *   drawdown is (mark - equity) / mark in percent, as the run summary's
 *   final_drawdown_pct, so it keeps moving after the kill switch halts.
 */

import { Decimal } from "../../core/decimal.js";
import type { EngineOptions } from "../../kernel/kernel-options.js";
import { GateName, GateReason } from "../../risk/gating/gate-codes.js";
import { KillSwitchReason } from "../../risk/guards/kill-switch.js";
import type { LiveMetricsSink } from "./trading-loop.js";

type Obj = { readonly [key: string]: unknown };

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const GATE_OF_REASON: Readonly<Record<string, GateName>> = {
  [GateReason.RATE_LIMIT_EXCEEDED]: GateName.RATE_LIMITER,
  [GateReason.COOLDOWN_ACTIVE]: GateName.RATE_LIMITER,
  [GateReason.MAX_NOTIONAL_EXCEEDED]: GateName.RISK_GATE,
  [GateReason.DAILY_LOSS_LIMIT_EXCEEDED]: GateName.RISK_GATE,
  [GateReason.MAX_ORDERS_EXCEEDED]: GateName.RISK_GATE,
  [GateReason.SPREAD_SPIKE]: GateName.TOXICITY_GATE,
  [GateReason.PRICE_IMPACT_HIGH]: GateName.TOXICITY_GATE,
  [GateReason.KILL_SWITCH_ACTIVE]: GateName.RISK_GATE,
  [GateReason.DRAWDOWN_LIMIT_EXCEEDED]: GateName.RISK_GATE,
};

/** The gate a blocking reason belongs to. */
export function gateOfReason(reason: string): GateName {
  return GATE_OF_REASON[reason] ?? GateName.RISK_GATE;
}

export interface GatingCount {
  readonly allowed: readonly GateName[];
  readonly blocked: { readonly gate: GateName; readonly reason: string } | undefined;
}

/** What one output contributes to the gating counters (see the file comment). */
export function gatingCountOf(output: Obj): GatingCount {
  const g = output.gating_result;
  if (!isObj(g)) return { allowed: [], blocked: undefined };
  const reason = typeof g.reason === "string" ? g.reason : "";
  if (g.allowed === false) return { allowed: [], blocked: { gate: gateOfReason(reason), reason } };
  if (!isObj(g.details)) return { allowed: [], blocked: undefined };
  const allowed: GateName[] = [GateName.TOXICITY_GATE];
  if (g.details.rate_limiter !== null && g.details.rate_limiter !== undefined)
    allowed.push(GateName.RATE_LIMITER);
  allowed.push(GateName.RISK_GATE);
  return { allowed, blocked: undefined };
}

function arrayLen(v: unknown): number {
  return Array.isArray(v) ? v.length : 0;
}

/** PLACE actions of an output. */
export function placedCountOf(output: Obj): number {
  const actions = output.actions;
  if (!Array.isArray(actions)) return 0;
  return actions.filter((a) => isObj(a) && a.action_type === "PLACE").length;
}

export function fillCountOf(output: Obj): number {
  return arrayLen(output.fills);
}

const HUNDRED = Decimal.fromInt(100);

function dec(v: unknown): Decimal | undefined {
  return typeof v === "string" ? Decimal.tryParse(v) : undefined;
}

/** Equity, drawdown and kill-switch state followed from the outputs. */
export class RiskTracker {
  private readonly pnlBySymbol = new Map<string, Decimal>();
  private hwm: Decimal;
  private drawdown = 0;
  private tripped = false;

  constructor(private readonly o: EngineOptions) {
    this.hwm = o.initial_capital;
  }

  get killSwitchTriggered(): boolean {
    return this.tripped;
  }

  get drawdownPct(): number {
    return this.drawdown;
  }

  get highWaterMark(): Decimal {
    return this.hwm;
  }

  /** Follow one output; returns true when it tripped the kill switch. */
  observe(output: Obj): boolean {
    if (typeof output.symbol === "string") {
      const pnl = isObj(output.pnl_snapshot) ? dec(output.pnl_snapshot.total_pnl) : undefined;
      if (pnl !== undefined) this.pnlBySymbol.set(output.symbol, pnl);
    }
    let equity = this.o.initial_capital;
    for (const p of this.pnlBySymbol.values()) equity = equity.add(p);
    const check = output.drawdown_check;
    if (this.o.kill_switch_enabled) {
      // The engine's guard keeps the mark (it moves only on traded events).
      const hwm = isObj(check) ? dec(check.high_water_mark) : undefined;
      if (hwm !== undefined) this.hwm = hwm;
    } else if (equity.gt(this.hwm)) this.hwm = equity;
    this.drawdown = this.hwm.isPositive()
      ? Math.max(0, this.hwm.sub(equity).div(this.hwm).mul(HUNDRED).toNumber())
      : 0;
    if (output.kill_switch_triggered === true && !this.tripped) {
      this.tripped = true;
      return true;
    }
    return false;
  }
}

/** Applies outputs to the metrics. */
export class LiveMetricsRecorder {
  private risk: RiskTracker;

  constructor(
    private readonly metrics: LiveMetricsSink,
    private readonly o: EngineOptions,
  ) {
    this.risk = new RiskTracker(o);
  }

  /** Start over (a fresh engine); the risk gauges follow at the next output. */
  resetRisk(): RiskTracker {
    this.risk = new RiskTracker(this.o);
    return this.risk;
  }

  get riskState(): RiskTracker {
    return this.risk;
  }

  /**
   * A replayed output: followed into the risk state, published with
   * `publishRisk` when this instance starts trading; no counters (those count
   * this process's work).
   */
  replayed(output: Obj): void {
    this.risk.observe(output);
  }

  /**
   * An output the engine just produced on this instance. `paper`: its orders
   * are executed (paper or live_trade); `countOrders`: count its PLACE
   * actions and fills (paper; live_trade counts what the exchange did, with
   * `exchangeActivity`).
   */
  traded(output: Obj | undefined, paper: boolean, countOrders = paper): void {
    this.metrics.recordEngineEvent();
    if (output === undefined) return;
    const g = gatingCountOf(output);
    for (const gate of g.allowed) this.metrics.recordGatingAllowed(gate);
    if (g.blocked !== undefined) this.metrics.recordGatingBlocked(g.blocked.gate, g.blocked.reason);
    const tripped = this.risk.observe(output);
    if (!paper) return;
    if (countOrders) {
      this.metrics.recordOrdersPlaced(placedCountOf(output));
      this.metrics.recordFills(fillCountOf(output));
    }
    if (tripped) this.metrics.recordKillSwitchTrip(KillSwitchReason.DRAWDOWN_LIMIT);
    this.publishRisk();
  }

  /** live_trade: orders the exchange accepted and fills it reported. */
  exchangeActivity(placed: number, fills: number): void {
    this.metrics.recordOrdersPlaced(placed);
    this.metrics.recordFills(fills);
  }

  /** Push the tracked risk state to the gauges. */
  publishRisk(): void {
    this.metrics.setKillSwitchTriggered(this.risk.killSwitchTriggered);
    this.metrics.setDrawdownPct(this.risk.drawdownPct);
    this.metrics.setHighWaterMark(this.risk.highWaterMark);
  }
}
