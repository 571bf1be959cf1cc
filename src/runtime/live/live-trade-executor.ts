/**
 * live_trade: keeps the exchange in step with the engine's orders.
 *
 * The engine (built with `simulateFills: false`) decides; every PLACE and
 * CANCEL of a tick becomes an intent on one of its orders, sent to the
 * exchange through the venue. Fills are found by polling: an order that left
 * the exchange's open orders is queried, and only FILLED (or a partial
 * execution before a cancel/expiry) is a fill, reported to the engine with
 * `applyExternalFill`.
 *
 * Every change of state, live or replayed, goes through `applyEvent`, and the
 * events are journaled (`exchange` lines), so a replay of the journal
 * rebuilds the engine's ledger and this tracker exactly: fills are
 * re-applied at the same points between ticks.
 *
 * Tracked orders (the engine's open orders plus those it cancelled and the
 * exchange may still hold):
 * - pending: the engine placed it; no exchange answer journaled yet (a crash
 *   between journaling the tick and the answer);
 * - open: the exchange holds it;
 * - lost: the engine holds it but the exchange does not (placement refused,
 *   or cancelled or expired on the exchange). The engine has no way to drop
 *   an order without a fill, so it keeps it until it cancels it itself; a
 *   lost order is not expected on the exchange and its cancel is not sent;
 * - cancelling: the engine cancelled it; the exchange may still hold it.
 *
 * Restart (`reconcile`, after the journal replay): the exchange's open orders
 * are matched by client order id: an order of the engine is adopted, one the
 * engine cancelled is cancelled now, one with our prefix that maps to nothing
 * is a stray (cancelled with `cancelStrays`, else reported), one without our
 * prefix is foreign (reported, never touched). An engine order the exchange
 * does not list is queried: FILLED -> fill; still open -> adopted;
 * CANCELED/EXPIRED/REJECTED -> lost (a partial execution is applied as a
 * fill first); unknown to the exchange -> placed now when its placement was
 * never answered (the crash came before the request reached the exchange;
 * the client id is the same, so the exchange would refuse a duplicate), else
 * lost.
 */

import type { JsonValue } from "../../core/canonical-json.js";
import type { Decimal } from "../../core/decimal.js";
import { errorMessage, InvalidInputError } from "../../core/errors.js";
import type { OrderSide } from "../../domain/enums.js";
import { orderFilled } from "../../domain/orders.js";
import type { OrderRecord } from "../../kernel/execution-types.js";
import { fillFromJson, fillToJson } from "../../kernel/tick-output.js";
import {
  DEFAULT_CLIENT_ORDER_ID_PREFIX,
  isOurClientOrderId,
} from "../../venues/binance/client-order-id.js";
import type { ExchangeEventKind, JournalExchangeEvent } from "./live-journal.js";
import type { LiveKernel } from "./live-kernel-setup.js";
import { clientOrderIdOf, newRunId, orderKeyScope, strayKeyScope } from "./live-trade-ids.js";
import type { TradeVenue, VenueOrderStatus } from "./live-trade-venue.js";

export type TrackedState = "pending" | "open" | "lost" | "cancelling";

export interface TrackedOrder {
  readonly engineOrderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly levelId: number;
  state: TrackedState;
}

/** One order to place or cancel for a tick, in the order of the tick's actions. */
export interface TradeIntent {
  readonly kind: "place" | "cancel";
  readonly order: TrackedOrder;
}

export interface LiveTradeExecutorOptions {
  readonly venue: TradeVenue;
  /** Cancel strays (our prefix, unknown to the engine) at reconcile. */
  readonly cancelStrays: boolean;
  readonly log: (line: string) => void;
  /** Epoch ms (fill timestamps when the exchange gives none). */
  readonly clock: () => number;
  readonly clientOrderIdPrefix?: string;
}

/** Counts of what happened, for the log and the tests. */
export type ExchangeEventCounts = Record<ExchangeEventKind, number>;

function zeroCounts(): ExchangeEventCounts {
  return {
    placed: 0,
    place_failed: 0,
    cancelled: 0,
    cancel_failed: 0,
    cancel_too_late: 0,
    adopted: 0,
    filled: 0,
    lost: 0,
    stray: 0,
    stray_cancelled: 0,
    stray_cancel_failed: 0,
    foreign: 0,
  };
}

const STILL_OPEN = new Set(["NEW", "PARTIALLY_FILLED", "PENDING_NEW", "PENDING_CANCEL"]);

