/**
 * live_trade's mode against the local Binance exchange: the kernel's command
 * batches reach the exchange in order, what the exchange reports changes the
 * kernel (refusals drop orders, fills move the ledger), the reconciliation
 * after a restart settles every kind of order, and replaying the ticks and
 * events rebuilds the same kernel and the same view of the orders without a
 * single request.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { armedEnv, localExchangePerTest } from "../../../test/support/live-trade-testing.js";
import { snapshotFromEvent } from "../../data/snapshot-event.js";
import type { OrderEvent, VenueEvent } from "../../domain/orders.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { applyOptions, defaultOptions } from "../../kernel/kernel-options.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { BinanceSpotVenue } from "../../venues/binance/binance-spot-venue.js";
import { exchangeClientOrderId } from "../../venues/binance/client-order-id.js";
import { LiveTradeMode } from "./live-mode-trade.js";

const OPTIONS = applyOptions(defaultOptions(), { levels: 2, size_per_level: "0.1" }, "test");
const RUN = "a1b2c3d4e5f6";

function snap(i: number, symbol = "BTCUSDT", base = 100): Snapshot {
  const bid = (base + (i % 5) * 0.01).toFixed(2);
  const ask = (base + (i % 5) * 0.01 + 0.02).toFixed(2);
  return snapshotFromEvent(
    {
      type: "SNAPSHOT",
      ts: 1_700_000_000_000 + i * 100,
      symbol,
      bid_price: bid,
      ask_price: ask,
      bid_qty: "1",
      ask_qty: "1",
      last_price: bid,
      last_qty: "0.1",
    },
    "test",
  );
}

const local = localExchangePerTest();

/** What a loop would journal: each tick's snapshot, then the events lines. */
type Journaled = { readonly tick: Snapshot } | { readonly events: readonly VenueEvent[] };

interface Rig {
  readonly mode: LiveTradeMode;
  readonly logs: string[];
  readonly journal: Journaled[];
  /** A tick and its commands, as the loop runs them; returns the command kinds. */
  tick(s: Snapshot, send?: boolean): Promise<string[]>;
  poll(): Promise<void>;
  reconcile(symbols: readonly string[]): Promise<string[]>;
  open(symbol?: string): string[];
  onExchange(kernelId: string): string;
}

function rig(cancelStrays = false): Rig {
  const logs: string[] = [];
  const venue = new BinanceSpotVenue({
    restUrl: local.ex.url,
    env: armedEnv(),
    confirmed: true,
    connectorMetrics: new ConnectorMetrics(),
    sleep: async () => {},
  });
  const mode = new LiveTradeMode({
    engineOptions: OPTIONS,
    venue,
    cancelStrays,
    log: (l) => logs.push(l),
  });
  mode.useRunId(RUN, "test");
  const journal: Journaled[] = [];
  const flush = (): void => {
    const events = mode.takeEvents();
    if (events.length > 0) journal.push({ events });
  };
  return {
    mode,
    logs,
    journal,
    async tick(s, send = true) {
      const r = mode.step(s);
      journal.push({ tick: s });
      if (send) await mode.send(r.commands);
      flush();
      return r.commands.map((c) => `${c.kind} ${c.clientOrderId.split(":").slice(2, 4).join("")}`);
    },
    async poll() {
      await mode.poll();
      flush();
    },
    async reconcile(symbols) {
      const untracked = await mode.reconcile(symbols);
      flush();
      return untracked.map((u) => `${u.action} ${u.client_order_id}`);
    },
    open: (symbol = "BTCUSDT") => mode.kernel.openOrders(symbol).map((o) => o.orderId),
    onExchange: (id) => exchangeClientOrderId(RUN, id),
  };
}

/** The order events journaled so far (a spot venue reports no account events). */
const eventsOf = (r: Rig): OrderEvent[] =>
  r.journal.flatMap((j) =>
    "events" in j ? j.events.filter((e): e is OrderEvent => e.kind !== "FundingApplied") : [],
  );

