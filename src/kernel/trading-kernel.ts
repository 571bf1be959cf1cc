/**
 * PaperEngine: the full decision pipeline with simulated fills, one snapshot
 * at a time. Pure: no I/O, no clock; time comes from the snapshots.
 *
 * Per snapshot, in the reference's order:
 *   features (when enabled) -> hard prefilter -> kill-switch check ->
 *   controller decision and policy evaluation -> gating (toxicity, rate limit,
 *   risk) -> DrawdownGuardV1 intent check -> execution reconcile -> fill
 *   simulation -> ledger -> cycle engine -> drawdown check -> output.
 *
 * Top-K selection needs the whole run first (the reference scores every event
 * before trading), so a run is two passes: `selectionPass(all snapshots)`, then
 * `processSnapshot` for each snapshot, then `finish()`.
 */

import type { JsonValue } from "../core/canonical-json.js";
import { canonicalJson, float } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import { OrderSide } from "../domain/enums.js";
import type { GridPlan } from "../domain/grid-plan.js";
import { gridPlanText, gridPlanToJson } from "../domain/grid-plan.js";
import type { Snapshot } from "../domain/snapshot.js";
import { GateReason } from "../risk/gating/gate-codes.js";
import { GatingResult } from "../risk/gating/gating-result.js";
import { RateLimiter } from "../risk/gating/rate-limiter.js";
import { RiskGate } from "../risk/gating/risk-gate.js";
import { ToxicityGate } from "../risk/gating/toxicity-gate.js";
import { DrawdownGuard } from "../risk/guards/drawdown-guard.js";
import {
  DrawdownGuardV1,
  DrawdownGuardV1Config,
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
import { symbolScoreToJson, TopKSelector } from "../strategy/selection/topk-v0.js";
import type { Fill, FillActionInput } from "../venues/reference/reference-fills.js";
import {
  checkPendingFills,
  fillToJson,
  simulateFills,
} from "../venues/reference/reference-fills.js";
import { CycleEngine, cycleIntentToJson } from "./cycle-engine.js";
import { ExecutionEngine, ExecutionState } from "./execution-engine.js";
import type { ExecutionAction, OrderRecord } from "./execution-types.js";
import { ActionType, actionToJson, executionEventToJson } from "./execution-types.js";
import type { EngineOptions } from "./kernel-options.js";
import { Ledger, pnlSnapshotToJson, positionStateToJson } from "./ledger.js";
import { NoOpExchangePort } from "./order-ids.js";
import type { SmartGridHooks } from "./smart-grid-hooks.js";

export const PAPER_SCHEMA_VERSION = "v1";

/** Keys of an output that the digest covers (the rest were added later to schema v1). */
export const DIGEST_KEYS = [
  "ts",
  "symbol",
  "prefilter_result",
  "gating_result",
  "plan",
  "actions",
  "events",
  "blocked_by_gating",
  "fills",
  "pnl_snapshot",
] as const;

/** The digest subset of an output record. */
export function digestView(json: { readonly [key: string]: JsonValue }): JsonValue {
  const out: Record<string, JsonValue> = {};
  for (const k of DIGEST_KEYS) out[k] = json[k] as JsonValue;
  return out;
}

const ZERO = Decimal.ZERO;
const ONE = Decimal.ONE;
const HUNDRED = Decimal.fromInt(100);

interface OutputParts {
  readonly ts: number;
  readonly symbol: string;
  readonly prefilter: JsonValue;
  readonly gating: JsonValue;
  readonly plan?: GridPlan;
  readonly actions?: JsonValue;
  readonly events?: JsonValue;
  readonly blocked: boolean;
  readonly fills?: JsonValue;
  readonly pnl: JsonValue;
  readonly drawdownCheck?: JsonValue;
  readonly killSwitchTriggered?: boolean;
  readonly cycleIntents?: JsonValue;
  readonly features: JsonValue;
  readonly notInTopk?: boolean;
  readonly blockedByDdGuardV1?: boolean;
  readonly ddGuardV1Decision?: JsonValue;
}

const EMPTY: readonly JsonValue[] = Object.freeze([]);

/**
 * One paper output (schema v1). Its canonical text and the digest subset's
 * text are assembled from the parts' texts, each serialized once; the record
 * as an object is built only when asked for (`json`).
 */
export class PaperOutput {
  private readonly p: OutputParts;
  /** Rank in Top-K v1 (set by the engine after processing). */
  topkV1Rank: number | null = null;
  private cachedJson: { readonly [key: string]: JsonValue } | undefined;
  private digestTexts: readonly string[] | undefined;

  constructor(p: OutputParts) {
    this.p = p;
  }

  get blockedByGating(): boolean {
    return this.p.blocked;
  }

  /** The output record (keys of schema v1). */
  get json(): { readonly [key: string]: JsonValue } {
    if (this.cachedJson === undefined) {
      const p = this.p;
      this.cachedJson = {
        actions: p.actions ?? [],
        blocked_by_dd_guard_v1: p.blockedByDdGuardV1 ?? false,
        blocked_by_gating: p.blocked,
        cycle_intents: p.cycleIntents ?? [],
        dd_guard_v1_decision: p.ddGuardV1Decision ?? null,
        drawdown_check: p.drawdownCheck ?? null,
        events: p.events ?? [],
        features: p.features,
        fills: p.fills ?? [],
        gating_result: p.gating,
        kill_switch_triggered: p.killSwitchTriggered ?? false,
        not_in_topk: p.notInTopk ?? false,
        pnl_snapshot: p.pnl,
        plan: p.plan ? gridPlanToJson(p.plan) : null,
        prefilter_result: p.prefilter,
        symbol: p.symbol,
        topk_v1_rank: this.topkV1Rank,
        ts: p.ts,
      };
    }
    return this.cachedJson;
  }

  /** Canonical texts of the digest keys' values, in sorted key order, computed once. */
  private digestValues(): readonly string[] {
    if (this.digestTexts === undefined) {
      const p = this.p;
      this.digestTexts = [
        canonicalJson(p.actions ?? EMPTY),
        String(p.blocked),
        canonicalJson(p.events ?? EMPTY),
        canonicalJson(p.fills ?? EMPTY),
        canonicalJson(p.gating),
        p.plan ? gridPlanText(p.plan) : "null",
        canonicalJson(p.pnl),
        canonicalJson(p.prefilter),
        canonicalJson(p.symbol),
        String(p.ts),
      ];
    }
    return this.digestTexts;
  }

  /** Canonical JSON of the digest subset (what the run's digest hashes). */
  digestText(): string {
    const v = this.digestValues();
    return (
      '{"actions":' +
      v[0] +
      ',"blocked_by_gating":' +
      v[1] +
      ',"events":' +
      v[2] +
      ',"fills":' +
      v[3] +
      ',"gating_result":' +
      v[4] +
      ',"plan":' +
      v[5] +
      ',"pnl_snapshot":' +
      v[6] +
      ',"prefilter_result":' +
      v[7] +
      ',"symbol":' +
      v[8] +
      ',"ts":' +
      v[9] +
      "}"
    );
  }

  /** Canonical JSON of the whole record (keys of schema v1 in sorted order). */
  text(): string {
    if (this.cachedJson !== undefined) return canonicalJson(this.cachedJson);
    const p = this.p;
    const v = this.digestValues();
    return (
      '{"actions":' +
      v[0] +
      ',"blocked_by_dd_guard_v1":' +
      (p.blockedByDdGuardV1 ?? false) +
      ',"blocked_by_gating":' +
      v[1] +
      ',"cycle_intents":' +
      canonicalJson(p.cycleIntents ?? EMPTY) +
      ',"dd_guard_v1_decision":' +
      canonicalJson(p.ddGuardV1Decision ?? null) +
      ',"drawdown_check":' +
      canonicalJson(p.drawdownCheck ?? null) +
      ',"events":' +
      v[2] +
      ',"features":' +
      canonicalJson(p.features) +
      ',"fills":' +
      v[3] +
      ',"gating_result":' +
      v[4] +
      ',"kill_switch_triggered":' +
      (p.killSwitchTriggered ?? false) +
      ',"not_in_topk":' +
      (p.notInTopk ?? false) +
      ',"plan":' +
      v[5] +
      ',"pnl_snapshot":' +
      v[6] +
      ',"prefilter_result":' +
      v[7] +
      ',"symbol":' +
      v[8] +
      ',"topk_v1_rank":' +
      canonicalJson(this.topkV1Rank) +
      ',"ts":' +
      v[9] +
      "}"
    );
  }
}

function output(p: OutputParts): PaperOutput {
  return new PaperOutput(p);
}

/** Thrown where the reference fails to read a zero decimal back from its printed null. */
class ConversionSyntaxError extends Error {
  constructor() {
    super("[<class 'decimal.ConversionSyntax'>]");
  }
}

export class PaperEngine {
  private readonly o: EngineOptions;
  private readonly policy: StaticGridPolicy;
  private readonly port = new NoOpExchangePort();
  private readonly execution: ExecutionEngine;
  private readonly rateLimiter: RateLimiter;
  private readonly riskGate: RiskGate;
  private readonly toxicityGate: ToxicityGate;
  private readonly topk: TopKSelector;
  private readonly controller: AdaptiveController;
  private readonly killSwitch = new KillSwitch();
  private readonly drawdownGuard: DrawdownGuard | undefined;
  private readonly cycle: CycleEngine | undefined;
  private readonly ddGuardV1: DrawdownGuardV1 | undefined;
  private readonly smart: SmartGridHooks | undefined;
  private readonly states = new Map<string, ExecutionState>();
  private readonly ledger = new Ledger();
  private readonly lastPrices = new Map<string, Decimal>();
  private readonly spacedPolicies = new Map<number, StaticGridPolicy>();
  private readonly simulateFills: boolean;
  /** Bumped whenever a mark price or a position changes (memo key of totalUnrealized). */
  private marksVersion = 0;
  private unrealizedMemo: { readonly version: number; readonly value: Decimal } | undefined;
  private ordersPlaced = 0;
  private ordersBlocked = 0;
  private totalFills = 0;
  private eventsGated = 0;

  /** Symbols that trade (after selection); undefined before selectionPass. */
  private selected: ReadonlySet<string> | undefined;
  private readonly rankBySymbol = new Map<string, number>();
  /** Look-ahead-free Top-K v1: selection time (NaN until the first event), then undefined. */
  private pendingSelectionUntil: number | undefined;
  private selectionFields: Record<string, JsonValue> = {
    topk_selected_symbols: [],
    topk_k: 0,
    topk_scores: [],
    topk_v1_selected_symbols: [],
    topk_v1_scores: [],
    topk_v1_gate_excluded: 0,
  };

  /**
   * `venue.simulateFills` false: the engine never fills its own orders; fills
   * come from an exchange through `applyExternalFill` (live trading).
   */
  constructor(
    options: EngineOptions,
    smart?: SmartGridHooks,
    venue: { readonly simulateFills: boolean } = { simulateFills: true },
  ) {
    this.simulateFills = venue.simulateFills;
    this.o = options;
    this.policy = new StaticGridPolicy({
      spacingBps: options.spacing_bps,
      levels: options.levels,
      sizePerLevel: options.size_per_level,
    });
    this.execution = new ExecutionEngine(this.port, {
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
    this.topk = new TopKSelector({ k: options.topk_k, windowSize: options.topk_window_size });
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
      this.ddGuardV1 = new DrawdownGuardV1(ddGuardV1Config(options.dd_guard_v1_config));
    }
    this.smart = smart;
  }

  /** The toxicity gate, shared with the smart-grid hooks (Top-K v1, adaptive policy). */
  get toxicity(): ToxicityGate {
    return this.toxicityGate;
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
      this.pendingSelectionUntil = Number.NaN;
      return;
    }
    if (this.o.topk_v1_enabled && this.smart !== undefined) {
      for (const s of snapshots) {
        this.smart.warmUp(s);
        this.toxicityGate.recordPrice(s.ts, s.symbol, s.midPrice);
        this.setLastPrice(s.symbol, s.midPrice);
      }
      this.applyTopKV1Selection(this.smart);
      // Second pass starts clean, except for the feature engine (its bars persist).
      this.toxicityGate.reset();
      this.rateLimiter.reset();
      this.riskGate.reset();
      this.ledger.reset();
      this.states.clear();
      this.lastPrices.clear();
      this.marksVersion++;
      this.ordersPlaced = 0;
      this.ordersBlocked = 0;
      this.totalFills = 0;
      return;
    }
    this.topk.reset();
    for (const s of snapshots) this.topk.recordPrice(s.ts, s.symbol, s.midPrice);
    const r = this.topk.select();
    this.selected = new Set(r.selected);
    this.selectionFields = {
      ...this.selectionFields,
      topk_selected_symbols: [...r.selected],
      topk_k: r.k,
      topk_scores: r.scores.map(symbolScoreToJson),
    };
  }

  private applyTopKV1Selection(smart: SmartGridHooks): void {
    const sel = smart.selectTopK(this.toxicityGate);
    this.selected = new Set(sel.selected);
    for (const [sym, rank] of sel.ranks) this.rankBySymbol.set(sym, rank);
    this.selectionFields = {
      topk_selected_symbols: [...sel.selected],
      topk_k: sel.k,
      topk_scores: [],
      topk_v1_selected_symbols: [...sel.selected],
      topk_v1_scores: sel.scoresJson,
      topk_v1_gate_excluded: sel.gateExcluded,
    };
  }

  /**
   * Warm-up of the look-ahead-free Top-K v1: until `topk_v1_selection_ms` after
   * the first event, events only feed the features and the toxicity history;
   * the first event past that point makes the selection from what was seen.
   */
  private topKWarmUp(s: Snapshot, smart: SmartGridHooks): PaperOutput | undefined {
    let until = this.pendingSelectionUntil ?? Number.NaN;
    if (Number.isNaN(until)) {
      until = s.ts + this.o.topk_v1_selection_ms;
      this.pendingSelectionUntil = until;
    }
    if (s.ts >= until) {
      this.pendingSelectionUntil = undefined;
      this.applyTopKV1Selection(smart);
      return undefined;
    }
    this.toxicityGate.recordPrice(s.ts, s.symbol, s.midPrice);
    return this.untradedOutput(s, smart, "topk_warmup");
  }

  /** Output for a snapshot of a symbol that does not trade: marks and features only. */
  private untradedOutput(s: Snapshot, smart: SmartGridHooks, reason: string): PaperOutput {
    const pnl = pnlSnapshotToJson(this.ledger.getPnlSnapshot(s.ts, s.symbol, s.midPrice));
    this.setLastPrice(s.symbol, s.midPrice);
    const features = smart.features(s);
    return output({
      ts: s.ts,
      symbol: s.symbol,
      prefilter: { allowed: false, reason },
      gating: GatingResult.allow().toJson(),
      blocked: false,
      pnl,
      features: features?.json ?? null,
      notInTopk: true,
    });
  }

  /**
   * Process one snapshot of the trading pass. Returns undefined for a symbol
   * that Top-K v0 filtered out (the reference drops those events entirely).
   */
  processEvent(s: Snapshot): PaperOutput | undefined {
    if (this.pendingSelectionUntil !== undefined && this.smart !== undefined) {
      const warm = this.topKWarmUp(s, this.smart);
      if (warm !== undefined) return warm;
    }
    if (this.selected !== undefined && !this.selected.has(s.symbol)) {
      if (!this.o.topk_v1_enabled || this.smart === undefined) return undefined;
      return this.untradedOutput(s, this.smart, "not_in_topk");
    }
    const out = this.processSnapshot(s);
    if (this.o.topk_v1_enabled && this.smart !== undefined) {
      out.topkV1Rank = this.rankBySymbol.get(s.symbol) ?? null;
    }
    if (out.blockedByGating) this.eventsGated++;
    return out;
  }

  /**
   * An output for an event that trades nothing. With fix_fills_when_blocked,
   * resting orders are still checked for fills (tick-delay mode), as an
   * exchange would fill them whatever our gates say.
   */
  private blockedOutput(p: OutputParts, s: Snapshot): PaperOutput {
    if (!this.o.fix_fills_when_blocked || this.o.fill_after_ticks === 0) return output(p);
    const state = this.states.get(s.symbol);
    if (state === undefined) return output(p);
    // A blocked event is still a tick of market time for the resting orders.
    state.tickCounter++;
    const fills = this.fillRestingOrders(state, s.ts, s.midPrice);
    if (fills.length === 0) return output(p);
    const pnl = pnlSnapshotToJson(this.ledger.getPnlSnapshot(s.ts, s.symbol, s.midPrice));
    return output({ ...p, fills: fills.map(fillToJson), pnl });
  }

  /** Tick-delay fills of the symbol's resting orders at this mid, applied to the ledger. */
  private fillRestingOrders(state: ExecutionState, ts: number, mid: Decimal): Fill[] {
    const open = state.liveOrders().filter((o) => o.state === "OPEN");
    const r = checkPendingFills(ts, open, mid, state.tickCounter, this.o.fill_after_ticks);
    if (r.filledOrderIds.size > 0) {
      state.markFilled(r.filledOrderIds);
      for (const id of r.filledOrderIds) this.port.markFilled(id);
    }
    this.applyFills(r.fills);
    return r.fills;
  }

  /** Fills into the ledger (and, with fix_daily_loss_limit, their PnL into the risk gate). */
  private applyFills(fills: readonly Fill[]): void {
    if (fills.length === 0) return;
    this.marksVersion++;
    const before = this.o.fix_daily_loss_limit ? this.ledger.getTotalRealizedPnl() : ZERO;
    this.ledger.applyFills(fills);
    this.totalFills += fills.length;
    if (this.o.fix_daily_loss_limit) {
      const delta = this.ledger.getTotalRealizedPnl().sub(before);
      this.riskGate.recordFill((fills[0] as Fill).symbol, ZERO, delta);
    }
  }

  /** The pipeline for one snapshot of a traded symbol. */
  processSnapshot(s: Snapshot): PaperOutput {
    const { symbol, ts } = s;
    const mid = s.midPrice;
    this.setLastPrice(symbol, mid);

    const feat = this.o.feature_engine_enabled && this.smart ? this.smart.features(s) : undefined;
    const featuresJson: JsonValue = feat?.json ?? null;
    const spreadBps = s.spreadBps;
    const filter = hardFilter(symbol, assumedVolumeFeatures(spreadBps));
    const prefilter = filterResultToJson(filter);
    let pnl: JsonValue = pnlSnapshotToJson(this.ledger.getPnlSnapshot(ts, symbol, mid));

    if (this.o.kill_switch_enabled && this.killSwitch.isTriggered) {
      return this.blockedOutput(
        {
          ts,
          symbol,
          prefilter,
          gating: GatingResult.block(GateReason.KILL_SWITCH_ACTIVE, {
            kill_switch_state: this.killSwitch.state.toJson(),
          }).toJson(),
          blocked: true,
          pnl,
          killSwitchTriggered: true,
          features: featuresJson,
        },
        s,
      );
    }
    if (!filter.allowed) {
      return output({
        ts,
        symbol,
        prefilter,
        gating: GatingResult.allow().toJson(),
        blocked: false,
        pnl,
        features: featuresJson,
      });
    }

    let effectiveSpacing = this.o.spacing_bps;
    if (this.o.controller_enabled) {
      this.controller.record(ts, symbol, mid, spreadBps);
      const decision = this.controller.decide(symbol);
      if (decision.mode === ControllerMode.PAUSE) {
        this.ordersBlocked++;
        return this.blockedOutput(
          {
            ts,
            symbol,
            prefilter,
            gating: GatingResult.allow().toJson(),
            blocked: true,
            pnl,
            features: featuresJson,
          },
          s,
        );
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
    const first = plan.sizeSchedule[0];
    const estimated = (first ?? ONE).mul(mid);
    if (this.o.fix_daily_loss_limit) this.riskGate.updateUnrealizedPnl(this.totalUnrealized());
    const consultRate =
      !this.o.fix_rate_limit_when_placing ||
      this.execution.wouldPlace(plan, symbol, this.state(symbol));
    const gating = this.checkGating(ts, symbol, estimated, spreadBps, mid, consultRate);
    if (!gating.allowed) {
      this.ordersBlocked++;
      return this.blockedOutput(
        {
          ts,
          symbol,
          prefilter,
          gating: gating.toJson(),
          plan,
          blocked: true,
          pnl,
          features: featuresJson,
        },
        s,
      );
    }

    if (this.ddGuardV1 !== undefined) {
      const initial = this.o.initial_capital;
      let equity = initial.add(this.ledger.getTotalRealizedPnl()).add(this.totalUnrealized());
      if (this.o.fix_dd_guard_negative_equity && equity.isNegative()) equity = ZERO;
      const losses = new Map<string, Decimal>();
      for (const [sym, price] of this.lastPrices) {
        const total = this.ledger
          .getPosition(sym)
          .realizedPnl.add(this.ledger.getUnrealizedPnl(sym, price));
        if (total.lt(ZERO)) losses.set(sym, total.negate());
      }
      this.ddGuardV1.update({ equityStart: initial, equityCurrent: equity, symbolLosses: losses });
      if (plan.levelsUp > 0 || plan.levelsDown > 0) {
        const decision = this.ddGuardV1.allow(RiskIntent.INCREASE_RISK, symbol);
        if (!decision.allowed) {
          this.ordersBlocked++;
          return this.blockedOutput(
            {
              ts,
              symbol,
              prefilter,
              gating: gating.toJson(),
              plan,
              blocked: false,
              pnl,
              features: featuresJson,
              blockedByDdGuardV1: true,
              ddGuardV1Decision: decision.toJson(),
            },
            s,
          );
        }
      }
    }

    const state = this.state(symbol);
    const result = this.execution.evaluate(plan, symbol, state, ts);
    for (const a of result.actions) {
      if (a.actionType !== ActionType.PLACE) continue;
      this.rateLimiter.recordOrder(ts);
      if (a.price !== null && a.quantity !== null) {
        this.riskGate.recordOrder(symbol, a.price.mul(a.quantity));
      }
      this.ordersPlaced++;
    }
    const actionsJson = result.actions.map(actionToJson);

    let fills: Fill[];
    if (!this.simulateFills) {
      fills = [];
    } else if (this.o.fill_after_ticks === 0) {
      checkPrintedDecimals(result.actions, mid, this.o.fill_mode);
      fills = simulateFills(ts, symbol, result.actions.map(fillInput), mid, this.o.fill_mode);
      this.applyFills(fills);
    } else {
      fills = this.fillRestingOrders(state, ts, mid);
    }
    pnl = pnlSnapshotToJson(this.ledger.getPnlSnapshot(ts, symbol, mid));

    let cycleIntents: JsonValue = [];
    if (this.cycle !== undefined && fills.length > 0) {
      const addsAllowed = !this.killSwitch.isTriggered;
      cycleIntents = this.cycle.processFills(fills, addsAllowed).intents.map(cycleIntentToJson);
    }

    let drawdownCheck: JsonValue = null;
    let trippedNow = false;
    if (this.drawdownGuard !== undefined) {
      const equity = this.o.initial_capital
        .add(this.ledger.getTotalRealizedPnl())
        .add(this.totalUnrealized());
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

    return output({
      ts,
      symbol,
      prefilter,
      gating: gating.toJson(),
      plan,
      actions: actionsJson,
      events: result.events.map(executionEventToJson),
      blocked: false,
      fills: fills.map(fillToJson),
      pnl,
      drawdownCheck,
      killSwitchTriggered: trippedNow,
      cycleIntents,
      features: featuresJson,
    });
  }

  /** Unrealized PnL over every symbol seen, at its last mid (in first-seen order). */
  private setLastPrice(symbol: string, price: Decimal): void {
    this.lastPrices.set(symbol, price);
    this.marksVersion++;
  }

  private totalUnrealized(): Decimal {
    if (this.unrealizedMemo !== undefined && this.unrealizedMemo.version === this.marksVersion) {
      return this.unrealizedMemo.value;
    }
    const value = this.sumUnrealized();
    this.unrealizedMemo = { version: this.marksVersion, value };
    return value;
  }

  private sumUnrealized(): Decimal {
    let total = ZERO;
    for (const [sym, price] of this.lastPrices) {
      total = total.add(this.ledger.getUnrealizedPnl(sym, price));
    }
    return total;
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
  ): GatingResult {
    const tox = this.toxicityGate.check(ts, symbol, spreadBps, mid);
    if (!tox.allowed) return tox;
    const rate = consultRateLimiter ? this.rateLimiter.check(ts) : undefined;
    if (rate !== undefined && !rate.allowed) return rate;
    const risk = this.riskGate.checkOrder(symbol, notional);
    if (!risk.allowed) return risk;
    return GatingResult.allow({ rate_limiter: rate?.details ?? null, risk_gate: risk.details });
  }

  /**
   * Close a symbol's whole position at `price` through the reduce-only path:
   * DrawdownGuardV1 (when enabled) is asked for REDUCE_RISK, which it always
   * allows, even in DRAWDOWN; the closing fill goes to the ledger.
   */
  flattenPosition(symbol: string, price: Decimal, ts: number): JsonValue {
    const pos = this.ledger.getPosition(symbol);
    const result: Record<string, JsonValue> = {
      executed: false,
      reason: "",
      position_before: null,
      position_after: null,
      fill: null,
      dd_guard_v1_decision: null,
    };
    if (pos.quantity.isZero()) {
      result.reason = "NO_POSITION";
      return result;
    }
    result.position_before = positionStateToJson(pos);
    if (this.ddGuardV1 !== undefined) {
      const decision = this.ddGuardV1.allow(RiskIntent.REDUCE_RISK, symbol);
      result.dd_guard_v1_decision = decision.toJson();
      if (!decision.allowed) {
        result.reason = "REDUCE_RISK_BLOCKED";
        return result;
      }
    }
    const side = pos.quantity.isPositive() ? OrderSide.SELL : OrderSide.BUY;
    const fill: Fill = {
      ts,
      symbol,
      side,
      price,
      quantity: pos.quantity.abs(),
      orderId: `flatten_${ts}_${symbol}_${side}_${price.toString()}`,
    };
    this.ledger.applyFill(fill);
    this.marksVersion++;
    this.totalFills++;
    this.setLastPrice(symbol, price);
    result.position_after = positionStateToJson(this.ledger.getPosition(symbol));
    result.fill = fillToJson(fill);
    result.executed = true;
    result.reason = "FLATTEN_EXECUTED";
    return result;
  }

  /** The engine's live orders of a symbol (placement order): what an exchange should hold. */
  openOrders(symbol: string): readonly OrderRecord[] {
    return this.states.get(symbol)?.liveOrders() ?? [];
  }

  /**
   * A fill reported by the exchange for one of the engine's orders: it leaves
   * the open orders, and the ledger, totals and guards see it as they see a
   * simulated fill. Unknown order ids are refused (the caller must reconcile).
   */
  applyExternalFill(fill: Fill, opts: { readonly untracked?: boolean } = {}): void {
    const state = this.states.get(fill.symbol);
    const held = state?.orders.has(fill.orderId) === true;
    if (!held && opts.untracked !== true) {
      throw new Error(`external fill for an order the engine does not hold: ${fill.orderId}`);
    }
    // `untracked`: the exchange executed an order the engine had already let go
    // (cancelled too late); the position must still include it.
    if (held && state !== undefined) {
      state.markFilled([fill.orderId]);
      this.port.markFilled(fill.orderId);
    }
    this.setLastPrice(fill.symbol, this.lastPrices.get(fill.symbol) ?? fill.price);
    this.applyFills([fill]);
  }

  /**
   * Forget one of the engine's open orders without a fill (the exchange lost
   * or rejected it), so that the next reconcile places its grid level again.
   * Returns whether the engine held it.
   */
  dropOrder(symbol: string, orderId: string): boolean {
    const state = this.states.get(symbol);
    if (state === undefined || !state.orders.has(orderId)) return false;
    state.orders.delete(orderId);
    this.port.cancelOrder(orderId);
    return true;
  }

  /** Return DrawdownGuardV1 to NORMAL (the only way out of DRAWDOWN; e.g. at a new session). */
  resetDdGuardV1(): JsonValue {
    if (this.ddGuardV1 === undefined) {
      return {
        reset: false,
        state_before: null,
        state_after: null,
        reason: "DD_GUARD_V1_NOT_ENABLED",
      };
    }
    const before = this.ddGuardV1.state;
    this.ddGuardV1.reset();
    return {
      reset: true,
      state_before: before,
      state_after: this.ddGuardV1.state,
      reason: "RESET_TO_NORMAL",
    };
  }

  /** Result fields other than outputs, digest, fixture_path and errors. */
  finish(eventsProcessed: number): Record<string, JsonValue> {
    const finalPositions: Record<string, JsonValue> = {};
    let totalUnrealized = ZERO;
    for (const [symbol, pos] of this.ledger.getAllPositions()) {
      const last = this.lastPrices.get(symbol) ?? ZERO;
      const unrealized = this.ledger.getUnrealizedPnl(symbol, last);
      totalUnrealized = totalUnrealized.add(unrealized);
      finalPositions[symbol] = {
        quantity: pos.quantity.toString(),
        avg_entry_price: pos.avgEntryPrice.toString(),
        realized_pnl: pos.realizedPnl.toString(),
        unrealized_pnl: unrealized.toString(),
      };
    }
    const realized = this.ledger.getTotalRealizedPnl();
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
      const equity = this.o.initial_capital.add(realized).add(totalUnrealized);
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
      ...this.selectionFields,
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
    };
  }
}

/** An action as the fill simulator reads it (the printed form: zero decimals are null). */
function fillInput(a: ExecutionAction): FillActionInput {
  return {
    action_type: a.actionType,
    order_id: a.orderId,
    side: a.side,
    price: a.price === null || a.price.isZero() ? null : a.price,
    quantity: a.quantity === null || a.quantity.isZero() ? null : a.quantity,
  };
}

/**
 * The reference prints a zero price or quantity as null and then fails to read
 * it back when simulating fills; reproduce that failure at the same point.
 */
function checkPrintedDecimals(
  actions: readonly ExecutionAction[],
  mid: Decimal,
  fillMode: string,
): void {
  for (const a of actions) {
    if (a.actionType !== ActionType.PLACE) continue;
    if (a.price === null || a.price.isZero()) throw new ConversionSyntaxError();
    if (fillMode === "crossing") {
      if (a.side === "BUY" && mid.gt(a.price)) continue;
      if (a.side === "SELL" && mid.lt(a.price)) continue;
    }
    if (a.quantity === null || a.quantity.isZero()) throw new ConversionSyntaxError();
  }
}

function ddGuardV1Config(raw: Readonly<Record<string, unknown>> | null): DrawdownGuardV1Config {
  if (raw === null) return new DrawdownGuardV1Config();
  const toDec = (v: unknown, field: string): Decimal => {
    if (typeof v === "string") return Decimal.parse(v);
    if (typeof v === "number") return Decimal.fromDoubleShortest(v);
    throw new Error(`dd_guard_v1_config.${field}: expected a decimal string`);
  };
  const budgets = new Map<string, Decimal>();
  const rawBudgets = raw.symbol_dd_budgets;
  if (rawBudgets !== undefined && rawBudgets !== null) {
    if (typeof rawBudgets !== "object" || Array.isArray(rawBudgets)) {
      throw new Error("dd_guard_v1_config.symbol_dd_budgets: expected an object");
    }
    for (const [sym, v] of Object.entries(rawBudgets)) {
      budgets.set(sym, toDec(v, `symbol_dd_budgets.${sym}`));
    }
  }
  return new DrawdownGuardV1Config({
    ...(raw.portfolio_dd_limit !== undefined
      ? { portfolioDdLimit: toDec(raw.portfolio_dd_limit, "portfolio_dd_limit") }
      : {}),
    symbolDdBudgets: budgets,
  });
}
