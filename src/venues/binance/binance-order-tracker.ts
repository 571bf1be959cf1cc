/**
 * What a Binance venue (spot or USD-M) knows about the kernel's orders:
 * each order's exchange client id, its state and how much of its execution
 * has been reported (cumulative quantity and quote quantity), and the
 * exchange's trade ids already booked.
 *
 * The state is a pure function of the commands the venue was given and the
 * events it reported, in order (`onCommand`, `onEvent`): a restart rebuilds
 * it from the journal, which holds both, and then reports only what the
 * exchange executed beyond it. A fill is reported for the difference between
 * the exchange's cumulative executed quantity and the reported one, so
 * nothing is booked twice, whatever the number of syncs or restarts. A
 * trade-level fill (the placement reply's fills, the user-data stream's
 * executionReport, the account's trade list) is booked at most once per
 * trade id, and only for what it adds beyond the quantity already booked:
 * the stream, the replies and the REST backstop may all see the same trade.
 *
 * States: pending (submitted, no answer known: an unknown outcome, or a
 * command journaled before a crash), open (on the book), cancelling (a
 * cancel was asked; the exchange may still hold it), done (off the book).
 */

import { Decimal } from "../../core/decimal.js";
import type { OrderCommand, OrderEvent, OrderFilled, SubmitOrder } from "../../domain/orders.js";
import type { ExchangeTrade } from "./binance-order-reply.js";

export type TrackedState = "pending" | "open" | "cancelling" | "done";

export interface TrackedOrder {
  readonly cmd: SubmitOrder;
  /** Client order id on the exchange. */
  readonly exchangeId: string;
  venueOrderId: string | undefined;
  state: TrackedState;
  /** Executed quantity reported so far. */
  executed: Decimal;
  /** Quote quantity (price x quantity) reported so far. */
  quote: Decimal;
}

/** `value` in the decimal places of `like` when that loses nothing (exchange "0.10000000" -> "0.100"). */
export function sameScale(value: Decimal, like: Decimal): Decimal {
  const q = value.quantize(Math.max(0, -like.exp), "ROUND_DOWN");
  return q.eq(value) ? q : value;
}

/** What the exchange shows of an order's execution. */
export interface ExecutionState {
  readonly executedQty: Decimal;
  readonly cumQuote: Decimal;
  /** Exchange time of that state. */
  readonly time: number;
}

export class BinanceOrderTracker {
  private readonly byKernelId = new Map<string, TrackedOrder>();
  private readonly byExchangeId = new Map<string, TrackedOrder>();
  /** `symbol/tradeId` of every trade booked (rebuilt from the journal's fills). */
  private readonly bookedTrades = new Set<string>();

  constructor(private readonly exchangeIdOf: (kernelClientOrderId: string) => string) {}

  get(kernelClientOrderId: string): TrackedOrder | undefined {
    return this.byKernelId.get(kernelClientOrderId);
  }

  /** Whether a trade of `symbol` was booked already. */
  hasTrade(symbol: string, tradeId: string): boolean {
    return this.bookedTrades.has(`${symbol}/${tradeId}`);
  }

  byExchange(exchangeId: string): TrackedOrder | undefined {
    return this.byExchangeId.get(exchangeId);
  }

  /** Orders not yet done, in submission order. */
  live(): TrackedOrder[] {
    return [...this.byKernelId.values()].filter((t) => t.state !== "done");
  }

  all(): readonly TrackedOrder[] {
    return [...this.byKernelId.values()];
  }

  /** A command given to the venue (live, or read back from the journal). */
  onCommand(c: OrderCommand): TrackedOrder | undefined {
    if (c.kind === "CancelOrder") {
      const t = this.byKernelId.get(c.clientOrderId);
      if (t !== undefined && t.state !== "done") t.state = "cancelling";
      return t;
    }
    const known = this.byKernelId.get(c.clientOrderId);
    if (known !== undefined) return known;
    const t: TrackedOrder = {
      cmd: c,
      exchangeId: this.exchangeIdOf(c.clientOrderId),
      venueOrderId: undefined,
      state: "pending",
      executed: Decimal.ZERO,
      quote: Decimal.ZERO,
    };
    this.byKernelId.set(c.clientOrderId, t);
    this.byExchangeId.set(t.exchangeId, t);
    return t;
  }

