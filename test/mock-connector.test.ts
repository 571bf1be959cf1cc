import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ManualClock } from "../src/core/clock.js";
import type { Snapshot } from "../src/domain/snapshot.js";
import { ConnectorMetrics } from "../src/net/connector-metrics.js";
import { ConnectorState } from "../src/net/connector-state.js";
import { isConnectorClosedError } from "../src/net/errors/connector-closed-error.js";
import { isConnectorNonRetryableError } from "../src/net/errors/connector-non-retryable-error.js";
import { isConnectorTimeoutError } from "../src/net/errors/connector-timeout-error.js";
import { isConnectorTransientError } from "../src/net/errors/connector-transient-error.js";
import { retryWithPolicy } from "../src/net/retry.js";
import { makeRetryPolicy } from "../src/net/retry-policy.js";
import { makeTimeoutConfig } from "../src/net/timeout-config.js";
import { BinanceWsMockConnector } from "./support/mock-connector.js";
import { makeTempFixture, snapshotLine } from "./support/temp-fixture.js";

async function collect(it: AsyncIterable<Snapshot>): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  for await (const s of it) out.push(s);
  return out;
}

const LINES = [
  snapshotLine(3000, "BTCUSDT", "50002.00", "50003.00"),
  snapshotLine(1000, "BTCUSDT", "50000.00", "50001.00"),
  JSON.stringify({ type: "FILL", ts: 1500, symbol: "BTCUSDT" }),
  snapshotLine(2000, "ETHUSDT", "3000.10", "3000.20"),
  snapshotLine(2000, "BTCUSDT", "50001.00", "50002.00"),
  "",
  snapshotLine(4000, "ETHUSDT", "3001.00", "3001.50"),
  snapshotLine(5000, "BTCUSDT", "oops", "1"),
  JSON.stringify({
    type: "SNAPSHOT",
    ts: 6000,
    symbol: "BTCUSDT",
    bid_price: 0.5,
    ask_price: 1,
    bid_qty: "1",
    ask_qty: "1",
    last_price: "1",
    last_qty: "0",
  }),
];

let fixture: { dir: string; cleanup: () => Promise<void> };
let badFixture: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  fixture = await makeTempFixture({ "events.jsonl": LINES.join("\n") + "\n" });
  badFixture = await makeTempFixture({ "events.jsonl": `${LINES[0]}\n{not json\n` });
});
after(async () => {
  await fixture.cleanup();
  await badFixture.cleanup();
});

