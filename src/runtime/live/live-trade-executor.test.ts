import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../../core/decimal.js";
import { snapshotFromEvent } from "../../data/snapshot-event.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { applyOptions, defaultOptions } from "../../kernel/kernel-options.js";
import { clientOrderIdFromKey } from "../../venues/binance/client-order-id.js";
import type { JournalExchangeEvent } from "./live-journal.js";
import { createLiveEngine, type LiveKernel } from "./live-kernel-setup.js";
import { LiveTradeExecutor } from "./live-trade-executor.js";
import { clientOrderIdOf, orderKeyScope } from "./live-trade-ids.js";
import type {
  TradeVenue,
  VenueOpenOrder,
  VenueOrder,
  VenueOrderStatus,
  VenueWrite,
} from "./live-trade-venue.js";

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

interface FakeOrder {
  symbol: string;
  status: string;
  executedQty: string;
}

/** An in-memory exchange: orders by client id, and every write it received. */
class FakeVenue implements TradeVenue {
  readonly description = "fake";
  readonly orders = new Map<string, FakeOrder>();
  readonly places: string[] = [];
  readonly cancels: string[] = [];
  /** Client ids whose placement is refused. */
  readonly refuse = new Set<string>();
  failListing = false;

  async place(o: VenueOrder): Promise<VenueWrite> {
    this.places.push(o.clientOrderId);
    if (this.refuse.has(o.clientOrderId))
      return { ok: false, detail: "NON_RETRYABLE_ERROR: -2010 insufficient balance" };
    this.orders.set(o.clientOrderId, { symbol: o.symbol, status: "NEW", executedQty: "0" });
    return { ok: true };
  }

  async cancel(_symbol: string, cid: string): Promise<VenueWrite> {
    this.cancels.push(cid);
    const o = this.orders.get(cid);
    if (o === undefined || o.status !== "NEW")
      return { ok: false, detail: "NON_RETRYABLE_ERROR: -2011 Unknown order sent." };
    o.status = "CANCELED";
    return { ok: true, cancelled: true };
  }

  async openOrders(symbol: string): Promise<VenueOpenOrder[]> {
    if (this.failListing) throw new Error("connection refused");
    return [...this.orders]
      .filter(([, o]) => o.symbol === symbol && o.status === "NEW")
      .map(([clientOrderId]) => ({ clientOrderId, symbol }));
  }

  async queryOrder(_symbol: string, cid: string): Promise<VenueOrderStatus | undefined> {
    const o = this.orders.get(cid);
    if (o === undefined) return undefined;
    return { status: o.status, executedQty: Decimal.parse(o.executedQty), updateTime: 42 };
  }

  seed(cid: string, symbol = "BTCUSDT"): void {
    this.orders.set(cid, { symbol, status: "NEW", executedQty: "0" });
  }

  set(cid: string, status: string, executedQty = "0"): void {
    const o = this.orders.get(cid);
    assert.ok(o !== undefined, cid);
    o.status = status;
    o.executedQty = executedQty;
  }
}

interface Rig {
  readonly engine: LiveKernel;
  readonly ex: LiveTradeExecutor;
  readonly venue: FakeVenue;
  readonly logs: string[];
  /** Every event applied, in order. */
  readonly events: JournalExchangeEvent[];
  /** Process a snapshot and send its intents; returns the intents' kinds. */
  tick(s: Snapshot, send?: boolean): Promise<string[]>;
}

function rig(cancelStrays = false, venue = new FakeVenue()): Rig {
  const engine = createLiveEngine(OPTIONS, false);
  const logs: string[] = [];
  const events: JournalExchangeEvent[] = [];
  const ex = new LiveTradeExecutor({
    venue,
    cancelStrays,
    log: (l) => logs.push(l),
    clock: () => 7,
  });
  ex.setRunId(RUN, "test");
  return {
    engine,
    ex,
    venue,
    logs,
    events,
    async tick(s, send = true) {
      const before = engine.openOrders(s.symbol);
      engine.processEvent(s);
      const intents = ex.observeTick(engine, s.symbol, before);
      if (send) events.push(...(await ex.execute(engine, intents, s.ts, false)));
      return intents.map((i) => `${i.kind} ${i.order.side}${i.order.levelId}`);
    },
  };
}

