/**
 * ExecutionEngine v0: turns a GridPlan into place/cancel actions by reconciling
 * the desired grid levels against the symbol's open orders.
 *
 * - PAUSE / EMERGENCY: cancel every open order.
 * - HARD reset: cancel everything and place the whole grid again.
 * - SOFT reset: replace orders whose price or quantity no longer conform.
 * - NONE: cancel orders at levels the plan no longer has, add missing levels.
 *
 * Level prices are `center * (1 ± spacing/10000)^i`, multiplied step by step in
 * exact decimals and rounded down to the price precision, as in the reference.
 */

import { Decimal } from "../core/decimal.js";
import { GridMode, OrderSide, OrderState, ResetAction } from "../domain/enums.js";
import type { GridPlan } from "../domain/grid-plan.js";
import type { OrderCommand } from "../domain/orders.js";
import type { ExecutionAction, ExecutionEvent, OrderRecord } from "./execution-types.js";
import { ActionType, openNotionalOf } from "./execution-types.js";
import { OrderIdSequence } from "./order-ids.js";

export interface GridLevel {
  readonly levelId: number;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
}

/**
 * Per-symbol execution state: the orders we track (insertion-ordered) and the
 * evaluation tick counter. Only live orders (submitted, accepted or partly
 * filled) are kept; terminal ones are dropped, which changes nothing
 * observable and keeps memory flat over long runs.
 */
export class ExecutionState {
  readonly orders = new Map<string, OrderRecord>();
  tickCounter = 0;
  /** Bumped whenever a live order is added, removed or partly filled (memo key). */
  private version = 0;
  private memo: (OpenOrdersSummary & { readonly version: number }) | undefined;

  /** Changes whenever a live order is added, removed or partly filled. */
  get bookVersion(): number {
    return this.version;
  }

  /** Live orders of this state, in placement order. */
  liveOrders(): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const o of this.orders.values()) if (isLive(o)) out.push(o);
    return out;
  }

  /** A new order on the book. */
  add(o: OrderRecord): void {
    this.orders.set(o.orderId, o);
    this.version++;
  }

  /** An order left the book (filled, cancelled, expired or rejected). */
  remove(orderId: string): boolean {
    this.version++;
    return this.orders.delete(orderId);
  }

  /** Part of a live order was executed. */
  partlyFilled(o: OrderRecord, quantity: Decimal): void {
    o.filledQuantity = o.filledQuantity.add(quantity);
    o.openNotional = undefined;
    o.state = OrderState.PARTIALLY_FILLED;
    this.version++;
  }

  /**
   * What the live orders hold, summed once per change of the book (the
   * realistic order rules read it at every decision).
   */
  openSummary(): OpenOrdersSummary {
    const m = this.memo;
    if (m !== undefined && m.version === this.version) return m;
    let notional = ZERO;
    let buyNotional = ZERO;
    let sellLeft = ZERO;
    for (const o of this.orders.values()) {
      if (!isLive(o)) continue;
      const n = openNotionalOf(o);
      notional = notional.add(n);
      if (o.side === OrderSide.BUY) buyNotional = buyNotional.add(n);
      else sellLeft = sellLeft.add(o.quantity.sub(o.filledQuantity));
    }
    this.memo = { version: this.version, notional, buyNotional, sellLeft };
    return this.memo;
  }
}

/** Sums over a symbol's live orders. */
export interface OpenOrdersSummary {
  /** price x what is left, over every live order. */
  readonly notional: Decimal;
  /** The same over the BUYs (the quote they reserve). */
  readonly buyNotional: Decimal;
  /** What is left of the SELLs (the base they reserve). */
  readonly sellLeft: Decimal;
}

function isLive(o: OrderRecord): boolean {
  return (
    o.state === OrderState.PENDING ||
    o.state === OrderState.OPEN ||
    o.state === OrderState.PARTIALLY_FILLED
  );
}

/** The plan's level count on a side (a one-sided mode has none on the other side). */
function levelsOn(plan: GridPlan, side: OrderSide): number {
  if (side === OrderSide.SELL) return plan.mode !== GridMode.UNI_LONG ? plan.levelsUp : 0;
  return plan.mode !== GridMode.UNI_SHORT ? plan.levelsDown : 0;
}