/** `executed` in the decimal places of `like` when that loses nothing. */
function sameScale(executed: Decimal, like: Decimal): Decimal {
  const q = executed.quantize(Math.max(0, -like.exp), "ROUND_DOWN");
  return q.eq(executed) ? q : executed;
}

export class LiveTradeExecutor {
  private runIdValue: string | undefined;
  private readonly orders = new Map<string, TrackedOrder>();
  private readonly byClientId = new Map<string, string>();
  private readonly prefix: string;
  /** Events applied by this instance (live and replayed), by kind. */
  readonly counts: ExchangeEventCounts = zeroCounts();

  constructor(private readonly o: LiveTradeExecutorOptions) {
    this.prefix = o.clientOrderIdPrefix ?? DEFAULT_CLIENT_ORDER_ID_PREFIX;
  }

  /** Forget everything (a fresh engine replays the journal from its start). */
  reset(): void {
    this.runIdValue = undefined;
    this.orders.clear();
    this.byClientId.clear();
    for (const k of Object.keys(this.counts) as ExchangeEventKind[]) this.counts[k] = 0;
  }

  get runId(): string | undefined {
    return this.runIdValue;
  }

  /** The run id of a journal session line (every session of a journal carries the same). */
  setRunId(runId: string | undefined, where: string): void {
    if (runId === undefined)
      throw new InvalidInputError(`${where}: a live_trade session line without run_id`);
    if (this.runIdValue !== undefined && this.runIdValue !== runId)
      throw new InvalidInputError(
        `${where}: run_id ${runId}, but the journal's run id is ${this.runIdValue}`,
      );
    this.runIdValue = runId;
  }

  /** The journal's run id, drawn now for a new journal. */
  ensureRunId(): string {
    this.runIdValue ??= newRunId();
    return this.runIdValue;
  }

  /** Tracked orders, in placement order. */
  tracked(): readonly TrackedOrder[] {
    return [...this.orders.values()];
  }

  /** Tracked order by client order id. */
  byClientOrderId(clientOrderId: string): TrackedOrder | undefined {
    const id = this.byClientId.get(clientOrderId);
    return id === undefined ? undefined : this.orders.get(id);
  }

  /** Orders the exchange should hold now (the engine's open orders, lost ones excepted). */
  expectedOnExchange(): readonly TrackedOrder[] {
    return this.tracked().filter((t) => t.state === "open" || t.state === "pending");
  }

  /** The tracked orders in journal form (session_end). */
  toJson(): JsonValue {
    return this.tracked().map((t) => ({
      engine_order_id: t.engineOrderId,
      client_order_id: t.clientOrderId,
      symbol: t.symbol,
      side: t.side,
      price: t.price.toString(),
      quantity: t.quantity.toString(),
      state: t.state,
    }));
  }

  /**
   * A tick the engine processed (live or replayed), given the symbol's open
   * orders before it: the orders that left (the engine cancelled them; it
   * fills none itself) become cancels, then the new ones placements, in the
   * engine's order. A cancel of a lost order needs no exchange call and is
   * dropped here.
   */
  observeTick(engine: LiveKernel, symbol: string, before: readonly OrderRecord[]): TradeIntent[] {
    const runId = this.runIdValue;
    if (runId === undefined) throw new InvalidInputError("live_trade: no run id yet");
    const after = engine.openOrders(symbol);
    const now = new Set(after.map((o) => o.orderId));
    const was = new Set(before.map((o) => o.orderId));
    const intents: TradeIntent[] = [];
    for (const o of before) {
      if (now.has(o.orderId)) continue;
      const t = this.orders.get(o.orderId);
      if (t === undefined)
        throw new InvalidInputError(`live_trade: engine order ${o.orderId} was not tracked`);
      if (t.state === "lost") {
        this.forget(t);
        continue;
      }
      t.state = "cancelling";
      intents.push({ kind: "cancel", order: t });
    }
    for (const o of after) {
      if (was.has(o.orderId)) continue;
      const t: TrackedOrder = {
        engineOrderId: o.orderId,
        clientOrderId: clientOrderIdOf(runId, o, this.prefix),
        symbol: o.symbol,
        side: o.side,
        price: o.price,
        quantity: o.quantity,
        levelId: o.levelId,
        state: "pending",
      };
      this.orders.set(t.engineOrderId, t);
      this.byClientId.set(t.clientOrderId, t.engineOrderId);
      intents.push({ kind: "place", order: t });
    }
    return intents;
  }

