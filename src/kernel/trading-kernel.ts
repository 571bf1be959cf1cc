/**
 * TradingKernel: the decision pipeline of every run, one market event at a
 * time. Pure: no I/O, no clock; time comes from the events.
 *
 * It speaks the order language of `domain/orders.ts`: a market event goes in
 * (`decide`), order commands come out (SubmitOrder, CancelOrder); what the
 * venue did comes back as order events (`onOrderEvent`: accepted, rejected,
 * filled, canceled, expired), and the ledger, positions and guards change only
 * through them. `completeTick` then makes the event's output (schema v1,
 * `tick-output.ts`) from what happened since the last one.
 *
 * Per event, in the reference's order: features (when enabled) -> hard
 * prefilter -> kill-switch check -> controller decision and policy
 * evaluation -> gating (toxicity, rate limit, risk) -> DrawdownGuardV1 intent
 * check -> execution reconcile -> commands; then, after the venue answered:
 * ledger -> cycle engine -> drawdown check -> output.
 *
 * Top-K selection needs the whole run first (the reference scores every event
 * before trading), so a paper run is two passes: `selectionPass(all
 * snapshots)`, then the events, then `finish()`.
 */

import type { JsonValue } from "../core/canonical-json.js";
import { float } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import { OrderSide } from "../domain/enums.js";
import type { GridPlan } from "../domain/grid-plan.js";
import type { InstrumentSpec } from "../domain/instrument.js";
import { pnlSnapshotToJson } from "../domain/ledger.js";
import type { FundingApplied, OrderCommand, OrderFilled, VenueEvent } from "../domain/orders.js";
import type { Snapshot } from "../domain/snapshot.js";
import { GateReason } from "../risk/gating/gate-codes.js";
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
import { AdaptiveController } from "../strategy/policy/adaptive-controller.js";
import { ControllerMode, controllerDecisionToJson } from "../strategy/policy/controller-types.js";
import { StaticGridPolicy } from "../strategy/policy/static-grid-policy.js";
import {
  assumedVolumeFeatures,
  filterResultToJson,
  hardFilter,
} from "../strategy/selection/prefilter.js";
import { CycleEngine, cycleIntentToJson } from "./cycle-engine.js";
import { ExecutionEngine, type ExecutionResult, ExecutionState } from "./execution-engine.js";
import type { OrderRecord } from "./execution-types.js";
import { ActionType, actionToJson, executionEventToJson } from "./execution-types.js";
import { InstrumentBook } from "./instruments.js";
import type { EngineOptions } from "./kernel-options.js";
import { type AdmissionReason, type Exposures, OrderRules } from "./order-admission.js";
import { Portfolio } from "./portfolio.js";
import { checkPrintedDecimals } from "./reference-quirks.js";
import type { SmartGridHooks } from "./smart-grid-hooks.js";
import { SymbolSelection } from "./symbol-selection.js";
import { fillToJson, type OutputParts, PAPER_SCHEMA_VERSION, TickOutput } from "./tick-output.js";

const ZERO = Decimal.ZERO;
const ONE = Decimal.ONE;
const HUNDRED = Decimal.fromInt(100);
const TWO_PERCENT = Decimal.parse("0.02");

/** A fill as the kernel booked it. */
export interface BookedFill {
  readonly fill: OrderFilled;
  /** Its fee in the quote asset. */
  readonly feeQuote: Decimal;
  /** When the order was submitted (undefined for an order the kernel did not hold). */
  readonly submitTs: number | undefined;
}

/** The account as the kernel sees it now (quote asset): equity = capital + realized + unrealized - fees + funding. */
export interface AccountState {
  readonly equity: Decimal;
  readonly realized: Decimal;
  readonly unrealized: Decimal;
  readonly fees: Decimal;
  /** Funding received (negative: paid). */
  readonly funding: Decimal;
  /** Sum of |position| x mark over symbols. */
  readonly positionNotional: Decimal;
}

/** What the kernel decided for one market event. */
export interface KernelDecision {
  /** Commands for the venue, in order. */
  readonly commands: readonly OrderCommand[];
  /**
   * The strategy evaluated the symbol at this event: a tick of the reference
   * venue's clock (resting orders are checked for fills only then).
   */
  readonly evaluated: boolean;
}

