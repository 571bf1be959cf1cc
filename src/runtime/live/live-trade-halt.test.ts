/**
 * live_trade while the exchange bans the IP (418): the tick that met the ban
 * learns its commands were rejected, no later snapshot is decided (nothing
 * sent, nothing journaled as sent) until the ban's Retry-After has passed on
 * the venue's clock, then trading resumes by itself. One log line when the
 * halt starts, one when it ends; the metrics and /readyz's halt say so.
 *
 * The fixture's pacing drives both clocks: each snapshot (100 ms of data
 * apart) moves the loop's and the venue's clock by 100 ms (no real sleeping).
 */

import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  armedEnv,
  banNextPlacement,
  makeTradeFixture,
  sleepUntilAborted,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../../../test/support/live-trade-testing.js";
import { LocalBinanceExchange } from "../../../test/support/local-binance-exchange.js";
import { OffsetClock } from "../../../test/support/offset-clock.js";
import { tempDir } from "../../../test/support/run-cli.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { makeRetryPolicy } from "../../net/retry-policy.js";
import { HaRole } from "../../ops/ha/ha-state.js";
import { GrinderMetrics } from "../../ops/metrics/grinder-metrics.js";
import { BinanceSpotVenue } from "../../venues/binance/binance-spot-venue.js";
import { DEFAULT_LIVE_OPTIONS } from "./live-options.js";
import { LiveTradingLoop } from "./live-trading-loop.js";
import type { TradingLoopContext } from "./trading-loop.js";

const TMP = tempDir("grinder-live-halt-");
type Obj = Record<string, unknown>;

let ex: LocalBinanceExchange;
let fixture: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  ex = await LocalBinanceExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  fixture = await makeTradeFixture(60);
});
after(async () => {
  await ex.close();
  await fixture.cleanup();
  rmSync(TMP, { recursive: true, force: true });
});

describe("live_trade under a 418 ban", () => {
  it("decides nothing while halted, logs the halt once, resumes after Retry-After", async () => {
    const journal = join(TMP, "halt.jsonl");
    const venueClock = new OffsetClock();
    const metrics = new GrinderMetrics({ clock: () => 0 });
    const connectorMetrics = new ConnectorMetrics();
    const logs: string[] = [];
    let now = 0;
    let duringHalt: { metrics: string; halt: unknown } | undefined;
    let loopRef: LiveTradingLoop | undefined;
    const ctx: TradingLoopContext = {
      options: DEFAULT_LIVE_OPTIONS,
      metrics,
      role: () => HaRole.UNKNOWN,
      mayTrade: () => true,
      clock: () => now,
      log: (l) => {
        logs.push(l);
        if (l.includes("exchange writes halted"))
          duringHalt = { metrics: metrics.render(), halt: loopRef?.venueHalt() };
      },
    };
    const venue = new BinanceSpotVenue({
      restUrl: ex.url,
      env: armedEnv(),
      confirmed: true,
      clock: venueClock,
      connectorMetrics,
      retryPolicy: makeRetryPolicy({ maxAttempts: 1 }),
      sleep: async () => {},
      unknownStatusQueryDelayMs: 0,
    });
    const loop = new LiveTradingLoop(
      ctx,
      {
        mode: "live_trade",
        source: { kind: "fixture", dir: fixture.dir },
        symbols: [],
        filterFixtureSymbols: false,
        speed: 1,
        journalPath: journal,
        configPath: undefined,
        // The reference profile: its outputs and orders are what these tests compare.
        profile: "reference",
        instanceId: "halt-test",
        env: armedEnv(),
        restUrl: ex.url,
        trade: { confirmed: true, cancelStrays: false, pollMs: 1000 },
      },
      {
        connectorMetrics,
        venue,
        pollSleep: sleepUntilAborted,
        // The fixture's pacing: data time moves both clocks, nothing really waits.
        sleep: async (ms) => {
          now += ms;
          venueClock.advance(ms);
        },
      },
    );
    loopRef = loop;
    banNextPlacement(ex, 2);
    await loop.start(new AbortController().signal);

    const halted = logs.filter((l) => l.includes("exchange writes halted"));
    assert.equal(halted.length, 1, logs.join("\n"));
    assert.match(
      halted[0] as string,
      /exchange writes halted \(ip_ban\) until .*Z: IP banned \(418\) .* for 2000 ms \(Retry-After\); no tick is decided/,
    );
    const resumed = logs.filter((l) => l.includes("exchange writes resumed"));
    assert.equal(resumed.length, 1);
    // The ban began at the first snapshot (data time 0) and lasts 2000 ms: the snapshots at
    // 100 .. 1900 ms (19) are not decided; real time also moves the venue's clock a little.
    const skipped = Number(/\((\d+) snapshots not decided\)/.exec(resumed[0] as string)?.[1]);
    assert.ok(skipped >= 17 && skipped <= 19, `skipped ${skipped}`);

    const lines = readFileSync(journal, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Obj);
    const ticks = lines.filter((l) => l.type === "tick");
    assert.equal(ticks.length, 60 - skipped, "every decided snapshot journaled, no other");
    // The tick that met the ban: its commands were answered as rejections the kernel learnt.
    const firstEvents = lines.find((l) => l.type === "events") as Obj;
    const rejected = (firstEvents.events as Obj[]).filter((e) => e.kind === "OrderRejected");
    assert.equal(rejected.length, ((ticks[0] as Obj).commands as Obj[]).length);
    assert.match(String(rejected[0]?.reason), /IP banned/);
    assert.ok(
      rejected.slice(1).every((e) => /Writes stopped after an IP ban/.test(String(e.reason))),
    );
    // Nothing reached the exchange during the ban but the one request that met it.
    // (The venue's clock is ahead of the exchange's after the ban: a placement may be
    // signed again after a server-time resync, under the same client id.)
    const posts = ex.calls("/api/v3/order", "POST").map((r) => r.params.get("newClientOrderId"));
    const afterResume = ticks.slice(1).flatMap((t) => t.commands as Obj[]).length;
    assert.equal(new Set(posts.slice(1)).size, afterResume);
    assert.ok(!posts.slice(1).includes(posts[0] ?? ""), "the banned placement is not retried");
    assert.ok(afterResume > 0, "trading resumed by itself");

    assert.ok(duringHalt !== undefined);
    assert.match(duringHalt.metrics, /\ngrinder_venue_halted\{reason="ip_ban"\} 1\n/);
    assert.match(duringHalt.metrics, /\ngrinder_venue_halted\{reason="rate_limit"\} 0\n/);
    const until = (duringHalt.halt as { untilMs: number }).untilMs;
    assert.match(
      duringHalt.metrics,
      new RegExp(`\\ngrinder_venue_halted_until_seconds ${Math.floor(until / 1000)}\\n`),
    );
    const end = metrics.render();
    assert.match(end, /\ngrinder_venue_halted\{reason="ip_ban"\} 0\n/);
    assert.match(end, /\ngrinder_venue_halted_until_seconds 0\n/);
    assert.equal(loop.venueHalt(), undefined);
  });
});