  private forget(t: TrackedOrder): void {
    this.orders.delete(t.engineOrderId);
    this.byClientId.delete(t.clientOrderId);
    this.o.venue.forget?.(t.clientOrderId);
  }

  /**
   * Apply one event to this tracker (and, for a fill, to the engine). Live
   * and replayed events go through here alike.
   */
  applyEvent(engine: LiveKernel, e: JournalExchangeEvent): void {
    this.counts[e.event]++;
    const t = e.engine_order_id === undefined ? undefined : this.orders.get(e.engine_order_id);
    switch (e.event) {
      case "placed":
      case "adopted":
        if (t !== undefined) t.state = "open";
        return;
      case "place_failed":
      case "lost":
        // The exchange does not hold it: the engine lets it go, so its grid
        // level is placed again at the next reconcile.
        if (t !== undefined) {
          engine.onOrderEvent({
            kind: "OrderRejected",
            ts: 0,
            clientOrderId: t.engineOrderId,
            symbol: t.symbol,
            reason: e.event,
          });
          this.forget(t);
        }
        return;
      case "cancelled":
        if (t !== undefined) this.forget(t);
        return;
      case "cancel_too_late":
        // Executed after the engine cancelled it: the position includes it.
        if (e.fill !== undefined) engine.onOrderEvent(fillFromJson(e.fill));
        if (t !== undefined) this.forget(t);
        return;
      case "cancel_failed":
        if (t !== undefined) t.state = "cancelling";
        return;
      case "filled": {
        engine.onOrderEvent(fillFromJson(e.fill ?? {}));
        if (t !== undefined) this.forget(t);
        return;
      }
      default:
        return;
    }
  }

  private event(
    engine: LiveKernel,
    into: JournalExchangeEvent[],
    kind: ExchangeEventKind,
    symbol: string,
    clientOrderId: string,
    extra: Partial<
      Pick<JournalExchangeEvent, "engine_order_id" | "status" | "detail" | "fill">
    > = {},
  ): void {
    const e: JournalExchangeEvent = {
      event: kind,
      symbol,
      client_order_id: clientOrderId,
      ...extra,
    };
    this.applyEvent(engine, e);
    into.push(e);
    if (kind !== "placed" && kind !== "cancelled" && kind !== "adopted") this.logEvent(e);
  }

  private logEvent(e: JournalExchangeEvent): void {
    const who = e.engine_order_id !== undefined ? ` (engine ${e.engine_order_id})` : "";
    const status = e.status !== undefined ? ` status ${e.status}` : "";
    const detail = e.detail !== undefined ? `: ${e.detail}` : "";
    this.o.log(`exchange: ${e.event} ${e.symbol} ${e.client_order_id}${who}${status}${detail}`);
  }

  private ofOrder(t: TrackedOrder, extra: Partial<JournalExchangeEvent> = {}) {
    return { engine_order_id: t.engineOrderId, ...extra };
  }

  /**
   * Send a tick's intents, in order. Returns the events (already applied),
   * collected in `out` as they happen, so that a caller can journal them even
   * when a later step throws.
   */
  async execute(
    engine: LiveKernel,
    intents: readonly TradeIntent[],
    ts: number,
    killSwitchActive: boolean,
    out: JournalExchangeEvent[] = [],
  ): Promise<JournalExchangeEvent[]> {
    for (const i of intents) {
      if (i.kind === "place") await this.place(engine, out, i.order, ts, killSwitchActive);
      else await this.cancel(engine, out, i.order, ts);
    }
    return out;
  }

  private async place(
    engine: LiveKernel,
    out: JournalExchangeEvent[],
    t: TrackedOrder,
    ts: number,
    killSwitchActive: boolean,
  ): Promise<void> {
    const r = await this.o.venue.place(
      {
        symbol: t.symbol,
        side: t.side,
        price: t.price,
        quantity: t.quantity,
        levelId: t.levelId,
        clientOrderId: t.clientOrderId,
        keyScope: orderKeyScope(this.runIdValue as string, t.engineOrderId),
      },
      ts,
      killSwitchActive,
    );
    if (r.ok) this.event(engine, out, "placed", t.symbol, t.clientOrderId, this.ofOrder(t));
    else
      this.event(
        engine,
        out,
        "place_failed",
        t.symbol,
        t.clientOrderId,
        this.ofOrder(t, r.detail !== undefined ? { detail: r.detail } : {}),
      );
  }