/**
 * How the output of a decided event is finished: `full` (the order path ran:
 * cycle engine and drawdown check after the fills) or `partial` (the output
 * is what was decided, with the fills and PnL of the moment).
 */
type TickKind = "full" | "partial";

interface PendingTick {
  readonly kind: TickKind;
  readonly parts: Omit<OutputParts, "pnl" | "fills">;
  readonly mid: Decimal;
  /** Top-K v1 rank of a traded symbol's output (undefined: not reported). */
  rank?: number | null;
}

const NO_COMMANDS: readonly OrderCommand[] = Object.freeze([]);
const isPlace = (a: { readonly actionType: string }): boolean => a.actionType === ActionType.PLACE;
const IDLE: KernelDecision = Object.freeze({ commands: NO_COMMANDS, evaluated: false });

export class TradingKernel {
  private readonly o: EngineOptions;
  private readonly policy: StaticGridPolicy;
  private readonly execution: ExecutionEngine;
  private readonly rateLimiter: RateLimiter;
  private readonly riskGate: RiskGate;
  private readonly toxicityGate: ToxicityGate;
  private readonly controller: AdaptiveController;
  private readonly killSwitch = new KillSwitch();
  private readonly drawdownGuard: DrawdownGuard | undefined;
  private readonly cycle: CycleEngine | undefined;
  private readonly ddGuardV1: DrawdownGuardV1 | undefined;
  private readonly smart: SmartGridHooks | undefined;
  private readonly states = new Map<string, ExecutionState>();
  private readonly portfolio: Portfolio;
  /** The realistic profile's instruments and order rules. */
  private readonly realistic: boolean;
  private readonly instruments: InstrumentBook;
  private readonly rules: OrderRules;
  private readonly spacedPolicies = new Map<number, StaticGridPolicy>();
  private ordersPlaced = 0;
  private ordersBlocked = 0;
  private ordersRejected = 0;
  private ordersCanceled = 0;
  private ordersFiltered = 0;
  /** The kill switch's cancels (and flatten) were sent. */
  private killSwitchActed = false;
  /** Bumped when an order fills or leaves the book (what balances and refusals depend on). */
  private accountVersion = 0;
  private totalFills = 0;
  private eventsGated = 0;
  /** Events blocked, by reason (gate reason, CONTROLLER_PAUSE, DD_GUARD_V1). */
  private readonly blockedByReason = new Map<string, number>();
  /** The decided event whose output `completeTick` makes. */
  private pending: PendingTick | undefined;
  /** Fills since the last output. */
  private tickFills: OrderFilled[] = [];
  /** Realized PnL already reported to the risk gate (fix_daily_loss_limit). */
  private realizedSeenByRiskGate = ZERO;
  private lastFillSymbol = "";

  private readonly selection: SymbolSelection;

