/**
 * `grinder live --mode live_trade` in-process against the local Binance
 * exchange (127.0.0.1, random port): the kernel's commands go out through
 * BinanceSpotVenue, fills come back by polling as order events and are
 * journaled, and a second instance rebuilds the same state from the journal
 * and finds the exchange's orders its own without placing anything again.
 */

import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  activeHandles,
  assertNoLeakedHandles,
  type HandleCounts,
} from "../../../test/support/handles.js";
import {
  armedEnv,
  makeTradeFixture,
  openOnExchange,
  placementsPerClientId,
  sleepUntilAborted,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../../../test/support/live-trade-testing.js";
import { LocalBinanceExchange } from "../../../test/support/local-binance-exchange.js";
import { tempDir } from "../../../test/support/run-cli.js";
import { ConfigError } from "../../core/errors.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { HaRole } from "../../ops/ha/ha-state.js";
import { GrinderMetrics } from "../../ops/metrics/grinder-metrics.js";
import { exchangeClientOrderId } from "../../venues/binance/client-order-id.js";
import { DEFAULT_LIVE_OPTIONS } from "./live-options.js";
import { type LiveTick, LiveTradingLoop } from "./live-trading-loop.js";
import type { TradingLoopContext } from "./trading-loop.js";

const TMP = tempDir("grinder-live-trade-");
type Obj = Record<string, unknown>;

let baseline: HandleCounts;
let ex: LocalBinanceExchange;
let fixture: { dir: string; cleanup: () => Promise<void> };
const allLogs: string[] = [];

before(async () => {
  baseline = activeHandles();
  ex = await LocalBinanceExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  fixture = await makeTradeFixture(60);
});
after(async () => {
  await ex.close();
  await fixture.cleanup();
  rmSync(TMP, { recursive: true, force: true });
  await assertNoLeakedHandles(baseline, 2000);
});

interface Run {
  readonly loop: LiveTradingLoop;
  readonly logs: string[];
  readonly metrics: GrinderMetrics;
  run(): Promise<void>;
}

function liveTrade(
  journal: string,
  o: {
    env?: Record<string, string>;
    confirmed?: boolean;
    cancelStrays?: boolean;
    onTick?: (t: LiveTick, loop: LiveTradingLoop) => void;
  } = {},
): Run {
  const metrics = new GrinderMetrics({ clock: () => 0 });
  const logs: string[] = [];
  let now = 0;
  const ctx: TradingLoopContext = {
    options: DEFAULT_LIVE_OPTIONS,
    metrics,
    role: () => HaRole.UNKNOWN,
    mayTrade: () => true,
    clock: () => now,
    log: (l) => {
      logs.push(l);
      allLogs.push(l);
    },
  };
  let loopRef: LiveTradingLoop | undefined;
  const loop = new LiveTradingLoop(
    ctx,
    {
      mode: "live_trade",
      source: { kind: "fixture", dir: fixture.dir },
      symbols: [],
      filterFixtureSymbols: false,
      speed: 0,
      journalPath: journal,
      configPath: undefined,
      // The reference profile: its outputs and orders are what these tests compare.
      profile: "reference",
      instanceId: "trade-test",
      env: o.env ?? armedEnv(),
      restUrl: ex.url,
      trade: {
        confirmed: o.confirmed ?? true,
        cancelStrays: o.cancelStrays ?? false,
        pollMs: 1000,
      },
    },
    {
      connectorMetrics: new ConnectorMetrics(),
      // Polls come from the tick path only, on this test's clock: deterministic.
      pollSleep: sleepUntilAborted,
      onTick: (t) => {
        now += 100; // one fill poll every ten ticks
        o.onTick?.(t, loopRef as LiveTradingLoop);
      },
    },
  );
  loopRef = loop;
  return { loop, logs, metrics, run: () => loop.start(new AbortController().signal) };
}

function journalLines(path: string): Obj[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Obj);
}

function sample(text: string, series: string): number {
  for (const line of text.split("\n"))
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return 0;
}

/** The open order of a symbol/side/price on the exchange. */
function restingAt(symbol: string, side: string, price: string): string {
  const o = openOnExchange(ex).find(
    (x) => x.symbol === symbol && x.side === side && x.price === price,
  );
  assert.ok(o !== undefined, `${symbol} ${side} ${price} is open on the exchange`);
  return o.clientOrderId;
}