describe("live_trade: ticks to the exchange", () => {
  it("a tick's commands reach the exchange in the kernel's order, under ids derived from the run id", async () => {
    const r = rig();
    assert.deepEqual(await r.tick(snap(0)), [
      "SubmitOrder 1SELL",
      "SubmitOrder 2SELL",
      "SubmitOrder 1BUY",
      "SubmitOrder 2BUY",
    ]);
    const posted = local.ex
      .calls("/api/v3/order", "POST")
      .map((q) => q.params.get("newClientOrderId"));
    assert.deepEqual(posted, r.open().map(r.onExchange));
    assert.ok(posted.every((id) => /^grinder-e0-[0-9a-f]{16}$/.test(String(id))));
    assert.notEqual(exchangeClientOrderId("ffffffffffff", r.open()[0] as string), posted[0]);
    assert.deepEqual(
      eventsOf(r).map((e) => e.kind),
      ["OrderAccepted", "OrderAccepted", "OrderAccepted", "OrderAccepted"],
    );
    assert.deepEqual(await r.tick(snap(1)), [], "a resting grid sends nothing");
    assert.equal(local.ex.calls("/api/v3/order", "POST").length, 4);
  });

  it("a refused order is dropped by the kernel, so its level is placed again at the next tick", async () => {
    const r = rig();
    local.ex.inject(
      { method: "POST", path: "/api/v3/order" },
      {
        kind: "reply",
        status: 400,
        body: { code: -2010, msg: "Account has insufficient balance." },
      },
    );
    await r.tick(snap(0));
    const rejected = eventsOf(r).find((e) => e.kind === "OrderRejected");
    assert.ok(rejected?.kind === "OrderRejected");
    assert.match(rejected.reason, /-2010: Account has insufficient balance/);
    assert.match(r.logs.join("\n"), /exchange: OrderRejected BTCUSDT BTCUSDT:.*:1:SELL:1: .*-2010/);
    assert.equal(r.open().length, 3, "the kernel let it go");
    assert.deepEqual(await r.tick(snap(1)), ["SubmitOrder 1SELL"]);
    assert.equal(r.open().length, 4);
  });
});

describe("live_trade: fills by polling", () => {
  it("a fill found by a poll moves the kernel's ledger; the level is placed again as a new order", async () => {
    const r = rig();
    await r.tick(snap(0));
    const buy1 = r.open()[2] as string;
    local.ex.fill(r.onExchange(buy1));
    await r.poll();
    const fill = eventsOf(r).at(-1);
    assert.ok(fill?.kind === "OrderFilled" && fill.clientOrderId === buy1);
    assert.equal(fill.price.toString(), "99.90");
    assert.equal(fill.quantity.toString(), "0.100");
    assert.equal(fill.fee.toString(), "0.00010000", "0.1% of 0.1, from the account's trade list");
    assert.equal(fill.feeAsset, "BTC");
    assert.equal(fill.liquidity, "maker");
    const summary = r.mode.kernel.finish(1) as Record<string, unknown>;
    assert.equal(summary.total_fills, 1);
    assert.deepEqual((summary.final_positions as Record<string, unknown>).BTCUSDT, {
      // 0.1 bought, 0.0001 of it paid as commission; marked 0.11 above the entry.
      quantity: "0.09990000",
      avg_entry_price: "99.90",
      realized_pnl: "0",
      unrealized_pnl: "0.0109890000",
    });
    assert.ok(!r.open().includes(buy1));
    assert.deepEqual(await r.tick(snap(2)), ["SubmitOrder 1BUY"]);
    assert.notEqual(r.open().at(-1), buy1);
    await r.poll();
    assert.equal(eventsOf(r).filter((e) => e.kind === "OrderFilled").length, 1, "booked once");
  });
});