const ids = (engine: LiveKernel, symbol = "BTCUSDT") =>
  engine.openOrders(symbol).map((o) => o.orderId);

describe("live_trade client order ids", () => {
  it("derive from the run id and the engine order (same inputs, same id)", () => {
    const o = {
      orderId: "BTCUSDT:1:1:BUY:3",
      symbol: "BTCUSDT",
      side: "BUY" as const,
      price: Decimal.parse("99.90"),
      quantity: Decimal.parse("0.1"),
      levelId: 1,
    };
    const id = clientOrderIdOf(RUN, o);
    assert.match(id, /^grinder_[0-9a-f]{24}$/);
    assert.equal(clientOrderIdOf(RUN, { ...o }), id);
    assert.notEqual(clientOrderIdOf("ffffffffffff", o), id, "another journal, another id");
    assert.notEqual(clientOrderIdOf(RUN, { ...o, orderId: "BTCUSDT:9:1:BUY:7" }), id);
    // The same level at the same price later is a new order: the engine id differs.
    assert.equal(orderKeyScope(RUN, o.orderId), `${RUN}/BTCUSDT:1:1:BUY:3`);
    assert.notEqual(clientOrderIdFromKey("x"), id);
  });
});

describe("LiveTradeExecutor: ticks to the exchange", () => {
  it("places the engine's new orders, cancels the ones it drops, in order", async () => {
    const r = rig();
    assert.deepEqual(await r.tick(snap(0)), [
      "place SELL1",
      "place SELL2",
      "place BUY1",
      "place BUY2",
    ]);
    assert.equal(r.venue.places.length, 4);
    assert.deepEqual(
      r.ex.expectedOnExchange().map((t) => t.clientOrderId),
      r.engine.openOrders("BTCUSDT").map((o) => clientOrderIdOf(RUN, o)),
    );
    assert.deepEqual(
      r.events.map((e) => e.event),
      ["placed", "placed", "placed", "placed"],
    );
    assert.deepEqual(await r.tick(snap(1)), [], "a resting grid sends nothing");
    assert.deepEqual(r.venue.places.length, 4);
  });

  it("a refused placement is lost: the engine drops it, so its level is placed again next tick", async () => {
    const r = rig();
    const engine = createLiveEngine(OPTIONS, false);
    engine.processEvent(snap(0));
    const buy1 = engine.openOrders("BTCUSDT")[2];
    assert.ok(buy1 !== undefined);
    r.venue.refuse.add(clientOrderIdOf(RUN, buy1));
    await r.tick(snap(0));
    assert.deepEqual(
      r.events.map((e) => e.event),
      ["placed", "placed", "place_failed", "placed"],
    );
    assert.match(
      r.logs.join("\n"),
      /place_failed BTCUSDT grinder_\w+ \(engine BTCUSDT:.*:1:BUY:3\).*-2010/,
    );
    assert.equal(r.ex.expectedOnExchange().length, 3);
    assert.equal(r.engine.openOrders("BTCUSDT").length, 3, "the engine let it go");
  });
});