  /**
   * `instruments`: exchange filters by symbol (exchangeInfo); the realistic
   * profile derives the others from the data.
   */
  constructor(
    options: EngineOptions,
    smart?: SmartGridHooks,
    instruments: ReadonlyMap<string, InstrumentSpec> = new Map(),
  ) {
    this.o = options;
    this.realistic = options.profile === "realistic";
    this.portfolio = new Portfolio(options.initial_capital);
    this.portfolio.trackCash = options.fix_spot_balances && options.market === "spot";
    this.instruments = new InstrumentBook(instruments);
    const perLevel = options.notional_per_level ?? options.initial_capital.mul(TWO_PERCENT);
    this.rules = new OrderRules({
      notionalPerLevel: (sym) =>
        this.realistic
          ? (options.symbol_overrides?.[sym]?.notional_per_level ?? perLevel)
          : undefined,
      instruments: this.instruments,
      portfolio: this.portfolio,
      states: this.states,
      useInstruments: this.realistic,
      checkExposure: options.fix_exposure_limits,
      checkBalances: options.fix_spot_balances && options.market === "spot",
      checkMargin: this.realistic && options.market === "um",
      capital: options.initial_capital,
      leverage: Decimal.fromInt(options.leverage),
      maxSymbolExposure: options.max_notional_per_symbol,
      maxTotalExposure: options.max_notional_total,
      accountVersion: () => this.accountVersion,
    });
    this.policy = new StaticGridPolicy({
      spacingBps: options.spacing_bps,
      levels: options.levels,
      sizePerLevel: options.size_per_level,
    });
    this.execution = new ExecutionEngine({
      pricePrecision: options.price_precision,
      quantityPrecision: options.quantity_precision,
    });
    this.rateLimiter = new RateLimiter({
      maxOrdersPerMinute: options.max_orders_per_minute,
      cooldownMs: options.cooldown_ms,
    });
    this.riskGate = new RiskGate({
      maxNotionalPerSymbol: options.max_notional_per_symbol,
      maxNotionalTotal: options.max_notional_total,
      dailyLossLimit: options.daily_loss_limit,
    });
    this.toxicityGate = new ToxicityGate({
      maxSpreadBps: options.max_spread_bps,
      maxPriceImpactBps: options.max_price_impact_bps,
      lookbackWindowMs: options.toxicity_lookback_ms,
    });
    this.selection = new SymbolSelection(options.topk_k, options.topk_window_size);
    this.controller = new AdaptiveController({
      windowSize: options.controller_window_size,
      spreadPauseBps: options.controller_spread_pause_bps,
      volWidenBps: options.controller_vol_widen_bps,
      volTightenBps: options.controller_vol_tighten_bps,
      widenMultiplier: options.controller_widen_multiplier,
      tightenMultiplier: options.controller_tighten_multiplier,
    });
    if (options.kill_switch_enabled) {
      this.drawdownGuard = new DrawdownGuard(options.initial_capital, options.max_drawdown_pct);
    }
    if (options.cycle_enabled) {
      this.cycle = new CycleEngine({
        stepPct: options.cycle_step_pct,
        pricePrecision: options.price_precision,
        quantityPrecision: options.quantity_precision,
      });
    }
    if (options.dd_guard_v1_enabled) {
      this.ddGuardV1 = new DrawdownGuardV1(ddGuardV1ConfigFromOption(options.dd_guard_v1_config));
    }
    this.smart = smart;
  }

  private state(symbol: string): ExecutionState {
    let s = this.states.get(symbol);
    if (s === undefined) {
      s = new ExecutionState();
      this.states.set(symbol, s);
    }
    return s;
  }

  /**
   * First pass over every snapshot: choose the symbols that trade. Top-K v1
   * (feature-based) when enabled, else Top-K v0 (volatility proxy).
   */
  selectionPass(snapshots: Iterable<Snapshot>): void {
    if (this.o.topk_v1_enabled && this.smart !== undefined && this.o.fix_topk_v1_lookahead) {
      // Selection happens during the trading pass, from past data only.
      this.selection.armWarmUp();
      return;
    }
    if (this.o.topk_v1_enabled && this.smart !== undefined) {
      for (const s of snapshots) {
        this.smart.warmUp(s);
        this.toxicityGate.recordPrice(s.ts, s.symbol, s.midPrice);
        this.portfolio.mark(s.symbol, s.midPrice);
      }
      this.selection.selectV1(this.smart, this.toxicityGate);
      // Second pass starts clean, except for the feature engine (its bars persist).
      this.toxicityGate.reset();
      this.rateLimiter.reset();
      this.riskGate.reset();
      this.portfolio.reset();
      this.states.clear();
      this.ordersPlaced = 0;
      this.ordersBlocked = 0;
      this.totalFills = 0;
      return;
    }
    this.selection.selectV0(snapshots);
  }

  /** A snapshot of a symbol that does not trade: marks and features only. */
  private untraded(s: Snapshot, smart: SmartGridHooks, reason: string): KernelDecision {
    this.portfolio.mark(s.symbol, s.midPrice);
    const features = smart.features(s);
    return this.hold("partial", s, {
      ts: s.ts,
      symbol: s.symbol,
      prefilter: { allowed: false, reason },
      gating: GatingResult.allow().toJson(),
      blocked: false,
      features: features?.json ?? null,
      notInTopk: true,
    });
  }

  /** Remember the decided output until `completeTick`. */
  private hold(
    kind: TickKind,
    s: Snapshot,
    parts: Omit<OutputParts, "pnl" | "fills">,
    decision: KernelDecision = IDLE,
  ): KernelDecision {
    this.pending = { kind, parts, mid: s.midPrice };
    return decision;
  }

