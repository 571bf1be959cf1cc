/**
 * SimulatedVenue: an exchange simulated from market data, event by event in
 * event time (no clock, no randomness). It is assembled from small models,
 * each with its assumption and the way it errs in docs/SIMULATION.md:
 *
 * - latency (`latency-model.ts`): an order is live on the book only from
 *   submit + order latency, and leaves it at cancel + cancel latency; the
 *   transitions due by a market event happen before that event, against the
 *   quote in force until then.
 * - fill model `cross` (L1 quotes): a resting BUY at p fills as maker at p
 *   when the best ask <= p (SELL: best bid >= p); with `l1QtyLimitsFills`
 *   the fills of one quote share the opposite side's L1 quantity (partial
 *   fills, the rest keeps resting).
 * - fill model `trade_queue` (trades): an order joins the queue behind the
 *   displayed L1 quantity on its own side (none when it improves the best
 *   price); trades at exactly its price eat the queue first, then fill it;
 *   a trade through its price fills what remains.
 * - an order that crosses the book when it goes live is a taker and fills at
 *   the opposite best price (not at its limit), within that side's L1
 *   quantity when limited; the rest rests.
 * - fees (`fee-model.ts`): price x quantity x the maker or taker rate, in
 *   the quote asset.
 * - USD-M (`margin-account.ts`, when an account is given): funding at
 *   funding times, liquidation when the margin balance falls to the
 *   maintenance margin, reduce-only orders; the mark is the feed's
 *   (markPriceKlines) where it has one, else the mid. MARKET orders fill at once, in
 *   full, at the opposite best price (no depth beyond it is modelled).
 */

import { Decimal } from "../../core/decimal.js";
import { OrderSide } from "../../domain/enums.js";
import type { MarginState } from "../../domain/margin-state.js";
import type { MarkPriceFeed } from "../../domain/mark-price.js";
import type { CancelOrder, Liquidity, OrderFilled, SubmitOrder } from "../../domain/orders.js";
import { orderFilled, orderRejected } from "../../domain/orders.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { OrderEventListener, SimulationVenue, VenueOrder } from "../../domain/venue.js";
import type { FeeModel } from "./fee-model.js";
import type { LatencyModel } from "./latency-model.js";
import type { MarginAccount } from "./margin-account.js";

export type SimulatedFillModel = "cross" | "trade_queue";

export interface SimulatedVenueConfig {
  readonly fillModel: SimulatedFillModel;
  readonly latency: LatencyModel;
  readonly fees: FeeModel;
  /** Cap fills by the opposite side's L1 quantity (cross model and taker fills). */
  readonly l1QtyLimitsFills: boolean;
  /** The asset fees are charged in (the symbol's quote asset). */
  readonly feeAsset: (symbol: string) => string;
  /** USD-M: the margin account (funding, liquidation, reduce-only); spot: none. */
  readonly account?: MarginAccount;
  /** USD-M: the mark price at a time (markPriceKlines); else, or when it has none, the mid. */
  readonly markPrices?: MarkPriceFeed;
}

interface SimOrder {
  readonly cmd: SubmitOrder;
  /** Arrival order (time priority among equal prices). */
  readonly seq: number;
  readonly liveAt: number;
  live: boolean;
  /** When a requested cancel takes effect. */
  cancelAt: number | undefined;
  leaves: Decimal;
  filled: Decimal;
  /** trade_queue: quantity ahead of the order at its price. */
  queueAhead: Decimal;
}

interface Book {
  readonly symbol: string;
  hasQuote: boolean;
  bid: Decimal;
  ask: Decimal;
  /** What is left of the L1 quantities of the current quote for fills (when limited). */
  bidLeft: Decimal;
  askLeft: Decimal;
  readonly orders: Map<string, SimOrder>;
  /** Refusals in flight: the answer reaches the client when the order would have gone live. */
  refusals: Refusal[];
  /** Earliest pending transition (go-live, cancel or refusal), +Infinity when none. */
  nextTransition: number;
}

interface Refusal {
  readonly at: number;
  readonly seq: number;
  readonly cmd: SubmitOrder;
  readonly reason: string;
}

const ZERO = Decimal.ZERO;

const NO_LISTENER: OrderEventListener = () => {
  throw new Error("SimulatedVenue: no listener set");
};

function byPriority(side: OrderSide): (a: SimOrder, b: SimOrder) => number {
  // Best price first (highest bid, lowest ask), then time.
  return (a, b) => {
    const c = a.cmd.price.cmp(b.cmd.price);
    if (c !== 0) return side === OrderSide.BUY ? -c : c;
    return a.seq - b.seq;
  };
}