describe("BinanceWsMockConnector", () => {
  it("streams SNAPSHOT events in ts order, skipping duplicates and bad rows", async () => {
    const c = new BinanceWsMockConnector(fixture.dir);
    assert.equal(c.state, ConnectorState.DISCONNECTED);
    await c.connect();
    assert.equal(c.state, ConnectorState.CONNECTED);
    const snaps = await collect(c.iterSnapshots());
    assert.deepEqual(
      snaps.map((s) => `${s.ts}:${s.symbol}:${s.bidPrice.toString()}`),
      [
        "1000:BTCUSDT:50000.00",
        // ts 2000 twice: the second (same ts) is a duplicate under the reference's global-ts rule
        "2000:ETHUSDT:3000.10",
        "3000:BTCUSDT:50002.00",
        "4000:ETHUSDT:3001.00",
        // a JSON float becomes its exact value
        "6000:BTCUSDT:0.5",
      ],
    );
    assert.equal(snaps[0]?.askQty.toString(), "2.25");
    assert.equal(c.stats.eventsLoaded, 8);
    assert.equal(c.stats.snapshotsDelivered, 5);
    assert.equal(c.stats.duplicatesSkipped, 1);
    assert.equal(c.stats.errors.length, 1);
    assert.match(c.stats.errors[0] ?? "", /^Parse error at ts=5000: not a decimal number: "oops"/);
    assert.equal(c.lastSeenTs, 6000);
    await c.close();
    await c.close();
    assert.equal(c.state, ConnectorState.CLOSED);
  });

  it("filters symbols", async () => {
    const c = new BinanceWsMockConnector(fixture.dir, { symbols: ["ETHUSDT"] });
    await c.connect();
    const snaps = await collect(c.iterSnapshots());
    assert.deepEqual(
      snaps.map((s) => s.ts),
      [2000, 4000],
    );
    await c.close();
  });

  it("reconnect resumes after last_seen_ts", async () => {
    const c = new BinanceWsMockConnector(fixture.dir, { symbols: ["BTCUSDT"] });
    await c.connect();
    const first: number[] = [];
    for await (const s of c.iterSnapshots()) {
      first.push(s.ts);
      if (first.length === 2) break;
    }
    assert.deepEqual(first, [1000, 2000]);
    await c.reconnect();
    assert.equal(c.stats.reconnectAttempts, 1);
    assert.equal(c.state, ConnectorState.CONNECTED);
    const rest = (await collect(c.iterSnapshots())).map((s) => s.ts);
    assert.deepEqual(rest, [3000, 6000]);
    await c.close();
  });

  it("injected transient connect failures are retried by the retry policy", async () => {
    const clock = new ManualClock();
    const c = new BinanceWsMockConnector(fixture.dir, {
      transientFailures: { connectFailures: 2 },
    });
    const policy = makeRetryPolicy({ jitter: "none" });
    const { stats } = await retryWithPolicy("connect", () => c.connect(), policy, {
      sleep: clock.sleep,
      metrics: new ConnectorMetrics(),
    });
    assert.equal(stats.attempts, 3);
    assert.deepEqual(clock.sleeps, [100, 200]);
    assert.equal(c.stats.transientFailuresInjected, 2);
    assert.equal(c.state, ConnectorState.CONNECTED);
    await c.close();
  });

  it("an injected read failure loses nothing: reconnect redelivers the event", async () => {
    const c = new BinanceWsMockConnector(fixture.dir, {
      symbols: ["BTCUSDT"],
      transientFailures: { readFailures: 1, failureMessage: "wire dropped" },
    });
    await c.connect();
    const got: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const s of c.iterSnapshots()) got.push(s.ts);
      })(),
      (e: unknown) => isConnectorTransientError(e) && e.message === "wire dropped",
    );
    assert.equal(got.length, 0);
    await c.reconnect();
    for await (const s of c.iterSnapshots()) got.push(s.ts);
    assert.deepEqual(got, [1000, 2000, 3000, 6000]);
    await c.close();
  });

  it("read delay uses the injected sleep; a delay beyond the read timeout is a read timeout", async () => {
    const clock = new ManualClock();
    const ok = new BinanceWsMockConnector(fixture.dir, {
      symbols: ["ETHUSDT"],
      readDelayMs: 250,
      sleep: clock.sleep,
    });
    await ok.connect();
    assert.equal((await collect(ok.iterSnapshots())).length, 2);
    assert.deepEqual(clock.sleeps, [250, 250]);
    await ok.close();

    const slow = new BinanceWsMockConnector(fixture.dir, {
      readDelayMs: 500,
      timeouts: makeTimeoutConfig({ readTimeoutMs: 100 }),
      sleep: clock.sleep,
    });
    await slow.connect();
    await assert.rejects(collect(slow.iterSnapshots()), (e: unknown) => {
      assert.ok(isConnectorTimeoutError(e));
      assert.equal(e.op, "read");
      assert.equal(e.timeoutMs, 100);
      return true;
    });
    assert.equal(slow.stats.timeouts, 1);
    assert.equal(slow.lastSeenTs, undefined);
    await slow.close();
  });

  it("iterating before connect or after close fails clearly", async () => {
    const c = new BinanceWsMockConnector(fixture.dir);
    await assert.rejects(
      collect(c.iterSnapshots()),
      /Cannot iterate: connector state is disconnected/,
    );
    await c.connect();
    const it = c.iterSnapshots()[Symbol.asyncIterator]();
    assert.equal((await it.next()).done, false);
    await c.close();
    await assert.rejects(it.next(), (e: unknown) => isConnectorClosedError(e));
    await assert.rejects(collect(c.iterSnapshots()), (e: unknown) => isConnectorClosedError(e));
    await assert.rejects(c.reconnect(), (e: unknown) => isConnectorClosedError(e));
  });

  it("missing or invalid fixtures are non-retryable errors naming the place", async () => {
    const missing = new BinanceWsMockConnector(`${fixture.dir}/nope`);
    await assert.rejects(missing.connect(), (e: unknown) => {
      assert.ok(isConnectorNonRetryableError(e));
      assert.match(e.message, /Fixture not found/);
      return true;
    });
    assert.equal(missing.state, ConnectorState.DISCONNECTED);
    const bad = new BinanceWsMockConnector(badFixture.dir);
    await assert.rejects(bad.connect(), /Invalid fixture JSON: .*events\.jsonl:2/);
  });
});