  /**
   * Decide on one market event. Returns the commands for the venue, or
   * undefined for an event of a symbol that Top-K v0 filtered out (the
   * reference drops those events entirely; `completeTick` is not called).
   */
  decide(s: Snapshot): KernelDecision | undefined {
    this.pending = undefined;
    if (this.smart !== undefined) {
      // Look-ahead-free Top-K v1: events before the selection feed features only.
      const step = this.selection.warmUpStep(s.ts, this.o.topk_v1_selection_ms);
      if (step === "warming") {
        this.toxicityGate.recordPrice(s.ts, s.symbol, s.midPrice);
        return this.untraded(s, this.smart, "topk_warmup");
      }
      if (step === "select") this.selection.selectV1(this.smart, this.toxicityGate);
    }
    if (!this.selection.trades(s.symbol)) {
      if (!this.o.topk_v1_enabled || this.smart === undefined) return undefined;
      return this.untraded(s, this.smart, "not_in_topk");
    }
    const decision = this.decideTraded(s);
    const pending = this.pending as PendingTick | undefined;
    if (pending !== undefined) {
      if (pending.parts.blocked) this.eventsGated++;
      if (this.o.topk_v1_enabled && this.smart !== undefined) {
        pending.rank = this.selection.rank(s.symbol);
      }
    }
    return decision;
  }

  /**
   * An event that trades nothing. With fix_fills_when_blocked it is still a
   * tick of the reference venue, whose resting orders may fill whatever our
   * gates say.
   */
  private blocked(
    s: Snapshot,
    reason: string,
    parts: Omit<OutputParts, "pnl" | "fills">,
  ): KernelDecision {
    this.blockedByReason.set(reason, (this.blockedByReason.get(reason) ?? 0) + 1);
    const tick =
      this.o.fix_fills_when_blocked && this.o.fill_after_ticks !== 0 && this.states.has(s.symbol);
    if (tick) (this.states.get(s.symbol) as ExecutionState).tickCounter++;
    return this.hold("partial", s, parts, tick ? { commands: NO_COMMANDS, evaluated: true } : IDLE);
  }

  /**
   * Once, after the kill switch tripped (kill_switch_cancels /
   * kill_switch_flatten): cancel every open order and, when flattening,
   * close every position with a reduce-only market order.
   */
  private killSwitchCommands(ts: number): readonly OrderCommand[] {
    if (this.killSwitchActed || !(this.o.kill_switch_cancels || this.o.kill_switch_flatten)) {
      return NO_COMMANDS;
    }
    this.killSwitchActed = true;
    const out: OrderCommand[] = [];
    for (const [symbol, st] of this.states) {
      for (const o of st.liveOrders()) {
        st.remove(o.orderId);
        out.push({ kind: "CancelOrder", ts, clientOrderId: o.orderId, symbol });
      }
    }
    if (!this.o.kill_switch_flatten) return out;
    for (const [symbol, pos] of this.portfolio.ledger.getAllPositions()) {
      const side = pos.quantity.isPositive() ? OrderSide.SELL : OrderSide.BUY;
      out.push({
        kind: "SubmitOrder",
        ts,
        clientOrderId: this.execution.nextOrderId(symbol, ts, 0, side),
        symbol,
        side,
        price: this.portfolio.markOf(symbol) ?? pos.avgEntryPrice,
        quantity: pos.quantity.abs(),
        levelId: 0,
        actionIndex: 0,
        orderType: "MARKET",
        reduceOnly: true,
      });
    }
    return out;
  }