export class SimulatedVenue implements SimulationVenue {
  readonly name = "simulated";
  private readonly cfg: SimulatedVenueConfig;
  private readonly books = new Map<string, Book>();
  private emit: OrderEventListener = NO_LISTENER;
  private seq = 0;
  private trades = 0;

  constructor(cfg: SimulatedVenueConfig) {
    this.cfg = cfg;
  }

  setListener(listener: OrderEventListener): void {
    this.emit = listener;
  }

  private book(symbol: string): Book {
    let b = this.books.get(symbol);
    if (b === undefined) {
      b = {
        symbol,
        hasQuote: false,
        bid: ZERO,
        ask: ZERO,
        bidLeft: ZERO,
        askLeft: ZERO,
        orders: new Map(),
        refusals: [],
        nextTransition: Number.POSITIVE_INFINITY,
      };
      this.books.set(symbol, b);
    }
    return b;
  }

  onMarket(s: Snapshot): void {
    const b = this.book(s.symbol);
    const account = this.cfg.account;
    if (account !== undefined) {
      // Funding due since the last event: on the position held at each funding
      // time (orders going live before it first), at the mark in force then.
      for (const e of account.fundingDue(s.symbol, s.ts)) {
        if (b.nextTransition <= e.ts) this.runTransitions(b, e.ts);
        const mark = this.cfg.markPrices?.markAt(s.symbol, e.ts);
        if (mark !== undefined) account.mark(s.symbol, mark);
        const paid = account.payFunding(s.symbol, e);
        if (paid !== undefined) this.emit({ kind: "FundingApplied", ...paid });
      }
    }
    if (b.nextTransition <= s.ts) this.runTransitions(b, s.ts);
    b.hasQuote = true;
    b.bid = s.bidPrice;
    b.ask = s.askPrice;
    b.bidLeft = s.bidQty;
    b.askLeft = s.askQty;
    account?.mark(s.symbol, this.cfg.markPrices?.markAt(s.symbol, s.ts) ?? s.midPrice);
    if (b.orders.size > 0) {
      if (this.cfg.fillModel === "cross") this.matchQuote(b, s.ts);
      else if (s.lastQty.isPositive()) this.matchTrade(b, s);
    }
    if (account !== undefined) this.liquidateIfDue(account, s.ts);
  }

  /** Close every position at its mark, cancel every open order, when the margin is gone. */
  private liquidateIfDue(account: MarginAccount, t: number): void {
    const closes = account.liquidation();
    if (closes.length === 0) return;
    for (const c of closes) {
      const side = c.position.isPositive() ? OrderSide.SELL : OrderSide.BUY;
      const id = `liquidation-${++this.trades}`;
      const fill = orderFilled({
        ts: t,
        clientOrderId: id,
        symbol: c.symbol,
        side,
        price: c.markPrice,
        quantity: c.position.abs(),
        fee: c.fee,
        feeAsset: this.cfg.feeAsset(c.symbol),
        liquidity: "liquidation",
        tradeId: id,
      });
      account.applyFill(fill);
      this.emit(fill);
    }
    for (const b of this.books.values()) {
      for (const o of [...b.orders.values()]) this.cancelNow(b, o, t);
    }
  }

  afterDecision(_s: Snapshot, _evaluated: boolean): void {}

  /** USD-M: the margin account now, its open orders' notional counted for initial margin. */
  marginState(): MarginState | undefined {
    const account = this.cfg.account;
    if (account === undefined) return undefined;
    let open = ZERO;
    for (const b of this.books.values()) {
      for (const o of b.orders.values()) open = open.add(o.cmd.price.mul(o.leaves));
    }
    return account.state(open);
  }

  submit(cmd: SubmitOrder): void {
    const b = this.book(cmd.symbol);
    const problem = b.orders.has(cmd.clientOrderId)
      ? "DUPLICATE_CLIENT_ORDER_ID"
      : !cmd.price.isPositive() || !cmd.quantity.isPositive()
        ? "INVALID_ORDER"
        : cmd.reduceOnly === true && this.reducible(cmd).isZero()
          ? "REDUCE_ONLY_REJECTED"
          : cmd.orderType === "MARKET" && !b.hasQuote
            ? "NO_MARKET"
            : undefined;
    if (problem !== undefined) {
      // The exchange refuses it when the request arrives (after the order latency).
      const at = this.cfg.latency.liveAt(cmd.ts);
      const r: Refusal = { at, seq: ++this.seq, cmd, reason: problem };
      if (at <= cmd.ts) this.refuse(r);
      else {
        b.refusals.push(r);
        b.nextTransition = Math.min(b.nextTransition, at);
      }
      return;
    }
    const o: SimOrder = {
      cmd,
      seq: ++this.seq,
      liveAt: this.cfg.latency.liveAt(cmd.ts),
      live: false,
      cancelAt: undefined,
      leaves: cmd.quantity,
      filled: ZERO,
      queueAhead: ZERO,
    };
    b.orders.set(cmd.clientOrderId, o);
    if (o.liveAt <= cmd.ts) this.goLive(b, o, cmd.ts);
    else b.nextTransition = Math.min(b.nextTransition, o.liveAt);
  }