/** Whether level `id` of `side` is one of the plan's (else an order there is cancelled). */
function inPlan(plan: GridPlan, side: OrderSide, id: number): boolean {
  return Number.isInteger(id) && id >= 1 && id <= levelsOn(plan, side);
}

/** Levels with a live order, one bit per level and side (filled by liveLevelMasks). */
const masks = { sell: 0, buy: 0 };

/** Sets `masks` from the live orders among `orders` (no allocation per event). */
function liveLevelMasks(orders: Iterable<OrderRecord>): void {
  masks.sell = 0;
  masks.buy = 0;
  for (const o of orders) {
    if (!isLive(o)) continue;
    const id = o.levelId;
    if (!Number.isInteger(id) || id < 1 || id > MASK_LEVELS) continue; // matches no level
    if (o.side === OrderSide.SELL) masks.sell |= 1 << id;
    else masks.buy |= 1 << id;
  }
}

/** A level of a side, as levelsToAdd lists it. */
type LevelKey = readonly [OrderSide, number];

const NO_LEVELS: readonly LevelKey[] = [];

/**
 * The plan's levels that have no live order among `orders` and are not held,
 * SELL 1..n then BUY 1..n: what a reconcile adds (no price needed to know
 * them). `firstOnly`: stop at the first (whether there is any, asked at every
 * event by the realistic path). No allocation when there is none.
 */
function levelsToAdd(
  plan: GridPlan,
  orders: Iterable<OrderRecord>,
  hold: LevelHold | undefined,
  firstOnly = false,
): readonly LevelKey[] {
  const sells = levelsOn(plan, OrderSide.SELL);
  const buys = levelsOn(plan, OrderSide.BUY);
  let keys: Set<number> | undefined;
  if (sells <= MASK_LEVELS && buys <= MASK_LEVELS) liveLevelMasks(orders);
  else {
    // Signed key per live order: +level for SELL, -level for BUY.
    keys = new Set<number>();
    for (const o of orders)
      if (isLive(o)) keys.add(o.side === OrderSide.SELL ? o.levelId : -o.levelId);
  }
  const sellMask = masks.sell;
  const buyMask = masks.buy;
  let out: LevelKey[] | undefined;
  // Two plain loops (one per side): a single loop over both sides ran at twice the cost.
  for (let i = 1; i <= sells; i++) {
    if (keys === undefined ? (sellMask & (1 << i)) !== 0 : keys.has(i)) continue;
    if (hold?.(OrderSide.SELL, i) === true) continue;
    if (out === undefined) out = [];
    out.push([OrderSide.SELL, i]);
    if (firstOnly) return out;
  }
  for (let i = 1; i <= buys; i++) {
    if (keys === undefined ? (buyMask & (1 << i)) !== 0 : keys.has(-i)) continue;
    if (hold?.(OrderSide.BUY, i) === true) continue;
    if (out === undefined) out = [];
    out.push([OrderSide.BUY, i]);
    if (firstOnly) return out;
  }
  return out ?? NO_LEVELS;
}

const NO_ACTIONS: readonly ExecutionAction[] = Object.freeze([]);

/** The RECONCILE event of a reconcile without a mode change or a hard reset. */
function reconcileEvent(
  ts: number,
  symbol: string,
  placed: number,
  cancelled: number,
  resetAction: ResetAction,
): ExecutionEvent {
  return {
    ts,
    eventType: "RECONCILE",
    symbol,
    details: { placed_count: placed, cancelled_count: cancelled, reset_action: resetAction },
  };
}

/** Whether every live order of `state` is a level of the plan (none to cancel). */
function allInPlan(plan: GridPlan, state: ExecutionState): boolean {
  for (const o of state.orders.values()) {
    if (isLive(o) && !inPlan(plan, o.side, o.levelId)) return false;
  }
  return true;
}

/** Levels per side up to which levelsToAdd keeps the live levels as bit masks. */
const MASK_LEVELS = 30;

/**
 * How a level's raw price and scheduled size become an order's price and
 * quantity. Without one, the reference's rounding applies: both down to
 * price_precision / quantity_precision decimals.
 */
export interface LevelPricing {
  price(raw: Decimal, side: OrderSide): Decimal;
  quantity(scheduled: Decimal, price: Decimal): Decimal;
}