describe("grinder live --mode live_trade (in-process, local exchange)", () => {
  const journal = join(TMP, "trade.jsonl");
  const filledIds: string[] = [];

  it("sends the engine's orders, finds fills by polling, journals both", async () => {
    const r = liveTrade(journal, {
      onTick: (t) => {
        // The market trades through two resting orders; the next polls find them.
        if (t.seq === 12) filledIds.push(restingAt("BTCUSDT", "BUY", "99.90"));
        if (t.seq === 31) filledIds.push(restingAt("ETHUSDT", "SELL", "50.07"));
        if (t.seq === 12 || t.seq === 31) ex.fill(filledIds.at(-1) as string);
      },
    });
    await r.run();
    const lines = journalLines(journal);
    const session = lines[0] as Obj;
    assert.equal(session.type, "session");
    assert.equal(session.mode, "live_trade");
    assert.match(String(session.run_id), /^[0-9a-f]{12}$/);

    const onExchange = (kernelId: unknown): string =>
      exchangeClientOrderId(String(session.run_id), String(kernelId));
    const exchange = lines.filter((l) => l.type === "events");
    const events = exchange.flatMap((l) => l.events as Obj[]);
    const fills = events.filter((e) => e.kind === "OrderFilled");
    assert.deepEqual(
      fills.map((e) => onExchange(e.client_order_id)),
      filledIds,
    );
    assert.ok(
      fills.every((e) => e.leaves_quantity === "0" && e.quantity === "0.100"),
      "whole fills",
    );
    // Found by the first poll after each fill (ticks 20 and 40), journaled before that tick.
    assert.deepEqual(
      exchange.filter((l) => l.cause === "sync").map((l) => l.seq),
      [20, 40],
    );
    // 8 grid orders, then the two filled levels placed again: each sent after its tick line.
    const placed = events.filter((e) => e.kind === "OrderAccepted");
    assert.equal(placed.length, 10);
    assert.ok(events.every((e) => ["OrderAccepted", "OrderFilled"].includes(String(e.kind))));
    const submits = lines
      .filter((l) => l.type === "tick")
      .flatMap((l) => l.commands as Obj[])
      .filter((c) => c.kind === "SubmitOrder");
    assert.deepEqual(
      submits.map((c) => c.client_order_id),
      placed.map((e) => e.client_order_id),
      "every journaled submit answered, in order",
    );

    const end = lines.at(-1) as Obj;
    assert.equal(end.type, "session_end");
    const summary = end.summary as Obj;
    assert.equal(summary.total_fills, 2);
    assert.deepEqual(summary.final_positions, {
      BTCUSDT: {
        // the BUY's commission (0.1% of 0.1) was paid in BTC
        quantity: "0.09990000",
        avg_entry_price: "99.90",
        realized_pnl: "0",
        unrealized_pnl: (summary.final_positions as Record<string, Obj>).BTCUSDT?.unrealized_pnl,
      },
      ETHUSDT: {
        quantity: "-0.100",
        avg_entry_price: "50.07",
        realized_pnl: "0",
        unrealized_pnl: (summary.final_positions as Record<string, Obj>).ETHUSDT?.unrealized_pnl,
      },
    });

    // The exchange holds exactly the kernel's open orders, each placed once.
    const venueOrders = end.venue_orders as Obj[];
    const expected = venueOrders.map((o) => o.exchange_client_order_id).sort();
    assert.equal(expected.length, 8);
    assert.ok(venueOrders.every((o) => o.state === "open"));
    assert.ok(
      venueOrders.every((o) => o.exchange_client_order_id === onExchange(o.client_order_id)),
    );
    assert.deepEqual(
      openOnExchange(ex)
        .map((o) => o.clientOrderId)
        .sort(),
      expected,
    );
    for (const [id, n] of placementsPerClientId(ex)) assert.equal(n, 1, id);
    assert.equal(placementsPerClientId(ex).size, 10);

    const text = r.metrics.render();
    assert.equal(sample(text, "grinder_fills_total"), 2);
    assert.equal(sample(text, "grinder_orders_placed_total"), 10);
    assert.equal(sample(text, "grinder_engine_events_total"), 60);
    assert.match(r.logs.join("\n"), /reconciled: nothing to do; 0 orders of the kernel/);
  });

  it("a second instance replays the journal (fills at the same points) and finds every order its own", async () => {
    const before = ex.requests.length;
    const first = journalLines(journal).at(-1) as Obj;
    const r = liveTrade(journal);
    await r.run();
    const lines = journalLines(journal);
    const end = lines.at(-1) as Obj;
    // The replay checked every output against the journal; the state is the same.
    assert.deepEqual(end.summary, first.summary);
    assert.deepEqual(end.venue_orders, first.venue_orders);
    const log = r.logs.join("\n");
    assert.match(log, /replayed \d+ journal lines/);
    // Nothing new happened on the exchange: the reconciliation reports nothing and books nothing.
    assert.match(log, /reconciling with the exchange: 8 tracked orders, symbols BTCUSDT,ETHUSDT/);
    assert.match(log, /reconciled: nothing to do; 8 orders of the kernel on the exchange/);
    assert.match(
      log,
      /stopped: 60 snapshots received, 0 traded, 60 skipped \(already in the journal\)/,
    );
    const newRequests = ex.requests.slice(before);
    assert.equal(newRequests.filter((q) => q.method !== "GET").length, 0, "no write at all");
    assert.equal(r.loop.summary()?.total_fills, 2, "the replay applied both fills");
    assert.equal(
      lines.filter((l) => l.type === "events").length,
      journalLines(journal).filter((l) => l.type === "events").length,
    );
    assert.deepEqual(
      lines.slice(-2).map((l) => l.type),
      ["session", "session_end"],
      "the second session journaled no events",
    );
  });

  it("refuses to start unarmed, naming what is missing", () => {
    const cases: [Record<string, string>, boolean, RegExp][] = [
      [armedEnv(), false, /--confirm TESTNET not given/],
      [armedEnv({ ARMED: "0" }), true, /ARMED=1 not set/],
      [armedEnv({ ALLOW_TESTNET_TRADE: "" }), true, /ALLOW_TESTNET_TRADE=1 not set/],
      [armedEnv({ BINANCE_API_SECRET: "" }), true, /BINANCE_API_SECRET not set/],
    ];
    for (const [env, confirmed, re] of cases)
      assert.throws(
        () => liveTrade(join(TMP, "unarmed.jsonl"), { env, confirmed }),
        (e: unknown) =>
          e instanceof ConfigError &&
          /^live_trade is not armed: /.test(e.message) &&
          re.test(e.message),
      );
  });

  it("never logs the API key or secret", () => {
    const all = allLogs.join("\n");
    assert.ok(all.length > 500);
    assert.ok(!all.includes("PLANTED"), "part of a credential leaked");
  });
});