  cancel(cmd: CancelOrder): void {
    const b = this.books.get(cmd.symbol);
    const o = b?.orders.get(cmd.clientOrderId);
    if (b === undefined || o === undefined) {
      this.emit({
        kind: "OrderCancelRejected",
        ts: cmd.ts,
        clientOrderId: cmd.clientOrderId,
        symbol: cmd.symbol,
        reason: "UNKNOWN_ORDER",
      });
      return;
    }
    const at = this.cfg.latency.canceledAt(cmd.ts);
    if (o.cancelAt !== undefined && o.cancelAt <= at) return;
    o.cancelAt = at;
    if (at <= cmd.ts) this.cancelNow(b, o, cmd.ts);
    else b.nextTransition = Math.min(b.nextTransition, at);
  }

  openOrders(symbol: string): readonly VenueOrder[] {
    const b = this.books.get(symbol);
    if (b === undefined) return [];
    const out: VenueOrder[] = [];
    for (const o of b.orders.values()) {
      out.push({
        clientOrderId: o.cmd.clientOrderId,
        symbol,
        side: o.cmd.side,
        price: o.cmd.price,
        quantity: o.cmd.quantity,
        filledQuantity: o.filled,
      });
    }
    return out;
  }

  /** Go-lives and cancels due by `t`, in time order (then arrival; a go-live before a cancel). */
  private refuse(r: Refusal): void {
    this.emit(orderRejected(r.cmd, r.at, r.reason));
  }

  private runTransitions(b: Book, t: number): void {
    const due: { at: number; seq: number; o?: SimOrder; r?: Refusal; cancel: boolean }[] = [];
    let next = Number.POSITIVE_INFINITY;
    const waiting: Refusal[] = [];
    for (const r of b.refusals) {
      if (r.at <= t) due.push({ at: r.at, seq: r.seq, r, cancel: false });
      else {
        waiting.push(r);
        next = Math.min(next, r.at);
      }
    }
    b.refusals = waiting;
    for (const o of b.orders.values()) {
      if (!o.live) {
        if (o.liveAt <= t) due.push({ at: o.liveAt, seq: o.seq, o, cancel: false });
        else next = Math.min(next, o.liveAt);
      }
      if (o.cancelAt !== undefined) {
        if (o.cancelAt <= t) due.push({ at: o.cancelAt, seq: o.seq, o, cancel: true });
        else next = Math.min(next, o.cancelAt);
      }
    }
    due.sort((x, y) => x.at - y.at || x.seq - y.seq || Number(x.cancel) - Number(y.cancel));
    for (const d of due) {
      if (d.r !== undefined) {
        this.refuse(d.r);
        continue;
      }
      const o = d.o as SimOrder;
      if (!b.orders.has(o.cmd.clientOrderId)) continue;
      if (d.cancel) this.cancelNow(b, o, d.at);
      else this.goLive(b, o, d.at);
    }
    b.nextTransition = next;
  }

  /** What a reduce-only order may still execute: up to the opposite position (zero: none). */
  private reducible(cmd: SubmitOrder): Decimal {
    const pos = this.cfg.account?.position(cmd.symbol) ?? ZERO;
    const opposite = cmd.side === OrderSide.BUY ? pos.isNegative() : pos.isPositive();
    return opposite ? pos.abs() : ZERO;
  }

  private goLive(b: Book, o: SimOrder, t: number): void {
    o.live = true;
    const { cmd } = o;
    this.emit({
      kind: "OrderAccepted",
      ts: t,
      clientOrderId: cmd.clientOrderId,
      symbol: cmd.symbol,
    });
    if (cmd.reduceOnly === true) {
      const room = this.reducible(cmd);
      if (room.lt(o.leaves)) o.leaves = room;
      if (o.leaves.isZero()) {
        this.cancelNow(b, o, t);
        return;
      }
    }
    if (!b.hasQuote) return;
    const buy = cmd.side === OrderSide.BUY;
    if (cmd.orderType === "MARKET") {
      // At once, in full, at the opposite best price.
      this.fill(b, o, t, buy ? b.ask : b.bid, o.leaves, "taker");
      return;
    }
    // Crossing the book: a taker at the opposite best price.
    if (buy ? !b.ask.gt(cmd.price) : !b.bid.lt(cmd.price)) {
      const qty = this.takeFromL1(b, !buy, o.leaves);
      if (qty.isPositive()) this.fill(b, o, t, buy ? b.ask : b.bid, qty, "taker");
      if (!b.orders.has(cmd.clientOrderId)) return;
    }
    // Queue position: behind what is displayed at the order's own best.
    const best = buy ? b.bid : b.ask;
    const improves = buy ? cmd.price.gt(best) : cmd.price.lt(best);
    o.queueAhead = improves ? ZERO : buy ? b.bidLeft : b.askLeft;
  }

