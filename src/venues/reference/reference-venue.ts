/**
 * ReferenceVenue: the reference engine's fill simulation as a venue, event
 * for event. Every order is accepted at once; fills are whole, at the limit
 * price, without fees. Two rules, as the reference's `fill_after_ticks`
 * chooses:
 *
 * - 0, fill at placement: an order fills as it is placed when the mid of the
 *   event touches or crosses its limit ("crossing": BUY when mid <= limit,
 *   SELL when mid >= limit; "instant": always). The fill is booked against a
 *   trade named `paper_{ts}_{symbol}_{actionIndex}_{side}_{price}`, not
 *   against the order, which keeps resting and never fills again (the
 *   reference's behaviour: docs/REFERENCE_BEHAVIOURS.md).
 * - N >= 1, tick delay: an order placed at the symbol's evaluation tick t may
 *   fill from tick t + N on, when the mid touches or crosses its limit; the
 *   orders filling at one tick fill in client-order-id order (code points).
 *
 * A tick is an event at which the strategy evaluated the symbol
 * (`afterDecision(s, true)`); other events do not move resting orders.
 */

import { Decimal } from "../../core/decimal.js";
import { OrderSide } from "../../domain/enums.js";
import type { CancelOrder, OrderEvent, SubmitOrder } from "../../domain/orders.js";
import { orderFilled, orderRejected } from "../../domain/orders.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { OrderEventListener, SimulationVenue, VenueOrder } from "../../domain/venue.js";

export type ReferenceFillMode = "crossing" | "instant";

export interface ReferenceVenueConfig {
  readonly fillMode: ReferenceFillMode;
  /** 0: fill at placement; N >= 1: resting orders fill N evaluation ticks after placement. */
  readonly fillAfterTicks: number;
}

interface RestingOrder {
  readonly order: VenueOrder;
  readonly placedTick: number;
}

interface SymbolBook {
  tick: number;
  mid: Decimal | undefined;
  readonly orders: Map<string, RestingOrder>;
}

/** True when a resting order on `side` at `limit` is reached by `mid`. */
export function touches(side: OrderSide, mid: Decimal, limit: Decimal): boolean {
  return side === OrderSide.BUY ? !mid.gt(limit) : !mid.lt(limit);
}

/** Code-point order, as the reference sorts strings. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      // Surrogates (0xD800-0xDFFF) encode code points above every BMP character.
      const sa = ca >= 0xd800 && ca <= 0xdfff;
      const sb = cb >= 0xd800 && cb <= 0xdfff;
      if (sa !== sb) return sa ? 1 : -1;
      return ca - cb;
    }
  }
  return a.length - b.length;
}

const NO_LISTENER: OrderEventListener = () => {
  throw new Error("ReferenceVenue: no listener set");
};

export class ReferenceVenue implements SimulationVenue {
  readonly name = "reference";
  private readonly cfg: ReferenceVenueConfig;
  private readonly books = new Map<string, SymbolBook>();
  private emit: OrderEventListener = NO_LISTENER;

  constructor(cfg: ReferenceVenueConfig) {
    this.cfg = cfg;
  }

  setListener(listener: OrderEventListener): void {
    this.emit = listener;
  }

  private book(symbol: string): SymbolBook {
    let b = this.books.get(symbol);
    if (b === undefined) {
      b = { tick: 0, mid: undefined, orders: new Map() };
      this.books.set(symbol, b);
    }
    return b;
  }

  onMarket(s: Snapshot): void {
    this.book(s.symbol).mid = s.midPrice;
  }

  submit(cmd: SubmitOrder): void {
    const b = this.book(cmd.symbol);
    if (b.orders.has(cmd.clientOrderId)) {
      this.emit(orderRejected(cmd, cmd.ts, "DUPLICATE_CLIENT_ORDER_ID"));
      return;
    }
    const order: VenueOrder = {
      clientOrderId: cmd.clientOrderId,
      symbol: cmd.symbol,
      side: cmd.side,
      price: cmd.price,
      quantity: cmd.quantity,
      filledQuantity: Decimal.ZERO,
    };
    // Orders of an evaluation are placed at the tick it makes (afterDecision).
    b.orders.set(cmd.clientOrderId, { order, placedTick: b.tick + 1 });
    this.emit({
      kind: "OrderAccepted",
      ts: cmd.ts,
      clientOrderId: cmd.clientOrderId,
      symbol: cmd.symbol,
    });
    if (this.cfg.fillAfterTicks !== 0) return;
    const mid = b.mid;
    if (this.cfg.fillMode === "crossing" && mid !== undefined && !touches(cmd.side, mid, cmd.price))
      return;
    const priceText = cmd.price.toString();
    const tradeId = `paper_${cmd.ts}_${cmd.symbol}_${cmd.actionIndex}_${cmd.side}_${priceText}`;
    this.emit(
      orderFilled({
        ts: cmd.ts,
        clientOrderId: tradeId,
        symbol: cmd.symbol,
        side: cmd.side,
        price: cmd.price,
        quantity: cmd.quantity,
        tradeId,
      }),
    );
  }

  cancel(cmd: CancelOrder): void {
    const b = this.books.get(cmd.symbol);
    if (b === undefined || !b.orders.delete(cmd.clientOrderId)) {
      this.emit({
        kind: "OrderCancelRejected",
        ts: cmd.ts,
        clientOrderId: cmd.clientOrderId,
        symbol: cmd.symbol,
        reason: "UNKNOWN_ORDER",
      });
      return;
    }
    this.emit({
      kind: "OrderCanceled",
      ts: cmd.ts,
      clientOrderId: cmd.clientOrderId,
      symbol: cmd.symbol,
    });
  }

  afterDecision(s: Snapshot, evaluated: boolean): void {
    if (!evaluated) return;
    const b = this.book(s.symbol);
    b.tick += 1;
    if (this.cfg.fillAfterTicks === 0 || b.orders.size === 0) return;
    const mid = s.midPrice;
    // Select first, then sort only the (usually zero or one) orders that fill.
    const filling: VenueOrder[] = [];
    for (const r of b.orders.values()) {
      if (b.tick - r.placedTick < this.cfg.fillAfterTicks) continue;
      if (!touches(r.order.side, mid, r.order.price)) continue;
      filling.push(r.order);
    }
    if (filling.length > 1)
      filling.sort((x, y) => compareCodePoints(x.clientOrderId, y.clientOrderId));
    const events: OrderEvent[] = [];
    for (const o of filling) {
      b.orders.delete(o.clientOrderId);
      events.push(
        orderFilled({
          ts: s.ts,
          clientOrderId: o.clientOrderId,
          symbol: o.symbol,
          side: o.side,
          price: o.price,
          quantity: o.quantity,
        }),
      );
    }
    for (const e of events) this.emit(e);
  }

  openOrders(symbol: string): readonly VenueOrder[] {
    const b = this.books.get(symbol);
    return b === undefined ? [] : [...b.orders.values()].map((r) => r.order);
  }
}
