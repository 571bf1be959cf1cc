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
import { Decimal } from "../core/decimal.js";
import type { InstrumentSpec } from "../domain/instrument.js";
import type { FundingApplied, OrderCommand, OrderFilled, VenueEvent } from "../domain/orders.js";
import type { Snapshot } from "../domain/snapshot.js";
import { GateReason } from "../risk/gating/gate-codes.js";
import { GatingResult } from "../risk/gating/gating-result.js";
import {
  assumedVolumeFeatures,
  filterResultToJson,
  hardFilter,
} from "../strategy/selection/prefilter.js";
import { CycleEngine, cycleIntentToJson } from "./cycle-engine.js";
import { ExecutionEngine, ExecutionState } from "./execution-engine.js";
import type { OrderRecord } from "./execution-types.js";
import { ActionType, actionToJson, executionEventToJson } from "./execution-types.js";
import { GridPlanner } from "./grid-planner.js";
import { InstrumentBook } from "./instruments.js";
import type { EngineOptions } from "./kernel-options.js";
import { KernelRisk } from "./kernel-risk.js";
import type { AccountState, BookedFill, KernelDecision } from "./kernel-types.js";
import { type AdmissionReason, type OrderRules, orderRulesFor } from "./order-admission.js";
import { Portfolio } from "./portfolio.js";
import { checkPrintedDecimals } from "./reference-quirks.js";
import { runResult } from "./run-result.js";
import type { SmartGridHooks } from "./smart-grid-hooks.js";
import { stopOrders } from "./stop-orders.js";
import { SymbolSelection } from "./symbol-selection.js";
import { type DecidedParts, fillToJson, TickOutput } from "./tick-output.js";

const ONE = Decimal.ONE;

/**
 * How the output of a decided event is finished: `full` (the order path ran:
 * cycle engine and drawdown check after the fills) or `partial` (the output
 * is what was decided, with the fills and PnL of the moment).
 */
type TickKind = "full" | "partial";

interface PendingTick {
  readonly kind: TickKind;
  readonly parts: DecidedParts;
  readonly mid: Decimal;
  /** Top-K v1 rank of a traded symbol's output (undefined: not reported). */
  rank?: number | null;
}

const NO_COMMANDS: readonly OrderCommand[] = Object.freeze([]);
const IDLE: KernelDecision = Object.freeze({ commands: NO_COMMANDS, evaluated: false });

export class TradingKernel {
  private readonly o: EngineOptions;
  private readonly execution: ExecutionEngine;
  private readonly risk: KernelRisk;
  private readonly planner: GridPlanner;
  private readonly cycle: CycleEngine | undefined;
  private readonly smart: SmartGridHooks | undefined;
  private readonly states = new Map<string, ExecutionState>();
  private readonly portfolio: Portfolio;
  /** The realistic profile's instruments and order rules. */
  private readonly realistic: boolean;
  private readonly instruments: InstrumentBook;
  private readonly rules: OrderRules;
  private ordersPlaced = 0;
  private ordersBlocked = 0;
  private ordersRejected = 0;
  private ordersCanceled = 0;
  private ordersFiltered = 0;
  /** The kill switch's cancels (and flatten) were sent. */
  private killSwitchActed = false;
  /** Bumped when an order fills or leaves the book (what balances and refusals depend on). */
  private accountVersion = 0;
  /** Per symbol: bumped with the account version by the symbol's own order events. */
  private readonly symbolVersions = new Map<string, number>();
  private totalFills = 0;
  private eventsGated = 0;
  /** Events blocked, by reason (gate reason, CONTROLLER_PAUSE, DD_GUARD_V1). */
  private readonly blockedByReason = new Map<string, number>();
  /** The decided event whose output `completeTick` makes. */
  private pending: PendingTick | undefined;
  /** Fills since the last output. */
  private tickFills: OrderFilled[] = [];

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
    this.rules = orderRulesFor(options, {
      instruments: this.instruments,
      portfolio: this.portfolio,
      states: this.states,
      accountVersion: () => this.accountVersion,
      symbolVersion: (symbol) => this.symbolVersions.get(symbol) ?? 0,
    });
    this.execution = new ExecutionEngine({
      pricePrecision: options.price_precision,
      quantityPrecision: options.quantity_precision,
    });
    this.risk = new KernelRisk(options);
    this.selection = new SymbolSelection(options.topk_k, options.topk_window_size);
    this.planner = new GridPlanner(options, smart);
    if (options.cycle_enabled) {
      this.cycle = new CycleEngine({
        stepPct: options.cycle_step_pct,
        pricePrecision: options.price_precision,
        quantityPrecision: options.quantity_precision,
      });
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
    this.beginSelection();
    if (this.selectionReadsData) for (const s of snapshots) this.feedSelection(s);
    this.endSelection();
  }