  private async cancel(
    engine: LiveKernel,
    out: JournalExchangeEvent[],
    t: TrackedOrder,
    ts: number,
  ): Promise<void> {
    const r = await this.o.venue.cancel(
      t.symbol,
      t.clientOrderId,
      orderKeyScope(this.runIdValue as string, t.engineOrderId),
      ts,
    );
    if (!r.ok) {
      this.event(
        engine,
        out,
        "cancel_failed",
        t.symbol,
        t.clientOrderId,
        this.ofOrder(t, r.detail !== undefined ? { detail: r.detail } : {}),
      );
      return;
    }
    if (r.cancelled === true) {
      this.event(engine, out, "cancelled", t.symbol, t.clientOrderId, this.ofOrder(t));
      return;
    }
    // No longer open when the cancel arrived: see why.
    await this.settleGone(engine, out, t);
  }

  /** A cancelled (by the engine) order the exchange no longer lists: cancelled, or filled first. */
  private async settleGone(
    engine: LiveKernel,
    out: JournalExchangeEvent[],
    t: TrackedOrder,
  ): Promise<void> {
    let st: VenueOrderStatus | undefined;
    try {
      st = await this.o.venue.queryOrder(t.symbol, t.clientOrderId);
    } catch (e) {
      this.o.log(`exchange: cannot query ${t.clientOrderId}: ${errorMessage(e)} (retried later)`);
      return;
    }
    if (st !== undefined && STILL_OPEN.has(st.status)) return; // listed again at the next poll
    if (st?.executedQty.isPositive()) {
      const fill = orderFilled({
        ts: st.updateTime ?? Math.trunc(this.o.clock()),
        symbol: t.symbol,
        side: t.side,
        price: t.price,
        quantity: sameScale(st.executedQty, t.quantity),
        clientOrderId: t.engineOrderId,
      });
      this.event(
        engine,
        out,
        "cancel_too_late",
        t.symbol,
        t.clientOrderId,
        this.ofOrder(t, {
          status: st.status,
          fill: fillToJson(fill) as Record<string, unknown>,
          detail: `executed ${st.executedQty.toString()} after the engine cancelled it; booked`,
        }),
      );
    } else
      this.event(
        engine,
        out,
        "cancelled",
        t.symbol,
        t.clientOrderId,
        this.ofOrder(
          t,
          st !== undefined ? { status: st.status } : { detail: "not on the exchange" },
        ),
      );
  }

  /**
   * An engine order (pending or open) that the exchange does not list: ask
   * for it and settle it (see the file comment).
   */
  private async settleMissing(
    engine: LiveKernel,
    out: JournalExchangeEvent[],
    t: TrackedOrder,
    killSwitchActive: boolean,
  ): Promise<void> {
    let st: VenueOrderStatus | undefined;
    try {
      st = await this.o.venue.queryOrder(t.symbol, t.clientOrderId);
    } catch (e) {
      this.o.log(`exchange: cannot query ${t.clientOrderId}: ${errorMessage(e)} (retried later)`);
      return;
    }
    if (st === undefined) {
      if (t.state === "pending") {
        // Journaled but never answered: the request did not reach the exchange.
        await this.place(engine, out, t, this.o.clock(), killSwitchActive);
        return;
      }
      this.event(
        engine,
        out,
        "lost",
        t.symbol,
        t.clientOrderId,
        this.ofOrder(t, { detail: "the exchange does not know the order" }),
      );
      return;
    }
    if (STILL_OPEN.has(st.status)) {
      this.event(engine, out, "adopted", t.symbol, t.clientOrderId, this.ofOrder(t));
      return;
    }
    const filled = st.status === "FILLED";
    if (filled || st.executedQty.isPositive()) {
      const fill = orderFilled({
        ts: st.updateTime ?? Math.trunc(this.o.clock()),
        symbol: t.symbol,
        side: t.side,
        price: t.price,
        quantity: filled ? t.quantity : sameScale(st.executedQty, t.quantity),
        clientOrderId: t.engineOrderId,
      });
      this.event(
        engine,
        out,
        "filled",
        t.symbol,
        t.clientOrderId,
        this.ofOrder(t, {
          status: st.status,
          fill: fillToJson(fill) as Record<string, unknown>,
          ...(filled ? {} : { detail: `partially executed, then ${st.status}` }),
        }),
      );
      return;
    }
    this.event(
      engine,
      out,
      "lost",
      t.symbol,
      t.clientOrderId,
      this.ofOrder(t, { status: st.status, detail: "no longer on the exchange" }),
    );
  }