describe("LiveTradeExecutor: fills by polling", () => {
  it("an order gone from the exchange and FILLED is applied to the engine; the level is placed again", async () => {
    const r = rig();
    await r.tick(snap(0));
    const [sell1, , buy1] = r.ex.tracked();
    assert.ok(sell1 !== undefined && buy1 !== undefined);
    r.venue.set(buy1.clientOrderId, "FILLED", "0.1");
    // Not in this fake's listing, but still open when asked: kept (adopted), not a fill.
    r.venue.set(sell1.clientOrderId, "PARTIALLY_FILLED", "0.05");
    const events = await r.ex.poll(r.engine);
    assert.deepEqual(
      events.map((e) => [e.event, e.client_order_id]),
      [
        ["adopted", sell1.clientOrderId],
        ["filled", buy1.clientOrderId],
      ],
    );
    const fill = events[1]?.fill;
    assert.deepEqual(fill, {
      ts: 42,
      symbol: "BTCUSDT",
      side: "BUY",
      price: "99.90",
      quantity: "0.100",
      order_id: buy1.engineOrderId,
    });
    const summary = r.engine.finish(1) as Record<string, unknown>;
    assert.equal(summary.total_fills, 1);
    // Marked at snap(0)'s mid 100.01: (100.01 - 99.90) * 0.100.
    assert.deepEqual((summary.final_positions as Record<string, unknown>).BTCUSDT, {
      quantity: "0.100",
      avg_entry_price: "99.90",
      realized_pnl: "0",
      unrealized_pnl: "0.01100",
    });
    assert.ok(!ids(r.engine).includes(buy1.engineOrderId));
    // The next tick re-adds BUY level 1 as a new engine order with a new client id.
    assert.deepEqual(await r.tick(snap(2)), ["place BUY1"]);
    const again = r.ex.tracked().at(-1);
    assert.ok(again !== undefined && again.clientOrderId !== buy1.clientOrderId);
    assert.equal(r.venue.places.length, 5);
  });

  it("a cancelled-then-unlisted order settles as cancelled; a failed cancel is retried", async () => {
    const r = rig();
    await r.tick(snap(0));
    const t = r.ex.tracked()[0];
    assert.ok(t !== undefined);
    t.state = "cancelling"; // as after a tick whose cancel failed
    r.venue.failListing = true;
    assert.deepEqual(await r.ex.poll(r.engine), [], "a failed listing changes nothing");
    assert.match(r.logs.join("\n"), /open orders of BTCUSDT: connection refused \(retried later\)/);
    r.venue.failListing = false;
    const events = await r.ex.poll(r.engine);
    assert.deepEqual(
      events.map((e) => e.event),
      ["cancelled"],
    );
    assert.deepEqual(r.venue.cancels, [t.clientOrderId]);
    assert.equal(r.ex.byClientOrderId(t.clientOrderId), undefined);
  });
});