/** Whether an order may be sent (false: it is not submitted; the caller counts why). */
export type OrderAdmission = (
  symbol: string,
  side: OrderSide,
  price: Decimal,
  quantity: Decimal,
  levelId: number,
) => boolean;

/** Levels not to add now (their last attempt was refused and nothing has changed since). */
export type LevelHold = (side: OrderSide, levelId: number) => boolean;

export interface ExecutionResult {
  readonly actions: readonly ExecutionAction[];
  readonly events: readonly ExecutionEvent[];
}

/** A reconcile applied to the state: its actions and events, and the commands to send. */
export interface AppliedExecution extends ExecutionResult {
  readonly commands: readonly OrderCommand[];
}

export interface ExecutionEngineConfig {
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
}

/** Counters of what execution did (intents by action type, events by type). */
export class ExecutionMetrics {
  readonly intentsTotal = new Map<string, number>();
  readonly execEventsTotal = new Map<string, number>();

  record(result: ExecutionResult): void {
    for (const a of result.actions) {
      this.intentsTotal.set(a.actionType, (this.intentsTotal.get(a.actionType) ?? 0) + 1);
    }
    for (const e of result.events) {
      this.execEventsTotal.set(e.eventType, (this.execEventsTotal.get(e.eventType) ?? 0) + 1);
    }
  }
}

const BPS = 10000;
const ZERO = Decimal.ZERO;

export class ExecutionEngine {
  private readonly ids: OrderIdSequence;
  private readonly pricePrecision: number;
  private readonly quantityPrecision: number;
  readonly metrics = new ExecutionMetrics();
  /** Decimal factors by float spacing, so the hot path parses each once. */
  private readonly factorCache = new Map<number, Decimal>();
  /**
   * The last wouldPlace that found no level to add (a plan without reset):
   * the reconcile that follows on the same plan, book and holds skips the
   * same search. Read once, by the next reconcile.
   */
  private noneToAdd:
    | {
        readonly plan: GridPlan;
        readonly state: ExecutionState;
        readonly version: number;
        readonly hold: LevelHold | undefined;
      }
    | undefined;

  constructor(cfg: ExecutionEngineConfig, ids = new OrderIdSequence()) {
    this.ids = ids;
    this.pricePrecision = cfg.pricePrecision;
    this.quantityPrecision = cfg.quantityPrecision;
  }

  /** A new client order id from the run's sequence (orders made outside a reconcile). */
  nextOrderId(symbol: string, ts: number, levelId: number, side: OrderSide): string {
    return this.ids.next(symbol, ts, levelId, side);
  }

  /** `Decimal(str(x))` of a float, memoised. */
  private factor(x: number): Decimal {
    let d = this.factorCache.get(x);
    if (d === undefined) {
      d = Decimal.fromDoubleShortest(x);
      if (this.factorCache.size < 4096) this.factorCache.set(x, d);
    }
    return d;
  }

  /** Desired levels of a plan: SELL levels first (1..up), then BUY levels (1..down). */
  computeGridLevels(plan: GridPlan, pricing?: LevelPricing): GridLevel[] {
    if (plan.mode === GridMode.PAUSE || plan.mode === GridMode.EMERGENCY) return [];
    const grid = this.lazyGrid(plan, pricing);
    const levels: GridLevel[] = [];
    const sells = levelsOn(plan, OrderSide.SELL);
    for (let i = 1; i <= sells; i++) levels.push(grid(OrderSide.SELL, i));
    const buys = levelsOn(plan, OrderSide.BUY);
    for (let i = 1; i <= buys; i++) levels.push(grid(OrderSide.BUY, i));
    return levels;
  }