  /**
   * Whether the selection pass reads the snapshots (false when Top-K v1
   * selects look-ahead free during the trading pass): a caller may then skip
   * reading the data for it.
   */
  get selectionReadsData(): boolean {
    return !(this.o.topk_v1_enabled && this.smart !== undefined && this.o.fix_topk_v1_lookahead);
  }

  /** The selection pass fed one snapshot at a time: begin, feed each, end (= selectionPass). */
  beginSelection(): void {
    if (!this.selectionReadsData) {
      // Selection happens during the trading pass, from past data only.
      this.selection.armWarmUp();
      return;
    }
    if (!(this.o.topk_v1_enabled && this.smart !== undefined)) this.selection.beginV0();
  }

  feedSelection(s: Snapshot): void {
    if (!this.selectionReadsData) return;
    if (this.o.topk_v1_enabled && this.smart !== undefined) {
      this.smart.warmUp(s);
      this.risk.toxicity.recordPrice(s.ts, s.symbol, s.midPrice);
      this.portfolio.mark(s.symbol, s.midPrice);
      return;
    }
    this.selection.feedV0(s);
  }

  endSelection(): void {
    if (!this.selectionReadsData) return;
    if (this.o.topk_v1_enabled && this.smart !== undefined) {
      this.selection.selectV1(this.smart, this.risk.toxicity);
      // Second pass starts clean, except for the feature engine (its bars persist).
      this.risk.resetGates();
      this.portfolio.reset();
      this.states.clear();
      this.ordersPlaced = 0;
      this.ordersBlocked = 0;
      this.totalFills = 0;
      return;
    }
    this.selection.endV0();
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
    parts: DecidedParts,
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
        this.risk.toxicity.recordPrice(s.ts, s.symbol, s.midPrice);
        return this.untraded(s, this.smart, "topk_warmup");
      }
      if (step === "select") this.selection.selectV1(this.smart, this.risk.toxicity);
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
  private blocked(s: Snapshot, reason: string, parts: DecidedParts): KernelDecision {
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
    return stopOrders(ts, this.states, this.portfolio, this.o.kill_switch_flatten, (sym, side) =>
      this.execution.nextOrderId(sym, ts, 0, side),
    );
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

    if (this.risk.halted) {
      const stop = this.killSwitchCommands(ts);
      const decision = this.blocked(s, GateReason.KILL_SWITCH_ACTIVE, {
        ts,
        symbol,
        prefilter,
        gating: GatingResult.block(GateReason.KILL_SWITCH_ACTIVE, {
          kill_switch_state: this.risk.killSwitch.state.toJson(),
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

    const multiplier = this.planner.controllerSpacing(s);
    if (multiplier === "PAUSE") {
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
    const plan = this.planner.plan(s, feat, multiplier, () => {
      this.risk.toxicity.recordPrice(ts, symbol, mid);
      return {
        toxicity: this.risk.toxicity.check(ts, symbol, spreadBps, mid),
        killSwitch: this.risk.killSwitch.isTriggered,
      };
    });

    this.risk.toxicity.recordPrice(ts, symbol, mid);
    const pricing = this.rules.pricing(symbol);
    this.risk.beforeGating(this.portfolio);
    const hold = this.rules.holds(symbol);
    // With the fixes, the rate limiter and the exposure limit are consulted only when the
    // event would place orders (asked without pricing the grid where it can be).
    const asked = this.o.fix_rate_limit_when_placing || this.o.fix_exposure_limits;
    const placing =
      !asked || this.execution.wouldPlace(plan, symbol, this.state(symbol), pricing, hold);
    const consultRate = !this.o.fix_rate_limit_when_placing || placing;
    const consultRisk = !this.o.fix_exposure_limits || placing;
    const exposures =
      this.o.fix_exposure_limits && placing ? this.rules.exposures(symbol) : undefined;
    // The first level's notional, which only the risk gate reads.
    const first = plan.sizeSchedule[0] ?? ONE;
    const estimated = !consultRisk
      ? Decimal.ZERO
      : pricing === undefined
        ? first.mul(mid)
        : pricing.quantity(first, mid).mul(mid);
    const gating = this.risk.gate({
      ts,
      symbol,
      notional: estimated,
      spreadBps,
      mid,
      consultRateLimiter: consultRate,
      consultRiskGate: consultRisk,
      exposures,
    });
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

    const ddRefusal = this.risk.ddGuardV1Refusal(plan, symbol, this.portfolio);
    if (ddRefusal !== undefined) {
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
        ddGuardV1Decision: ddRefusal,
      });
    }

    const state = this.state(symbol);
    // An event known to place nothing needs no admission (its balances and exposures unread):
    // the evaluation then has no placement to admit, and both branches below count none.
    const admit =
      this.rules.active && placing
        ? this.rules.admission(symbol, this.refuse, exposures)
        : undefined;
    const result = this.execution.evaluate(plan, symbol, state, ts, pricing, admit, hold);
    if (admit === undefined) {
      for (const a of result.actions) {
        if (a.actionType !== ActionType.PLACE) continue;
        this.risk.rateLimiter.recordOrder(ts);
        if (a.price !== null && a.quantity !== null) {
          this.risk.riskGate.recordOrder(symbol, a.price.mul(a.quantity));
        }
        this.ordersPlaced++;
      }
    } else {
      for (const c of result.commands) {
        if (c.kind !== "SubmitOrder") continue;
        this.risk.rateLimiter.recordOrder(ts);
        if (!this.o.fix_exposure_limits) {
          this.risk.riskGate.recordOrder(symbol, c.price.mul(c.quantity));
        }
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
    if (e.kind !== "OrderAccepted" && e.kind !== "OrderCancelRejected") {
      this.accountVersion++;
      this.symbolVersions.set(e.symbol, (this.symbolVersions.get(e.symbol) ?? 0) + 1);
    }
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
      else state.partlyFilled(order, f.quantity);
    }
    const feeQuote = this.portfolio.applyFill(f);
    this.totalFills++;
    this.risk.noteFill(f.symbol);
    this.tickFills.push(f);
    this.onFillBooked?.({ fill: f, feeQuote, submitTs });
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
    this.risk.syncPnl(this.portfolio);
    const pnl = this.portfolio.pnlSnapshot(ts, symbol, p.mid);
    const fillsJson =
      fills.length > 0 ? fills.map((f) => fillToJson(f, this.realistic)) : undefined;
    if (p.kind === "partial") {
      const out = new TickOutput(p.parts, { pnl, fills: fillsJson });
      if (p.rank !== undefined) out.topkV1Rank = p.rank;
      return out;
    }

    let cycleIntents: JsonValue = [];
    if (this.cycle !== undefined && fills.length > 0) {
      const addsAllowed = !this.risk.killSwitch.isTriggered;
      cycleIntents = this.cycle.processFills(fills, addsAllowed).intents.map(cycleIntentToJson);
    }

    const dd = this.risk.drawdownAfterFills(ts, this.portfolio);

    const out = new TickOutput(p.parts, {
      fills: fillsJson ?? [],
      pnl,
      drawdownCheck: dd.check,
      killSwitchTriggered: dd.trippedNow,
      cycleIntents,
    });
    if (p.rank !== undefined) out.topkV1Rank = p.rank;
    return out;
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
    return runResult({
      options: this.o,
      eventsProcessed,
      eventsGated: this.eventsGated,
      ordersPlaced: this.ordersPlaced,
      ordersBlocked: this.ordersBlocked,
      totalFills: this.totalFills,
      portfolio: this.portfolio,
      selectionFields: this.selection.resultFields(),
      controller: this.planner.controller,
      killSwitch: this.risk.killSwitch,
      drawdownGuard: this.risk.drawdownGuard,
    });
  }
}
