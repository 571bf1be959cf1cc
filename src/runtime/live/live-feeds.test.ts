import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { freePort } from "../../../test/support/redis-server-process.js";
import { tempDir } from "../../../test/support/run-cli.js";
import { ManualClock } from "../../core/clock.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { BinanceFeed, type FeedObserver, FixtureReplayFeed } from "./live-feeds.js";

const TMP = tempDir("grinder-feeds-");
after(() => rmSync(TMP, { recursive: true, force: true }));

function fixtureDir(name: string, events: { ts: number; symbol: string }[]): string {
  const dir = join(TMP, name);
  mkdirSync(dir);
  const lines = events.map((e) =>
    JSON.stringify({
      type: "SNAPSHOT",
      ts: e.ts,
      symbol: e.symbol,
      bid_price: "100",
      ask_price: "100.2",
      bid_qty: "1",
      ask_qty: "1",
      last_price: "100.1",
      last_qty: "0.5",
    }),
  );
  writeFileSync(join(dir, "events.jsonl"), `${lines.join("\n")}\n`);
  return dir;
}

function recorder(): FeedObserver & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    onConnected: (d) => log.push(`up ${d}`),
    onDisconnected: (d) => log.push(`down ${d}`),
    onRetry: (reason, error, attempt, delay) =>
      log.push(`retry ${attempt} ${delay} ${reason} ${error}`),
  };
}

describe("FixtureReplayFeed", () => {
  const events = [
    { ts: 10_000, symbol: "AAA" },
    { ts: 10_000, symbol: "BBB" },
    { ts: 12_000, symbol: "AAA" },
    { ts: 15_000, symbol: "BBB" },
    { ts: 16_000, symbol: "AAA" },
  ];

  it("waits out the gaps between timestamps, divided by the speed", async () => {
    const clock = new ManualClock(1_000_000);
    const obs = recorder();
    const feed = new FixtureReplayFeed({
      dir: fixtureDir("paced", events),
      speed: 2,
      clock: () => clock.nowMs(),
      sleep: clock.sleep,
      observer: obs,
    });
    const got: string[] = [];
    for await (const s of feed.snapshots(new AbortController().signal)) {
      got.push(`${s.ts}:${s.symbol}@${clock.nowMs()}`);
      assert.equal(feed.connected, true);
      clock.advance(100); // processing time counts against the next wait
    }
    assert.deepEqual(got, [
      "10000:AAA@1000000",
      "10000:BBB@1000100",
      "12000:AAA@1001000",
      "15000:BBB@1002500",
      "16000:AAA@1003000",
    ]);
    assert.deepEqual(clock.sleeps, [800, 1400, 400]);
    assert.equal(feed.connected, false);
    assert.match(obs.log[0] ?? "", /^up replaying .*events\.jsonl at speed 2$/);
    assert.equal(obs.log.at(-1), "down end of fixture");
  });

  it("speed 0 does not wait; a symbol filter keeps only those symbols", async () => {
    const clock = new ManualClock(0);
    const feed = new FixtureReplayFeed({
      dir: fixtureDir("unpaced", events),
      speed: 0,
      symbols: ["BBB"],
      clock: () => clock.nowMs(),
      sleep: clock.sleep,
      observer: recorder(),
    });
    const got: number[] = [];
    for await (const s of feed.snapshots(new AbortController().signal)) got.push(s.ts);
    assert.deepEqual(got, [10_000, 15_000]);
    assert.deepEqual(clock.sleeps, []);
  });

  it("stops at once when aborted, also in the middle of a wait", async () => {
    const abort = new AbortController();
    const feed = new FixtureReplayFeed({
      dir: fixtureDir("aborted", events),
      speed: 1,
      clock: () => 0,
      sleep: (_ms, signal) =>
        new Promise((_r, reject) => signal?.addEventListener("abort", () => reject(signal.reason))),
      observer: recorder(),
    });
    const got: number[] = [];
    const run = (async () => {
      for await (const s of feed.snapshots(abort.signal)) got.push(s.ts);
    })();
    await new Promise((r) => setTimeout(r, 20));
    abort.abort("stop");
    await run;
    assert.deepEqual(got, [10_000, 10_000], "the third event waits 2 s and never comes");
  });

  it("refuses a missing fixture and a negative speed at construction", () => {
    const base = { clock: () => 0, sleep: async () => {}, observer: recorder() };
    assert.throws(
      () => new FixtureReplayFeed({ ...base, dir: join(TMP, "none"), speed: 1 }),
      /fixture directory not found/,
    );
    assert.throws(
      () => new FixtureReplayFeed({ ...base, dir: fixtureDir("neg", events), speed: -1 }),
      /--speed: expected a number >= 0/,
    );
  });
});

describe("BinanceFeed", () => {
  it("retries a refused connection with capped backoff until aborted", async () => {
    const port = await freePort();
    const obs = recorder();
    const cm = new ConnectorMetrics();
    const delays: number[] = [];
    const abort = new AbortController();
    const feed = new BinanceFeed({
      symbols: ["BTCUSDT"],
      env: { GRINDER_BINANCE_WS_URL: `ws://127.0.0.1:${port}/stream` },
      retry: { baseDelayMs: 100, backoffMultiplier: 2, maxDelayMs: 300, jitter: "none" },
      sleep: async (ms) => {
        delays.push(ms);
        cm.recordRetry("feed_connect", "transient");
        if (delays.length === 4) abort.abort("enough");
      },
      observer: obs,
    });
    assert.equal(feed.description, `binance (ws://127.0.0.1:${port}/stream)`);
    const got: unknown[] = [];
    for await (const s of feed.snapshots(abort.signal)) got.push(s);
    assert.deepEqual(got, []);
    assert.deepEqual(delays, [100, 200, 300, 300]);
    assert.equal(feed.reconnects, 4);
    assert.equal(feed.connected, false);
    const retries = obs.log.filter((l) => l.startsWith("retry"));
    assert.match(
      retries[0] ?? "",
      /^retry 1 100 transient WebSocket connect failed: .*ECONNREFUSED/,
    );
  });

  it("refuses a production endpoint at construction", () => {
    assert.throws(
      () =>
        new BinanceFeed({
          symbols: ["BTCUSDT"],
          env: { GRINDER_BINANCE_WS_URL: "wss://stream.binance.com:9443/stream" },
          sleep: async () => {},
          observer: recorder(),
        }),
      /Mainnet is forbidden/,
    );
  });
});