  /**
   * The plan's levels computed on demand: level i's raw price is the centre
   * times (1 +- spacing)^i, multiplied step by step (so each side's chain is
   * extended only as far as asked), then rounded and sized for that level
   * alone. A resting grid with one level to replace costs one level.
   */
  private lazyGrid(
    plan: GridPlan,
    pricing: LevelPricing | undefined,
  ): (side: OrderSide, levelId: number) => GridLevel {
    const skewed = plan.centerPrice.mul(this.factor(1 + plan.skewBps / BPS));
    const up = this.factor(1 + plan.spacingBps / BPS);
    const down = this.factor(1 - plan.spacingBps / BPS);
    const schedule = plan.sizeSchedule;
    const raw = { SELL: [skewed], BUY: [skewed] };
    const made = { SELL: new Map<number, GridLevel>(), BUY: new Map<number, GridLevel>() };
    return (side, levelId) => {
      const done = made[side].get(levelId);
      if (done !== undefined) return done;
      const chain = raw[side];
      const factor = side === OrderSide.SELL ? up : down;
      while (chain.length <= levelId) chain.push((chain[chain.length - 1] as Decimal).mul(factor));
      const rawPrice = chain[levelId] as Decimal;
      const scheduled = schedule[Math.min(levelId - 1, schedule.length - 1)] as Decimal;
      let level: GridLevel;
      if (pricing === undefined) {
        level = {
          levelId,
          side,
          price: rawPrice.quantize(this.pricePrecision, "ROUND_DOWN"),
          quantity: scheduled.quantize(this.quantityPrecision, "ROUND_DOWN"),
        };
      } else {
        const price = pricing.price(rawPrice, side);
        level = { levelId, side, price, quantity: pricing.quantity(scheduled, price) };
      }
      made[side].set(levelId, level);
      return level;
    };
  }

  /** The actions and events a reconcile would produce, without applying them. */
  reconcile(
    plan: GridPlan,
    symbol: string,
    state: ExecutionState,
    ts: number,
    pricing?: LevelPricing,
    hold?: LevelHold,
  ): ExecutionResult {
    const known = this.noneToAdd;
    this.noneToAdd = undefined;
    const nothingMissing =
      known !== undefined &&
      known.plan === plan &&
      known.state === state &&
      known.version === state.bookVersion &&
      known.hold === hold;
    if (
      nothingMissing &&
      plan.resetAction === ResetAction.NONE &&
      plan.mode !== GridMode.PAUSE &&
      plan.mode !== GridMode.EMERGENCY &&
      allInPlan(plan, state)
    ) {
      // A resting grid: every live order is a level of the plan and none is missing.
      return { actions: NO_ACTIONS, events: [reconcileEvent(ts, symbol, 0, 0, plan.resetAction)] };
    }
    const current = state.liveOrders();
    const actions: ExecutionAction[] = [];
    const events: ExecutionEvent[] = [];
    const cancel = (o: OrderRecord, reason: string): void => {
      actions.push({
        actionType: ActionType.CANCEL,
        orderId: o.orderId,
        symbol,
        side: null,
        price: null,
        quantity: null,
        levelId: 0,
        reason,
      });
    };
    const place = (l: GridLevel, reason: string): void => {
      actions.push({
        actionType: ActionType.PLACE,
        orderId: null,
        symbol,
        side: l.side,
        price: l.price,
        quantity: l.quantity,
        levelId: l.levelId,
        reason,
      });
    };

    if (plan.mode === GridMode.PAUSE || plan.mode === GridMode.EMERGENCY) {
      for (const o of current) cancel(o, "MODE_" + plan.mode);
      events.push({
        ts,
        eventType: "CANCEL_ALL_" + plan.mode,
        symbol,
        details: { cancelled_count: current.length },
      });
    } else if (plan.resetAction === ResetAction.HARD) {
      for (const o of current) cancel(o, "HARD_RESET");
      const levels = this.computeGridLevels(plan, pricing);
      for (const l of levels) place(l, "HARD_RESET");
      events.push({
        ts,
        eventType: "HARD_RESET",
        symbol,
        details: { cancelled_count: current.length, placed_count: levels.length },
      });
    } else {
      // Level keys are known without prices: SELL 1..levelsUp, BUY 1..levelsDown. Prices
      // (a chain of exact multiplications per side) are computed only when an order must be
      // placed or, on a SOFT reset, compared: a resting grid costs no decimal arithmetic.
      let grid: ((side: OrderSide, id: number) => GridLevel) | undefined;
      const levelAt = (side: OrderSide, id: number): GridLevel => {
        grid ??= this.lazyGrid(plan, pricing);
        return grid(side, id);
      };
      const missing = nothingMissing ? NO_LEVELS : levelsToAdd(plan, current, hold);
      for (const o of current) {
        if (!inPlan(plan, o.side, o.levelId)) {
          cancel(o, "RECONCILE_REMOVE");
        } else if (plan.resetAction === ResetAction.SOFT) {
          const match = levelAt(o.side, o.levelId);
          if (!(o.price.eq(match.price) && o.quantity.eq(match.quantity))) {
            cancel(o, "SOFT_RESET_REPLACE");
            place(match, "SOFT_RESET_REPLACE");
          }
        }
      }
      for (const [side, id] of missing) place(levelAt(side, id), "RECONCILE_ADD");
      let placed = 0;
      let cancelled = 0;
      for (const a of actions) {
        if (a.actionType === ActionType.PLACE) placed++;
        else if (a.actionType === ActionType.CANCEL) cancelled++;
      }
      events.push(reconcileEvent(ts, symbol, placed, cancelled, plan.resetAction));
    }
    return { actions, events };
  }