  /** An event the venue reported (live, or read back from the journal). */
  onEvent(e: OrderEvent): void {
    if (e.kind === "OrderFilled") this.bookedTrades.add(`${e.symbol}/${e.tradeId}`);
    const t = this.byKernelId.get(e.clientOrderId);
    if (t === undefined) return;
    switch (e.kind) {
      case "OrderAccepted":
        if (t.state === "pending") t.state = "open";
        if (e.venueOrderId !== undefined) t.venueOrderId = e.venueOrderId;
        return;
      case "OrderRejected":
        // Only a pending order can be refused; a rejected duplicate leaves the first alone.
        if (t.state === "pending") t.state = "done";
        return;
      case "OrderFilled":
        t.executed = t.executed.add(e.quantity);
        t.quote = t.quote.add(e.price.mul(e.quantity));
        if (t.state === "pending") t.state = "open";
        if (e.leavesQuantity.isZero()) t.state = "done";
        return;
      case "OrderCanceled":
      case "OrderExpired":
        t.state = "done";
        return;
      case "OrderCancelRejected":
        return;
    }
  }

  /**
   * The fill of one trade of `t`, after which the order's executed quantity
   * is `executedAfter` (undefined when the trade was booked, or the quantity
   * booked already covers it, e.g. by an averaged fill found earlier). The
   * trade's whole commission goes with it even when an averaged fill (which
   * carries none) covered part of its quantity: the fees stay the account's.
   */
  tradeFill(t: TrackedOrder, x: ExchangeTrade, executedAfter: Decimal): OrderFilled | undefined {
    const { cmd } = t;
    if (this.hasTrade(cmd.symbol, x.tradeId)) return undefined;
    const fresh = executedAfter.sub(t.executed).min(x.qty);
    if (!fresh.isPositive()) return undefined;
    const leaves = cmd.quantity.sub(t.executed).sub(fresh);
    return {
      kind: "OrderFilled",
      ts: x.time,
      clientOrderId: cmd.clientOrderId,
      symbol: cmd.symbol,
      side: cmd.side,
      price: sameScale(x.price, cmd.price),
      quantity: sameScale(fresh, cmd.quantity),
      fee: x.commission,
      feeAsset: x.commissionAsset,
      liquidity: x.isMaker ? "maker" : "taker",
      tradeId: x.tradeId,
      leavesQuantity: leaves.isPositive() ? sameScale(leaves, cmd.quantity) : Decimal.ZERO,
    };
  }

  /**
   * The fill that reports what the exchange executed beyond what was
   * reported (undefined when nothing new): quantity and price from the
   * cumulative quantity and quote deltas (the limit price when the exchange
   * gives no usable quote). The commission is not in these replies: fee 0
   * (the last resort, when the account's trade list does not show the trades).
   */
  executionFill(t: TrackedOrder, x: ExecutionState): OrderFilled | undefined {
    const qty = x.executedQty.sub(t.executed);
    if (!qty.isPositive()) return undefined;
    const quote = x.cumQuote.sub(t.quote);
    const price = quote.isPositive() ? sameScale(quote.div(qty), t.cmd.price) : t.cmd.price;
    const leaves = t.cmd.quantity.sub(x.executedQty);
    const executedText = sameScale(x.executedQty, t.cmd.quantity).toString();
    return {
      kind: "OrderFilled",
      ts: x.time,
      clientOrderId: t.cmd.clientOrderId,
      symbol: t.cmd.symbol,
      side: t.cmd.side,
      price,
      quantity: sameScale(qty, t.cmd.quantity),
      fee: Decimal.ZERO,
      feeAsset: "",
      liquidity: "maker",
      tradeId: `${t.venueOrderId ?? t.exchangeId}:${executedText}`,
      leavesQuantity: leaves.isPositive() ? sameScale(leaves, t.cmd.quantity) : Decimal.ZERO,
    };
  }
}
