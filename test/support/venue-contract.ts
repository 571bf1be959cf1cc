/**
 * The one venue contract (as Hono runs every router through one shared set
 * of cases): every implementation of `Venue` (domain/venue.ts) passes these
 * cases, run by `venueContract(name, makeHarness)` from the venue's own test
 * file. A harness is the venue plus the market around it:
 *
 * - `fill(id, quantity?)`: the market trades `quantity` of the order (all of
 *   it when omitted): a simulated venue is fed snapshots, an exchange venue's
 *   local exchange executes;
 * - `settle()`: wait until the events of what happened so far reached the
 *   listener (an exchange venue: its sync; a simulated venue with latency:
 *   market events past the latency; without latency: nothing to wait for).
 *   The cases settle after every submit and cancel before they look;
 * - `restart(history)`: a new client over the same exchange state, given the
 *   commands and events of the previous one (what a runtime's journal holds);
 * - `capabilities`: what the venue can do; a case it cannot run is skipped
 *   with the reason (shown by the test runner), never left out.
 *
 * Besides each case's own assertions, every event stream is checked for
 * causal order per order: accepted (or rejected) first, fills only while
 * open, nothing after the order ended but cancel rejections.
 */

import assert from "node:assert/strict";
import { it, type TestContext } from "node:test";
import { Decimal } from "../../src/core/decimal.js";
import type { OrderSide } from "../../src/domain/enums.js";
import { assetsOf } from "../../src/domain/instrument.js";
import type {
  CancelOrder,
  OrderCommand,
  OrderEvent,
  OrderFilled,
  SubmitOrder,
} from "../../src/domain/orders.js";
import type { Venue, VenueOrder } from "../../src/domain/venue.js";

/** true, or why the venue cannot (the case is skipped with this reason). */
export type Capability = true | { readonly unsupported: string };

export interface VenueCapabilities {
  /** The market can execute part of an order. */
  readonly partialFills: Capability;
  /** The venue refuses some orders (`refusedOrder`). */
  readonly rejects: Capability;
  /**
   * USD-M perpetuals: shorts from flat, reduce-only and market orders (the
   * harness gives `position`). Absent: a spot-only venue (those cases are
   * skipped with that reason).
   */
  readonly futures?: Capability;
  /** Every fill carries its commission and the asset it was charged in. */
  readonly fees: Capability;
}

export interface OrderShape {
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
}

export interface VenueHarness {
  readonly venue: Venue;
  readonly symbol: string;
  /** Orders the venue takes and leaves resting (each away from the others' prices). */
  readonly resting: readonly [OrderShape, OrderShape];
  /** An order the venue refuses (with `rejects`). */
  readonly refused?: OrderShape;
  readonly capabilities: VenueCapabilities;
  fill(clientOrderId: string, quantity?: Decimal): Promise<void>;
  settle(): Promise<void>;
  /** With `futures`: the signed position of `symbol` on the venue's account. */
  position?(): Promise<Decimal>;
  restart(history: readonly (OrderCommand | OrderEvent)[]): Promise<Venue>;
  close(): Promise<void>;
}

/** A venue under test with everything it was given and everything it reported. */
class Session {
  readonly events: OrderEvent[] = [];
  readonly history: (OrderCommand | OrderEvent)[] = [];
  private n = 0;

  constructor(readonly h: VenueHarness) {
    this.listen(h.venue);
  }

  listen(v: Venue): void {
    v.setListener((e) => {
      if (e.kind === "FundingApplied") return; // an account event: no order's business here
      this.events.push(e);
      this.history.push(e);
    });
  }

  async submit(
    shape: OrderShape,
    clientOrderId?: string,
    extra: Pick<SubmitOrder, "orderType" | "reduceOnly"> = {},
  ): Promise<SubmitOrder> {
    this.n++;
    const cmd: SubmitOrder = {
      kind: "SubmitOrder",
      ts: 1_700_000_000_000 + this.n,
      clientOrderId:
        clientOrderId ?? `${this.h.symbol}:1700000000000:${this.n}:${shape.side}:${this.n}`,
      symbol: this.h.symbol,
      side: shape.side,
      price: shape.price,
      quantity: shape.quantity,
      levelId: this.n,
      actionIndex: 0,
      ...extra,
    };
    this.history.push(cmd);
    await this.h.venue.submit(cmd);
    return cmd;
  }