  /**
   * Reconcile the plan against the symbol's live orders and apply the actions
   * to the state: cancelled orders leave it, placed ones enter it (as
   * submitted) under a new client order id. Returns the actions, events and
   * the order commands for the venue, in action order.
   */
  evaluate(
    plan: GridPlan,
    symbol: string,
    state: ExecutionState,
    ts: number,
    pricing?: LevelPricing,
    admit?: OrderAdmission,
    hold?: LevelHold,
  ): AppliedExecution {
    return this.applyReconciled(
      this.reconcile(plan, symbol, state, ts, pricing, hold),
      state,
      ts,
      admit,
    );
  }

  /** Apply a reconcile made just before on the same state (see `evaluate`). */
  applyReconciled(
    result: ExecutionResult,
    state: ExecutionState,
    ts: number,
    admit?: OrderAdmission,
  ): AppliedExecution {
    const commands = this.apply(result.actions, state, ts, admit);
    this.metrics.record(result);
    return { actions: result.actions, events: result.events, commands };
  }

  /**
   * Whether evaluating the plan now would place any order. A missing level
   * that is not held answers it without pricing any level; only a SOFT or
   * HARD reset (placements that depend on prices) needs the full reconcile.
   */
  wouldPlace(
    plan: GridPlan,
    symbol: string,
    state: ExecutionState,
    pricing?: LevelPricing,
    hold?: LevelHold,
  ): boolean {
    if (plan.mode === GridMode.PAUSE || plan.mode === GridMode.EMERGENCY) return false;
    if (plan.resetAction !== ResetAction.HARD) {
      if (levelsToAdd(plan, state.orders.values(), hold, true).length > 0) return true;
      if (plan.resetAction !== ResetAction.SOFT) {
        this.noneToAdd = { plan, state, version: state.bookVersion, hold };
        return false;
      }
    }
    return this.reconcile(plan, symbol, state, 0, pricing, hold).actions.some(
      (a) => a.actionType === ActionType.PLACE,
    );
  }

  private apply(
    actions: readonly ExecutionAction[],
    state: ExecutionState,
    ts: number,
    admit: OrderAdmission | undefined,
  ): OrderCommand[] {
    const tick = state.tickCounter + 1;
    const commands: OrderCommand[] = [];
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i] as ExecutionAction;
      if (a.actionType === ActionType.CANCEL && a.orderId !== null) {
        state.remove(a.orderId);
        commands.push({ kind: "CancelOrder", ts, clientOrderId: a.orderId, symbol: a.symbol });
      } else if (a.actionType === ActionType.PLACE) {
        // A zero price or quantity places nothing (the reference skips falsy decimals).
        // With an admission, it decides (and counts) what is not sent, zero sizes included.
        if (
          a.side !== null &&
          a.price !== null &&
          !a.price.isZero() &&
          a.quantity !== null &&
          (admit === undefined
            ? !a.quantity.isZero()
            : admit(a.symbol, a.side, a.price, a.quantity, a.levelId))
        ) {
          const orderId = this.ids.next(a.symbol, ts, a.levelId, a.side);
          state.add({
            orderId,
            symbol: a.symbol,
            side: a.side,
            price: a.price,
            quantity: a.quantity,
            filledQuantity: ZERO,
            state: OrderState.PENDING,
            levelId: a.levelId,
            createdTs: ts,
            placedTick: tick,
          });
          commands.push({
            kind: "SubmitOrder",
            ts,
            clientOrderId: orderId,
            symbol: a.symbol,
            side: a.side,
            price: a.price,
            quantity: a.quantity,
            levelId: a.levelId,
            actionIndex: i,
          });
        }
      }
    }
    state.tickCounter = tick;
    return commands;
  }
}