  /** The pipeline for one snapshot of a traded symbol, up to the commands. */
  private decideTraded(s: Snapshot): KernelDecision {
    const { symbol, ts } = s;
    const mid = s.midPrice;
    this.portfolio.mark(symbol, mid);
    if (this.realistic) this.instruments.observe(s);

    const feat = this.o.feature_engine_enabled && this.smart ? this.smart.features(s) : undefined;
    const featuresJson: JsonValue = feat?.json ?? null;
    const spreadBps = s.spreadBps;
    const filter = hardFilter(symbol, assumedVolumeFeatures(spreadBps));
    const prefilter = filterResultToJson(filter);

    if (this.o.kill_switch_enabled && this.killSwitch.isTriggered) {
      const stop = this.killSwitchCommands(ts);
      const decision = this.blocked(s, GateReason.KILL_SWITCH_ACTIVE, {
        ts,
        symbol,
        prefilter,
        gating: GatingResult.block(GateReason.KILL_SWITCH_ACTIVE, {
          kill_switch_state: this.killSwitch.state.toJson(),
        }).toJson(),
        blocked: true,
        killSwitchTriggered: true,
        features: featuresJson,
      });
      return stop.length === 0 ? decision : { ...decision, commands: stop };
    }
    if (!filter.allowed) {
      return this.hold("partial", s, {
        ts,
        symbol,
        prefilter,
        gating: GatingResult.allow().toJson(),
        blocked: false,
        features: featuresJson,
      });
    }

    let effectiveSpacing = this.o.spacing_bps;
    if (this.o.controller_enabled) {
      this.controller.record(ts, symbol, mid, spreadBps);
      const decision = this.controller.decide(symbol);
      if (decision.mode === ControllerMode.PAUSE) {
        this.ordersBlocked++;
        return this.blocked(s, "CONTROLLER_PAUSE", {
          ts,
          symbol,
          prefilter,
          gating: GatingResult.allow().toJson(),
          blocked: true,
          features: featuresJson,
        });
      }
      effectiveSpacing = this.o.spacing_bps * decision.spacingMultiplier;
    }

    let plan: GridPlan;
    if (this.o.adaptive_policy_enabled && this.smart !== undefined) {
      this.toxicityGate.recordPrice(ts, symbol, mid);
      const preliminary = this.toxicityGate.check(ts, symbol, spreadBps, mid);
      plan = this.smart.adaptivePlan(s, feat, this.killSwitch.isTriggered, preliminary);
    } else if (this.o.controller_enabled && effectiveSpacing !== this.o.spacing_bps) {
      plan = this.spacedPolicy(effectiveSpacing).evaluate(mid);
    } else {
      plan = this.policy.evaluate(mid);
    }

    this.toxicityGate.recordPrice(ts, symbol, mid);
    const pricing = this.rules.pricing(symbol);
    const first = plan.sizeSchedule[0];
    const estimated =
      pricing === undefined
        ? (first ?? ONE).mul(mid)
        : pricing.quantity(first ?? ONE, mid).mul(mid);
    if (this.o.fix_daily_loss_limit) {
      this.syncRiskGatePnl();
      this.riskGate.updateUnrealizedPnl(this.portfolio.unrealized());
    }
    // With the fixes, the rate limiter and the exposure limit are consulted only for placements.
    const hold = this.rules.holds(symbol);
    // With the fixes, the rate limiter and the exposure limit are consulted only for
    // placements: the reconcile is made first (and applied below if the event passes).
    let planned: ExecutionResult | undefined;
    if (this.o.fix_rate_limit_when_placing || this.o.fix_exposure_limits) {
      planned = this.execution.reconcile(plan, symbol, this.state(symbol), ts, pricing, hold);
    }
    const placing = planned === undefined || planned.actions.some(isPlace);
    const consultRate = !this.o.fix_rate_limit_when_placing || placing;
    const consultRisk = !this.o.fix_exposure_limits || placing;
    const exposures =
      this.o.fix_exposure_limits && placing ? this.rules.exposures(symbol) : undefined;
    const gating = this.checkGating(
      ts,
      symbol,
      estimated,
      spreadBps,
      mid,
      consultRate,
      consultRisk,
      exposures,
    );
    if (!gating.allowed) {
      this.ordersBlocked++;
      return this.blocked(s, gating.reason, {
        ts,
        symbol,
        prefilter,
        gating: gating.toJson(),
        plan,
        blocked: true,
        features: featuresJson,
      });
    }

    if (this.ddGuardV1 !== undefined) {
      const initial = this.o.initial_capital;
      let equity = this.portfolio.equity(initial);
      if (this.o.fix_dd_guard_negative_equity && equity.isNegative()) equity = ZERO;
      this.ddGuardV1.update({
        equityStart: initial,
        equityCurrent: equity,
        symbolLosses: this.portfolio.symbolLosses(),
      });
      if (plan.levelsUp > 0 || plan.levelsDown > 0) {
        const decision = this.ddGuardV1.allow(RiskIntent.INCREASE_RISK, symbol);
        if (!decision.allowed) {
          this.ordersBlocked++;
          return this.blocked(s, "DD_GUARD_V1", {
            ts,
            symbol,
            prefilter,
            gating: gating.toJson(),
            plan,
            blocked: false,
            features: featuresJson,
            blockedByDdGuardV1: true,
            ddGuardV1Decision: decision.toJson(),
          });
        }
      }
    }

    const state = this.state(symbol);
    const admit = this.rules.active
      ? this.rules.admission(symbol, this.refuse, exposures)
      : undefined;
    const result =
      planned === undefined
        ? this.execution.evaluate(plan, symbol, state, ts, pricing, admit, hold)
        : this.execution.applyReconciled(planned, state, ts, admit);
    if (admit === undefined) {
      for (const a of result.actions) {
        if (a.actionType !== ActionType.PLACE) continue;
        this.rateLimiter.recordOrder(ts);
        if (a.price !== null && a.quantity !== null) {
          this.riskGate.recordOrder(symbol, a.price.mul(a.quantity));
        }
        this.ordersPlaced++;
      }
    } else {
      for (const c of result.commands) {
        if (c.kind !== "SubmitOrder") continue;
        this.rateLimiter.recordOrder(ts);
        if (!this.o.fix_exposure_limits) this.riskGate.recordOrder(symbol, c.price.mul(c.quantity));
        this.ordersPlaced++;
      }
    }
    if (!this.realistic && this.o.fill_after_ticks === 0) {
      checkPrintedDecimals(result.actions, mid, this.o.fill_mode);
    }
    return this.hold(
      "full",
      s,
      {
        ts,
        symbol,
        prefilter,
        gating: gating.toJson(),
        plan,
        actions: result.actions.map(actionToJson),
        events: result.events.map(executionEventToJson),
        blocked: false,
        features: featuresJson,
      },
      { commands: result.commands, evaluated: true },
    );
  }