  async cancel(clientOrderId: string, venue = this.h.venue): Promise<void> {
    const cmd: CancelOrder = {
      kind: "CancelOrder",
      ts: 1_700_000_001_000,
      clientOrderId,
      symbol: this.h.symbol,
    };
    this.history.push(cmd);
    await venue.cancel(cmd);
  }

  of(clientOrderId: string): OrderEvent[] {
    return this.events.filter((e) => e.clientOrderId === clientOrderId);
  }

  kinds(clientOrderId: string): string[] {
    return this.of(clientOrderId).map((e) => e.kind);
  }

  fills(clientOrderId: string): OrderFilled[] {
    return this.of(clientOrderId).filter((e): e is OrderFilled => e.kind === "OrderFilled");
  }

  async open(venue = this.h.venue): Promise<readonly VenueOrder[]> {
    return venue.openOrders(this.h.symbol);
  }
}

const TERMINAL = new Set(["OrderRejected", "OrderCanceled", "OrderExpired"]);

/** Per order: accepted or rejected first; fills only while open; nothing after the end but cancel rejections. */
export function assertCausalOrder(events: readonly OrderEvent[]): void {
  const state = new Map<string, "open" | "done">();
  for (const [i, e] of events.entries()) {
    const s = state.get(e.clientOrderId);
    const where = `event ${i} (${e.kind} of ${e.clientOrderId})`;
    if (e.kind === "OrderCancelRejected") continue;
    if (s === undefined) {
      if (e.kind === "OrderRejected") state.set(e.clientOrderId, "done");
      else {
        assert.equal(e.kind, "OrderAccepted", `${where}: expected OrderAccepted first`);
        state.set(e.clientOrderId, "open");
      }
      continue;
    }
    if (s === "done") {
      // A rejected duplicate of an order that already ended is not "after" it.
      if (e.kind === "OrderRejected") continue;
      assert.fail(`${where}: the order had already ended`);
    }
    if (e.kind === "OrderAccepted") assert.fail(`${where}: accepted twice`);
    if (TERMINAL.has(e.kind) || (e.kind === "OrderFilled" && e.leavesQuantity.isZero()))
      state.set(e.clientOrderId, "done");
  }
}

const sum = (fills: readonly OrderFilled[]): Decimal =>
  fills.reduce((a, f) => a.add(f.quantity), Decimal.ZERO);

/** Half of `q`, rounded down to `q`'s decimal places (never zero for q of 2 steps or more). */
function half(q: Decimal): Decimal {
  return q.div(Decimal.fromInt(2)).quantize(Math.max(0, -q.exp), "ROUND_DOWN");
}

type Needs = keyof VenueCapabilities;

const SPOT_ONLY: Capability = {
  unsupported: "a spot-only venue (no shorts, reduce-only or market orders)",
};