describe("LiveTradeExecutor: reconcile at a restart", () => {
  async function crashed(): Promise<Rig> {
    const r = rig();
    await r.tick(snap(0));
    return r;
  }

  it("adopts the engine's orders the exchange holds, places nothing again", async () => {
    const r = await crashed();
    const events = await r.ex.reconcile(r.engine, ["BTCUSDT"], false);
    assert.deepEqual(
      events.map((e) => e.event),
      ["adopted", "adopted", "adopted", "adopted"],
    );
    assert.equal(r.venue.places.length, 4, "no placement repeated");
    assert.equal(r.venue.cancels.length, 0);
  });

  it("strays (our prefix, unknown) are reported, or cancelled with cancelStrays; foreign orders are left alone", async () => {
    const stray = `grinder_${"ab".repeat(12)}`;
    for (const cancelStrays of [false, true]) {
      const venue = new FakeVenue();
      const r = rig(cancelStrays, venue);
      await r.tick(snap(0));
      venue.seed(stray);
      venue.seed("web_123456");
      venue.seed(`grinder_${"cd".repeat(12)}`, "SOLUSDT");
      const events = await r.ex.reconcile(r.engine, ["BTCUSDT", "SOLUSDT"], false);
      const ev = (cid: string) => events.find((e) => e.client_order_id === cid)?.event;
      assert.equal(ev(stray), cancelStrays ? "stray_cancelled" : "stray");
      assert.equal(ev(`grinder_${"cd".repeat(12)}`), cancelStrays ? "stray_cancelled" : "stray");
      assert.equal(ev("web_123456"), "foreign");
      assert.equal(venue.orders.get(stray)?.status, cancelStrays ? "CANCELED" : "NEW");
      assert.equal(venue.orders.get("web_123456")?.status, "NEW");
      assert.ok(!venue.cancels.includes("web_123456"));
      assert.match(
        r.logs.join("\n"),
        cancelStrays
          ? /stray_cancelled BTCUSDT grinder_abab/
          : /stray BTCUSDT grinder_abab.*--cancel-strays cancels it/,
      );
    }
  });

  it("an engine order missing on the exchange: FILLED -> fill; CANCELED/EXPIRED -> lost; partial -> fill of what executed", async () => {
    const r = await crashed();
    const [sell1, sell2, buy1, buy2] = r.ex.tracked();
    assert.ok(sell1 && sell2 && buy1 && buy2);
    r.venue.set(buy1.clientOrderId, "FILLED", "0.1");
    r.venue.set(sell1.clientOrderId, "CANCELED");
    r.venue.set(sell2.clientOrderId, "EXPIRED", "0.04");
    const events = await r.ex.reconcile(r.engine, ["BTCUSDT"], false);
    assert.deepEqual(
      events.map((e) => [e.event, e.engine_order_id, e.status ?? null]),
      [
        ["adopted", buy2.engineOrderId, null],
        ["lost", sell1.engineOrderId, "CANCELED"],
        ["filled", sell2.engineOrderId, "EXPIRED"],
        ["filled", buy1.engineOrderId, "FILLED"],
      ],
    );
    assert.equal(events[2]?.fill?.quantity, "0.040", "what executed, at the engine's scale");
    assert.equal(events[2]?.detail, "partially executed, then EXPIRED");
    // The engine keeps only what the exchange still holds; the lost one is dropped
    // (its level will be placed again) and no longer expected there.
    assert.deepEqual(ids(r.engine), [buy2.engineOrderId]);
    assert.deepEqual(
      r.ex.expectedOnExchange().map((t) => t.engineOrderId),
      [buy2.engineOrderId],
    );
    const s = r.engine.finish(1) as Record<string, unknown>;
    assert.equal(s.total_fills, 2);
    const positions = s.final_positions as Record<string, Record<string, unknown>>;
    assert.equal(positions.BTCUSDT?.quantity, "0.060");
  });

  it("an order journaled but never answered is placed now when the exchange does not know it", async () => {
    const r = rig();
    await r.tick(snap(0), false); // the crash came before the requests went out
    assert.equal(r.venue.places.length, 0);
    assert.ok(r.ex.tracked().every((t) => t.state === "pending"));
    const first = r.ex.tracked()[0];
    assert.ok(first !== undefined);
    r.venue.seed(first.clientOrderId); // this one did reach the exchange
    const events = await r.ex.reconcile(r.engine, [], false);
    assert.deepEqual(
      events.map((e) => e.event),
      ["adopted", "placed", "placed", "placed"],
    );
    assert.equal(r.venue.places.length, 3);
    assert.ok(!r.venue.places.includes(first.clientOrderId), "never placed twice");
    assert.ok(r.ex.tracked().every((t) => t.state === "open"));
  });

  it("a listing failure stops the reconcile (no trading blind)", async () => {
    const r = await crashed();
    r.venue.failListing = true;
    await assert.rejects(r.ex.reconcile(r.engine, ["BTCUSDT"], false), /connection refused/);
  });

  it("replaying the ticks and events rebuilds the same engine and tracker", async () => {
    const r = await crashed();
    const [, , buy1] = r.ex.tracked();
    assert.ok(buy1 !== undefined);
    r.venue.set(buy1.clientOrderId, "FILLED", "0.1");
    r.events.push(...(await r.ex.poll(r.engine)));
    await r.tick(snap(2));
    r.events.push(...(await r.ex.reconcile(r.engine, ["BTCUSDT"], false)));

    // Replay: same snapshots, the journaled events at the same points, no exchange calls.
    const quiet = new FakeVenue();
    quiet.failListing = true;
    const b = rig(false, quiet);
    await b.tick(snap(0), false);
    const firstBatch = r.events.slice(0, 4);
    for (const e of firstBatch) b.ex.applyEvent(b.engine, e);
    const pollBatch = r.events.slice(4, 5);
    for (const e of pollBatch) b.ex.applyEvent(b.engine, e);
    await b.tick(snap(2), false);
    for (const e of r.events.slice(5)) b.ex.applyEvent(b.engine, e);
    assert.deepEqual(b.engine.finish(2), r.engine.finish(2));
    assert.deepEqual(b.ex.toJson(), r.ex.toJson());
    assert.deepEqual(ids(b.engine), ids(r.engine));
    assert.equal(quiet.places.length + quiet.cancels.length, 0);
  });
});