  /**
   * What a venue did with an order: the order book, ledger and counters
   * follow. A fill of an order the kernel does not hold (placed before a
   * restart, or filled after the kernel let it go) still moves the position.
   */
  onOrderEvent(e: VenueEvent): void {
    if (e.kind !== "OrderAccepted" && e.kind !== "OrderCancelRejected") this.accountVersion++;
    switch (e.kind) {
      case "FundingApplied":
        this.portfolio.applyFunding(e.payment);
        this.onFundingBooked?.(e);
        return;
      case "OrderFilled":
        this.applyFill(e);
        return;
      case "OrderAccepted": {
        const o = this.states.get(e.symbol)?.orders.get(e.clientOrderId);
        if (o !== undefined && o.state === "PENDING") o.state = "OPEN";
        return;
      }
      case "OrderRejected":
        this.ordersRejected++;
        this.states.get(e.symbol)?.remove(e.clientOrderId);
        return;
      case "OrderCanceled":
      case "OrderExpired":
        this.ordersCanceled++;
        this.states.get(e.symbol)?.remove(e.clientOrderId);
        return;
      case "OrderCancelRejected":
        return;
    }
  }

  /** An order the rules did not let through: counted by reason. */
  private readonly refuse = (reason: AdmissionReason): void => {
    this.ordersFiltered++;
    this.blockedByReason.set(reason, (this.blockedByReason.get(reason) ?? 0) + 1);
  };

  /** Told of every funding payment as it is booked (exports); unset: no cost. */
  onFundingBooked: ((f: FundingApplied) => void) | undefined;

  /** Told of every fill as it is booked (reports, exports); unset: no cost. */
  onFillBooked: ((b: BookedFill) => void) | undefined;

  /** The account now: equity = capital + realized + unrealized - fees. */
  account(): AccountState {
    return {
      equity: this.portfolio.equity(this.o.initial_capital),
      realized: this.portfolio.realized(),
      unrealized: this.portfolio.unrealized(),
      fees: this.portfolio.fees(),
      funding: this.portfolio.funding(),
      positionNotional: this.portfolio.positionNotional(),
    };
  }