/** Register the contract's cases for one venue. */
export function venueContract(name: string, makeHarness: () => Promise<VenueHarness>): void {
  const contractCase = (
    title: string,
    needs: readonly Needs[],
    body: (s: Session, t: TestContext) => Promise<void>,
  ): void => {
    it(`${name}: ${title}`, async (t) => {
      const h = await makeHarness();
      try {
        for (const need of needs) {
          const c = h.capabilities[need] ?? SPOT_ONLY;
          if (c !== true) {
            t.skip(`${name} cannot: ${c.unsupported}`);
            return;
          }
        }
        const s = new Session(h);
        await body(s, t);
        assertCausalOrder(s.events);
      } finally {
        await h.close();
      }
    });
  };

  contractCase("submit -> OrderAccepted, and the order rests", [], async (s) => {
    const o = await s.submit(s.h.resting[0]);
    await s.h.settle();
    assert.deepEqual(s.kinds(o.clientOrderId), ["OrderAccepted"]);
    const open = await s.open();
    assert.deepEqual(
      open.map((x) => [x.clientOrderId, x.side, x.price.toString(), x.filledQuantity.isZero()]),
      [[o.clientOrderId, o.side, o.price.toString(), true]],
    );
    assert.ok(open[0]?.quantity.eq(o.quantity), "the order's quantity");
  });

  contractCase("full fill -> OrderFilled with leaves 0, fills sum to the order", [], async (s) => {
    const o = await s.submit(s.h.resting[0]);
    await s.h.fill(o.clientOrderId);
    await s.h.settle();
    const fills = s.fills(o.clientOrderId);
    assert.ok(fills.length >= 1, "at least one fill");
    assert.ok(sum(fills).eq(o.quantity), `fills sum to ${o.quantity}, got ${sum(fills)}`);
    assert.ok(fills.at(-1)?.leavesQuantity.isZero(), "the last fill leaves nothing");
    for (const f of fills) assert.equal(f.side, o.side);
    assert.deepEqual(await s.open(), [], "nothing left open");
    await s.h.settle();
    assert.equal(s.fills(o.clientOrderId).length, fills.length, "a second settle books nothing");
  });

  contractCase(
    "every fill carries its fee in one of the symbol's assets and its own trade id",
    ["fees", "partialFills"],
    async (s) => {
      const buy = await s.submit(s.h.resting[0]);
      const sell = await s.submit(s.h.resting[1]);
      await s.h.fill(buy.clientOrderId, half(buy.quantity));
      await s.h.settle();
      await s.h.fill(buy.clientOrderId);
      await s.h.fill(sell.clientOrderId);
      await s.h.settle();
      const fills = [...s.fills(buy.clientOrderId), ...s.fills(sell.clientOrderId)];
      assert.ok(fills.length >= 3, "the partial fill, the rest, the sell");
      const { base, quote } = assetsOf(s.h.symbol);
      for (const f of fills) {
        assert.ok(f.fee.isPositive(), `fee of ${f.tradeId}: ${f.fee}`);
        assert.ok([base, quote].includes(f.feeAsset), `fee asset ${JSON.stringify(f.feeAsset)}`);
      }
      assert.equal(new Set(fills.map((f) => f.tradeId)).size, fills.length, "trade ids unique");
    },
  );

  contractCase(
    "partial fill -> OrderFilled with leaves > 0, the order still open",
    ["partialFills"],
    async (s) => {
      const o = await s.submit(s.h.resting[0]);
      const part = half(o.quantity);
      await s.h.fill(o.clientOrderId, part);
      await s.h.settle();
      const fills = s.fills(o.clientOrderId);
      assert.equal(fills.length, 1);
      assert.ok(fills[0]?.quantity.eq(part), `filled ${part}`);
      assert.ok(fills[0]?.leavesQuantity.eq(o.quantity.sub(part)), "leaves the rest");
      assert.ok(fills[0]?.price.eq(o.price), "at the limit price");
      const open = await s.open();
      assert.equal(open.length, 1);
      assert.ok(open[0]?.filledQuantity.eq(part), "listed with its filled quantity");
    },
  );

  contractCase("cancel -> OrderCanceled; a second cancel is rejected", [], async (s) => {
    const o = await s.submit(s.h.resting[0]);
    await s.h.settle();
    await s.cancel(o.clientOrderId);
    await s.h.settle();
    assert.deepEqual(s.kinds(o.clientOrderId), ["OrderAccepted", "OrderCanceled"]);
    assert.deepEqual(await s.open(), []);
    await s.cancel(o.clientOrderId);
    await s.h.settle();
    assert.equal(s.of(o.clientOrderId).at(-1)?.kind, "OrderCancelRejected");
    await s.cancel("never-submitted");
    await s.h.settle();
    assert.deepEqual(s.kinds("never-submitted"), ["OrderCancelRejected"]);
  });

  contractCase(
    "cancel of a partly filled order books the executed part once, then OrderCanceled",
    ["partialFills"],
    async (s) => {
      const o = await s.submit(s.h.resting[0]);
      const part = half(o.quantity);
      await s.h.fill(o.clientOrderId, part); // not settled: the cancel must find it
      await s.cancel(o.clientOrderId);
      await s.h.settle();
      assert.deepEqual(s.kinds(o.clientOrderId), ["OrderAccepted", "OrderFilled", "OrderCanceled"]);
      const fills = s.fills(o.clientOrderId);
      assert.equal(fills.length, 1, "booked exactly once");
      assert.ok(fills[0]?.quantity.eq(part));
      assert.ok(fills[0]?.price.eq(o.price), "at its real average price");
      assert.deepEqual(await s.open(), []);
    },
  );

  contractCase("reject -> OrderRejected and no open order", ["rejects"], async (s) => {
    const o = await s.submit(s.h.refused as OrderShape);
    await s.h.settle();
    assert.deepEqual(s.kinds(o.clientOrderId), ["OrderRejected"]);
    const e = s.of(o.clientOrderId)[0];
    assert.ok(e?.kind === "OrderRejected" && e.reason.length > 0, "with the venue's reason");
    assert.deepEqual(await s.open(), []);
  });

  contractCase("duplicate client id -> rejected; the venue keeps one order", [], async (s) => {
    const o = await s.submit(s.h.resting[0]);
    await s.submit(s.h.resting[1], o.clientOrderId);
    await s.h.settle();
    assert.deepEqual(s.kinds(o.clientOrderId), ["OrderAccepted", "OrderRejected"]);
    const open = await s.open();
    assert.deepEqual(
      open.map((x) => [x.clientOrderId, x.price.toString()]),
      [[o.clientOrderId, o.price.toString()]],
      "the first order, untouched",
    );
  });

  contractCase(
    "restart with open orders -> the new client lists them with their filled quantities",
    [],
    async (s) => {
      const a = await s.submit(s.h.resting[0]);
      const b = await s.submit(s.h.resting[1]);
      const part = s.h.capabilities.partialFills === true ? half(a.quantity) : Decimal.ZERO;
      if (part.isPositive()) await s.h.fill(a.clientOrderId, part);
      await s.h.settle();
      const before = await s.open();
      const venue = await s.h.restart(s.history);
      s.listen(venue);
      const after = await s.open(venue);
      const view = (os: readonly VenueOrder[]) =>
        os
          .map(
            (x) =>
              `${x.clientOrderId} ${x.side} ${x.price} ${x.quantity} filled ${x.filledQuantity}`,
          )
          .sort();
      assert.deepEqual(view(after), view(before));
      assert.deepEqual(
        after.map((x) => x.clientOrderId).sort(),
        [a.clientOrderId, b.clientOrderId].sort(),
      );
      const filledA = after.find((x) => x.clientOrderId === a.clientOrderId)?.filledQuantity;
      assert.ok(filledA?.eq(part), `${a.clientOrderId} filled ${part}`);
      // The new client carries on: fills after the restart are booked once, on top of the old ones.
      await s.h.fill(b.clientOrderId);
      await s.h.settle();
      assert.ok(sum(s.fills(b.clientOrderId)).eq(b.quantity));
      assert.ok(sum(s.fills(a.clientOrderId)).eq(part), "nothing of the first order booked again");
    },
  );

  contractCase(
    "events of one order arrive in causal order: accepted, filled, canceled",
    [],
    async (s) => {
      const o = await s.submit(s.h.resting[0]);
      const partial = s.h.capabilities.partialFills === true;
      if (partial) {
        await s.h.fill(o.clientOrderId, half(o.quantity));
        await s.h.settle();
        await s.cancel(o.clientOrderId);
        await s.h.settle();
        assert.deepEqual(s.kinds(o.clientOrderId), [
          "OrderAccepted",
          "OrderFilled",
          "OrderCanceled",
        ]);
      } else {
        await s.h.fill(o.clientOrderId);
        await s.h.settle();
        await s.cancel(o.clientOrderId);
        await s.h.settle();
        assert.deepEqual(s.kinds(o.clientOrderId), [
          "OrderAccepted",
          "OrderFilled",
          "OrderCancelRejected",
        ]);
      }
      const ts = s.of(o.clientOrderId).map((e) => e.ts);
      assert.ok(
        ts.every((x) => Number.isSafeInteger(x)),
        "every event has a time",
      );
    },
  );

  // --- USD-M perpetuals ---

  const position = (s: Session): Promise<Decimal> => {
    const p = s.h.position;
    if (p === undefined) throw new Error("a futures harness gives position()");
    return p.call(s.h);
  };
  /** A market order of `shape`'s side and quantity (its price a reference only). */
  const market = (shape: OrderShape, side: OrderSide): OrderShape => ({ ...shape, side });
  /** A MARKET order of `shape`'s size on `side` (reduce-only when asked), sent and settled. */
  const marketOrder = async (
    s: Session,
    shape: OrderShape,
    side: OrderSide,
    reduceOnly = false,
  ): Promise<SubmitOrder> => {
    const o = await s.submit(market(shape, side), undefined, {
      orderType: "MARKET",
      ...(reduceOnly ? { reduceOnly: true } : {}),
    });
    await s.h.settle();
    return o;
  };

  contractCase("USD-M: a SELL from flat opens a short", ["futures"], async (s) => {
    assert.ok((await position(s)).isZero(), "flat at the start");
    const sell = s.h.resting[1];
    assert.equal(sell.side, "SELL");
    const o = await s.submit(sell);
    await s.h.fill(o.clientOrderId);
    await s.h.settle();
    assert.deepEqual(s.kinds(o.clientOrderId), ["OrderAccepted", "OrderFilled"]);
    assert.ok((await position(s)).eq(sell.quantity.negate()), `short ${sell.quantity}`);
  });

  contractCase("USD-M: a market order fills at once as taker", ["futures"], async (s) => {
    const shape = market(s.h.resting[0], "BUY");
    const o = await marketOrder(s, s.h.resting[0], "BUY");
    assert.deepEqual(s.kinds(o.clientOrderId), ["OrderAccepted", "OrderFilled"]);
    const fills = s.fills(o.clientOrderId);
    assert.equal(fills[0]?.liquidity, "taker");
    assert.ok(fills[0]?.quantity.eq(shape.quantity), "the whole quantity");
    assert.ok(fills[0]?.leavesQuantity.isZero());
    assert.ok((await position(s)).eq(shape.quantity), "long the quantity");
    assert.deepEqual(await s.open(), [], "nothing rests");
  });

  contractCase(
    "USD-M: reduce-only is accepted when it reduces, rejected when it would increase",
    ["futures"],
    async (s) => {
      const q = s.h.resting[0].quantity;
      const flatSell = await marketOrder(s, s.h.resting[1], "SELL", true);
      assert.deepEqual(
        s.kinds(flatSell.clientOrderId),
        ["OrderRejected"],
        "flat: nothing to reduce",
      );
      const open = await marketOrder(s, s.h.resting[0], "BUY");
      assert.equal(s.fills(open.clientOrderId).length > 0, true, "long opened");
      const sameSide = await marketOrder(s, s.h.resting[0], "BUY", true);
      assert.deepEqual(
        s.kinds(sameSide.clientOrderId),
        ["OrderRejected"],
        "a reduce-only BUY on a long would increase it",
      );
      const close = await marketOrder(s, s.h.resting[1], "SELL", true);
      assert.deepEqual(s.kinds(close.clientOrderId), ["OrderAccepted", "OrderFilled"]);
      assert.ok(s.fills(close.clientOrderId)[0]?.quantity.eq(q), `reduced by ${q}`);
      assert.ok((await position(s)).isZero(), "flat again");
    },
  );
}
