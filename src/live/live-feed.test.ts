import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { canonicalJson } from "../core/canonical-json.js";
import type { Snapshot } from "../domain/snapshot.js";
import { FeatureEngine } from "../features/feature-engine.js";
import type { FeatureSnapshot } from "../features/feature-snapshot.js";
import { ManualClock } from "./clock.js";
import {
  type FeatureUpdater,
  LiveFeed,
  LiveFeedRunner,
  liveFeaturesUpdateToJson,
} from "./live-feed.js";
import { BinanceWsMockConnector } from "./mock-connector.js";
import { importSpecifiers, transitiveImports } from "./testing/import-scan.js";
import { makeTempFixture, snapshotLine } from "./testing/temp-fixture.js";

/** A toy feature hook: mid price, one "bar" every 2 ticks per symbol. */
class ToyFeatures implements FeatureUpdater<{ mid: string }> {
  private readonly ticks = new Map<string, number>();
  failOn: number | undefined;
  processSnapshot(s: Snapshot): { mid: string } {
    if (s.ts === this.failOn) throw new Error("boom");
    this.ticks.set(s.symbol, (this.ticks.get(s.symbol) ?? 0) + 1);
    return { mid: s.midPrice.toString() };
  }
  getBarCount(symbol: string): number {
    return Math.floor((this.ticks.get(symbol) ?? 0) / 2);
  }
}

let fixture: { dir: string; cleanup: () => Promise<void> };
before(async () => {
  fixture = await makeTempFixture({
    "events.jsonl": [
      snapshotLine(1000, "BTCUSDT", "100.0", "100.2"),
      snapshotLine(2000, "ETHUSDT", "10.0", "10.2"),
      snapshotLine(3000, "BTCUSDT", "100.2", "100.4"),
      snapshotLine(4000, "BTCUSDT", "100.4", "100.6"),
      snapshotLine(5000, "BTCUSDT", "100.6", "100.8"),
    ].join("\n"),
  });
});
after(async () => {
  await fixture.cleanup();
});

describe("LiveFeed", () => {
  it("connector -> snapshots -> feature updates, symbol-filtered, with warm-up", async () => {
    const clock = new ManualClock(0);
    const feed = new LiveFeed({ symbols: ["BTCUSDT"], warmupBars: 2 }, new ToyFeatures(), clock);
    const c = new BinanceWsMockConnector(fixture.dir);
    await c.connect();
    const updates = [];
    for await (const u of feed.run(c)) updates.push(u);
    await c.close();
    assert.deepEqual(
      updates.map(
        (u) =>
          `${u.ts} ${u.features.mid} bars=${u.barsAvailable} done=${u.barCompleted} warm=${u.isWarmedUp}`,
      ),
      [
        "1000 100.1 bars=0 done=false warm=false",
        "3000 100.3 bars=1 done=true warm=false",
        "4000 100.5 bars=1 done=false warm=false",
        "5000 100.7 bars=2 done=true warm=true",
      ],
    );
    assert.equal(
      canonicalJson(liveFeaturesUpdateToJson(updates[0]!, (f) => ({ mid: f.mid }))),
      '{"bar_completed":false,"bars_available":0,"features":{"mid":"100.1"},"is_warmed_up":false,"latency_ms":0,"symbol":"BTCUSDT","ts":1000}',
    );
    assert.equal(
      canonicalJson(feed.stats.toJson()),
      '{"avg_latency_ms":0.0,"bars_completed":2,"errors":0,"last_ts":5000,"ticks_processed":4,"ticks_received":4}',
    );
  });

  it("a failing feature hook is counted, not fatal; stop() ends the run", async () => {
    const features = new ToyFeatures();
    features.failOn = 3000;
    const feed = new LiveFeed({}, features, new ManualClock());
    const c = new BinanceWsMockConnector(fixture.dir);
    await c.connect();
    const seen: number[] = [];
    for await (const u of feed.run(c)) {
      seen.push(u.ts);
      if (u.ts === 4000) feed.stop();
    }
    await c.close();
    assert.deepEqual(seen, [1000, 2000, 4000]);
    assert.equal(feed.stats.errors, 1);
  });

  it("the runner connects and always closes the connector", async () => {
    let connector: BinanceWsMockConnector | undefined;
    const runner = new LiveFeedRunner(
      { symbols: ["ETHUSDT"] },
      () => new ToyFeatures(),
      () => {
        connector = new BinanceWsMockConnector(fixture.dir);
        return connector;
      },
      new ManualClock(),
    );
    const out = [];
    for await (const u of runner.run()) out.push(u.ts);
    assert.deepEqual(out, [2000]);
    assert.equal(connector?.state, "closed");
  });
});

describe("LiveFeed import rule", () => {
  // The live read path must not reach the write path, not even transitively.
  const FORBIDDEN_LIVE = [
    "binance-exchange-port",
    "idempotent-exchange-port",
    "exchange-port",
    "live-engine",
    "paper-execution-adapter",
    "order-adoption",
    "order-registry",
    "order-keys",
    "client-order-id",
    "http-client",
    "binance-signing",
    "smoke-testnet",
  ];
  const violations = (files: Map<string, string[]>): string[] => {
    const out: string[] = [];
    for (const [file, specs] of files)
      for (const s of specs) {
        const base =
          s
            .split("/")
            .pop()
            ?.replace(/\.(js|ts)$/, "") ?? "";
        if (/(^|\/)execution(\/|$)/.test(s) || (s.startsWith(".") && FORBIDDEN_LIVE.includes(base)))
          out.push(`${file}: ${s}`);
      }
    return out;
  };

  it("live-feed.ts imports nothing from execution or the live write path", () => {
    const entry = fileURLToPath(new URL("../../src/live/live-feed.ts", import.meta.url));
    const files = transitiveImports(entry);
    assert.ok(files.size >= 3, "the scan found the feed's imports");
    assert.deepEqual(violations(files), []);
  });

  it("the scanner catches violations (so the rule can fail)", () => {
    const specs = importSpecifiers(
      [
        'import { ExecutionEngine } from "../execution/engine.js";',
        'import type { LiveExchangePort } from "./exchange-port.js";',
        "export { x } from './live-engine.js';",
        'const m = await import("../execution/port.js");',
        '// import { nope } from "../execution/commented.js";',
        'import "./side-effect.js";',
      ].join("\n"),
    );
    assert.deepEqual(specs, [
      "../execution/engine.js",
      "./exchange-port.js",
      "./live-engine.js",
      "../execution/port.js",
      "./side-effect.js",
    ]);
    assert.equal(violations(new Map([["x.ts", specs]])).length, 4);
  });
});

describe("LiveFeed with the real FeatureEngine", () => {
  it("feeds snapshots into the feature engine", async () => {
    const engine = new FeatureEngine();
    const hook: FeatureUpdater<FeatureSnapshot> = engine;
    const feed = new LiveFeed({ symbols: ["BTCUSDT"] }, hook, new ManualClock());
    const c = new BinanceWsMockConnector(fixture.dir);
    await c.connect();
    const out: FeatureSnapshot[] = [];
    for await (const u of feed.run(c)) out.push(u.features);
    await c.close();
    assert.equal(out.length, 4);
    assert.equal(out[3]?.toDict().symbol, "BTCUSDT");
    assert.equal(out[3]?.toDict().ts, 5000);
  });
});