  private applyFill(f: OrderFilled): void {
    const state = this.states.get(f.symbol);
    const order = state?.orders.get(f.clientOrderId);
    const submitTs = order?.createdTs;
    if (order !== undefined && state !== undefined) {
      if (f.leavesQuantity.isZero()) state.remove(f.clientOrderId);
      else {
        order.filledQuantity = order.filledQuantity.add(f.quantity);
        order.openNotional = undefined;
        order.state = "PARTIALLY_FILLED";
      }
    }
    const feeQuote = this.portfolio.applyFill(f);
    this.totalFills++;
    this.lastFillSymbol = f.symbol;
    this.tickFills.push(f);
    this.onFillBooked?.({ fill: f, feeQuote, submitTs });
  }

  /** Realized PnL since the last report to the risk gate (fix_daily_loss_limit). */
  private syncRiskGatePnl(): void {
    const realized = this.portfolio.realized();
    if (realized === this.realizedSeenByRiskGate) return;
    this.riskGate.recordFill(this.lastFillSymbol, ZERO, realized.sub(this.realizedSeenByRiskGate));
    this.realizedSeenByRiskGate = realized;
  }

  /**
   * The output of the decided event, with the fills booked since the last
   * output and the PnL after them. On the order path, the cycle engine sees
   * the fills and the drawdown guard the equity.
   */
  completeTick(): TickOutput {
    const p = this.pending;
    if (p === undefined) throw new Error("completeTick without a decided event");
    this.pending = undefined;
    const fills = this.tickFills;
    if (fills.length > 0) this.tickFills = [];
    const { ts, symbol } = p.parts;
    if (this.o.fix_daily_loss_limit) this.syncRiskGatePnl();
    const pnl = pnlSnapshotToJson(this.portfolio.pnlSnapshot(ts, symbol, p.mid));
    const fillsJson =
      fills.length > 0 ? fills.map((f) => fillToJson(f, this.realistic)) : undefined;
    if (p.kind === "partial") {
      const out = new TickOutput({ ...p.parts, pnl, ...(fillsJson ? { fills: fillsJson } : {}) });
      if (p.rank !== undefined) out.topkV1Rank = p.rank;
      return out;
    }

    let cycleIntents: JsonValue = [];
    if (this.cycle !== undefined && fills.length > 0) {
      const addsAllowed = !this.killSwitch.isTriggered;
      cycleIntents = this.cycle.processFills(fills, addsAllowed).intents.map(cycleIntentToJson);
    }

    let drawdownCheck: JsonValue = null;
    let trippedNow = false;
    if (this.drawdownGuard !== undefined) {
      const equity = this.portfolio.equity(this.o.initial_capital);
      const dd = this.drawdownGuard.update(equity);
      drawdownCheck = dd.toJson();
      if (dd.triggered && !this.killSwitch.isTriggered) {
        this.killSwitch.trip(KillSwitchReason.DRAWDOWN_LIMIT, ts, {
          equity: equity.toString(),
          high_water_mark: dd.highWaterMark.toString(),
          drawdown_pct: float(dd.drawdownPct),
          threshold_pct: float(dd.thresholdPct),
        });
        trippedNow = true;
      }
    }

    const out = new TickOutput({
      ...p.parts,
      fills: fillsJson ?? [],
      pnl,
      drawdownCheck,
      killSwitchTriggered: trippedNow,
      cycleIntents,
    });
    if (p.rank !== undefined) out.topkV1Rank = p.rank;
    return out;
  }

  private spacedPolicy(spacingBps: number): StaticGridPolicy {
    let p = this.spacedPolicies.get(spacingBps);
    if (p === undefined) {
      p = new StaticGridPolicy({
        spacingBps,
        levels: this.o.levels,
        sizePerLevel: this.o.size_per_level,
      });
      this.spacedPolicies.set(spacingBps, p);
    }
    return p;
  }