describe("live_trade: reconcile at a restart", () => {
  it("strays of our prefix are reported, or cancelled with cancelStrays; foreign orders are left alone", async () => {
    for (const cancelStrays of [false, true]) {
      const r = rig(cancelStrays);
      await r.tick(snap(0));
      const stray = local.ex.seedOrder({
        symbol: "BTCUSDT",
        clientOrderId: `grinder-e0-${"ab".repeat(8)}`,
        side: "BUY",
        price: "90.00",
        qty: "0.1",
      });
      const other = local.ex.seedOrder({
        symbol: "ETHUSDT",
        clientOrderId: `grinder-e0-${"cd".repeat(8)}`,
        side: "BUY",
        price: "40.00",
        qty: "0.1",
      });
      const foreign = local.ex.seedOrder({
        symbol: "BTCUSDT",
        clientOrderId: "web_123456",
        side: "SELL",
        price: "120.00",
        qty: "1",
      });
      const untracked = await r.reconcile(["BTCUSDT", "ETHUSDT"]);
      const word = cancelStrays ? "stray_cancelled" : "stray";
      assert.deepEqual(untracked, [
        `${word} ${stray.clientOrderId}`,
        `foreign ${foreign.clientOrderId}`,
        `${word} ${other.clientOrderId}`,
      ]);
      assert.equal(stray.status, cancelStrays ? "CANCELED" : "NEW");
      assert.equal(foreign.status, "NEW", "never touched");
      assert.match(
        r.logs.join("\n"),
        cancelStrays
          ? /exchange: stray_cancelled BTCUSDT grinder-e0-abab/
          : /exchange: stray BTCUSDT grinder-e0-abab.*--cancel-strays cancels it/,
      );
      assert.equal(eventsOf(r).length, 4, "the kernel's own orders: nothing new");
      for (const o of local.ex.orders) if (o.status === "NEW") o.status = "CANCELED";
    }
  });

  it("orders that left the exchange while down: FILLED -> fill; CANCELED -> canceled; EXPIRED after a partial -> fill, then expired", async () => {
    const r = rig();
    await r.tick(snap(0));
    const [sell1, sell2, buy1, buy2] = r.open() as [string, string, string, string];
    local.ex.fill(r.onExchange(buy1));
    local.ex.order(r.onExchange(sell1)).status = "CANCELED";
    local.ex.execute(r.onExchange(sell2), "0.04");
    local.ex.order(r.onExchange(sell2)).status = "EXPIRED";
    const before = eventsOf(r).length;
    await r.reconcile(["BTCUSDT"]);
    assert.deepEqual(
      eventsOf(r)
        .slice(before)
        .map((e) => `${e.kind} ${e.clientOrderId}`),
      [
        `OrderCanceled ${sell1}`,
        `OrderFilled ${sell2}`,
        `OrderExpired ${sell2}`,
        `OrderFilled ${buy1}`,
      ],
    );
    assert.deepEqual(r.open(), [buy2], "the kernel keeps what the exchange still holds");
    const s = r.mode.kernel.finish(1) as Record<string, unknown>;
    assert.equal(s.total_fills, 2);
    const positions = s.final_positions as Record<string, Record<string, unknown>>;
    assert.equal(
      positions.BTCUSDT?.quantity,
      "0.05990000",
      "0.100 bought less its 0.0001 commission, 0.040 sold",
    );
  });

  it("orders journaled but never sent are sent now with the same ids; those that did reach the exchange are not", async () => {
    const r = rig();
    await r.tick(snap(0), false); // the crash came before the requests went out
    const ids = r.open();
    assert.equal(local.ex.orders.length, 0);
    local.ex.seedOrder({
      symbol: "BTCUSDT",
      clientOrderId: r.onExchange(ids[0] as string),
      side: "SELL",
      price: "100.12",
      qty: "0.1",
    });
    await r.reconcile([]);
    assert.deepEqual(
      eventsOf(r).map((e) => e.kind),
      ["OrderAccepted", "OrderAccepted", "OrderAccepted", "OrderAccepted"],
    );
    const posted = local.ex
      .calls("/api/v3/order", "POST")
      .map((q) => q.params.get("newClientOrderId"));
    assert.deepEqual(posted, ids.slice(1).map(r.onExchange), "never placed twice");
  });

  it("a listing failure stops the reconciliation (no trading blind)", async () => {
    const r = rig();
    await r.tick(snap(0));
    local.ex.inject({ path: "/api/v3/openOrders" }, { kind: "reply", status: 503, body: "" });
    await assert.rejects(r.reconcile(["BTCUSDT"]), /HTTP 503/);
  });

  it("replaying the ticks and events rebuilds the same kernel and order view, without a request", async () => {
    const r = rig();
    await r.tick(snap(0));
    local.ex.fill(r.onExchange(r.open()[2] as string));
    await r.poll();
    await r.tick(snap(2));
    local.ex.execute(r.onExchange(r.open()[0] as string), "0.03");
    await r.reconcile(["BTCUSDT"]);

    const requests = local.ex.requests.length;
    const b = rig();
    for (const j of r.journal) {
      if ("tick" in j) b.mode.step(j.tick);
      else b.mode.applyEvents(j.events);
    }
    assert.deepEqual(b.mode.kernel.finish(2), r.mode.kernel.finish(2));
    assert.deepEqual(b.mode.venueOrders(), r.mode.venueOrders());
    assert.deepEqual(b.open(), r.open());
    assert.equal(local.ex.requests.length, requests, "a replay sends nothing");
    // The rebuilt view knows what was booked: a sync books nothing again.
    await b.poll();
    assert.equal(b.mode.takeEvents().length, 0);
  });
});
