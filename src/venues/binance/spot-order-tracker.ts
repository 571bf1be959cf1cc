/**
 * What BinanceSpotVenue knows about the kernel's orders: each order's
 * exchange client id, its state and how much of its execution has been
 * reported (cumulative quantity and quote quantity).
 *
 * The state is a pure function of the commands the venue was given and the
 * events it reported, in order (`onCommand`, `onEvent`): a restart rebuilds
 * it from the journal, which holds both, and then reports only what the
 * exchange executed beyond it. A fill is reported for the difference between
 * the exchange's cumulative executed quantity and the reported one, so
 * nothing is booked twice, whatever the number of syncs or restarts.
 *
 * States: pending (submitted, no answer known: an unknown outcome, or a
 * command journaled before a crash), open (on the book), cancelling (a
 * cancel was asked; the exchange may still hold it), done (off the book).
 */

import { Decimal } from "../../core/decimal.js";
import type { OrderCommand, OrderEvent, OrderFilled, SubmitOrder } from "../../domain/orders.js";

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

export class SpotOrderTracker {
  private readonly byKernelId = new Map<string, TrackedOrder>();
  private readonly byExchangeId = new Map<string, TrackedOrder>();

  constructor(private readonly exchangeIdOf: (kernelClientOrderId: string) => string) {}

  get(kernelClientOrderId: string): TrackedOrder | undefined {
    return this.byKernelId.get(kernelClientOrderId);
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
   * The fill that reports what the exchange executed beyond what was
   * reported (undefined when nothing new): quantity and price from the
   * cumulative quantity and quote deltas (the limit price when the exchange
   * gives no usable quote). The commission is not in these replies (it needs
   * the account's trade list): fee 0.
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