  private checkGating(
    ts: number,
    symbol: string,
    notional: Decimal,
    spreadBps: number,
    mid: Decimal,
    consultRateLimiter: boolean,
    consultRiskGate: boolean,
    exposures: Exposures | undefined,
  ): GatingResult {
    const tox = this.toxicityGate.check(ts, symbol, spreadBps, mid);
    if (!tox.allowed) return tox;
    const rate = consultRateLimiter ? this.rateLimiter.check(ts) : undefined;
    if (rate !== undefined && !rate.allowed) return rate;
    let risk: GatingResult | undefined;
    if (!consultRiskGate) risk = undefined;
    else if (exposures !== undefined) {
      risk = this.riskGate.checkExposure(symbol, notional, exposures.symbol, exposures.total);
    } else risk = this.riskGate.checkOrder(symbol, notional);
    if (risk !== undefined && !risk.allowed) return risk;
    return GatingResult.allow({
      rate_limiter: rate?.details ?? null,
      risk_gate: risk?.details ?? null,
    });
  }

  /** What happened to orders so far (counts). */
  orderCounts(): {
    readonly placed: number;
    readonly blocked: number;
    readonly rejected: number;
    readonly canceled: number;
    /** Orders not submitted: under the venue's filters or over the balance. */
    readonly filtered: number;
    readonly fills: number;
  } {
    return {
      placed: this.ordersPlaced,
      blocked: this.ordersBlocked,
      rejected: this.ordersRejected,
      canceled: this.ordersCanceled,
      filtered: this.ordersFiltered,
      fills: this.totalFills,
    };
  }

  /** Events blocked so far, by reason. */
  blockedCounts(): ReadonlyMap<string, number> {
    return this.blockedByReason;
  }

  /** The kernel's live orders of a symbol (placement order): what a venue should hold. */
  openOrders(symbol: string): readonly OrderRecord[] {
    return this.states.get(symbol)?.liveOrders() ?? [];
  }

  /** Result fields other than outputs, digest, fixture_path and errors. */
  finish(eventsProcessed: number): Record<string, JsonValue> {
    const { json: finalPositions, unrealized: totalUnrealized } = this.portfolio.finalPositions();
    const realized = this.portfolio.realized();
    let controllerDecisions: JsonValue = [];
    if (this.o.controller_enabled) {
      controllerDecisions = this.controller.getAllSymbols().map((symbol) => ({
        symbol,
        ...(controllerDecisionToJson(this.controller.decide(symbol)) as Record<string, JsonValue>),
      }));
    }
    let finalEquity = "0";
    let hwm = "0";
    let finalDrawdownPct = 0.0;
    if (this.drawdownGuard !== undefined) {
      let equity = this.o.initial_capital.add(realized).add(totalUnrealized);
      const fees = this.portfolio.fees();
      if (!fees.isZero()) equity = equity.sub(fees);
      const funding = this.portfolio.funding();
      if (!funding.isZero()) equity = equity.add(funding);
      finalEquity = equity.toString();
      const mark = this.drawdownGuard.highWaterMark;
      hwm = mark.toString();
      if (mark.isPositive()) {
        const dd = mark.sub(equity).div(mark).mul(HUNDRED).toNumber();
        finalDrawdownPct = Math.max(0.0, dd);
      }
    }
    return {
      schema_version: PAPER_SCHEMA_VERSION,
      events_processed: eventsProcessed,
      events_gated: this.eventsGated,
      orders_placed: this.ordersPlaced,
      orders_blocked: this.ordersBlocked,
      total_fills: this.totalFills,
      final_positions: finalPositions,
      total_realized_pnl: realized.toString(),
      total_unrealized_pnl: totalUnrealized.toString(),
      ...this.selection.resultFields(),
      controller_enabled: this.o.controller_enabled,
      controller_decisions: controllerDecisions,
      kill_switch_enabled: this.o.kill_switch_enabled,
      kill_switch_triggered: this.killSwitch.isTriggered,
      kill_switch_state: this.killSwitch.isTriggered ? this.killSwitch.state.toJson() : null,
      final_equity: finalEquity,
      final_drawdown_pct: float(finalDrawdownPct),
      high_water_mark: hwm,
      feature_engine_enabled: this.o.feature_engine_enabled,
      adaptive_policy_enabled: this.o.adaptive_policy_enabled,
      topk_v1_enabled: this.o.topk_v1_enabled,
      // The realistic profile's additions (the reference's result keys stay as they are).
      ...(this.realistic
        ? {
            profile: "realistic",
            total_fees: this.portfolio.fees().toString(),
            total_funding: this.portfolio.funding().toString(),
          }
        : {}),
    };
  }
}