  private cancelNow(b: Book, o: SimOrder, t: number): void {
    b.orders.delete(o.cmd.clientOrderId);
    this.emit({
      kind: "OrderCanceled",
      ts: t,
      clientOrderId: o.cmd.clientOrderId,
      symbol: o.cmd.symbol,
    });
  }

  /** Up to `want` from the L1 quantity of one side of the current quote (all when unlimited). */
  private takeFromL1(b: Book, bidSide: boolean, want: Decimal): Decimal {
    if (!this.cfg.l1QtyLimitsFills) return want;
    const left = bidSide ? b.bidLeft : b.askLeft;
    const qty = want.min(left);
    if (bidSide) b.bidLeft = left.sub(qty);
    else b.askLeft = left.sub(qty);
    return qty;
  }

  /** cross: resting orders the new quote reaches fill as makers at their price. */
  private matchQuote(b: Book, t: number): void {
    const bids: SimOrder[] = [];
    const asks: SimOrder[] = [];
    for (const o of b.orders.values()) {
      if (!o.live) continue;
      if (o.cmd.side === OrderSide.BUY) {
        if (!b.ask.gt(o.cmd.price)) bids.push(o);
      } else if (!b.bid.lt(o.cmd.price)) asks.push(o);
    }
    if (bids.length > 1) bids.sort(byPriority(OrderSide.BUY));
    if (asks.length > 1) asks.sort(byPriority(OrderSide.SELL));
    for (const o of bids) {
      const qty = this.takeFromL1(b, false, o.leaves);
      if (qty.isPositive()) this.fill(b, o, t, o.cmd.price, qty, "maker");
    }
    for (const o of asks) {
      const qty = this.takeFromL1(b, true, o.leaves);
      if (qty.isPositive()) this.fill(b, o, t, o.cmd.price, qty, "maker");
    }
  }

  /**
   * trade_queue: one trade at price P for quantity Q. Resting orders the
   * trade went through fill in full; those at P are reached through their
   * queue, in time priority, when the aggressor was on the other side (both
   * sides when the data does not say).
   */
  private matchTrade(b: Book, s: Snapshot): void {
    const p = s.lastPrice;
    for (const side of [OrderSide.BUY, OrderSide.SELL] as const) {
      const hitBy = side === OrderSide.BUY ? OrderSide.SELL : OrderSide.BUY;
      const atPrice = s.takerSide === undefined || s.takerSide === hitBy;
      const through: SimOrder[] = [];
      const queued: SimOrder[] = [];
      for (const o of b.orders.values()) {
        if (!o.live || o.cmd.side !== side) continue;
        const c = p.cmp(o.cmd.price);
        if (side === OrderSide.BUY ? c < 0 : c > 0) through.push(o);
        else if (c === 0 && atPrice) queued.push(o);
      }
      if (through.length > 1) through.sort(byPriority(side));
      for (const o of through) this.fill(b, o, s.ts, o.cmd.price, o.leaves, "maker");
      let volume = s.lastQty;
      for (const o of queued) {
        if (!volume.isPositive()) break;
        const eaten = o.queueAhead.min(volume);
        o.queueAhead = o.queueAhead.sub(eaten);
        volume = volume.sub(eaten);
        const qty = o.leaves.min(volume);
        if (qty.isPositive()) {
          volume = volume.sub(qty);
          this.fill(b, o, s.ts, o.cmd.price, qty, "maker");
        }
      }
    }
  }

  private fill(
    b: Book,
    o: SimOrder,
    t: number,
    price: Decimal,
    qty: Decimal,
    liquidity: Liquidity,
  ): void {
    const { cmd } = o;
    o.leaves = o.leaves.sub(qty);
    o.filled = o.filled.add(qty);
    if (o.leaves.isZero()) b.orders.delete(cmd.clientOrderId);
    const fee = this.cfg.fees.fee(cmd.symbol, price, qty, liquidity);
    const e: OrderFilled = orderFilled({
      ts: t,
      clientOrderId: cmd.clientOrderId,
      symbol: cmd.symbol,
      side: cmd.side,
      price,
      quantity: qty,
      fee,
      feeAsset: this.cfg.feeAsset(cmd.symbol),
      liquidity,
      tradeId: `sim-${++this.trades}`,
      leavesQuantity: o.leaves,
    });
    this.cfg.account?.applyFill(e);
    this.emit(e);
  }
}