  private symbolsOf(states: readonly TrackedState[]): string[] {
    const out = new Set<string>();
    for (const t of this.orders.values()) if (states.includes(t.state)) out.add(t.symbol);
    return [...out];
  }

  /**
   * Look for fills and settle what changed: open orders missing from the
   * exchange's listing are queried; cancels that failed are retried; lost
   * orders that show up again are adopted. A symbol whose listing fails is
   * skipped (tried again at the next poll). Returns the events (applied),
   * collected in `out` as they happen.
   */
  async poll(
    engine: LiveKernel,
    out: JournalExchangeEvent[] = [],
  ): Promise<JournalExchangeEvent[]> {
    for (const symbol of this.symbolsOf(["open", "cancelling", "lost"])) {
      let listed: Set<string>;
      try {
        listed = new Set((await this.o.venue.openOrders(symbol)).map((o) => o.clientOrderId));
      } catch (e) {
        this.o.log(`exchange: open orders of ${symbol}: ${errorMessage(e)} (retried later)`);
        continue;
      }
      for (const t of this.tracked()) {
        if (t.symbol !== symbol) continue;
        const on = listed.has(t.clientOrderId);
        if (t.state === "open" && !on) await this.settleMissing(engine, out, t, false);
        else if (t.state === "lost" && on)
          this.event(engine, out, "adopted", t.symbol, t.clientOrderId, this.ofOrder(t));
        else if (t.state === "cancelling") {
          if (on) await this.cancel(engine, out, t, this.o.clock());
          else await this.settleGone(engine, out, t);
        }
      }
    }
    return out;
  }

  /**
   * At a (re)start, after the journal replay: match the exchange's open
   * orders of `symbols` (and of every tracked order's symbol) with ours (see
   * the file comment). A failing listing throws: trading does not start
   * blind. Returns the events (applied), collected in `out` as they happen.
   */
  async reconcile(
    engine: LiveKernel,
    symbols: readonly string[],
    killSwitchActive: boolean,
    out: JournalExchangeEvent[] = [],
  ): Promise<JournalExchangeEvent[]> {
    const all = new Set([...symbols, ...this.symbolsOf(["pending", "open", "lost", "cancelling"])]);
    for (const symbol of [...all].sort()) {
      const listed = await this.o.venue.openOrders(symbol);
      const seen = new Set<string>();
      for (const x of listed) {
        const cid = x.clientOrderId;
        seen.add(cid);
        const t = this.byClientOrderId(cid);
        if (t !== undefined) {
          if (t.state === "cancelling") await this.cancel(engine, out, t, this.o.clock());
          else this.event(engine, out, "adopted", symbol, cid, this.ofOrder(t));
        } else if (!isOurClientOrderId(cid, this.prefix)) {
          this.event(engine, out, "foreign", symbol, cid, {
            detail: "not a grinder order; left alone",
          });
        } else if (!this.o.cancelStrays) {
          this.event(engine, out, "stray", symbol, cid, {
            detail: "not held by the engine; not cancelled (--cancel-strays cancels it)",
          });
        } else {
          const r = await this.o.venue.cancel(
            symbol,
            cid,
            strayKeyScope(this.runIdValue as string, cid),
            this.o.clock(),
          );
          if (r.ok && r.cancelled === true)
            this.event(engine, out, "stray_cancelled", symbol, cid, {
              detail: "not held by the engine",
            });
          else
            this.event(engine, out, "stray_cancel_failed", symbol, cid, {
              detail: r.detail ?? "no longer open",
            });
        }
      }
      for (const t of this.tracked()) {
        if (t.symbol !== symbol || seen.has(t.clientOrderId)) continue;
        if (t.state === "pending" || t.state === "open")
          await this.settleMissing(engine, out, t, killSwitchActive);
        else if (t.state === "cancelling") await this.settleGone(engine, out, t);
      }
    }
    return out;
  }
}

/** A one-line account of a batch of events ("2 placed, 1 filled"), or "" when empty. */
export function describeEvents(events: readonly JournalExchangeEvent[]): string {
  const n = new Map<string, number>();
  for (const e of events) n.set(e.event, (n.get(e.event) ?? 0) + 1);
  return [...n].map(([k, v]) => `${v} ${k.replaceAll("_", " ")}`).join(", ");
}
